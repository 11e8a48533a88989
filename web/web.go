// Package web checks a site's plain-HTTP side: whether HTTP redirects to
// HTTPS, its HSTS and HPKP policies, and whether any page or form asks for
// personal data over plain text.
//
// Check follows the redirect chain from http://host/ (every hop recorded)
// to decide whether the site is secure by default (docs/grading.md decision 3),
// fetches https://host/ for its Strict-Transport-Security header (parsed
// strictly, RFC 6797, in SSL Labs' hstsPolicy shape), its Public-Key-Pins
// and Public-Key-Pins-Report-Only headers (RFC 7469, in the hpkpPolicy and
// hpkpRoPolicy shape; HPKPPolicy.Match compares them with the certificate
// chain) and for HTTPS pages that redirect back to plain HTTP (decision
// 1's U), then reads a bounded set of the site's pages most likely to hold
// forms (contact, report a crime, complaint, apply...) over whichever
// scheme the site serves them, and classifies every form field. The site
// flag `*` (decision 2) is set when a page reachable over plain HTTP has a
// form asking for personal data, or when a form asking for personal data
// submits to an http:// URL; each reason is kept as Evidence a reader can
// reproduce.
//
// Everything is bounded: pages per site, bytes per page after
// decompression, redirects per fetch, time per request and per site.
// Requests are made one at a time, identify padlock in the User-Agent, and
// respect robots.txt beyond the two home pages. Links are never followed
// off the site (its registrable domain), and hosts other than the one
// checked are reached only on public addresses unless Options.Policy
// allows others (package netguard).
package web

import (
	"context"
	"crypto/x509"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"padlock/netguard"
)

// Defaults for Options' zero values.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultSiteBudget   = 90 * time.Second
	DefaultMaxPages     = 12
	DefaultMaxBytes     = 2 << 20
	DefaultMaxRedirects = 10
)

// Version is the padlock version in the default User-Agent; builds may set
// it (go build -ldflags "-X padlock/web.Version=...").
var Version = "dev"

// DefaultUserAgent is the User-Agent padlock sends when Options.UserAgent
// is empty. It names padlock first, so that robots.txt groups for
// "padlock" apply, and says what the requests are for.
func DefaultUserAgent() string {
	return "padlock/" + Version + " (TLS/HTTPS scanner; checks HTTPS redirects, HSTS and forms sent over plain HTTP)"
}

// Options bound and tune a Check. Zero values pick the defaults.
type Options struct {
	// Timeout bounds one request: connect, TLS, headers and body.
	// Default 10s.
	Timeout time.Duration
	// SiteBudget bounds the whole Check. Default 90s.
	SiteBudget time.Duration
	// MaxPages bounds the pages fetched (each with its redirects): the two
	// home pages count. Default 12.
	MaxPages int
	// MaxBytes bounds the bytes read of one page, after decompression.
	// Default 2 MiB.
	MaxBytes int64
	// MaxRedirects bounds the redirects followed per fetch. Default 10.
	MaxRedirects int
	// UserAgent is sent with every request; default DefaultUserAgent().
	// Its product token (the leading word) is what robots.txt groups are
	// matched against.
	UserAgent string
	// IgnoreRobotsTxt stops padlock from reading and honouring
	// robots.txt. By default it is honoured for every page but the two
	// home pages (http://host/ and https://host/, which padlock must read
	// to check redirects and HSTS, as SSL Labs does).
	IgnoreRobotsTxt bool
	// RootCAs verifies HTTPS certificates (nil: the system roots). A
	// certificate that does not verify is recorded on the hop (TLSError);
	// the page is read anyway.
	RootCAs *x509.CertPool
	// Dial replaces the network dialer, e.g. to pin addresses or enforce
	// politeness. It is called once per connection (connections are kept
	// alive and requests are sequential). For hosts other than the one
	// checked it receives addresses Policy allowed, not names.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Policy decides where the site may lead padlock: every host but the
	// one checked (a redirect or link to www., robots.txt of another
	// origin) is resolved first and refused, before any connection, when
	// an address is not public, unless netguard.AllowPrivate (tests and the
	// lab, on loopback). The checked host itself is the caller's choice.
	Policy netguard.Policy
	// Resolver resolves the hosts Policy judges (default
	// net.DefaultResolver).
	Resolver netguard.Resolver
	// HSTSPreload, if set, is looked up for the host (see
	// LoadPreloadList).
	HSTSPreload PreloadList
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.SiteBudget <= 0 {
		o.SiteBudget = DefaultSiteBudget
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent()
	}
	return o
}

// Reasons for SecureByDefault.
const (
	ReasonRedirectsToHTTPS = "redirects-to-https" // the only "yes"
	ReasonNoRedirect       = "no-redirect"        // http://host/ answers in plain text
	ReasonEndsOnHTTP       = "ends-on-http"       // redirects, but ends on plain HTTP
	ReasonOffSite          = "off-site"           // redirects to another site
	ReasonRedirectLoop     = "redirect-loop"
	ReasonTooManyRedirects = "too-many-redirects"
	ReasonHTTPUnreachable  = "http-unreachable" // no answer on the HTTP port
	ReasonHTTPError        = "http-error"       // an answer padlock could not use (the first hop's Error says why)
	ReasonInconclusive     = "inconclusive"     // cancelled or out of time
)

// Result is what Check found. Everything it could learn is filled in even
// when parts failed; Errors says what went wrong.
type Result struct {
	Host      string `json:"host"`
	HTTPPort  uint16 `json:"httpPort"`
	HTTPSPort uint16 `json:"httpsPort"`
	// StartTime is when the check began (ms since the epoch); Duration is
	// how long it took (ms).
	StartTime int64  `json:"startTime"`
	Duration  int64  `json:"duration"`
	UserAgent string `json:"userAgent"`

	// HTTPRedirects is the chain from http://host/: every request, the
	// last one included.
	HTTPRedirects []Hop `json:"httpRedirects"`
	// SecureByDefault: plain HTTP redirects, directly or through a chain
	// on the same site, to HTTPS on the same site (docs/grading.md decision 3;
	// www and apex count as one site).
	SecureByDefault       bool   `json:"secureByDefault"`
	SecureByDefaultReason string `json:"secureByDefaultReason"`
	// HTTPSRedirects is the chain from https://host/.
	HTTPSRedirects []Hop `json:"httpsRedirects"`
	// HTTPSRedirectsToHTTP: https://host/ only redirects back to plain
	// HTTP, which makes the site U (docs/grading.md decision 1).
	HTTPSRedirectsToHTTP bool `json:"httpsRedirectsToHttp"`
	// HTTPSDowngrades lists every HTTPS response seen that redirected to
	// an http:// URL.
	HTTPSDowngrades []Downgrade `json:"httpsDowngrades,omitempty"`

	// HSTSPolicy is the host's Strict-Transport-Security policy from its
	// HTTPS responses (same-host redirects of https://host/ followed; the
	// last response carrying the header counts, as in a browser).
	HSTSPolicy HSTSPolicy `json:"hstsPolicy"`
	// HSTSPreloads is the host's status on the preload list, if one was
	// given.
	HSTSPreloads []HSTSPreload `json:"hstsPreloads,omitempty"`
	// HSTSOverHTTP is a Strict-Transport-Security header sent over plain
	// HTTP, which browsers ignore (RFC 6797 §8.1).
	HSTSOverHTTP string `json:"hstsOverHttp,omitempty"`

	// HPKPPolicy is the host's Public-Key-Pins policy (docs/grading.md rule
	// F5), from the same responses as HSTSPolicy: the last one carrying
	// the header counts. A policy that parses is HPKPUnmatched here: call
	// its Match with the keys of the certificate chain for the final
	// status.
	HPKPPolicy HPKPPolicy `json:"hpkpPolicy"`
	// HPKPReportOnly is the Public-Key-Pins-Report-Only policy (SSL Labs'
	// hpkpRoPolicy), read the same way; it pins nothing, only reports.
	HPKPReportOnly HPKPPolicy `json:"hpkpRoPolicy"`

	// RobotsTxt says what each robots.txt read allowed.
	RobotsTxt []RobotsTxt `json:"robotsTxt,omitempty"`
	// Pages are the pages read, in order.
	Pages []Page `json:"pages"`
	// Skipped are candidate pages not read, and why (at most 50).
	Skipped []Skipped `json:"skipped,omitempty"`
	// Forms are every form on every page read.
	Forms []Form `json:"forms"`
	// MixedContent lists http:// scripts, stylesheets, iframes, images,
	// media and form actions on HTTPS pages (information).
	MixedContent []MixedContent `json:"mixedContent,omitempty"`

	// PersonalDataOverPlainText is the site flag `*` (docs/grading.md decision
	// 2); Evidence says why.
	PersonalDataOverPlainText bool       `json:"personalDataOverPlainText"`
	Evidence                  []Evidence `json:"evidence,omitempty"`

	Errors []string `json:"errors,omitempty"`
}

// Downgrade is an HTTPS response redirecting to plain HTTP.
type Downgrade struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

// Page is one page read.
type Page struct {
	// URL is where the page was read (after redirects).
	URL string `json:"url"`
	// RequestedURL is the URL asked for, when redirects led elsewhere.
	RequestedURL string `json:"requestedUrl,omitempty"`
	// Scheme is "http" or "https": how the site served the page.
	Scheme          string `json:"scheme"`
	Status          int    `json:"status,omitempty"`
	ContentType     string `json:"contentType,omitempty"`
	ContentEncoding string `json:"contentEncoding,omitempty"`
	// Bytes is how much of the (decompressed) body was read.
	Bytes int64 `json:"bytes"`
	// Truncated: the body was longer than MaxBytes (decompressed), and
	// only the first MaxBytes were read.
	Truncated bool   `json:"truncated,omitempty"`
	Title     string `json:"title,omitempty"`
	// Found says how padlock came to read the page.
	Found string `json:"found"`
	// Depth is 0 for home pages, 1 for pages linked from them, 2 beyond.
	Depth int `json:"depth"`
	// FramedBy is the page that embeds this one in an iframe.
	FramedBy string `json:"framedBy,omitempty"`
	// Redirects is the chain, when there was more than one request.
	Redirects []Hop `json:"redirects,omitempty"`
	// MetaRefresh is the target of a <meta http-equiv="refresh">: a
	// redirect browsers follow, but not an HTTP one (it does not make a
	// site secure by default: the page itself came in plain text).
	MetaRefresh string `json:"metaRefresh,omitempty"`
	// Forms is how many forms the page has.
	Forms int    `json:"forms"`
	Error string `json:"error,omitempty"`
}

// Skipped is a candidate page padlock did not read.
type Skipped struct {
	URL string `json:"url"`
	// Reason: "robots.txt", "page limit", "site time budget exhausted",
	// "cancelled", "too many origins" (robots.txt is read for at most 8
	// origins).
	Reason string `json:"reason"`
}

// RobotsTxt is one robots.txt padlock read (one per origin).
type RobotsTxt struct {
	URL    string `json:"url"`
	Status int    `json:"status,omitempty"`
	// Outcome is "rules" (parsed), "allow-all" (none: 4xx, or unusable
	// redirects) or "disallow-all" (server or network error: RFC 9309
	// §2.3.1.4).
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// MixedContent is an http:// reference on an HTTPS page.
type MixedContent struct {
	PageURL string `json:"pageUrl"`
	// Kind: script, stylesheet, iframe, object, form-action (active), or
	// image, media (passive).
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// Evidence kinds.
const (
	EvidencePlainHTTPPage = "plain-http-page" // a personal-data form on a page served over HTTP
	EvidenceHTTPAction    = "http-action"     // a personal-data form submitting to http://
)

// Evidence is one reason for the `*` flag, with what a reader needs to see
// it for themselves.
type Evidence struct {
	Kind       string     `json:"kind"`
	PageURL    string     `json:"pageUrl"`
	ActionURL  string     `json:"actionUrl,omitempty"`
	Method     string     `json:"method,omitempty"`
	FramedBy   string     `json:"framedBy,omitempty"`
	FormIndex  int        `json:"formIndex"`
	Severity   Severity   `json:"severity"`
	Categories []Category `json:"categories"`
	// Summary is one line for people, e.g. "Plain-HTTP form at
	// http://…/report-crime collects: name, phone number, address,
	// incident details".
	Summary string `json:"summary"`
}

// Check examines host's plain-HTTP side: http://host:httpPort/ and
// https://host:httpsPort/ (0 means 80 and 443) and a bounded set of the
// site's pages. It never panics and always returns a Result with whatever
// was found, plus errors; ctx cancels it.
func Check(ctx context.Context, host string, httpPort, httpsPort uint16, opts Options) (res *Result) {
	start := time.Now()
	opts = opts.withDefaults()
	if httpPort == 0 {
		httpPort = 80
	}
	if httpsPort == 0 {
		httpsPort = 443
	}
	res = &Result{
		Host:                  normalizeHost(host),
		HTTPPort:              httpPort,
		HTTPSPort:             httpsPort,
		StartTime:             start.UnixMilli(),
		UserAgent:             opts.UserAgent,
		HSTSPolicy:            HSTSPolicy{LongMaxAge: LongMaxAge, Status: HSTSUnknown},
		HPKPPolicy:            HPKPPolicy{Status: HPKPUnknown},
		HPKPReportOnly:        HPKPPolicy{Status: HPKPUnknown, PadlockReportOnly: true},
		SecureByDefaultReason: ReasonInconclusive,
		HTTPRedirects:         []Hop{},
		HTTPSRedirects:        []Hop{},
		Pages:                 []Page{},
		Forms:                 []Form{},
	}
	c := &crawler{opts: opts, res: res, host: res.Host, httpPort: httpPort, httpsPort: httpsPort}
	defer func() {
		if r := recover(); r != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("internal error (a padlock bug): %v", r))
			func() {
				defer func() { _ = recover() }()
				c.finish()
			}()
		}
		if c.f != nil {
			c.f.close()
		}
		res.Duration = time.Since(start).Milliseconds()
	}()
	if err := validHost(res.Host); err != nil {
		res.Errors = append(res.Errors, err.Error())
		res.HSTSPolicy.Error = "not checked"
		res.HPKPPolicy.Error = "not checked"
		res.HPKPReportOnly.Error = "not checked"
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, opts.SiteBudget)
	defer cancel()
	c.f = newFetcher(opts, res.Host)
	c.run(ctx)
	c.finish()
	return res
}

// validHost accepts DNS names and IP literals.
func validHost(h string) error {
	if h == "" {
		return fmt.Errorf("invalid host: empty")
	}
	if net.ParseIP(h) != nil {
		return nil
	}
	if len(h) > 253 {
		return fmt.Errorf("invalid host %q: too long", clip(h, 60))
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("invalid host %q", clip(h, 60))
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
				return fmt.Errorf("invalid host %q", clip(h, 60))
			}
		}
	}
	return nil
}

// candidate is a page waiting to be read.
type candidate struct {
	u        *url.URL
	score    int
	depth    int
	found    string
	framedBy string
	seq      int
}

// Priorities above any link score.
const (
	scoreTwin    = 10000 // the plain-HTTP twin of an HTTPS page with a personal-data form
	scoreIframe  = 5000
	scoreRefresh = 1000
)

const (
	maxQueue   = 300
	maxSkipped = 50
	maxOrigins = 8
	maxDepth   = 2
)

type crawler struct {
	opts                Options
	res                 *Result
	host                string
	httpPort, httpsPort uint16
	f                   *fetcher

	pages     map[string]bool // canonical URLs of pages read
	requested map[string]bool // canonical URLs asked for
	queue     []*candidate
	seq       int
	fetched   int
	robots    map[string]*Robots
	httpUp    bool // the HTTP port answered
	downs     map[string]bool
}

func (c *crawler) run(ctx context.Context) {
	c.pages, c.requested = map[string]bool{}, map[string]bool{}
	c.robots, c.downs = map[string]*Robots{}, map[string]bool{}

	// 1. http://host/ and its redirects.
	httpURL := &url.URL{Scheme: "http", Host: hostPort("http", c.host, c.httpPort), Path: "/"}
	c.requested[canonicalURL(httpURL)] = true
	hc := c.f.fetch(ctx, httpURL, c.sameSite)
	c.fetched++
	c.res.HTTPRedirects = hc.hops
	for _, h := range hc.hops {
		if h.Status != 0 && !h.Secure {
			c.httpUp = true
			if len(h.sts) > 0 && c.res.HSTSOverHTTP == "" {
				c.res.HSTSOverHTTP = clip(h.sts[0], 512)
			}
		}
	}
	c.res.SecureByDefault, c.res.SecureByDefaultReason = secureByDefault(hc, c.host)
	c.chainDone(hc, httpURL, "home page, from "+httpURL.String(), 0, 0, "")

	// 2. https://host/: HSTS, HPKP, and whether HTTPS only leads back to
	// HTTP.
	httpsURL := &url.URL{Scheme: "https", Host: hostPort("https", c.host, c.httpsPort), Path: "/"}
	c.requested[canonicalURL(httpsURL)] = true
	sc := c.f.fetch(ctx, httpsURL, c.sameSite)
	c.fetched++
	c.res.HTTPSRedirects = sc.hops
	c.res.HTTPSRedirectsToHTTP = sc.final != nil && sc.final.Scheme == "http" && len(sc.hops) > 0 && sc.hops[0].Status != 0
	c.res.HSTSPolicy = c.hsts(sc)
	c.res.HPKPPolicy, c.res.HPKPReportOnly = c.hpkp(sc)
	c.preload()
	c.chainDone(sc, httpsURL, "home page, from "+httpsURL.String(), 0, 0, "")

	// 3. The likeliest pages, best first.
	for len(c.queue) > 0 {
		if err := ctx.Err(); err != nil {
			why := contextReason(err)
			c.skipRest(why)
			c.res.Errors = append(c.res.Errors, why+" before every candidate page was read")
			return
		}
		if c.fetched >= c.opts.MaxPages {
			c.skipRest("page limit")
			return
		}
		cand := c.pop()
		key := canonicalURL(cand.u)
		if c.requested[key] || c.pages[key] {
			continue
		}
		c.requested[key] = true
		if why := c.disallowed(ctx, cand.u); why != "" {
			c.skip(cand.u, why)
			continue
		}
		ch := c.f.fetch(ctx, cand.u, c.sameSiteAllowed(ctx))
		c.fetched++
		c.chainDone(ch, cand.u, cand.found, cand.depth, cand.score, cand.framedBy)
	}
}

// sameSite lets redirects stay on the site.
func (c *crawler) sameSite(_, to *url.URL) (bool, string) {
	if to.Scheme != "http" && to.Scheme != "https" {
		return false, "not http or https"
	}
	if !SameSite(to.Hostname(), c.host) {
		return false, "off-site"
	}
	return true, ""
}

// sameSiteAllowed also honours robots.txt for redirect targets.
func (c *crawler) sameSiteAllowed(ctx context.Context) follow {
	return func(from, to *url.URL) (bool, string) {
		if ok, why := c.sameSite(from, to); !ok {
			return ok, why
		}
		if why := c.disallowed(ctx, to); why != "" {
			return false, why
		}
		return true, ""
	}
}

func secureByDefault(hc *chain, host string) (bool, string) {
	switch hc.stop {
	case "loop":
		return false, ReasonRedirectLoop
	case "too-many":
		return false, ReasonTooManyRedirects
	case "off-site", "not http or https":
		return false, ReasonOffSite
	case "cancelled", "timeout":
		return false, ReasonInconclusive
	}
	if len(hc.hops) == 0 || hc.final == nil {
		return false, ReasonInconclusive
	}
	if hc.hops[0].Status == 0 && hc.hops[0].answered {
		return false, ReasonHTTPError // the hop's Error says why
	}
	if hc.hops[0].Status == 0 {
		return false, ReasonHTTPUnreachable
	}
	if hc.final.Scheme == "https" && SameSite(hc.final.Hostname(), host) {
		return true, ReasonRedirectsToHTTPS
	}
	if !hc.finalOK {
		return false, ReasonHTTPError
	}
	if len(hc.hops) == 1 {
		return false, ReasonNoRedirect
	}
	return false, ReasonEndsOnHTTP
}

// hostResponses lists the HTTPS chain's responses from the host itself,
// and says why there are none when the chain did not start with one.
func (c *crawler) hostResponses(sc *chain) (hops []Hop, none string) {
	for _, h := range sc.hops {
		if !h.Secure || h.Status == 0 {
			continue
		}
		u, err := url.Parse(h.URL)
		if err != nil || normalizeHost(u.Hostname()) != c.host {
			continue
		}
		hops = append(hops, h)
	}
	if len(sc.hops) > 0 && sc.hops[0].Status == 0 && sc.hops[0].answered {
		none = "HTTPS answered unusably: " + sc.hops[0].Error
	} else if len(sc.hops) > 0 && sc.hops[0].Status == 0 {
		none = "HTTPS did not answer: " + sc.hops[0].Error
	} else if len(sc.hops) > 0 && !sc.hops[0].Secure {
		none = "no HTTPS response"
	}
	return hops, none
}

// hsts reads the HSTS policy from the host's HTTPS responses.
func (c *crawler) hsts(sc *chain) HSTSPolicy {
	hops, none := c.hostResponses(sc)
	resps := make([]stsResponse, len(hops))
	for i, h := range hops {
		resps[i] = stsResponse{url: h.URL, values: h.sts}
	}
	return hstsFromResponses(resps, none)
}

// hpkp reads the Public-Key-Pins and Public-Key-Pins-Report-Only policies
// from the same responses as hsts.
func (c *crawler) hpkp(sc *chain) (pkp, ro HPKPPolicy) {
	hops, none := c.hostResponses(sc)
	pins := make([]stsResponse, len(hops))
	roPins := make([]stsResponse, len(hops))
	for i, h := range hops {
		pins[i] = stsResponse{url: h.URL, values: h.pkp}
		roPins[i] = stsResponse{url: h.URL, values: h.pkpRO}
	}
	return hpkpFromResponses(pins, none, false), hpkpFromResponses(roPins, none, true)
}

func (c *crawler) preload() {
	if c.opts.HSTSPreload == nil {
		return
	}
	p := HSTSPreload{Source: "Chrome", Hostname: c.host, Status: "absent"}
	func() {
		defer func() {
			if r := recover(); r != nil {
				p.Status, p.Error = "error", fmt.Sprintf("preload lookup failed: %v", r)
			}
		}()
		if e, ok := c.opts.HSTSPreload.Lookup(c.host); ok {
			p.Status = "present"
			p.PadlockEntry = &e
		}
	}()
	c.res.HSTSPreloads = append(c.res.HSTSPreloads, p)
}

// chainDone records a fetch: its downgrades, the page and what it leads to.
func (c *crawler) chainDone(ch *chain, requested *url.URL, found string, depth, score int, framedBy string) {
	for i, h := range ch.hops {
		if !h.Secure || h.Location == "" {
			continue
		}
		to := ""
		if i+1 < len(ch.hops) {
			to = ch.hops[i+1].URL
		} else if base, err := url.Parse(h.URL); err == nil {
			if u, err := base.Parse(h.Location); err == nil {
				to = u.String()
			}
		}
		if isHTTPURL(to) && !c.downs[h.URL] {
			c.downs[h.URL] = true
			c.res.HTTPSDowngrades = append(c.res.HTTPSDowngrades, Downgrade{From: h.URL, To: to, Status: h.Status})
		}
	}
	final := ch.final
	if final == nil {
		final = requested
	}
	key := canonicalURL(final)
	if ch.finalOK && c.pages[key] {
		return // read already, through another way in
	}
	p := Page{
		URL:    final.String(),
		Scheme: final.Scheme,
		Found:  found,
		Depth:  depth,
	}
	p.FramedBy = framedBy
	if canonicalURL(requested) != key {
		p.RequestedURL = requested.String()
	}
	if len(ch.hops) > 1 {
		p.Redirects = ch.hops
	}
	if !ch.finalOK {
		p.Error = ch.err
		if p.Error == "" && len(ch.hops) > 0 {
			p.Error = ch.hops[len(ch.hops)-1].Error
		}
		if depth > 0 {
			c.res.Pages = append(c.res.Pages, p)
		}
		return
	}
	c.pages[key] = true
	p.Status = ch.status
	p.Bytes = int64(len(ch.body))
	p.Truncated = ch.truncated
	p.ContentEncoding = ch.encoding
	p.Error = ch.err
	if ch.header != nil {
		p.ContentType = clip(ch.header.Get("Content-Type"), 200)
	}
	if !isHTML(p.ContentType, ch.body) {
		c.res.Pages = append(c.res.Pages, p)
		return
	}
	doc := parseDocument(final, ch.body)
	p.Title = clip(doc.title, 200)
	p.Forms = len(doc.forms)
	if doc.metaRefresh != nil {
		p.MetaRefresh = clip(doc.metaRefresh.String(), 2048)
	}
	c.res.Pages = append(c.res.Pages, p)
	personal := false
	for _, f := range doc.forms {
		f.FramedBy = framedBy
		c.res.Forms = append(c.res.Forms, f)
		personal = personal || f.PersonalData
	}
	if final.Scheme == "https" {
		for _, r := range doc.refs {
			c.res.MixedContent = append(c.res.MixedContent, MixedContent{PageURL: p.URL, Kind: r.kind, URL: r.url})
		}
	}
	// What to read next.
	for _, fr := range doc.iframes {
		c.push(fr, scoreIframe, depth+1, "iframe on "+p.URL, p.URL)
	}
	if doc.metaRefresh != nil {
		c.push(doc.metaRefresh, scoreRefresh, depth, "meta refresh on "+p.URL, framedBy)
	}
	if personal && final.Scheme == "https" && c.httpUp {
		// Does the same page answer over plain HTTP too?
		twin := *final
		twin.Scheme = "http"
		port := portOf(final)
		if port == c.httpsPort || port == 443 {
			port = c.httpPort
		}
		twin.Host = hostPort("http", final.Hostname(), port)
		c.push(&twin, scoreTwin, depth, "plain-HTTP twin of "+p.URL, framedBy)
	}
	if depth < maxDepth {
		for _, l := range doc.links {
			s := linkScore(l.text, l.url.Path)
			if s == 0 {
				continue
			}
			// A likely link on a likely page ("Send us a message" on
			// "Contact us") is a better bet than a weak link from home.
			s += min(score, 60)/2 - 5*depth
			if s < 1 {
				s = 1
			}
			text := strings.TrimSpace(l.text)
			c.push(l.url, s, depth+1, fmt.Sprintf("link %q on %s", clip(text, 60), p.URL), "")
		}
	}
}

func isHTML(contentType string, body []byte) bool {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err == nil {
			return mt == "text/html" || mt == "application/xhtml+xml"
		}
	}
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// push queues a same-site page.
func (c *crawler) push(u *url.URL, score, depth int, found, framedBy string) {
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return
	}
	if !SameSite(u.Hostname(), c.host) {
		return
	}
	v := *u
	v.Fragment, v.RawFragment = "", ""
	key := canonicalURL(&v)
	if c.requested[key] || c.pages[key] {
		return
	}
	for _, q := range c.queue {
		if canonicalURL(q.u) == key {
			if score > q.score {
				q.score, q.depth, q.found, q.framedBy = score, depth, found, framedBy
			}
			return
		}
	}
	c.seq++
	c.queue = append(c.queue, &candidate{u: &v, score: score, depth: depth, found: found, framedBy: framedBy, seq: c.seq})
	if len(c.queue) > maxQueue {
		c.sortQueue()
		c.queue = c.queue[:maxQueue]
	}
}

// sortQueue orders candidates best first: score, then depth, then plain
// HTTP before HTTPS (plain text is what the flag is about), then order of
// discovery.
func (c *crawler) sortQueue() {
	sort.SliceStable(c.queue, func(i, j int) bool {
		a, b := c.queue[i], c.queue[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.u.Scheme != b.u.Scheme {
			return a.u.Scheme == "http"
		}
		return a.seq < b.seq
	})
}

func (c *crawler) pop() *candidate {
	c.sortQueue()
	cand := c.queue[0]
	c.queue = c.queue[1:]
	return cand
}

func (c *crawler) skip(u *url.URL, reason string) {
	if len(c.res.Skipped) < maxSkipped {
		c.res.Skipped = append(c.res.Skipped, Skipped{URL: u.String(), Reason: reason})
	}
}

func (c *crawler) skipRest(reason string) {
	c.sortQueue()
	for _, q := range c.queue {
		key := canonicalURL(q.u)
		if c.requested[key] || c.pages[key] {
			continue
		}
		c.skip(q.u, reason)
	}
	c.queue = nil
}

// disallowed applies the origin's robots.txt, reading it the first time.
// It says why u may not be read ("" if it may).
func (c *crawler) disallowed(ctx context.Context, u *url.URL) string {
	if c.opts.IgnoreRobotsTxt {
		return ""
	}
	origin := u.Scheme + "://" + strings.ToLower(u.Host)
	rb, ok := c.robots[origin]
	if !ok {
		if len(c.robots) >= maxOrigins {
			return "too many origins"
		}
		rb = c.readRobots(ctx, u)
		c.robots[origin] = rb
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !rb.Allowed(agentToken(c.opts.UserAgent), path) {
		return "robots.txt"
	}
	return ""
}

func (c *crawler) readRobots(ctx context.Context, u *url.URL) *Robots {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	rec := RobotsTxt{URL: ru.String()}
	defer func() { c.res.RobotsTxt = append(c.res.RobotsTxt, rec) }()
	// RFC 9309 §2.3.1.2: follow at least five redirects.
	ch := c.f.fetch(ctx, ru, c.sameSite)
	rec.Status = ch.status
	switch {
	case ch.finalOK && ch.status >= 200 && ch.status < 300:
		rec.Outcome = "rules"
		return parseRobots(ch.body[:min(len(ch.body), MaxRobotsBytes)])
	case ch.finalOK && ch.status >= 400 && ch.status < 500,
		ch.stop == "loop", ch.stop == "too-many", ch.stop == "off-site":
		rec.Outcome = "allow-all"
		rec.Error = ch.err
		return &Robots{}
	default:
		rec.Outcome = "disallow-all"
		rec.Error = ch.err
		if rec.Error == "" {
			rec.Error = fmt.Sprintf("status %d", ch.status)
		}
		return &Robots{DisallowAll: true}
	}
}

// finish sets the flag and its evidence.
func (c *crawler) finish() {
	res := c.res
	res.Evidence = nil
	for _, f := range res.Forms {
		if !f.PersonalData {
			continue
		}
		what := f.Summary()
		where := f.PageURL
		if f.FramedBy != "" {
			where += " (in an iframe on " + f.FramedBy + ")"
		}
		ev := Evidence{PageURL: f.PageURL, ActionURL: f.Action, Method: f.Method, FramedBy: f.FramedBy,
			FormIndex: f.Index, Severity: f.Severity, Categories: f.Categories}
		if f.PageOverHTTP {
			e := ev
			e.Kind = EvidencePlainHTTPPage
			if f.NoFormElement {
				e.Summary = fmt.Sprintf("Plain-HTTP page %s has fields (outside any form) for: %s", where, what)
			} else {
				e.Summary = fmt.Sprintf("Plain-HTTP form at %s collects: %s", where, what)
			}
			res.Evidence = append(res.Evidence, e)
		}
		if f.ActionOverHTTP && !f.PageOverHTTP {
			// (On a plain-HTTP page the page itself is the evidence.)
			e := ev
			e.Kind = EvidenceHTTPAction
			to := f.Action
			if !isHTTPURL(to) {
				for _, a := range f.FormActions {
					if isHTTPURL(a) {
						to = a
						break
					}
				}
			}
			e.ActionURL = to
			e.Summary = fmt.Sprintf("Form at %s sends %s to plain-HTTP %s", where, what, to)
			res.Evidence = append(res.Evidence, e)
		}
	}
	res.PersonalDataOverPlainText = len(res.Evidence) > 0
}
