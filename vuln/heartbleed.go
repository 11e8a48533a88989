package vuln

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"time"

	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// Heartbleed (CVE-2014-0160): OpenSSL 1.0.1 to 1.0.1f answered a heartbeat
// request with as many bytes as its payload_length claimed, whatever the
// request really held, leaking process memory.
//
// The probe sends, after the server's first flight (where vulnerable
// servers already process heartbeats), one over-long request — 16 bytes of
// payload claiming heartbleedClaim — then one well-formed request. A
// response longer than what was sent is the leak (Vulnerable, with the
// first 64 bytes as evidence). The answer to the well-formed request alone,
// an alert or a close is a server that does not leak (RFC 6520 §4: an
// over-long request is discarded silently). A server that negotiated
// heartbeat but answers neither request before the handshake is probed
// again after a full handshake.
//
// heartbleedClaim bounds what a vulnerable server sends back.
const heartbleedClaim = 4096

// heartbeatPayloadLen is the real payload of both requests.
const heartbeatPayloadLen = 16

func checkHeartbleed(ctx context.Context, r *run) []Finding {
	cfg, na := heartbleedConfig(r)
	if na != nil {
		return na
	}
	c, pc, err := r.flight(ctx, cfg)
	if err != nil {
		return []Finding{
			inconclusive(CheckHeartbleed, errors.New(describeErr(err)), "reading the server's first flight"),
			heartbeatFromProber(r),
		}
	}
	defer pc.Close()
	if !heartbeatNegotiated(c) {
		return heartbeatNotNegotiated(c)
	}
	return heartbleedOn(ctx, r, c, pc)
}

// heartbleedConfig is the hello of the Heartbleed probe: the highest TLS
// 1.0-1.2 version and its accepted suites, offering heartbeat. When no
// such version is accepted it returns the findings instead.
func heartbleedConfig(r *run) (handshake.Config, []Finding) {
	v := bestClassic(r.res)
	if v == 0 {
		reason := "no TLS 1.0-1.2 protocol is accepted (heartbeat is a TLS 1.0-1.2 extension)"
		if ps := protocolsInconclusive(r.res); len(ps) > 0 {
			return handshake.Config{}, []Finding{
				finding(CheckHeartbleed, Inconclusive, "support for %v is unknown", ps),
				finding(CheckHeartbeat, Inconclusive, "support for %v is unknown", ps),
			}
		}
		return handshake.Config{}, []Finding{finding(CheckHeartbleed, NotApplicable, "%s", reason), finding(CheckHeartbeat, NotApplicable, "%s", reason)}
	}
	var offer []uint16
	for _, u := range suites(r.res, func(u suiteUse) bool { return u.Protocol == v }) {
		offer = append(offer, u.Suite.ID)
	}
	return handshake.Config{Version: uint16(v), Suites: offer, Heartbeat: true}, nil
}

func heartbeatNegotiated(c *handshake.Conn) bool {
	_, ok := c.ServerHello.Extension(tlswire.ExtHeartbeat)
	return ok
}

// heartbeatNotNegotiated judges a server whose ServerHello did not take up
// the heartbeat extension a hello offered: not vulnerable to Heartbleed,
// and no heartbeat request is sent. Heartbeat is in use only when both
// hellos carry the extension (RFC 6520 §2), and the vulnerable OpenSSL
// 1.0.1 to 1.0.1f acknowledges an offered extension whenever it is built
// with heartbeat at all (testssl.sh and nmap's ssl-heartbleed read a
// ServerHello without it the same way). The connection is left as it is,
// right after the server's first flight, for the CCS-injection probe
// (checkFirstFlight).
func heartbeatNotNegotiated(c *handshake.Conn) []Finding {
	hb := finding(CheckHeartbeat, NotVulnerable, "the server does not acknowledge the heartbeat extension")
	hb.add(note("ServerHello", "no heartbeat extension in answer to one offering it"))
	f := finding(CheckHeartbleed, NotVulnerable, "the server did not negotiate heartbeat, which the vulnerable OpenSSL versions always do when offered")
	f.add(note("ServerHello", "no heartbeat extension at 0x%04x in answer to a hello offering it", c.Version))
	return []Finding{f, hb}
}

// heartbleedOn runs the Heartbleed probe over c, a connection right after
// a first flight in which the server negotiated heartbeat.
func heartbleedOn(ctx context.Context, r *run, c *handshake.Conn, pc *conn) []Finding {
	hb := finding(CheckHeartbeat, Vulnerable, "the server acknowledges the heartbeat extension at %v (information)", registry.Protocol(c.Version))
	hb.Severity = SeverityInfo
	hb.add(note("ServerHello", "heartbeat extension echoed"))

	f, answered := heartbeatProbe(c, r.opts.Wait, "before the handshake")
	pc.Close()
	if answered {
		return []Finding{f, hb}
	}

	// Heartbeat negotiated but unanswered before the handshake: try after.
	ver, ids := handshakeTarget(r.res, nil)
	if ver == 0 {
		f := finding(CheckHeartbleed, Inconclusive, "the server negotiated heartbeat but answered no request before the handshake, and padlock cannot complete a handshake with its suites")
		return []Finding{f, hb}
	}
	c2, pc2, err := r.handshake(ctx, handshake.Config{Version: ver, Suites: ids, Heartbeat: true})
	if err != nil {
		return []Finding{inconclusive(CheckHeartbleed, err, "completing a handshake for the heartbeat probe"), hb}
	}
	defer pc2.Close()
	f2, answered := heartbeatProbe(c2, r.opts.Wait, "after the handshake")
	if !answered {
		f2 = finding(CheckHeartbleed, Inconclusive, "the server negotiated heartbeat but answered no heartbeat request, before or after the handshake")
	}
	return []Finding{f2, hb}
}

// heartbeatFromProber answers the heartbeat question from the prober's
// result when padlock's own hello failed.
func heartbeatFromProber(r *run) Finding {
	e := r.res.Extensions
	if e.Protocol == 0 {
		return finding(CheckHeartbeat, Inconclusive, "no ServerHello seen")
	}
	if e.Heartbeat {
		f := finding(CheckHeartbeat, Vulnerable, "the server acknowledged the heartbeat extension at %v (information)", e.Protocol)
		f.Severity = SeverityInfo
		return f
	}
	f := finding(CheckHeartbeat, NotVulnerable, "the server does not acknowledge the heartbeat extension")
	f.add(note("prober's ServerHello", "no heartbeat extension at %v", e.Protocol))
	return f
}

// heartbeatProbe sends the over-long and the well-formed request over c
// (protected if c has keys) and judges the answer. answered is false when
// nothing came back in time.
func heartbeatProbe(c *handshake.Conn, wait time.Duration, when string) (f Finding, answered bool) {
	evil := make([]byte, heartbeatPayloadLen)
	good := make([]byte, heartbeatPayloadLen)
	pad := make([]byte, 16)
	_, _ = rand.Read(evil)
	_, _ = rand.Read(good)
	_, _ = rand.Read(pad)
	req1 := tlswire.HeartbeatMessage{Type: tlswire.HeartbeatRequest, PayloadLength: heartbleedClaim, Payload: evil, Padding: pad}
	req2 := tlswire.HeartbeatMessage{Type: tlswire.HeartbeatRequest, PayloadLength: heartbeatPayloadLen, Payload: good, Padding: pad}
	if err := c.WriteRecord(tlswire.TypeHeartbeat, req1.Marshal()); err != nil {
		return finding(CheckHeartbleed, Inconclusive, "sending the heartbeat request %s: %v", when, err), true
	}
	if err := c.WriteRecord(tlswire.TypeHeartbeat, req2.Marshal()); err != nil {
		// A server that closed on the first request: judged below.
		_ = err
	}
	deadline := time.Now().Add(wait)
	for i := 0; i < maxRecordsSeen; i++ {
		_ = c.Raw().SetReadDeadline(deadline)
		rec, err := c.ReadRecord()
		if err != nil {
			e, detail := classifyEnd(err)
			switch e {
			case endTimeout:
				return Finding{}, false
			case endClosed, endReset:
				f := finding(CheckHeartbleed, NotVulnerable, "the server closed the connection on the heartbeat requests %s without leaking", when)
				f.add(note("answer to the heartbeat requests", "%s", e))
				return f, true
			}
			return finding(CheckHeartbleed, Inconclusive, "reading the answer to the heartbeat requests %s: %s", when, detail), true
		}
		switch rec.Type {
		case tlswire.TypeAlert:
			a, err := tlswire.ParseAlert(rec.Payload)
			if err != nil {
				return finding(CheckHeartbleed, Inconclusive, "malformed alert after the heartbeat requests: %v", err), true
			}
			if a.Level == tlswire.AlertLevelWarning {
				continue
			}
			f := finding(CheckHeartbleed, NotVulnerable, "the server rejected the heartbeat requests %s with %s", when, a)
			f.add(note("answer to the heartbeat requests", "%s", a))
			return f, true
		case tlswire.TypeHeartbeat:
			return judgeHeartbeat(rec.Payload, evil, good, when), true
		}
		// Handshake or other records: keep reading.
	}
	return finding(CheckHeartbleed, Inconclusive, "no heartbeat answer among the first %d records %s", maxRecordsSeen, when), true
}

// judgeHeartbeat decides from one heartbeat record.
func judgeHeartbeat(payload, evil, good []byte, when string) Finding {
	leak := func(reason string) Finding {
		f := finding(CheckHeartbleed, Vulnerable, "%s", reason)
		f.Severity = SeverityExploitable
		f.add(note("heartbeat response", "%d bytes in answer to a %d-byte request claiming %d", len(payload), heartbeatPayloadLen, heartbleedClaim))
		f.add(bytesEvidence("heartbeat response (first bytes)", payload))
		return f
	}
	if len(payload) < 3 {
		return finding(CheckHeartbleed, Inconclusive, "truncated heartbeat message %s", when)
	}
	claimed := int(payload[1])<<8 | int(payload[2])
	body := payload[3:]
	if payload[0] == tlswire.HeartbeatResponse && (claimed > heartbeatPayloadLen || bytes.HasPrefix(body, evil)) {
		return leak("the server answered an over-long heartbeat request with memory beyond the request " + when)
	}
	m, err := tlswire.ParseHeartbeatMessage(payload)
	if err != nil {
		return finding(CheckHeartbleed, Inconclusive, "malformed heartbeat message %s: %v", when, err)
	}
	if m.Type == tlswire.HeartbeatResponse && bytes.Equal(m.Payload, good) {
		if len(m.Padding) > 64 {
			return leak("the server padded its heartbeat response with more bytes than it needed " + when)
		}
		f := finding(CheckHeartbleed, NotVulnerable, "the server ignored the over-long heartbeat request and answered the well-formed one %s", when)
		f.add(note("heartbeat response", "echo of the %d-byte well-formed request, %d bytes of padding", len(m.Payload), len(m.Padding)))
		return f
	}
	f := finding(CheckHeartbleed, Inconclusive, "unexpected heartbeat message %s (type %d, %d-byte payload)", when, m.Type, len(m.Payload))
	f.add(bytesEvidence("heartbeat message", payload))
	return f
}
