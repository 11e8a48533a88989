package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"

	"padlock/registry"
)

// checkSNI repeats a handshake without server_name. A server that then
// refuses requires SNI; one that accepts shows its default certificate.
func (p *prober) checkSNI(ctx context.Context, best *versionProbe, has13 bool) {
	v := registry.TLS13
	suites := offerOrder(v)
	if best != nil {
		v, suites = best.support.Protocol, best.suites()
	}
	f, err := p.exchange(ctx, hello{version: v, suites: suites})
	switch {
	case answered(f, err):
		p.recordChain(v, "", f)
	case refused(err):
		p.mu.Lock()
		p.res.SNIRequired = true
		p.mu.Unlock()
	default:
		p.errorf("handshake without SNI: %v", err)
	}
}

// tls13Chain completes a real TLS 1.3 handshake with crypto/tls to see the
// certificate chain, which TLS 1.3 sends encrypted, for the given server
// name ("" for the default certificate). crypto/tls bounds the messages it
// reads (a certificate message at most 256 KiB); the connection's deadline
// bounds the time. The certificate is not
// verified here; judging it is the pki package's job.
func (p *prober) tls13Chain(ctx context.Context, sni string) {
	c, err := p.dialer.dial(ctx)
	if err != nil {
		p.errorf("TLS 1.3 certificate handshake: %v", err)
		return
	}
	defer c.Close()
	cfg := &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, // the chain is collected, then judged by pki
		MinVersion:         tls.VersionTLS13,
		MaxVersion:         tls.VersionTLS13,
	}
	cc := &countingConn{Conn: c.c}
	tc := tls.Client(cc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		if c := classify(err); cc.read > 0 && (errors.Is(c, errClosed) || errors.Is(c, errTimeout)) && ctx.Err() == nil {
			// The server started answering (TLS 1.3 was accepted, this
			// runs only then): a handshake then cut off by a close, a
			// reset or a stall is an interruption.
			p.noteLost(fmt.Errorf("TLS 1.3 certificate handshake: %w", err))
			return
		}
		p.errorf("TLS 1.3 certificate handshake: %v", err)
		return
	}
	st := tc.ConnectionState()
	chain := Chain{Protocol: registry.TLS13, SNI: sni, OCSPResponse: st.OCSPResponse, SCTs: st.SignedCertificateTimestamps}
	for _, cert := range st.PeerCertificates {
		chain.Certificates = append(chain.Certificates, cert.Raw)
	}
	_ = tc.Close()
	p.addChain(chain)
}

// countingConn counts the bytes read through it (one goroutine only).
type countingConn struct {
	net.Conn
	read int
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read += n
	return n, err
}
