// Package server serves padlock's dashboard and JSON API from the store,
// with an SSL Labs API v3-compatible subset.
//
// # Routes
//
// Pages, rendered live from the store by package report and laid out as
// its static report is (report.WriteSite), so that every link works:
//
//	GET /  /index.html                   the latest finished scan: headline, charts, league table
//	GET /sites/{key}[.html]              one of its sites: grade, findings, endpoints, history
//	GET /methodology.html  /methodology  what padlock checks and how it grades
//	GET /report.csv  .json  .md          the exports of the latest finished scan
//	GET /assets/{file}                   the pages' stylesheet and script
//	GET /scans/{id}/...                  the same pages and exports for any scan
//	GET /healthz                         "ok" (never needs the token)
//	GET /alerts                          sites that got worse between runs of a schedule (alerts.go)
//
// JSON API (the comment at the top of api.go gives the shapes):
//
//	GET  /api/v1/scans                     every scan, oldest first
//	GET  /api/v1/scans/{id}                one scan ({id} may be "latest": the latest finished)
//	GET  /api/v1/scans/{id}/assessments    its assessments, summarised
//	GET  /api/v1/sites/{key}               a site's latest full result
//	GET  /api/v1/sites/{key}/history       a site's assessments over every scan
//	GET  /api/v1/alerts                    the alerts of scheduled scans, newest first (alerts.go)
//	GET  /api/v1/schedules                 the schedules, without their webhook secrets
//	POST /api/v1/scans                     start a scan of targets        (token)
//	POST /api/v1/check                     start an assessment of one host (token)
//
// SSL Labs API, v3 and v4 (the same calls under /api/v4/):
//
//	GET /api/v3/info
//	GET /api/v3/analyze?host=…&startNew=on|fromCache=on&maxAge=…&all=on|done
//	GET /api/v3/getEndpointData?host=…&s=IP
//	GET /api/v3/getStatusCodes
//	GET /api/v3/getRootCertsRaw?trustStore=1
//	POST /api/v4/register                   refused: the operator registers emails
//
// # SSL Labs API compatibility
//
// The calls follow SSL Labs' ssllabs-api-docs-v3.md (and v4's email
// header): the same parameters, with the values clients send for switches
// (on/off, true/false, yes/no, 1/0); the same objects, every documented
// field with its documented JSON type, built by package labsapi from
// padlock's result; the status cycle DNS → IN_PROGRESS → READY or ERROR;
// endpoint details only with all=on (or all=done once complete); errors as
// {"errors": [{"field": "host", "message": "qp.mandatory"}]}; 429 when
// every assessment slot is taken or an anonymous caller is over its rate;
// X-Max-Assessments and X-Current-Assessments on every answer.
// docs/ssllabs-api.md is the user's guide. Where padlock differs:
//
//   - Starting an assessment needs "Authorization: Bearer TOKEN", or on
//     /api/v4 an email header listed in Config.APIEmails, unless
//     Config.AnonymousAnalyze opens it to anyone (at most
//     Config.AnonymousPerHour starts an hour per client address, one a
//     second). Closed by default; the 401 says how to open it. Polling and
//     cached results need nothing (unless Config.Private).
//   - The cache is the server's memory (Config.CacheTTL; errors 15
//     minutes) and the store: every single-host assessment is saved as a
//     finished one-target scan (TargetsFile store.SingleHostFile, left out of the
//     dashboard), so results survive a restart. A plain analyze accepts a
//     result younger than CacheTTL; fromCache=on any, or one younger than
//     maxAge hours.
//   - publish=on is accepted and ignored (isPublic is always false);
//     ignoreMismatch has no effect (padlock always assesses, grading M).
//   - host may carry a port ("example.org:8443") or be an https:// URL.
//   - The target rule is admitTarget's, the same for /api/v1/check: IP
//     literals outside the public ranges are refused at once (400); names
//     resolving to them end in ERROR, unless Config.AllowPrivate.
//   - While an assessment runs, its endpoints report progress 0 and eta
//     -1. maxAssessments and currentAssessments count every client's
//     assessments and scans.
//   - getRootCertsRaw serves Mozilla's store only (trustStore=1).
//
// # Security
//
// Write actions (starting scans and assessments) need the header
// "Authorization: Bearer TOKEN"; with Config.Private every other route but
// /healthz needs it too (reads also accept HTTP Basic authentication with
// the token as the password, so that a browser can ask for it; writes
// never do, since a browser would send cached Basic credentials with a
// request another site made it send). Tokens are
// compared in constant time. Request bodies are bounded and decoded
// strictly. Every response carries a Content-Security-Policy without
// inline script, X-Content-Type-Options, Referrer-Policy and
// frame-ancestors 'none'.
//
// The served scanner refuses targets that resolve to private, loopback,
// link-local, shared (CGNAT), multicast, reserved or unspecified addresses
// (IsPublic) unless Config.AllowPrivate: the check is made after
// resolution, the addresses checked are the ones assessed (pinned, so a
// second resolution cannot change them), and every connection the scan
// opens, redirects and AIA fetches included, is checked again at the
// socket.
package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"padlock/assess"
	"padlock/fleet"
	"padlock/pki"
	"padlock/store"
)

// Defaults of Config.
const (
	DefaultMaxConcurrentScans = 4
	DefaultMaxScanTargets     = 1000
	DefaultCacheTTL           = 24 * time.Hour
	DefaultMaxCacheEntries    = 1000
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes = 1 << 20
)

// Config configures New.
type Config struct {
	// Store is where scans and assessments are read from and written to.
	// Required.
	Store store.Store
	// Token authorises write actions: "Authorization: Bearer TOKEN". Empty
	// disables them (every write is then refused with 403).
	Token string
	// Private makes every view need the token as well.
	Private bool
	// AllowPrivate lets targets resolve to non-public addresses (the demo
	// and tests; never on a server others can reach).
	AllowPrivate bool
	// AssessOptions are the options of single-host assessments
	// (/api/v3/analyze, /api/v1/check) and the base of scans' assessment
	// options. Their dialers and resolver are replaced by the guarded
	// ones. A FetchIssuer cannot be guarded: set FetchIssuers instead (New
	// refuses a FetchIssuer unless AllowPrivate).
	AssessOptions assess.Options
	// FetchIssuers completes chains that lack intermediates from their AIA
	// URLs, through the guarded dialer.
	FetchIssuers bool
	// ScanOptions are the base of the fleet options of scans started
	// through the API (concurrency, politeness, budget, web checks...).
	// Assess, Resolver and Dial are set by the server.
	ScanOptions fleet.Options
	// Resolver resolves target names (default net.DefaultResolver); tests
	// give a stub.
	Resolver assess.Resolver
	// Logger receives the access log and errors (default: discarded).
	Logger *slog.Logger
	// MaxConcurrentScans bounds the assessments and scans running at once
	// (each single-host assessment and each fleet scan counts one).
	// Default DefaultMaxConcurrentScans.
	MaxConcurrentScans int
	// MaxScanTargets bounds the targets of a scan started through the
	// API. Default DefaultMaxScanTargets.
	MaxScanTargets int
	// CacheTTL is how long a single-host assessment stays in the memory
	// cache of /api/v3/analyze. Default DefaultCacheTTL.
	CacheTTL time.Duration
	// MaxCacheEntries bounds that cache. Default DefaultMaxCacheEntries.
	MaxCacheEntries int
	// AnonymousAnalyze lets callers without credentials start assessments
	// through /api/v3/analyze and /api/v4/analyze, as SSL Labs clients
	// (which send no token) expect: at most AnonymousPerHour from one
	// client address, non-public targets still refused. Off by default.
	AnonymousAnalyze bool
	// AnonymousPerHour bounds those starts per client address (IPv6: per
	// /64). Default DefaultAnonymousPerHour.
	AnonymousPerHour int
	// APIEmails are the addresses that may start assessments through
	// /api/v4 with SSL Labs API v4's email header.
	APIEmails []string
	// BaseURL is where the pages are served from, for the links report
	// writes (default "/").
	BaseURL string

	// dial replaces the guard's socket dialer (tests).
	dial dialFunc
	// caaServer is the DNS server CAA is asked from (host:port): default
	// the first nameserver of /etc/resolv.conf, and none when a Resolver
	// was given without it (tests).
	caaServer string
}

// Server is the handler New returns. Close stops its background work.
type Server struct {
	cfg       Config
	log       *slog.Logger
	tokenHash *[32]byte
	guard     *guard
	mux       *http.ServeMux
	csp       string

	work   *assessor
	queue  queueView // the job queue, for the operators' view (queue.go)
	anon   *anonLimiter
	emails []string // APIEmails, normalised

	buildMu sync.Mutex
	builds  []builtFleet
}

// New returns the handler serving the dashboard and API from cfg.Store.
// The handler also implements io.Closer: Close cancels the assessments and
// scans it started and waits for them to stop (scans are then marked
// interrupted and can be resumed with padlock scan --resume).
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: no store")
	}
	if cfg.Private && cfg.Token == "" {
		return nil, errors.New("server: a private server needs a token")
	}
	if cfg.AssessOptions.PKI.FetchIssuer != nil && !cfg.AllowPrivate {
		return nil, errors.New("server: AssessOptions.PKI.FetchIssuer would bypass the private-address guard; set FetchIssuers instead")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxConcurrentScans <= 0 {
		cfg.MaxConcurrentScans = DefaultMaxConcurrentScans
	}
	if cfg.MaxScanTargets <= 0 {
		cfg.MaxScanTargets = DefaultMaxScanTargets
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.MaxCacheEntries <= 0 {
		cfg.MaxCacheEntries = DefaultMaxCacheEntries
	}
	if cfg.AnonymousPerHour <= 0 {
		cfg.AnonymousPerHour = DefaultAnonymousPerHour
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "/"
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	s := &Server{cfg: cfg, log: cfg.Logger, anon: newAnonLimiter(cfg.AnonymousPerHour)}
	for _, e := range cfg.APIEmails {
		n := normEmail(e)
		if n == "" {
			return nil, fmt.Errorf("server: %q is not an email address", e)
		}
		s.emails = append(s.emails, n)
	}
	if cfg.Token != "" {
		h := sha256.Sum256([]byte(cfg.Token))
		s.tokenHash = &h
	}
	s.guard = newGuard(cfg.AllowPrivate, cfg.Resolver, cfg.dial)
	if cfg.FetchIssuers {
		client := &http.Client{Transport: s.guard.Transport()}
		s.cfg.AssessOptions.PKI.FetchIssuer = pki.HTTPIssuerFetcher(client, 0, 0)
	}
	s.work = newAssessor(s)
	csp, err := s.contentSecurityPolicy()
	if err != nil {
		return nil, err
	}
	s.csp = csp
	s.routes()
	return s, nil
}

// Close cancels the server's background assessments and scans and waits
// for them to stop.
func (s *Server) Close() error {
	s.work.close()
	return nil
}

var _ io.Closer = (*Server)(nil)

// routes registers every route.
func (s *Server) routes() {
	m := http.NewServeMux()
	read := s.requireRead
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})

	// Pages, as report lays them out under a base URL: the latest
	// finished scan under /, any scan under /scans/{id}/.
	for _, prefix := range []string{"", "/scans/{id}"} {
		m.Handle("GET "+prefix+"/{$}", read(http.HandlerFunc(s.pageIndex)))
		m.Handle("GET "+prefix+"/index.html", read(http.HandlerFunc(s.pageIndex)))
		m.Handle("GET "+prefix+"/sites/{key}", read(http.HandlerFunc(s.pageSite)))
		m.Handle("GET "+prefix+"/methodology.html", read(http.HandlerFunc(s.pageMethodology)))
		m.Handle("GET "+prefix+"/assets/{path...}", read(s.assets()))
		for _, f := range []string{"csv", "json", "md"} {
			m.Handle("GET "+prefix+"/report."+f, read(s.export(f)))
		}
	}
	m.Handle("GET /methodology", read(http.HandlerFunc(s.pageMethodology)))
	m.Handle("GET /scans/{id}", read(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
	})))
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.WriteHeader(http.StatusNoContent)
	})
	m.Handle("GET /", read(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.notFound(w, r, "No such page.")
	})))

	// JSON API.
	m.Handle("GET /api/v1/scans", read(http.HandlerFunc(s.apiScans)))
	m.Handle("GET /api/v1/scans/{id}", read(http.HandlerFunc(s.apiScan)))
	m.Handle("GET /api/v1/scans/{id}/assessments", read(http.HandlerFunc(s.apiScanAssessments)))
	m.Handle("GET /api/v1/sites/{key}", read(http.HandlerFunc(s.apiSite)))
	m.Handle("GET /api/v1/sites/{key}/history", read(http.HandlerFunc(s.apiSiteHistory)))
	// Alerts and schedules (alerts.go).
	m.Handle("GET /alerts", read(http.HandlerFunc(s.pageAlerts)))
	m.Handle("GET /api/v1/alerts", read(http.HandlerFunc(s.apiAlerts)))
	m.Handle("GET /api/v1/schedules", read(http.HandlerFunc(s.apiSchedules)))
	m.Handle("POST /api/v1/scans", s.requireWrite(http.HandlerFunc(s.apiStartScan)))
	m.Handle("POST /api/v1/check", s.requireWrite(http.HandlerFunc(s.apiCheck)))
	s.queueRoutes(m)
	m.Handle("GET /api/", read(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "not_found", "no such API route: "+r.Method+" "+r.URL.Path)
	})))

	// SSL Labs API v3 and v4: reads; analyze checks the credentials
	// itself when it would start an assessment.
	for _, v := range []string{"/api/v3/", "/api/v4/"} {
		m.Handle("GET "+v+"info", read(http.HandlerFunc(s.v3Info)))
		m.Handle("GET "+v+"analyze", read(http.HandlerFunc(s.v3Analyze)))
		m.Handle("GET "+v+"getEndpointData", read(http.HandlerFunc(s.v3EndpointData)))
		m.Handle("GET "+v+"getStatusCodes", read(http.HandlerFunc(s.v3StatusCodes)))
		m.Handle("GET "+v+"getRootCertsRaw", read(http.HandlerFunc(s.v3RootCerts)))
	}
	m.Handle("POST /api/v4/register", read(http.HandlerFunc(s.v4Register)))
	for _, v := range []string{"/api/v3/", "/api/v4/"} {
		m.Handle("GET "+v, read(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v3Errors(w, http.StatusNotFound, v3Error{Message: "no such API call: " + r.Method + " " + r.URL.Path})
		})))
	}
	s.mux = m
}

// ServeHTTP serves a request: security headers, access log, panics turned
// into 500s, then the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store")
	}
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rec.wrote {
				apiError(rec, http.StatusInternalServerError, "internal", "internal error")
			}
		}
		s.log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.statusCode(), "bytes", rec.n, "duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
	}()
	s.mux.ServeHTTP(rec, r)
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.n += int64(n)
	return n, err
}

func (r *statusRecorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// credential returns the token a request carries: a Bearer token, or
// (when basic is set) the password of HTTP Basic authentication, which
// pages accept so that a browser can ask for it. present reports whether
// there was an Authorization header at all.
func credential(r *http.Request, basic bool) (tok string, present bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok), true
	}
	if _, pw, ok := r.BasicAuth(); ok && basic {
		return pw, true
	}
	return "", true
}

// authState is what a request's credentials are worth.
type authState int

const (
	authNone    authState = iota // no Authorization header
	authInvalid                  // a wrong or unusable token
	authOK
)

// auth checks a request's token in constant time (hashes of equal length
// are compared, so that the token's length does not leak either). Reads
// take a Bearer token or Basic authentication; writes only a Bearer token:
// a browser sends cached Basic credentials by itself, even with a request
// another site made it send, and a write must not ride on them.
func (s *Server) auth(r *http.Request, write bool) authState {
	tok, present := credential(r, !write)
	if !present {
		return authNone
	}
	if s.tokenHash == nil || tok == "" {
		return authInvalid
	}
	h := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(h[:], s.tokenHash[:]) == 1 {
		return authOK
	}
	return authInvalid
}

// isPage reports whether a path is one of the HTML pages (which ask a
// browser for Basic authentication).
func isPage(path string) bool {
	return !strings.HasPrefix(path, "/api/")
}

// deny answers a request that lacks the credentials it needs.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, st authState, write bool) {
	switch {
	case write && s.tokenHash == nil:
		s.denyJSON(w, r, http.StatusForbidden, "forbidden", "write actions are disabled: the server was started without a token")
		return
	case isPage(r.URL.Path):
		w.Header().Set("WWW-Authenticate", `Basic realm="padlock", charset="UTF-8"`)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, "401 Unauthorized: this padlock server is private; give its token as the password\n")
		return
	}
	if st == authInvalid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="padlock", error="invalid_token"`)
		s.denyJSON(w, r, http.StatusUnauthorized, "unauthorized", "the token is not valid")
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="padlock"`)
	msg := "this padlock server is private: send Authorization: Bearer TOKEN"
	if write {
		msg = "starting scans and assessments needs the token: send Authorization: Bearer TOKEN"
	}
	s.denyJSON(w, r, http.StatusUnauthorized, "unauthorized", msg)
}

// denyJSON writes an auth error in the shape of the API asked: SSL Labs'
// errors list for /api/v3, padlock's error object otherwise.
func (s *Server) denyJSON(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/v3/") || isV4(r) {
		v3Errors(w, status, v3Error{Message: msg})
		return
	}
	apiError(w, status, code, msg)
}

// requireRead lets a request through when the server is public or the
// request carries the token.
func (s *Server) requireRead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Private {
			if st := s.auth(r, false); st != authOK {
				s.deny(w, r, st, false)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// requireWrite lets a request through only with the token.
func (s *Server) requireWrite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := s.auth(r, true); st != authOK {
			s.deny(w, r, st, true)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// render writes a page rendered into a buffer first, so that a failure is
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, f func(io.Writer) error) {
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		s.log.Error("rendering page", "path", r.URL.Path, "err", err)
		http.Error(w, "500 internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
