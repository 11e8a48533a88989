package web

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"padlock/netguard"
)

// Hop is one request of a redirect chain.
type Hop struct {
	URL string `json:"url"`
	// Secure is true when the request went over TLS (https).
	Secure bool `json:"secure"`
	// Status is the HTTP status code (0 when no response came).
	Status int `json:"status,omitempty"`
	// Location is the Location header as sent, on redirects.
	Location string `json:"location,omitempty"`
	// TLSError says why the server's certificate did not verify for the
	// host; padlock reads the page anyway (certificates are judged
	// elsewhere), as a user clicking through the warning would.
	TLSError string `json:"tlsError,omitempty"`
	// Error is why the request failed, or why the chain stopped here.
	Error string `json:"error,omitempty"`

	// answered: response bytes came, though no usable response (Status
	// 0): a header too large, a malformed line... The port is not silent.
	answered bool

	sts []string // Strict-Transport-Security fields of the response
	// Public-Key-Pins and Public-Key-Pins-Report-Only fields of an HTTPS
	// response (browsers ignore them over plain HTTP).
	pkp, pkpRO []string
}

// chain is the outcome of one fetch and the redirects it followed.
type chain struct {
	hops []Hop
	// final is the URL of the last request (the one that answered, or
	// failed); finalOK is set when it answered with a non-redirect.
	final   *url.URL
	finalOK bool
	status  int
	header  http.Header
	body    []byte
	// truncated: the body was longer than the limit.
	truncated bool
	// stop is why the chain stopped early: "loop", "too-many", "off-site",
	// "robots", "error", "cancelled".
	stop string
	err  string
	// encoding is the Content-Encoding that was undone.
	encoding string
}

// fetcher does the HTTP requests of one Check.
type fetcher struct {
	opts      Options
	client    *http.Client
	transport *http.Transport
	tlsCache  map[string]string // host → verification error ("" = ok)
	requests  int
}

// newFetcher returns the fetcher of a Check of host (normalised).
func newFetcher(opts Options, host string) *fetcher {
	dial := guardedDial(opts, host)
	suites := []uint16{}
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	tr := &http.Transport{
		Proxy:       nil, // never an environment proxy: we measure the site itself
		DialContext: dial,
		TLSClientConfig: &tls.Config{
			// Verification is done (and recorded) after the handshake, so
			// that a bad certificate does not hide the site's forms.
			InsecureSkipVerify: true,
			// Old sites: whatever still lets us read the page.
			MinVersion:   tls.VersionTLS10,
			CipherSuites: suites,
		},
		TLSHandshakeTimeout:    opts.Timeout,
		ResponseHeaderTimeout:  opts.Timeout,
		DisableCompression:     true, // we undo gzip ourselves, bounded
		MaxResponseHeaderBytes: 256 << 10,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        30 * time.Second,
	}
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	return &fetcher{
		opts:      opts,
		transport: tr,
		client: &http.Client{
			Transport: tr,
			Jar:       jar,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		tlsCache: map[string]string{},
	}
}

func (f *fetcher) close() { f.transport.CloseIdleConnections() }

// guardedDial is the dialer of a Check of host. Connections to host itself
// (any port) go to opts.Dial as they are: the caller chose the target.
// Every other host was handed over by the site (a redirect, a link, a
// frame): unless opts.Policy is netguard.AllowPrivate, its name is
// resolved and refused, before any connection, when an address is not
// public; the checked addresses are then dialled with opts.Dial, or with a
// dialer that checks the socket address once more.
func guardedDial(opts Options, host string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	next := opts.Dial
	if next == nil {
		next = (&net.Dialer{Timeout: opts.Timeout}).DialContext
	}
	if opts.Policy == netguard.AllowPrivate {
		return next
	}
	g := &netguard.Guard{Policy: opts.Policy, Resolver: opts.Resolver, Next: opts.Dial, Hint: netguard.SiteHint}
	if opts.Dial == nil {
		g.Next = netguard.NewDialer(opts.Policy, g.Hint, opts.Timeout).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		h, _, err := net.SplitHostPort(addr)
		if err == nil && normalizeHost(h) == host {
			return next(ctx, network, addr)
		}
		return g.Dial(ctx, network, addr)
	}
}

// verifyTLS checks the chain a server sent for host against the roots,
// once per host and port.
func (f *fetcher) verifyTLS(u *url.URL, cs *tls.ConnectionState) string {
	if cs == nil {
		return ""
	}
	key := u.Host
	if msg, ok := f.tlsCache[key]; ok {
		return msg
	}
	msg := ""
	if len(cs.PeerCertificates) == 0 {
		msg = "no certificate"
	} else {
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots:         f.opts.RootCAs,
			Intermediates: inter,
			DNSName:       u.Hostname(),
		})
		if err != nil {
			msg = err.Error()
		}
	}
	f.tlsCache[key] = msg
	return msg
}

// follow decides whether a redirect from one URL to another is followed.
type follow func(from, to *url.URL) (ok bool, stop string)

// fetch GETs u and follows redirects (at most MaxRedirects) while may
// allows, recording every hop. A body is read only for the final
// response, bounded by MaxBytes after decompression.
func (f *fetcher) fetch(ctx context.Context, u *url.URL, may follow) *chain {
	c := &chain{}
	seen := map[string]bool{}
	cur := u
	for {
		if err := ctx.Err(); err != nil {
			c.final, c.stop, c.err = cur, "cancelled", "stopped: "+contextReason(err)
			c.hops = append(c.hops, Hop{URL: cur.String(), Secure: cur.Scheme == "https", Error: c.err})
			return c
		}
		key := canonicalURL(cur)
		if seen[key] {
			c.stop = "loop"
			c.err = fmt.Sprintf("redirect loop: %s was already visited in this chain", cur)
			c.hops[len(c.hops)-1].Error = c.err
			return c
		}
		seen[key] = true
		hop, next, done := f.one(ctx, cur, c)
		c.hops = append(c.hops, hop)
		c.final = cur
		if done {
			return c
		}
		if len(c.hops) > f.opts.MaxRedirects {
			c.stop = "too-many"
			c.err = fmt.Sprintf("too many redirects (more than %d)", f.opts.MaxRedirects)
			c.hops[len(c.hops)-1].Error = c.err
			return c
		}
		if ok, stop := may(cur, next); !ok {
			c.stop = stop
			c.err = fmt.Sprintf("redirect to %s not followed (%s)", next, stop)
			c.hops[len(c.hops)-1].Error = c.err
			c.final = next
			return c
		}
		cur = next
	}
}

// one does one request. It returns the hop, the redirect target (if the
// response is a redirect to be followed) and whether the chain is done.
func (f *fetcher) one(ctx context.Context, u *url.URL, c *chain) (Hop, *url.URL, bool) {
	hop := Hop{URL: u.String(), Secure: u.Scheme == "https"}
	if u.Scheme != "http" && u.Scheme != "https" {
		hop.Error = "not an http or https URL"
		c.stop, c.err = "error", hop.Error
		return hop, nil, true
	}
	rctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { hop.answered = true }})
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		hop.Error = err.Error()
		c.stop, c.err = "error", hop.Error
		return hop, nil, true
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,cy;q=0.5")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	f.requests++
	resp, err := f.client.Do(req)
	if err != nil {
		hop.Error = requestError(err, ctx)
		if hop.answered {
			hop.Error = "the server answered, but padlock refused the response: " + hop.Error
		}
		c.stop, c.err = "error", hop.Error
		var ne net.Error
		if ctx.Err() != nil {
			c.stop = "cancelled"
		} else if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			// No answer in time says nothing about whether the site
			// redirects: a slow or filtered port is not "unreachable".
			c.stop = "timeout"
		}
		return hop, nil, true
	}
	defer resp.Body.Close()
	hop.Status = resp.StatusCode
	if resp.TLS != nil {
		hop.TLSError = f.verifyTLS(u, resp.TLS)
		hop.sts = resp.Header.Values("Strict-Transport-Security")
		hop.pkp = resp.Header.Values(hpkpHeader)
		hop.pkpRO = resp.Header.Values(hpkpROHeader)
	} else if v := resp.Header.Values("Strict-Transport-Security"); len(v) > 0 {
		hop.sts = v
	}
	c.status, c.header = resp.StatusCode, resp.Header
	if isRedirect(resp.StatusCode) {
		loc := resp.Header.Get("Location")
		hop.Location = clip(loc, 2048)
		if loc != "" {
			next, err := u.Parse(strings.TrimSpace(loc))
			// Drain a little so the connection can be reused; no more.
			_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
			if err != nil {
				hop.Error = "bad Location: " + err.Error()
				c.stop, c.err = "error", hop.Error
				return hop, nil, true
			}
			next.Fragment, next.RawFragment = "", ""
			return hop, next, false
		}
	}
	c.finalOK = true
	body, enc, truncated, err := readBody(resp, f.opts.MaxBytes)
	c.body, c.encoding, c.truncated = body, enc, truncated
	if err != nil {
		hop.Error = "reading body: " + requestError(err, ctx)
		c.err = hop.Error
	}
	return hop, nil, true
}

func isRedirect(code int) bool {
	switch code {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// requestError words a request failure, saying when the budget or the
// caller ended it.
func requestError(err error, ctx context.Context) string {
	if ctx.Err() != nil {
		return "stopped: " + contextReason(ctx.Err())
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

func contextReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "site time budget exhausted"
	}
	return "cancelled"
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readBody reads at most max bytes of the decoded body. It undoes gzip and
// deflate itself, with the limit applied after decompression (no gzip
// bombs), and also reads at most max+64 KiB of the raw body (no endless
// streams of empty gzip members). It returns the encoding undone and
// whether the body was cut.
func readBody(resp *http.Response, max int64) ([]byte, string, bool, error) {
	rawLimit := max + 64<<10
	raw := &countingReader{r: io.LimitReader(resp.Body, rawLimit+1)}
	var r io.Reader = raw
	var encs []string
	for _, v := range resp.Header.Values("Content-Encoding") {
		for _, e := range strings.Split(v, ",") {
			if e = strings.ToLower(strings.TrimSpace(e)); e != "" && e != "identity" {
				encs = append(encs, e)
			}
		}
	}
	if len(encs) > 3 {
		return nil, strings.Join(encs, ", "), false, fmt.Errorf("too many content encodings (%d)", len(encs))
	}
	// Content-Encoding lists codings in the order applied: undo the last
	// first.
	for i := len(encs) - 1; i >= 0; i-- {
		switch encs[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err == io.EOF {
				return nil, strings.Join(encs, ", "), false, nil // an empty body
			}
			if err != nil {
				return nil, strings.Join(encs, ", "), false, fmt.Errorf("gzip: %w", err)
			}
			r = zr
		case "deflate":
			dr, err := newDeflateReader(r)
			if err != nil {
				return nil, strings.Join(encs, ", "), false, fmt.Errorf("deflate: %w", err)
			}
			r = dr
		default:
			return nil, strings.Join(encs, ", "), false, fmt.Errorf("unsupported content encoding %q", encs[i])
		}
	}
	var buf bytes.Buffer
	if cl := resp.ContentLength; cl > 0 && cl <= max && len(encs) == 0 {
		buf.Grow(int(cl) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	truncated := false
	if n > max {
		truncated = true
		buf.Truncate(int(max))
		err = nil
	}
	if raw.n > rawLimit {
		truncated = true
		if err == io.ErrUnexpectedEOF || errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil
		}
	}
	return buf.Bytes(), strings.Join(encs, ", "), truncated, err
}

// newDeflateReader reads HTTP "deflate": properly a zlib stream, but some
// servers send raw DEFLATE.
func newDeflateReader(r io.Reader) (io.Reader, error) {
	var head [2]byte
	n, _ := io.ReadFull(r, head[:])
	rr := io.MultiReader(bytes.NewReader(head[:n]), r)
	// A zlib header: method 8, no preset dictionary, check bits right.
	if n == 2 && head[0]&0x0f == 8 && head[1]&0x20 == 0 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0 {
		return zlib.NewReader(rr)
	}
	return flate.NewReader(rr), nil
}
