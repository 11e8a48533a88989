package server

// The SSL Labs API, /api/v3 and /api/v4: see the package
// documentation for what it follows and where it deviates.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"padlock/assess"
	"padlock/pki"
	"padlock/server/labsapi"
	"padlock/store"
	"padlock/stored"
)

// v3Error is one entry of SSL Labs' errors list.
type v3Error struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// v3Errors writes {"errors": [...]} with status.
func v3Errors(w http.ResponseWriter, status int, errs ...v3Error) {
	writeJSON(w, status, struct {
		Errors []v3Error `json:"errors"`
	}{errs})
}

// v3OK writes a successful v3 answer with the assessment headers.
func (s *Server) v3OK(w http.ResponseWriter, v any) {
	w.Header().Set("X-Max-Assessments", strconv.Itoa(s.cfg.MaxConcurrentScans))
	w.Header().Set("X-Current-Assessments", strconv.Itoa(s.work.current()))
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) v3Info(w http.ResponseWriter, _ *http.Request) {
	msgs := []string{
		"padlock: an SSL Labs API-compatible server (v3 and v4: info, analyze, getEndpointData, getStatusCodes, getRootCertsRaw); assessments are run by this server and nothing is published.",
	}
	if s.cfg.AnonymousAnalyze {
		msgs = append(msgs, fmt.Sprintf("New assessments may be started without credentials, at most %d an hour from one address.", s.cfg.AnonymousPerHour))
	} else {
		msgs = append(msgs, "Starting a new assessment needs Authorization: Bearer TOKEN (or, on /api/v4, a registered email header); polling and cached results do not.")
	}
	if !s.cfg.AllowPrivate {
		msgs = append(msgs, "Hosts that resolve to private, loopback or otherwise non-public addresses are refused.")
	}
	// SSL Labs' own value; enforced for anonymous callers (clients treat
	// anything under a second as a broken answer).
	coolOff := anonCoolOff.Milliseconds()
	s.v3OK(w, labsapi.Info{
		EngineVersion:        assess.EngineVersion,
		CriteriaVersion:      assess.CriteriaVersion,
		MaxAssessments:       s.cfg.MaxConcurrentScans,
		CurrentAssessments:   s.work.current(),
		NewAssessmentCoolOff: coolOff,
		Messages:             msgs,
	})
}

func (s *Server) v3StatusCodes(w http.ResponseWriter, _ *http.Request) {
	s.v3OK(w, labsapi.StatusCodes{StatusDetails: statusCodes})
}

// v3Bool reads a switch parameter the way SSL Labs does: on/off, and the
// true/false, yes/no and 1/0 that clients send ("" is off). allowed are
// further values (all=done).
func v3Bool(q map[string][]string, name string, allowed ...string) (string, *v3Error) {
	v := ""
	if vs := q[name]; len(vs) > 0 {
		v = strings.ToLower(strings.TrimSpace(vs[0]))
	}
	switch v {
	case "", "off", "false", "no", "0":
		return "off", nil
	case "on", "true", "yes", "1":
		return "on", nil
	}
	if slices.Contains(allowed, v) {
		return v, nil
	}
	return "", &v3Error{Field: name, Message: "qp.invalid: want on or off" + strings.Join(append([]string{""}, allowed...), " or ")}
}

// v3Target reads the host parameter.
func v3Target(q map[string][]string) (assess.Target, *v3Error) {
	host := ""
	if vs := q["host"]; len(vs) > 0 {
		host = strings.TrimSpace(vs[0])
	}
	if host == "" {
		return assess.Target{}, &v3Error{Field: "host", Message: "qp.mandatory"}
	}
	if len(host) > 300 {
		return assess.Target{}, &v3Error{Field: "host", Message: "qp.invalid: too long"}
	}
	t, err := assess.ParseTarget(host)
	if err != nil {
		return assess.Target{}, &v3Error{Field: "host", Message: "qp.invalid: " + err.Error()}
	}
	if t.Port == 0 {
		t.Port = assess.DefaultPort
	}
	return t, nil
}

func (s *Server) v3Analyze(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, perr := v3Target(q)
	var errs []v3Error
	if perr != nil {
		errs = append(errs, *perr)
	}
	vals := map[string]string{}
	for _, p := range []struct {
		name  string
		extra []string
	}{{"publish", nil}, {"startNew", nil}, {"fromCache", nil}, {"all", []string{"done"}}, {"ignoreMismatch", nil}} {
		v, e := v3Bool(q, p.name, p.extra...)
		if e != nil {
			errs = append(errs, *e)
		}
		vals[p.name] = v
	}
	var maxAge time.Duration
	if v := strings.TrimSpace(q.Get("maxAge")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 24*365*10 {
			errs = append(errs, v3Error{Field: "maxAge", Message: "qp.invalid: want a number of hours"})
		}
		maxAge = time.Duration(n) * time.Hour
	}
	startNew, fromCache := vals["startNew"] == "on", vals["fromCache"] == "on"
	if startNew && fromCache {
		errs = append(errs, v3Error{Field: "startNew", Message: "qp.invalid: startNew and fromCache cannot be used together"})
	}
	if len(errs) > 0 {
		v3Errors(w, http.StatusBadRequest, errs...)
		return
	}
	full := func(done bool) bool { return vals["all"] == "on" || (vals["all"] == "done" && done) }

	var j *job
	if !startNew {
		if j = s.work.lookup(t.String(), maxAge); j == nil {
			age := maxAge
			if !fromCache && (age == 0 || age > s.cfg.CacheTTL) {
				age = s.cfg.CacheTTL
			}
			h, err := s.storedHost(r, t, age)
			if err != nil {
				s.log.Error("reading stored results", "host", t.String(), "err", err)
				v3Errors(w, http.StatusInternalServerError, v3Error{Message: "internal error"})
				return
			}
			if h != nil {
				s.v3OK(w, labsapi.FromHost(h, full(true), 0))
				return
			}
		}
	}
	if j == nil {
		anonymous, ok := s.mayStart(w, r, t, startNew)
		if !ok {
			return
		}
		if err := s.admitTarget(t); err != nil {
			s.v3Fail(w, err)
			return
		}
		var err error
		if j, err = s.work.start(t, startNew); err != nil {
			s.v3Fail(w, err)
			return
		}
		if anonymous {
			s.anon.record(clientAddr(r))
		}
	}
	s.v3OK(w, j.labsView(full(j.isDone())))
}

// v3Fail answers a request error in SSL Labs' shape.
func (s *Server) v3Fail(w http.ResponseWriter, err error) {
	var re *errRequest
	if errors.As(err, &re) {
		field := ""
		if re.code == "private_address" || re.code == "bad_request" {
			field = "host"
		}
		v3Errors(w, re.status, v3Error{Field: field, Message: re.msg})
		return
	}
	v3Errors(w, http.StatusInternalServerError, v3Error{Message: "internal error"})
}

// mayStart decides whether the request may start a new assessment: with
// the token; on /api/v4 with a registered email header; or anonymously
// when the operator opened analyze to anonymous callers (rate-limited per
// client address). It answers refusals itself.
func (s *Server) mayStart(w http.ResponseWriter, r *http.Request, t assess.Target, startNew bool) (anonymous, ok bool) {
	switch s.auth(r, true) {
	case authOK:
		return false, true
	case authInvalid:
		w.Header().Set("WWW-Authenticate", `Bearer realm="padlock", error="invalid_token"`)
		v3Errors(w, http.StatusUnauthorized, v3Error{Message: "the token is not valid"})
		return false, false
	}
	if isV4(r) && s.emailOK(r) {
		return false, true
	}
	if s.cfg.AnonymousAnalyze {
		if wait := s.anon.wait(clientAddr(r)); wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			v3Errors(w, http.StatusTooManyRequests, v3Error{Message: fmt.Sprintf("too many new assessments from this address (at most %d an hour, one a second): try again in %d s", s.cfg.AnonymousPerHour, secs)})
			return true, false
		}
		return true, true
	}
	msg := "starting a new assessment needs credentials: send Authorization: Bearer TOKEN"
	if isV4(r) {
		// SSL Labs v4 answers an unregistered email with 400 and the
		// field "email", which v4 clients report as such.
		msg = "this email address is not registered with this padlock server (the operator registers addresses with padlock serve --api-email ADDRESS); or send Authorization: Bearer TOKEN"
		if r.Header.Get("email") == "" {
			msg = "qp.mandatory: send the email header with an address the operator registered (padlock serve --api-email ADDRESS), or Authorization: Bearer TOKEN"
		}
		msg += "; the operator can also open analyze to anonymous callers, rate-limited per client address, with padlock serve --anonymous-analyze"
		v3Errors(w, http.StatusBadRequest, v3Error{Field: "email", Message: msg})
		return false, false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="padlock"`)
	msg += "; the operator can open analyze to anonymous callers, rate-limited per client address, with padlock serve --anonymous-analyze"
	if !startNew {
		msg = "no cached assessment of " + t.String() + "; " + msg
	}
	v3Errors(w, http.StatusUnauthorized, v3Error{Field: "startNew", Message: msg})
	return false, false
}

func (s *Server) v3EndpointData(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, perr := v3Target(q)
	var errs []v3Error
	if perr != nil {
		errs = append(errs, *perr)
	}
	ip, err := netip.ParseAddr(strings.Trim(q.Get("s"), "[]"))
	switch {
	case q.Get("s") == "":
		errs = append(errs, v3Error{Field: "s", Message: "qp.mandatory"})
	case err != nil:
		errs = append(errs, v3Error{Field: "s", Message: "qp.invalid: not an IP address"})
	}
	if _, e := v3Bool(q, "fromCache"); e != nil {
		errs = append(errs, *e)
	}
	if len(errs) > 0 {
		v3Errors(w, http.StatusBadRequest, errs...)
		return
	}
	ip = ip.Unmap().WithZone("")
	if j := s.work.lookup(t.String(), 0); j != nil {
		if ep := j.labsEndpoint(ip); ep != nil {
			s.v3OK(w, ep)
			return
		}
		v3Errors(w, http.StatusBadRequest, v3Error{Field: "s", Message: "qp.invalid: " + ip.String() + " is not an endpoint of the assessment of " + t.String()})
		return
	}
	h, err := s.storedHost(r, t, 0)
	if err != nil {
		s.log.Error("reading stored results", "host", t.String(), "err", err)
		v3Errors(w, http.StatusInternalServerError, v3Error{Message: "internal error"})
		return
	}
	if h == nil {
		v3Errors(w, http.StatusBadRequest, v3Error{Field: "host", Message: "no assessment of " + t.String() + " is cached (getEndpointData does not start one: call analyze)"})
		return
	}
	for i := range h.Endpoints {
		if a, err := netip.ParseAddr(h.Endpoints[i].IPAddress); err == nil && a.Unmap() == ip {
			s.v3OK(w, labsapi.FromEndpoint(h, &h.Endpoints[i], true))
			return
		}
	}
	v3Errors(w, http.StatusBadRequest, v3Error{Field: "s", Message: "qp.invalid: " + ip.String() + " is not an endpoint of the assessment of " + t.String()})
}

// v3RootCerts serves getRootCertsRaw: the trust store padlock judges
// chains against, as text (a comment block, then the PEM, per root).
// trustStore 1 is Mozilla's, the only store padlock has; 2 to 5 (Apple,
// Android, Java, Windows at SSL Labs) are refused.
func (s *Server) v3RootCerts(w http.ResponseWriter, r *http.Request) {
	ts := strings.TrimSpace(r.URL.Query().Get("trustStore"))
	if ts != "" && ts != "1" {
		v3Errors(w, http.StatusBadRequest, v3Error{Field: "trustStore", Message: "qp.invalid: padlock judges trust against Mozilla's store only (trustStore=1)"})
		return
	}
	var b strings.Builder
	for _, c := range pki.MozillaRootCerts() {
		sum := sha256.Sum256(c.Raw)
		fmt.Fprintf(&b, "# %s\n", oneLine(c.Subject.String()))
		fmt.Fprintf(&b, "# SHA256 Fingerprint: %s\n", hex.EncodeToString(sum[:]))
		fmt.Fprintf(&b, "# Not Before: %s\n", c.NotBefore.UTC().Format(time.RFC1123))
		fmt.Fprintf(&b, "# Not After: %s\n", c.NotAfter.UTC().Format(time.RFC1123))
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
		b.WriteString("\n")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Max-Assessments", strconv.Itoa(s.cfg.MaxConcurrentScans))
	w.Header().Set("X-Current-Assessments", strconv.Itoa(s.work.current()))
	io.WriteString(w, b.String())
}

// v4Register answers SSL Labs v4's register call: on padlock the operator
// registers the addresses (padlock serve --api-email).
func (s *Server) v4Register(w http.ResponseWriter, _ *http.Request) {
	v3Errors(w, http.StatusBadRequest, v3Error{Field: "email", Message: "registration is done by the operator of this padlock server: padlock serve --api-email ADDRESS"})
}

// oneLine drops control characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// storedHost returns the newest stored assessment of t no older than
// maxAge (0: any age; ERROR results errorCacheTTL at most), or nil.
func (s *Server) storedHost(r *http.Request, t assess.Target, maxAge time.Duration) (*assess.Host, error) {
	key := store.SiteKey(t.String())
	hist, err := s.cfg.Store.History(r.Context(), key)
	if err != nil {
		return nil, err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		res, err := stored.Decode(hist[i].Result)
		if err != nil || res.Host == nil || res.Host.Port != int(t.Port) {
			continue
		}
		h := res.Host
		if h.Status != assess.StatusReady && h.Status != assess.StatusError {
			continue
		}
		age := time.Since(time.UnixMilli(h.TestTime))
		if maxAge > 0 && age > maxAge {
			continue
		}
		// Errors are kept as briefly as in memory, so that a target that
		// failed (e.g. to resolve) is tried again.
		if h.Status == assess.StatusError && age > errorCacheTTL {
			continue
		}
		return h, nil
	}
	return nil, nil
}

// progressHost is the Host object of an assessment still running.
type progressHost struct {
	Host            string             `json:"host"`
	Port            int                `json:"port"`
	Protocol        string             `json:"protocol"`
	IsPublic        bool               `json:"isPublic"`
	Status          string             `json:"status"`
	StatusMessage   string             `json:"statusMessage"`
	StartTime       int64              `json:"startTime"`
	EngineVersion   string             `json:"engineVersion"`
	CriteriaVersion string             `json:"criteriaVersion"`
	Endpoints       []progressEndpoint `json:"endpoints"`
}

// progressEndpoint is the Endpoint object of an endpoint being assessed.
type progressEndpoint struct {
	IPAddress            string `json:"ipAddress"`
	StatusMessage        string `json:"statusMessage"`
	StatusDetails        string `json:"statusDetails,omitempty"`
	StatusDetailsMessage string `json:"statusDetailsMessage,omitempty"`
	Progress             int    `json:"progress"`
	ETA                  int    `json:"eta"`
	Delegation           int    `json:"delegation"`
}

// labsView is the job's SSL Labs Host object now: the result when done
// (full or summarised), else its progress.
func (j *job) labsView(full bool) any {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.host != nil {
		var expiry int64
		if j.host.Status == assess.StatusError {
			expiry = j.finished.Add(errorCacheTTL).UnixMilli()
		}
		return labsapi.FromHost(j.host, full, expiry)
	}
	return j.progressLocked()
}

// view is the job's Host object in padlock's own shape (/api/v1/check).
func (j *job) view() any {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.host != nil {
		return j.host
	}
	return j.progressLocked()
}

func (j *job) progressLocked() progressHost {
	p := progressHost{
		Host:            j.target.Host,
		Port:            int(j.target.Port),
		Protocol:        "http",
		Status:          j.status,
		StatusMessage:   msgResolving,
		StartTime:       j.started.UnixMilli(),
		EngineVersion:   assess.EngineVersion,
		CriteriaVersion: assess.CriteriaVersion,
		Endpoints:       []progressEndpoint{},
	}
	if j.status == statusInProgress {
		p.StatusMessage = msgInProgress
		for _, a := range j.addrs {
			p.Endpoints = append(p.Endpoints, progressEndpointOf(a))
		}
	}
	return p
}

func progressEndpointOf(a netip.Addr) progressEndpoint {
	return progressEndpoint{
		IPAddress:            a.String(),
		StatusMessage:        msgInProgress,
		StatusDetails:        "TESTING_ENDPOINT",
		StatusDetailsMessage: statusCodes["TESTING_ENDPOINT"],
		Progress:             0,
		ETA:                  -1,
	}
}

// labsEndpoint returns the job's endpoint at ip in SSL Labs' shape (full
// when done, its progress otherwise), or nil.
func (j *job) labsEndpoint(ip netip.Addr) any {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.host != nil {
		for i := range j.host.Endpoints {
			if a, err := netip.ParseAddr(j.host.Endpoints[i].IPAddress); err == nil && a.Unmap() == ip {
				return labsapi.FromEndpoint(j.host, &j.host.Endpoints[i], true)
			}
		}
		return nil
	}
	for _, a := range j.addrs {
		if a == ip {
			return progressEndpointOf(a)
		}
	}
	return nil
}

// errorCacheTTL is how long an ERROR result is served from the cache
// before a plain analyze starts again.
const errorCacheTTL = 15 * time.Minute
