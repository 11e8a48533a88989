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
				out[i] = p.probeVersion(ctx, v)
			}
		})
	}
	wg.Wait()
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

// probeVersion offers every suite valid at v and nothing above v.
//
// A ServerHello answers the question even when the connection breaks off
// after it (an overloaded server, a rate limiter): the hello is asked once
// more for the whole flight, and if that breaks off too the partial answer
// stands. A reset with no reply is retried and left inconclusive;
// probeVersions turns it into a refusal once another version shows the
// server speaks TLS.
func (p *prober) probeVersion(ctx context.Context, v registry.Protocol) *versionProbe {
	vp := &versionProbe{support: ProtocolSupport{Protocol: v}}
	h := hello{version: v, suites: offerOrder(v), sni: p.ep.SNI}
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
			// Some servers refuse a hello with hundreds of suites outright.
			// Before calling the version unsupported, ask again with the
			// suites real clients send; a server that accepts that is
			// enumerated in chunks. A protocol_version alert needs no
			// second question: it says the version is the problem.
			vp.chunked = true
			h.suites = commonSuites(v)
			try--
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

// checkIntolerance offers version numbers above what the server supports
// without the supported_versions extension. A correct server negotiates
// down to its best version; an intolerant one fails.
func (p *prober) checkIntolerance(ctx context.Context, bestProbe *versionProbe) []Intolerance {
	best := bestProbe.support.Protocol
	tests := []struct {
		version uint16
		label   string
	}{
		{0x0304, "TLS 1.3"},
		{0x0398, "TLS 1.152"},
		{0x0498, "TLS 2.152"},
	}
	var out []Intolerance
	if bestProbe.chunked {
		out = append(out, Intolerance{Label: "long ClientHello",
			Reason: fmt.Sprintf("refused a hello offering every suite, accepted one with %d", len(commonSuites(best)))})
	}
	for _, t := range tests {
		h := hello{version: best, suites: bestProbe.suites(), sni: p.ep.SNI, legacyVersion: t.version}
		f, err := p.exchange(ctx, h)
		switch {
		case answered(f, err) && f.version == best:
		case answered(f, err):
			out = append(out, Intolerance{Version: registry.Protocol(t.version), Label: t.label,
				Reason: fmt.Sprintf("negotiated %v instead of %v", f.version, best)})
		case refused(err):
			out = append(out, Intolerance{Version: registry.Protocol(t.version), Label: t.label, Reason: err.Error()})
		default:
			p.errorf("version intolerance test for %s: %v", t.label, err)
		}
	}
	return out
}
