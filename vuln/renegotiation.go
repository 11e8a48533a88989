package vuln

import (
	"context"
	"errors"
	"time"

	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// Renegotiation (RFC 5746, CVE-2009-3555). Three findings, which make SSL
// Labs' renegSupport bits:
//
//   - secure-renegotiation: the server echoes renegotiation_info (bit 2);
//     Variant "required" when it refuses clients that signal neither the
//     extension nor the SCSV (bit 8). Missing is a warning (docs/grading.md rule B9).
//   - insecure-renegotiation: a server without RFC 5746 that renegotiates
//     when the client asks (bit 1): the prefix-injection attack. F (B8).
//   - client-renegotiation: a server with RFC 5746 that renegotiates when
//     the client asks (bit 4): safe, but a denial-of-service lever;
//     information.
//
// Client-initiated renegotiation needs a completed handshake: padlock's
// handshake client completes one, sends a new ClientHello under the
// session's keys (with renegotiation_info carrying its Finished when the
// server supports RFC 5746, without it otherwise) and reads the answer: a
// ServerHello means the server renegotiates; a no_renegotiation or fatal
// alert, a close, or no answer within the wait means it does not.
func checkRenegotiation(ctx context.Context, r *run) []Finding {
	// No session for the resumption test unless clientRenegotiation
	// offered one.
	defer r.opts.Session.offer(handshake.Config{}, nil)
	e := r.res.Extensions
	if e.Protocol == 0 {
		for _, p := range []registry.Protocol{registry.SSLv3, registry.TLS10, registry.TLS11, registry.TLS12} {
			if supported(r.res, p) {
				f := finding(CheckSecureRenegotiation, Inconclusive, "%v is accepted but no ServerHello extensions were recorded", p)
				return []Finding{f, finding(CheckInsecureRenegotiation, Inconclusive, "%s", f.Reason), finding(CheckClientRenegotiation, Inconclusive, "%s", f.Reason)}
			}
		}
		reason := "no protocol with renegotiation (SSL 3.0 to TLS 1.2) is accepted"
		return []Finding{
			finding(CheckSecureRenegotiation, NotApplicable, "%s", reason),
			finding(CheckInsecureRenegotiation, NotApplicable, "%s", reason),
			finding(CheckClientRenegotiation, NotApplicable, "%s", reason),
		}
	}

	var secure Finding
	if e.SecureRenegotiation {
		secure = finding(CheckSecureRenegotiation, NotVulnerable, "the server supports secure renegotiation (renegotiation_info echoed at %v)", e.Protocol)
		secure.add(note("ServerHello", "renegotiation_info echoed"))
		r.secureRequired(ctx, &secure)
	} else {
		secure = finding(CheckSecureRenegotiation, Vulnerable, "the server does not support secure renegotiation (no renegotiation_info in its %v ServerHello)", e.Protocol)
		secure.Severity = SeverityInfo
		secure.add(note("ServerHello", "no renegotiation_info"))
	}

	insecure, client := r.clientRenegotiation(ctx, e.SecureRenegotiation)
	return []Finding{secure, insecure, client}
}

// secureRequired tests whether a hello without any RFC 5746 signal is
// refused, and marks the finding "required" if so.
func (r *run) secureRequired(ctx context.Context, f *Finding) {
	if ok, v := r.noRI.take(ctx, r.opts.Wait); ok {
		// checkFirstFlight's hello carried neither.
		f.add(note("hello without renegotiation_info or SCSV", "accepted (ServerHello at 0x%04x)", v))
		return
	}
	ver, ids := handshakeTarget(r.res, nil)
	if ver == 0 {
		v := bestClassic(r.res)
		if v == 0 {
			return
		}
		ver = uint16(v)
		for _, u := range suites(r.res, func(u suiteUse) bool { return u.Protocol == v }) {
			ids = append(ids, u.Suite.ID)
		}
	}
	c, pc, err := r.newClient(ctx, handshake.Config{Version: ver, Suites: ids, NoRenegotiationInfo: true})
	if err != nil {
		return
	}
	defer pc.Close()
	_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
	if err = c.SendHello(); err == nil {
		err = c.ReadServerHello()
	}
	var ae *handshake.AlertError
	switch {
	case err == nil:
		f.add(note("hello without renegotiation_info or SCSV", "accepted (ServerHello at 0x%04x)", c.Version))
	case errors.As(err, &ae) || isClosed(err):
		f.Variant = VariantRequired
		f.Reason += "; it refuses clients that do not signal it"
		f.add(note("hello without renegotiation_info or SCSV", "refused: %s", describeErr(err)))
	default:
		f.add(note("hello without renegotiation_info or SCSV", "no clear answer: %s", describeErr(err)))
	}
}

func isClosed(err error) bool {
	e, _ := classifyEnd(err)
	return e == endClosed || e == endReset
}

// clientRenegotiation completes a handshake and asks to renegotiate.
func (r *run) clientRenegotiation(ctx context.Context, secure bool) (insecureF, clientF Finding) {
	ver, ids := handshakeTarget(r.res, nil)
	if ver == 0 {
		reason := "padlock cannot complete a handshake with the server's suites, which client-initiated renegotiation needs"
		return finding(CheckInsecureRenegotiation, Inconclusive, "%s", reason), finding(CheckClientRenegotiation, Inconclusive, "%s", reason)
	}
	// Against a server without RFC 5746, be a legacy client throughout.
	cfg := handshake.Config{Version: ver, Suites: ids, NoRenegotiationInfo: !secure}
	c, pc, err := r.handshake(ctx, cfg)
	if err != nil {
		return inconclusive(CheckInsecureRenegotiation, err, "completing the first handshake"), inconclusive(CheckClientRenegotiation, err, "completing the first handshake")
	}
	defer pc.Close()
	_, ri := c.ServerHello.Extension(tlswire.ExtRenegotiationInfo)
	_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
	sh, err := c.Renegotiate(handshake.Config{Version: ver, Suites: ids, ServerName: r.sni()}, !ri)
	var answer Evidence
	accepted := false
	var ae *handshake.AlertError
	switch {
	case err == nil:
		accepted = true
		answer = note("answer to a client-initiated renegotiation", "ServerHello (version 0x%04x, suite 0x%04x)", sh.Version, sh.CipherSuite)
	case errors.As(err, &ae), isClosed(err):
		answer = note("answer to a client-initiated renegotiation", "refused: %s", describeErr(err))
		if ae != nil && ae.Alert.Level == tlswire.AlertLevelWarning && ri && !cfg.NoRenegotiationInfo {
			// Refused with a warning: the session of the first
			// handshake is intact. Ended with close_notify, it is the
			// full handshake the resumption test would make.
			closeNotify(c)
			r.opts.Session.offer(cfg, c.ServerHello.SessionID)
		}
	default:
		if e, _ := classifyEnd(err); e == endTimeout {
			answer = note("answer to a client-initiated renegotiation", "no ServerHello within %v", r.opts.Wait)
		} else {
			f := inconclusive(CheckClientRenegotiation, err, "reading the answer to the renegotiation hello")
			g := inconclusive(CheckInsecureRenegotiation, err, "reading the answer to the renegotiation hello")
			return g, f
		}
	}
	if ri {
		insecureF = finding(CheckInsecureRenegotiation, NotVulnerable, "the server supports RFC 5746, so renegotiations are bound to the previous handshake")
		insecureF.add(note("ServerHello", "renegotiation_info echoed"), answer)
		if accepted {
			clientF = finding(CheckClientRenegotiation, Vulnerable, "the server accepts secure client-initiated renegotiation (information: a denial-of-service lever)")
			clientF.Severity = SeverityInfo
		} else {
			clientF = finding(CheckClientRenegotiation, NotVulnerable, "the server refuses client-initiated renegotiation")
		}
		clientF.add(answer)
		return insecureF, clientF
	}
	clientF = finding(CheckClientRenegotiation, NotApplicable, "the server does not support secure renegotiation")
	if accepted {
		insecureF = finding(CheckInsecureRenegotiation, Vulnerable, "the server renegotiates at the client's request without RFC 5746: open to prefix injection (CVE-2009-3555)")
		insecureF.Severity = SeverityExploitable
	} else {
		insecureF = finding(CheckInsecureRenegotiation, NotVulnerable, "the server lacks RFC 5746 but refuses client-initiated renegotiation")
	}
	insecureF.add(answer)
	return insecureF, clientF
}
