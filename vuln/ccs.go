package vuln

import (
	"context"
	"errors"

	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// OpenSSL CCS injection (CVE-2014-0224): OpenSSL before 0.9.8za, 1.0.0m and
// 1.0.1h accepted a ChangeCipherSpec before the key exchange and switched
// to keys derived from what it had at that point — in 1.0.1, an empty
// master secret, which a man in the middle can compute.
//
// The probe (two connections at most):
//
//  1. After the server's first flight, send ChangeCipherSpec. A patched
//     server rejects it at once (unexpected_message, or a close): not
//     vulnerable. A vulnerable one accepts it silently; then a second
//     ChangeCipherSpec arrives as a 1-byte "encrypted" record, which it
//     fails to decrypt: decryption_failed (21) is the vulnerable answer
//     (docs/grading.md E2); bad_record_mac (20) alone is inconclusive there.
//  2. If the server is decrypting, a second connection sends the early
//     ChangeCipherSpec followed by a Finished protected with the keys of an
//     empty master secret. A server that decrypts it (and so answers
//     something other than a decryption or MAC error — it expected a
//     ClientKeyExchange) is exploitable: openSslCcs 3. One that fails to
//     decrypt it is vulnerable but not exploitable that way: openSslCcs 2.
func checkCCS(ctx context.Context, r *run) Finding {
	cfg, na := ccsConfig(r)
	if na != nil {
		return *na
	}
	c, pc, err := r.flight(ctx, cfg)
	if err != nil {
		return inconclusive(CheckCCS, errors.New(describeErr(err)), "reading the server's first flight")
	}
	return ccsOn(ctx, r, c, pc, cfg)
}

// ccsConfig is the hello of the CCS-injection probe, or the finding when
// the probe does not apply.
func ccsConfig(r *run) (handshake.Config, *Finding) {
	v := bestClassic(r.res)
	if v == 0 {
		if ps := protocolsInconclusive(r.res); len(ps) > 0 {
			f := finding(CheckCCS, Inconclusive, "support for %v is unknown", ps)
			return handshake.Config{}, &f
		}
		f := finding(CheckCCS, NotApplicable, "no TLS 1.0-1.2 protocol is accepted")
		return handshake.Config{}, &f
	}
	// Prefer a CBC suite padlock can protect records for: the 1-byte
	// record then fails on its length (decryption_failed), and the keys
	// can be derived for step 2.
	ver, ids := handshakeTarget(r.res, func(s *handshake.Suite) bool { return s.Kind == handshake.KindCBC })
	if ver == 0 {
		ver, ids = handshakeTarget(r.res, nil)
	}
	if ver == 0 {
		ver = uint16(v)
		for _, u := range suites(r.res, func(u suiteUse) bool { return u.Protocol == v }) {
			ids = append(ids, u.Suite.ID)
		}
	}
	return handshake.Config{Version: ver, Suites: ids}, nil
}

// ccsOn runs the probe over c, a connection right after the server's
// first flight in answer to cfg (or to cfg offering heartbeat, which the
// server did not take up); step 2 dials cfg again. It closes pc.
func ccsOn(ctx context.Context, r *run, c *handshake.Conn, pc *conn, cfg handshake.Config) Finding {
	defer pc.Close()
	suiteName := "?"
	if c.Suite != nil {
		suiteName = c.Suite.Name
	}
	if err := c.SendChangeCipherSpec(); err != nil {
		return inconclusive(CheckCCS, err, "sending the early ChangeCipherSpec")
	}
	first := readReaction(c, r.opts.Wait)
	if len(first.Records) > 0 || first.End != endTimeout {
		if a, ok := first.alert(); ok || first.End == endClosed || first.End == endReset {
			f := finding(CheckCCS, NotVulnerable, "the server rejected a ChangeCipherSpec sent before the key exchange")
			if ok {
				f.Reason += " with " + a.String()
			}
			f.add(reactionEvidence("answer to the early ChangeCipherSpec", first))
			return f
		}
		f := finding(CheckCCS, Inconclusive, "unexpected answer to the early ChangeCipherSpec")
		f.add(reactionEvidence("answer to the early ChangeCipherSpec", first))
		return f
	}
	// Silence: the server took it. A second ChangeCipherSpec is now a
	// record it has to decrypt.
	if err := c.WriteRaw(tlswire.Record{Type: tlswire.TypeChangeCipherSpec, Version: c.Version, Payload: []byte{1}}.Marshal()); err != nil {
		return inconclusive(CheckCCS, err, "sending the second ChangeCipherSpec")
	}
	second := readReaction(c, r.opts.Wait)
	pc.Close()
	ev := []Evidence{
		reactionEvidence("answer to the early ChangeCipherSpec", first),
		reactionEvidence("answer to a second ChangeCipherSpec", second),
	}
	a, ok := second.alert()
	decrypting := ok && (a.Description == tlswire.AlertDecryptionFailed || a.Description == tlswire.AlertBadRecordMAC)
	if !decrypting {
		if ok || second.End == endClosed || second.End == endReset {
			f := finding(CheckCCS, NotVulnerable, "the server ignored the early ChangeCipherSpec and did not try to decrypt what followed")
			f.add(ev...)
			return f
		}
		f := finding(CheckCCS, Inconclusive, "the server accepted an early ChangeCipherSpec silently but gave no clear answer to the next record")
		f.add(ev...)
		return f
	}

	// The server decrypts after an early ChangeCipherSpec. Can a man in
	// the middle compute its keys?
	exploit, proof := r.ccsExploitable(ctx, cfg)
	switch {
	case exploit:
		f := finding(CheckCCS, Vulnerable, "the server accepts a ChangeCipherSpec before the key exchange and then decrypts with keys from an empty master secret (%s)", suiteName)
		f.Severity = SeverityExploitable
		f.add(ev...)
		f.add(proof...)
		return f
	case a.Description == tlswire.AlertDecryptionFailed:
		f := finding(CheckCCS, Vulnerable, "the server accepts a ChangeCipherSpec before the key exchange (decryption_failed on the next record), but its keys could not be derived (%s)", suiteName)
		f.Severity = SeverityNotExploitable
		f.Variant = VariantNotExploitable
		f.add(ev...)
		f.add(proof...)
		return f
	}
	f := finding(CheckCCS, Inconclusive, "the server accepted an early ChangeCipherSpec and answered the next record with bad_record_mac; without decryption_failed or derivable keys this is not conclusive (docs/grading.md E2)")
	f.add(ev...)
	f.add(proof...)
	return f
}

// ccsExploitable sends an early ChangeCipherSpec followed by a Finished
// protected with keys from an empty master secret and reports whether the
// server decrypted it.
func (r *run) ccsExploitable(ctx context.Context, cfg handshake.Config) (bool, []Evidence) {
	c, pc, err := r.flight(ctx, cfg)
	if err != nil {
		return false, []Evidence{note("empty-master-secret probe", "flight failed: %s", describeErr(err))}
	}
	defer pc.Close()
	if c.Suite == nil || c.Suite.Kind != handshake.KindCBC {
		return false, []Evidence{note("empty-master-secret probe", "not run: padlock cannot protect records for suite 0x%04x", c.ServerHello.CipherSuite)}
	}
	if err := c.SetKeys(nil); err != nil {
		return false, []Evidence{note("empty-master-secret probe", "%v", err)}
	}
	if err := c.SendChangeCipherSpec(); err != nil {
		return false, []Evidence{note("empty-master-secret probe", "%v", err)}
	}
	fin := tlswire.Handshake{Type: tlswire.HandshakeFinished, Body: make([]byte, 12)}.Marshal()
	if err := c.WriteRecord(tlswire.TypeHandshake, fin); err != nil {
		return false, []Evidence{note("empty-master-secret probe", "%v", err)}
	}
	re := readReaction(c, r.opts.Wait)
	ev := []Evidence{reactionEvidence("answer to a Finished under empty-master-secret keys", re)}
	a, ok := re.alert()
	if !ok {
		return false, ev
	}
	return a.Description != tlswire.AlertDecryptionFailed && a.Description != tlswire.AlertBadRecordMAC, ev
}
