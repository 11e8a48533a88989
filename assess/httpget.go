package assess

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"padlock/probe"
	"padlock/vuln"
	"padlock/web"
)

// Bounds of the GET / made on each endpoint.
const (
	httpGetTimeout     = 10 * time.Second
	httpGetHeaderBytes = 64 << 10
	httpGetMaxHeaders  = 100
)

// measureSession fills the fields SSL Labs measures on each endpoint and
// padlock's prober does not: session resumption (by ID and ticket),
// ephemeral key reuse, the whole ALPN list and the HTTP status of GET /
// (with the Server header and where it redirects).
// All go through dial, the probe's dialer, so they keep its bounds, its
// guard and its cap on open connections (shared with the checks).
func measureSession(ctx context.Context, dial *probe.Dialer, pe probe.Endpoint, res *probe.Result, vo vuln.Options, d *EndpointDetails, host string) {
	if d == nil || res == nil || !anySupported(res) {
		return
	}
	r := vuln.SessionResumption(ctx, dial, res, vo)
	d.PadlockResumption = &r
	d.PadlockConnections += r.Connections
	if r.Tested {
		v := r.ByID
		d.SessionResumption = &v
	}
	kr := vuln.KeyShareReuse(ctx, dial, res, vo)
	d.PadlockKeyReuse = &kr
	d.PadlockConnections += kr.Connections
	if kr.DHTested {
		d.DHYsReuse = &kr.DHReused
	}
	if kr.ECDHTested {
		d.ECDHParameterReuse = &kr.ECDHReused
	}
	// GET / rides on the ALPN list's first connection when the server
	// chose HTTP/1.1 there (the protocol httpGet speaks) instead of
	// opening one of its own.
	var first *HTTPTransaction
	if d.SupportsALPN {
		get := func(c *tls.Conn) {
			tx := newGet(pe, host, "/")
			sendGet(c, &tx)
			first = &tx
		}
		list, complete, n := alpnList(ctx, dial, pe, get)
		d.PadlockConnections += n
		if complete && len(list) > 0 {
			d.ALPNProtocols = strings.Join(list, " ")
		}
	}
	followGetAfter(ctx, dial, pe, host, "/", first, d)
}

// maxHTTPRedirects bounds the same-host redirects GET / follows.
const maxHTTPRedirects = 5

// followGet requests / and follows redirects that stay on the same host
// name and port over https, as SSL Labs does (each request is one
// transaction, on this endpoint's address). httpStatusCode is the last
// status; a redirect to another host stops there and is httpForwarding.
func followGet(ctx context.Context, dial *probe.Dialer, pe probe.Endpoint, host string, d *EndpointDetails) {
	followGetAfter(ctx, dial, pe, host, "/", nil, d)
}

// followGetAfter is followGet from path, whose transaction is first when
// it was already made on a connection opened for something else (nil:
// not yet made).
func followGetAfter(ctx context.Context, dial *probe.Dialer, pe probe.Endpoint, host, path string, first *HTTPTransaction, d *EndpointDetails) {
	for i := 0; i <= maxHTTPRedirects; i++ {
		var tx HTTPTransaction
		if i == 0 && first != nil {
			tx = *first
		} else {
			tx = httpGet(ctx, dial, pe, host, path)
			d.PadlockConnections++
		}
		d.HTTPTransactions = append(d.HTTPTransactions, tx)
		if tx.PadlockError != "" {
			if i == 0 {
				return
			}
			break
		}
		d.HTTPStatusCode = tx.StatusCode
		loc := ""
		for _, h := range tx.ResponseHeaders {
			switch strings.ToLower(h.Name) {
			case "server":
				d.ServerSignature = h.Value
			case "location":
				if loc == "" {
					loc = h.Value
				}
			}
		}
		if tx.StatusCode/100 != 3 || loc == "" {
			return
		}
		base, err := url.Parse(tx.RequestURL)
		if err != nil {
			return
		}
		next, err := base.Parse(loc)
		if err != nil || len(loc) > 2048 {
			return
		}
		if !strings.EqualFold(next.Hostname(), base.Hostname()) {
			d.HTTPForwarding = loc
			return
		}
		if next.Scheme != "https" || next.Port() != base.Port() {
			return
		}
		path = next.RequestURI()
	}
}

// httpGet sends GET path over TLS to the endpoint (certificate not verified:
// it is judged elsewhere) and reads the response head, bounded in time
// and size.
func httpGet(ctx context.Context, d *probe.Dialer, pe probe.Endpoint, host, path string) HTTPTransaction {
	tx := newGet(pe, host, path)
	ctx, cancel := context.WithTimeout(ctx, httpGetTimeout)
	defer cancel()
	pc, err := d.Dial(ctx)
	if err != nil {
		tx.PadlockError = "connecting: " + err.Error()
		return tx
	}
	defer pc.Close()
	raw := pc.NetConn()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	conn := tls.Client(raw, httpTLSConfig(pe, []string{"http/1.1"}))
	if err := conn.HandshakeContext(ctx); err != nil {
		tx.PadlockError = "TLS handshake: " + err.Error()
		return tx
	}
	sendGet(conn, &tx)
	return tx
}

// httpTLSConfig is the crypto/tls configuration of GET / and of the ALPN
// list, offering protos.
func httpTLSConfig(pe probe.Endpoint, protos []string) *tls.Config {
	return &tls.Config{
		ServerName:         pe.SNI,
		InsecureSkipVerify: true, // the chain is judged by package pki
		MinVersion:         tls.VersionTLS10,
		NextProtos:         protos,
	}
}

// newGet is the transaction of GET path, not yet sent.
func newGet(pe probe.Endpoint, host, path string) HTTPTransaction {
	authority := host
	if pe.Port != DefaultPort {
		authority = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(int(pe.Port)))
	} else if strings.Contains(host, ":") {
		authority = "[" + strings.Trim(host, "[]") + "]"
	}
	return HTTPTransaction{
		RequestURL:  "https://" + authority + path,
		RequestLine: "GET " + path + " HTTP/1.1",
		RequestHeaders: []string{
			"Host: " + authority,
			"User-Agent: " + web.DefaultUserAgent(),
			"Accept: */*",
			"Connection: close",
		},
		ResponseHeadersRaw: []string{},
		ResponseHeaders:    []HTTPHeader{},
	}
}

// sendGet sends tx's request over c, a TLS connection that negotiated
// HTTP/1.1 (or no ALPN), and reads the response head into tx. c's
// deadline bounds it.
func sendGet(c *tls.Conn, tx *HTTPTransaction) {
	req := tx.RequestLine + "\r\n" + strings.Join(tx.RequestHeaders, "\r\n") + "\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		tx.PadlockError = "sending the request: " + err.Error()
		return
	}
	if err := readHead(c, tx); err != nil {
		tx.PadlockError = err.Error()
	}
}

// readHead reads a response's status line and header fields into tx,
// at most httpGetHeaderBytes and httpGetMaxHeaders of them.
func readHead(r io.Reader, tx *HTTPTransaction) error {
	br := bufio.NewReader(io.LimitReader(r, httpGetHeaderBytes))
	line, err := readLine(br)
	if err != nil {
		return fmt.Errorf("reading the status line: %w", err)
	}
	tx.ResponseLine = line
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/") || err != nil || n < 100 || n > 999 {
		return fmt.Errorf("not an HTTP status line: %q", clipText(line, 80))
	}
	tx.StatusCode = n
	for range httpGetMaxHeaders {
		l, err := readLine(br)
		if err != nil {
			return fmt.Errorf("reading the headers: %w", err)
		}
		if l == "" {
			return nil
		}
		tx.ResponseHeadersRaw = append(tx.ResponseHeadersRaw, l)
		if name, value, ok := strings.Cut(l, ":"); ok {
			tx.ResponseHeaders = append(tx.ResponseHeaders, HTTPHeader{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
		}
	}
	return fmt.Errorf("more than %d header fields", httpGetMaxHeaders)
}

// readLine reads one header line without its CRLF, refusing control
// characters other than tab.
func readLine(br *bufio.Reader) (string, error) {
	l, err := br.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", errors.New("the response ended early or its head is over 64 KiB")
		}
		return "", err
	}
	l = strings.TrimRight(l, "\r\n")
	for _, c := range l {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return "", errors.New("a control character in the response head")
		}
	}
	return l, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// alpnCandidates are the application protocols offered to enumerate the
// server's ALPN list.
var alpnCandidates = []string{"h2", "http/1.1", "spdy/3.1", "spdy/3", "spdy/2", "http/1.0", "http/0.9", "h2c"}

// alpnList enumerates the ALPN protocols the server accepts: offer every
// candidate, take out the one it selects, offer the rest again until it
// selects none. The list is in the order the server picked them (its
// preference among those offered). complete is false when a connection
// failed or was lost before the server said "none" (by selecting nothing
// or with an alert): the list is then not the server's whole list and the
// caller keeps what the prober saw. It returns the connections used.
//
// get, when not nil, is called with the first connection if the server
// chose http/1.1 on it, before it is closed: GET / rides on it. Its
// connection's bound is httpGet's (httpGetTimeout from the dial), and the
// time it takes is not counted against the enumeration's own bound.
func alpnList(ctx context.Context, d *probe.Dialer, pe probe.Endpoint, get func(*tls.Conn)) (list []string, complete bool, conns int) {
	deadline := time.Now().Add(httpGetTimeout)
	left := slices.Clone(alpnCandidates)
	for len(left) > 0 {
		p, spent, err := alpnOnce(ctx, deadline, d, pe, left, get)
		if !errors.Is(err, errNoDial) {
			conns++
		}
		get = nil
		deadline = deadline.Add(spent)
		switch {
		case err != nil && serverAlert(err):
			return list, true, conns // refused the rest (no_application_protocol)
		case err != nil:
			return list, false, conns
		case p == "":
			return list, true, conns // selected none of the rest
		case !slices.Contains(left, p):
			return list, false, conns // a protocol it was not offered
		}
		list = append(list, p)
		left = slices.DeleteFunc(left, func(x string) bool { return x == p })
	}
	return list, true, conns
}

var errNoDial = errors.New("no connection")

// alpnOnce makes one connection of alpnList, offering left, its handshake
// bounded by deadline; with get, the GET on it. spent is how long get took.
func alpnOnce(ctx context.Context, deadline time.Time, d *probe.Dialer, pe probe.Endpoint, left []string, get func(*tls.Conn)) (p string, spent time.Duration, err error) {
	hctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	dctx := hctx
	if get != nil {
		// The connection outlives the handshake's bound when it carries
		// the GET.
		var cancelGet context.CancelFunc
		dctx, cancelGet = context.WithTimeout(ctx, httpGetTimeout)
		defer cancelGet()
	}
	pc, err := d.Dial(dctx)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %w", errNoDial, err)
	}
	defer pc.Close()
	raw := pc.NetConn()
	_ = raw.SetDeadline(deadline)
	c := tls.Client(raw, httpTLSConfig(pe, left))
	if err := c.HandshakeContext(hctx); err != nil {
		return "", 0, err
	}
	p = c.ConnectionState().NegotiatedProtocol
	if get != nil && p == "http/1.1" {
		start := time.Now()
		if dl, ok := dctx.Deadline(); ok {
			_ = raw.SetDeadline(dl)
		}
		get(c)
		spent = time.Since(start)
	}
	return p, spent, nil
}

// serverAlert reports whether a crypto/tls handshake failed on an alert
// the server sent (crypto/tls reports one as a *net.OpError whose Op is
// "remote error"): an answer, such as RFC 7301's no_application_protocol,
// unlike a lost connection.
func serverAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
