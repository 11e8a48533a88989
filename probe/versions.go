package probe

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"padlock/registry"
	"padlock/tlswire"
)

// versionProbe is the outcome of asking for one protocol version.
type versionProbe struct {
	support ProtocolSupport
	first   *flight // the accepted handshake, reused as the first suite pick
	err     error   // the last error met, if any

	sslv2     []AcceptedSuite // SSLv2 answers all its cipher specs at once
	sslv2Cert []byte

	// chunked is set when the server refused the hello with every suite
	// but accepted one with fewer: its suites are enumerated in chunks.
	chunked bool
	// reset is set when the only answers were resets with no reply: a
	// refusal if the server shows elsewhere that it speaks TLS, else
	// inconclusive.
	reset bool
	// askShort is set when the hello with every suite was refused in a
	// way a shorter hello might not be (see probeVersions).
	askShort bool
}

// suites are the suites to offer in further hellos at this version: all of
// them, or the common ones for a server that refuses long lists.
func (vp *versionProbe) suites() []uint16 {
	if vp.chunked {
		return commonSuites(vp.support.Protocol)
	}
	return offerOrder(vp.support.Protocol)
}

// attempts is how often an inconclusive answer is retried before the
// question is left open.
const attempts = 2

// probeVersions asks for every version in parallel, one hello each.
//
// Some servers refuse a hello with hundreds of suites outright. A version
// refused other than by a protocol_version alert is asked again with the
// suites real clients send, unless the server answered the same long list
// at another version up to TLS 1.2 (every such version offers the same
// suites): then the list was not what it refused.
//
// A reset with no reply is a refusal only from a server that shows, at
// another version, that it speaks TLS (a ServerHello or an alert): SChannel
// resets hellos for the versions it has disabled. From an endpoint that
// never answered at all it proves nothing, and stays inconclusive, however
// the reset raced with the hello.
func (p *prober) probeVersions(ctx context.Context) []*versionProbe {
	out := make([]*versionProbe, len(registry.Protocols))
	var wg sync.WaitGroup
	for i, v := range registry.Protocols {
		wg.Go(func() {
			if v == registry.SSLv2 {
				out[i] = p.probeSSLv2(ctx)
			} else {
				out[i] = p.probeVersion(ctx, v, false)
			}
		})
	}
	wg.Wait()
	if !answeredLongList(out) {
		for i, vp := range out {
			if vp.askShort {
				wg.Go(func() { out[i] = p.probeVersion(ctx, vp.support.Protocol, true) })
			}
		}
		wg.Wait()
	}
	speaksTLS := false
	for _, vp := range out {
		_, alert := AlertOf(vp.err)
		if vp.support.Supported || vp.support.Negotiated != 0 || alert {
			speaksTLS = true
		}
	}
	for _, vp := range out {
		if vp.reset && speaksTLS {
			vp.support.Inconclusive = ""
		}
	}
	return out
}

// answeredLongList reports whether a hello offering every suite, at a
// version up to TLS 1.2, was answered with a ServerHello.
func answeredLongList(vs []*versionProbe) bool {
	for _, vp := range vs {
		pr := vp.support.Protocol
		if pr >= registry.SSLv3 && pr <= registry.TLS12 && !vp.chunked && (vp.support.Supported || vp.support.Negotiated != 0) {
			return true
		}
	}
	return false
}

// probeVersion offers every suite valid at v and nothing above v, or with
// short the common suites only.
//
// A ServerHello answers the question even when the connection breaks off
// after it (an overloaded server, a rate limiter): the hello is asked once
// more for the whole flight, and if that breaks off too the partial answer
// stands. A reset with no reply is retried and left inconclusive;
// probeVersions turns it into a refusal once another version shows the
// server speaks TLS.
func (p *prober) probeVersion(ctx context.Context, v registry.Protocol, short bool) *versionProbe {
	vp := &versionProbe{support: ProtocolSupport{Protocol: v}, chunked: short}
	h := hello{version: v, suites: offerOrder(v), sni: p.ep.SNI}
	if short {
		h.suites = commonSuites(v)
	}
	var partial *flight // a ServerHello whose flight broke off
	accept := func(f *flight) *versionProbe {
		vp.support.Inconclusive = ""
		vp.reset = false
		switch {
		case f.version == v:
			vp.support.Supported = true
			vp.first = f
		case f.version < v:
			vp.support.Negotiated = f.version
		default:
			vp.support.Inconclusive = fmt.Sprintf("asked for at most %v, the server answered %v", v, f.version)
		}
		return vp
	}
	for try := 0; try < attempts; try++ {
		f, err := p.exchange(ctx, h)
		vp.err = err
		switch {
		case partial != nil && err != nil:
			return accept(partial) // the retry after a broken-off answer failed too
		case err == nil:
			if f.version > v {
				accept(f)
				continue
			}
			return accept(f)
		case answered(f, err):
			partial = f
			if ctx.Err() != nil {
				return accept(f)
			}
		case refused(err) && !vp.chunked && v < registry.TLS13 && !versionRefusal(err):
			// Perhaps refused for its hundreds of suites: probeVersions
			// asks again with the common ones unless another version
			// took them all. A server that accepts that is enumerated in
			// chunks. A protocol_version alert needs no second question:
			// it says the version is the problem.
			vp.support.Inconclusive = ""
			vp.reset = false
			vp.askShort = true
			return vp
		case reset(err):
			vp.reset = true
			vp.support.Inconclusive = "connection reset before any reply: " + err.Error()
			if ctx.Err() != nil {
				return vp
			}
		case refused(err):
			vp.support.Inconclusive = ""
			vp.chunked = false
			return vp
		default:
			vp.support.Inconclusive = err.Error()
			if ctx.Err() != nil || errors.As(err, new(*dialError)) && try > 0 {
				try = attempts
			}
		}
	}
	if partial != nil {
		return accept(partial)
	}
	vp.chunked = false
	return vp
}

// versionRefusal reports whether err is a protocol_version alert: the
// server recognised the version asked for and does not support it (RFC 5246
// §7.2.2, RFC 8446 §6.2), which no shorter list of suites changes. nginx,
// openssl s_server, gnutls-serv, lighttpd (OpenSSL and wolfSSL), Botan and
// Go's crypto/tls all answer the versions they lack so, except OpenSSL for
// SSLv3, which it refuses with handshake_failure (peers_test.go). Any other
// refusal (handshake_failure, a close, a reset) is asked again with the
// common suites.
func versionRefusal(err error) bool {
	a, ok := AlertOf(err)
	return ok && a.Description == tlswire.AlertProtocolVersion
}

// probeSSLv2 sends an SSLv2 CLIENT-HELLO offering every cipher spec; an SSLv2
// server answers with all the specs it shares, in one connection.
func (p *prober) probeSSLv2(ctx context.Context) *versionProbe {
	vp := &versionProbe{support: ProtocolSupport{Protocol: registry.SSLv2}}
	var specs []uint32
	for _, c := range registry.SSLv2Ciphers() {
		specs = append(specs, c.ID)
	}
	m := &tlswire.SSLv2ClientHello{Version: 0x0002, CipherSpecs: specs, Challenge: make([]byte, 16)}
	if _, err := rand.Read(m.Challenge); err != nil {
		vp.err = err
		return vp
	}
	msg, err := m.Marshal()
	if err != nil {
		vp.err = err
		vp.support.Inconclusive = err.Error()
		return vp
	}
	for try := 0; try < attempts; try++ {
		sh, err := p.sslv2Exchange(ctx, msg)
		vp.err = err
		switch {
		case err == nil:
			vp.support.Supported = true
			vp.support.Inconclusive = ""
			vp.sslv2Cert = sh.Certificate
			for _, id := range sh.CipherSpecs {
				vp.sslv2 = append(vp.sslv2, AcceptedSuite{ID: id})
			}
			return vp
		case reset(err):
			vp.reset = true
			vp.support.Inconclusive = "connection reset before any reply: " + err.Error()
			if ctx.Err() != nil {
				return vp
			}
		case refused(err), errors.Is(err, errNotSSLv2), errors.As(err, new(*tlswire.SSLv2Error)):
			vp.support.Inconclusive = ""
			vp.reset = false
			return vp
		default:
			vp.support.Inconclusive = err.Error()
			if ctx.Err() != nil {
				return vp
			}
		}
	}
	return vp
}

func (p *prober) sslv2Exchange(ctx context.Context, msg []byte) (*tlswire.SSLv2ServerHello, error) {
	c, err := p.dialer.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.write(msg); err != nil {
		return nil, err
	}
	reply, err := c.readSSLv2()
	if err != nil {
		return nil, err
	}
	return tlswire.ParseSSLv2ServerHello(reply)
}

// intoleranceTests are the version numbers offered, as legacy_version
// with no supported_versions extension, at the best version up to TLS
// 1.2. A correct server negotiates down to its best version; an intolerant
// one fails or negotiates something else.
var intoleranceTests = []struct {
	version uint16
	label   string
}{
	{0x0304, "TLS 1.3"},
	{0x0398, "TLS 1.152"},
	{0x0498, "TLS 2.152"},
}

// intolerance is the state of the version intolerance tests of one run:
// which are answered, and what they found. Suite enumeration at the best
// version carries the pending ones on hellos it sends anyway (rideAlong);
// checkIntolerance sends a hello of their own for the rest. Only the
// goroutine enumerating the best version uses it.
type intolerance struct {
	best   *versionProbe
	done   [3]bool
	found  [3]*Intolerance
	riding bool // carry tests on enumeration hellos
}

func newIntolerance(best *versionProbe) *intolerance {
	// At TLS 1.2 every suite offered is valid below each version number
	// tested, so a server that answers one at TLS 1.2 chose its suite as
	// for a TLS 1.2 hello. At older versions, a server choosing by the
	// client's version rather than the negotiated one could pick a TLS
	// 1.2 suite, or skip an export one: those keep hellos of their own.
	return &intolerance{best: best, riding: best.support.Protocol == registry.TLS12}
}

// next is a pending test to carry on an enumeration hello at v.
func (it *intolerance) next(v registry.Protocol) (int, bool) {
	if it == nil || !it.riding || v != it.best.support.Protocol {
		return 0, false
	}
	for i, d := range it.done {
		if !d {
			return i, true
		}
	}
	return 0, false
}

// rideAlong sends the enumeration hello h with a pending intolerance test
// in it, when one is left. A tolerant server answers it at the best
// version exactly as h (the hellos differ only in the version number,
// above every suite's), so its answer serves the enumeration. Any other
// answer never reaches the enumeration:
//   - a ServerHello at another version is the intolerance; h is sent again
//     as it is;
//   - a refusal is either the intolerance or no suite left: the test's own
//     hello (every suite) tells which. If the server takes that version
//     number, the refusal was the suites'; if not, h is sent again;
//   - anything else (a timeout, a broken answer) leaves the test to its own
//     hello and h is sent again.
//
// After any of these, no further test rides along.
func (p *prober) rideAlong(ctx context.Context, h hello, it *intolerance) (*flight, error) {
	i, ok := it.next(h.version)
	if !ok {
		return p.exchange(ctx, h)
	}
	t := intoleranceTests[i]
	odd := h
	odd.legacyVersion = t.version
	f, err := p.exchange(ctx, odd)
	switch {
	case answered(f, err) && f.version == h.version:
		it.done[i] = true
		return f, err
	case answered(f, err):
		it.done[i] = true
		it.found[i] = &Intolerance{Version: registry.Protocol(t.version), Label: t.label,
			Reason: fmt.Sprintf("negotiated %v instead of %v", f.version, h.version)}
	case refused(err):
		if p.intoleranceTest(ctx, it, i) {
			return f, err
		}
	}
	// The server mishandled a version number (or the answer was lost):
	// the other tests get hellos of their own, as each hello carrying one
	// would now have to be sent twice.
	it.riding = false
	return p.exchange(ctx, h)
}

// intoleranceTest sends test i's own hello (every suite of the best
// version) and records the answer; it reports whether the server answered
// at its best version.
func (p *prober) intoleranceTest(ctx context.Context, it *intolerance, i int) bool {
	t := intoleranceTests[i]
	best := it.best.support.Protocol
	h := hello{version: best, suites: it.best.suites(), sni: p.ep.SNI, legacyVersion: t.version}
	f, err := p.exchange(ctx, h)
	it.done[i] = true
	switch {
	case answered(f, err) && f.version == best:
		return true
	case answered(f, err):
		it.found[i] = &Intolerance{Version: registry.Protocol(t.version), Label: t.label,
			Reason: fmt.Sprintf("negotiated %v instead of %v", f.version, best)}
	case refused(err):
		it.found[i] = &Intolerance{Version: registry.Protocol(t.version), Label: t.label, Reason: err.Error()}
	default:
		p.errorf("version intolerance test for %s: %v", t.label, err)
	}
	return false
}

// checkIntolerance sends the intolerance tests suite enumeration did not
// carry and lists what the server mishandles, in test order.
func (p *prober) checkIntolerance(ctx context.Context, it *intolerance) []Intolerance {
	var out []Intolerance
	if it.best.chunked {
		out = append(out, Intolerance{Label: "long ClientHello",
			Reason: fmt.Sprintf("refused a hello offering every suite, accepted one with %d", len(commonSuites(it.best.support.Protocol)))})
	}
	for i := range intoleranceTests {
		if !it.done[i] {
			p.intoleranceTest(ctx, it, i)
		}
		if it.found[i] != nil {
			out = append(out, *it.found[i])
		}
	}
	return out
}
