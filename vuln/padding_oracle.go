package vuln

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// CBC padding oracles. After a completed TLS 1.0-1.2 handshake with a CBC
// suite (MAC-then-encrypt: padlock offers no encrypt_then_mac), each vector
// below is sent as the first application-data record of its own connection,
// carrying an HTTP request where it carries data at all, and the server's
// reaction (data, alert, close, reset, silence) is recorded. The record
// classes are Tripwire's padcheck test cases (Young, "Zombie POODLE,
// GOLDENDOODLE, & How TLSv1.3 Can Save Us All", Black Hat Asia 2019), plus
// a well-formed baseline and the 0-length pair of CVE-2019-1559:
//
//	valid           request | MAC | padding                  (baseline)
//	badMAC          request | MAC^1 | padding                (valid padding, invalid MAC)
//	badPad          request | MAC^1 | SSLv3-style padding    (invalid padding, invalid MAC)
//	poodle          request | MAC | SSLv3-style padding      (valid MAC, invalid padding)
//	allPadding      6 blocks, every byte the padding length  (no data, no MAC)
//	zeroBadMAC      MAC^1 | padding                          (0-length record, invalid MAC)
//	zeroBadPad      MAC^1 | SSLv3-style padding              (0-length record, invalid padding)
//	pad255          every byte 0xff                          (padding longer than the record)
//
// SSLv3-style padding keeps the length byte right and the other padding
// bytes wrong. The malformed records of one length class have the same
// length, so only their content differs.
//
// What each finding compares (padlock's mapping; the exact SSL Labs
// layouts are not public):
//
//   - POODLE TLS (CVE-2014-8730): the poodle record is processed like the
//     valid one (the server answers the request): padding bytes unchecked.
//   - CVE-2016-2107 (LuckyMinus20): allPadding draws record_overflow where
//     badMAC draws another answer — the fingerprint of OpenSSL's AES-NI
//     CBC-HMAC bug.
//   - GOLDENDOODLE: badMAC is answered differently from badPad (same
//     length, same invalid MAC): padding validity is observable.
//   - Zombie POODLE: poodle is answered differently from badPad: MAC
//     validity is observable behind invalid padding.
//   - 0-length padding oracle (CVE-2019-1559): zeroBadMAC and zeroBadPad
//     are answered differently, unlike badMAC and badPad (else it is
//     GOLDENDOODLE showing on empty records).
//   - Sleeping POODLE: two malformed records answered differently that
//     none of the oracles above tells apart (padcheck reports such
//     residual oracles as "POODLE or 'sleeping' POODLE"); typically a
//     server that goes silent on some malformed records and not others.
//
// Exploitable versus not: a difference in the decrypted alert only (both
// records draw an encrypted alert of the same length) is hidden from a man
// in the middle, so the oracle is "vulnerable" (2, 4, 6, 10); a difference
// on the wire (alert or not, close, reset, silence, lengths) is
// "vulnerable and exploitable" (3, 5, 7, 11). Any difference is confirmed
// by running all vectors a second time; if the second run disagrees with
// the first, every oracle is inconclusive.
type padVector int

const (
	padValid padVector = iota
	padBadMAC
	padBadPad
	padPoodle
	padAllPadding
	padZeroBadMAC
	padZeroBadPad
	pad255
	padVectors
)

var padVectorNames = [...]string{
	"valid record", "valid padding, invalid MAC", "SSLv3-style padding, invalid MAC",
	"SSLv3-style padding, valid MAC", "whole record is padding", "0-length record, invalid MAC",
	"0-length record, SSLv3-style padding", "padding length 255",
}

func (v padVector) String() string { return padVectorNames[v] }

// padRecord builds the protected record for a vector.
func padRecord(out *handshake.State, v padVector, request []byte) ([]byte, error) {
	bs := out.Suite.BlockSize()
	seq := out.Seq()
	typ := tlswire.TypeApplicationData
	mac := out.MAC(seq, typ, request)
	zeroMAC := out.MAC(seq, typ, nil)
	flip := func(m []byte) []byte {
		m = append([]byte(nil), m...)
		m[0] ^= 1
		return m
	}
	// One extra block of padding so that SSLv3-style padding has wrong
	// bytes to carry.
	pad := func(n int) []byte { return handshake.Padding(n, bs, 1) }
	sslv3 := func(p []byte) []byte {
		p = append([]byte(nil), p...)
		for i := 0; i < len(p)-1; i++ {
			p[i] = byte(i) ^ 0xa5
			if p[i] == p[len(p)-1] {
				p[i] ^= 0xff
			}
		}
		return p
	}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	n := len(request) + len(mac)
	var plain []byte
	switch v {
	case padValid:
		plain = cat(request, mac, pad(n))
	case padBadMAC:
		plain = cat(request, flip(mac), pad(n))
	case padBadPad:
		plain = cat(request, flip(mac), sslv3(pad(n)))
	case padPoodle:
		plain = cat(request, mac, sslv3(pad(n)))
	case padAllPadding:
		l := 6 * bs
		plain = make([]byte, l)
		for i := range plain {
			plain[i] = byte(l - 1)
		}
	case padZeroBadMAC:
		plain = cat(flip(zeroMAC), pad(len(zeroMAC)))
	case padZeroBadPad:
		plain = cat(flip(zeroMAC), sslv3(pad(len(zeroMAC))))
	case pad255:
		plain = make([]byte, n+len(pad(n)))
		for i := range plain {
			plain[i] = 0xff
		}
	}
	return out.SealRaw(typ, plain)
}

// padResults are the reactions to every vector in one run.
type padResults [padVectors]reaction

func (p *padResults) keys() (k [padVectors]string) {
	for i := range p {
		k[i] = p[i].key()
	}
	return k
}

// checkPaddingOracles runs the vectors and derives the six findings.
func checkPaddingOracles(ctx context.Context, r *run) []Finding {
	ids := []string{CheckPoodleTLS, CheckLuckyMinus20, CheckZombiePoodle, CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle}
	all := func(state State, variantPoodle string, reason string, args ...any) []Finding {
		out := make([]Finding, len(ids))
		for i, id := range ids {
			out[i] = finding(id, state, reason, args...)
		}
		out[0].Variant = variantPoodle
		return out
	}

	anyTLS := false
	for _, p := range []registry.Protocol{registry.TLS10, registry.TLS11, registry.TLS12, registry.TLS13} {
		anyTLS = anyTLS || supported(r.res, p)
	}
	if !anyTLS {
		if ps := protocolsInconclusive(r.res); len(ps) > 0 {
			return all(Inconclusive, "", "support for %v is unknown", ps)
		}
		return all(NotApplicable, VariantNoTLS, "TLS is not supported")
	}
	cbc := suites(r.res, func(u suiteUse) bool {
		return u.Suite.Cipher.CBC() && u.Protocol >= registry.TLS10 && u.Protocol <= registry.TLS12
	})
	if len(cbc) == 0 {
		f := noSuiteFinding(CheckPoodleTLS, r, "")
		if f.State == Inconclusive {
			return all(Inconclusive, "", "%s", f.Reason)
		}
		return all(NotApplicable, "", "no CBC suite is accepted at TLS 1.0-1.2")
	}
	ver, suiteIDs := handshakeTarget(r.res, func(s *handshake.Suite) bool { return s.Kind == handshake.KindCBC })
	if ver == 0 {
		return all(Inconclusive, "", "the server's CBC suites (%s) are ones padlock cannot complete a handshake with", cbc[0])
	}
	cfg := handshake.Config{Version: ver, Suites: suiteIDs}

	first, suite, early, err := r.padRun(ctx, cfg, false)
	if err != nil {
		return all(Inconclusive, "", "padding-oracle probe with %s: %v", suiteNames(suiteIDs), err)
	}
	differs := first.differs()
	if differs && early {
		// A difference is judged on full waits only: a silence read
		// early might have been a late answer. (Read early, a silence
		// always makes a difference, so the fast path is taken only
		// when every vector was answered.)
		if first, suite, _, err = r.padRun(ctx, cfg, true); err != nil {
			return all(Inconclusive, "", "padding-oracle probe with %s: %v", suiteNames(suiteIDs), err)
		}
		differs = first.differs()
	}
	where := fmt.Sprintf("%s at %v", suite, registry.Protocol(ver))
	k := first.keys()
	if differs {
		second, _, _, err := r.padRun(ctx, cfg, true)
		if err != nil {
			return all(Inconclusive, "", "repeating the padding-oracle probe: %v", err)
		}
		k2 := second.keys()
		k2[padValid], k[padValid] = "", "" // the answer to a valid request may vary
		if k2 != k {
			out := all(Inconclusive, "", "the server's reactions to malformed CBC records differ, but not the same way twice (%s)", where)
			for i := range out {
				out[i].Variant = VariantInconsistent
				for v := range padVectors {
					if k[v] != k2[v] {
						out[i].add(note(v.String(), "first %s; then %s", first[v], second[v]))
					}
				}
			}
			return out
		}
	}
	return judgePadding(&first, where)
}

// padRun sends every vector once, each on its own connection. The valid
// record and the one with a bad MAC go first: how fast the server answers
// them (it always should: a response, an alert) sets how long the other
// vectors wait before their silence counts (silenceAfter), so that a
// server that goes silent on some malformed records costs a fraction of
// a second, not the whole wait.
//
// With full set, every vector waits the whole wait. early reports whether
// a silence was read before the whole wait.
func (r *run) padRun(ctx context.Context, cfg handshake.Config, full bool) (_ padResults, _ string, early bool, _ error) {
	var res padResults
	var errs [padVectors]error
	var suite string
	var mu sync.Mutex
	request := []byte("GET / HTTP/1.1\r\nHost: " + r.httpHost() + "\r\nConnection: close\r\n\r\n")
	send := func(v padVector, quiet time.Duration) {
		c, pc, err := r.handshake(ctx, cfg)
		if err != nil {
			errs[v] = err
			return
		}
		defer pc.Close()
		mu.Lock()
		suite = c.Suite.Name
		mu.Unlock()
		rec, err := padRecord(c.Out(), v, request)
		if err != nil {
			errs[v] = err
			return
		}
		if err := c.WriteRaw(rec); err != nil && !isClosed(err) {
			errs[v] = err
			return
		}
		res[v] = readReactionQuiet(c, r.opts.Wait, quiet)
	}
	var wg sync.WaitGroup
	first := []padVector{padValid, padBadMAC}
	for _, v := range first {
		wg.Go(func() { send(v, r.opts.Wait) })
	}
	wg.Wait()
	var slowest time.Duration
	for _, v := range first {
		if res[v].silent() {
			slowest = 0
			break
		}
		slowest = max(slowest, res[v].Latency)
	}
	quiet := silenceAfter(slowest, r.opts.Wait)
	if full {
		quiet = r.opts.Wait
	}
	for v := range padVectors {
		if v == padValid || v == padBadMAC {
			continue
		}
		wg.Go(func() { send(v, quiet) })
	}
	wg.Wait()
	for _, re := range res {
		early = early || (quiet < r.opts.Wait && re.silent())
	}
	return res, suite, early, errors.Join(errs[:]...)
}

// differs reports whether the malformed records drew different answers.
func (p *padResults) differs() bool {
	k := p.keys()
	for v := padBadMAC; v < padVectors; v++ {
		if k[v] != k[padBadMAC] {
			return true
		}
	}
	return false
}

// judgePadding derives the findings from one confirmed run; each
// finding's judgement is in its own file.
func judgePadding(p *padResults, where string) []Finding {
	poodle := judgePoodleTLS(p, where)
	lucky := judgeLuckyMinus20(p, where)
	zombie := judgeZombiePoodle(p, where)
	golden := judgeGoldenDoodle(p, where)
	zero := judgeZeroLength(p, where)
	sleeping := judgeSleepingPoodle(p, where, poodle, lucky, zombie, golden, zero)
	return []Finding{poodle, lucky, zombie, golden, zero, sleeping}
}

// differ reports whether two vectors drew different answers.
func (p *padResults) differ(a, b padVector) bool { return p[a].key() != p[b].key() }

// onWire reports whether the difference is visible without the keys.
func (p *padResults) onWire(a, b padVector) bool { return p[a].wireKey() != p[b].wireKey() }

// evidence adds the reactions to vs.
func (p *padResults) evidence(f *Finding, vs ...padVector) {
	for _, v := range vs {
		f.add(reactionEvidence(v.String(), p[v]))
	}
}

// oracle judges one pair of vectors: alike is not vulnerable; different is
// vulnerable, exploitable if the difference shows on the wire.
func (p *padResults) oracle(id string, a, b padVector, what, where string) Finding {
	if !p.differ(a, b) {
		f := finding(id, NotVulnerable, "the server answers %q and %q records alike (%s)", a, b, where)
		p.evidence(&f, a, b)
		return f
	}
	f := finding(id, Vulnerable, "%s: %q and %q records draw different answers (%s)", what, a, b, where)
	if p.onWire(a, b) {
		f.Severity = SeverityExploitable
		f.Reason += ", visible on the wire"
	} else {
		f.Severity = SeverityNotExploitable
		f.Reason += ", only inside the encrypted alerts"
	}
	p.evidence(&f, a, b)
	return f
}
