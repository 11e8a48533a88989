package assess

import (
	"context"
	"net"
	"strings"

	"padlock/grade"
	"padlock/web"
)

// checkWeb runs the plain-HTTP side of the target. A pinned target's name
// is sent to its first pinned address, as the TLS probe does; other names
// (a redirect to another host) resolve normally.
func checkWeb(ctx context.Context, t Target, opts web.Options) *web.Result {
	if len(t.Pin) > 0 {
		pin := t.Pin[0]
		next := opts.Dial
		if next == nil {
			var d net.Dialer
			next = d.DialContext
		}
		opts.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && strings.EqualFold(strings.TrimSuffix(host, "."), t.Host) {
				addr = net.JoinHostPort(pin.String(), port)
			}
			return next(ctx, network, addr)
		}
	}
	httpPort := t.HTTPPort
	if httpPort == 0 {
		httpPort = 80
	}
	return web.Check(ctx, t.Host, httpPort, t.port(), opts)
}

// httpFacts maps the plain-HTTP result onto the grading facts: the HSTS
// policy (F1–F4). HPKP is left unknown until the web package reads it.
func httpFacts(w *web.Result) *grade.HTTPFacts {
	p := w.HSTSPolicy
	f := &grade.HTTPFacts{HSTSMaxAge: p.MaxAge, HSTSHeader: p.Header, HSTSError: p.Error}
	if err := f.HSTS.UnmarshalText([]byte(p.Status)); err != nil {
		f.HSTS = grade.HSTSUnknown
	}
	return f
}
