package server

// The SSL Labs API v3-compatible subset, /api/v3: see the package
// documentation for what it follows and where it deviates.

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"padlock/assess"
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

// v3Info is SSL Labs' Info object.
type v3Info struct {
	EngineVersion        string   `json:"engineVersion"`
	CriteriaVersion      string   `json:"criteriaVersion"`
	MaxAssessments       int      `json:"maxAssessments"`
	CurrentAssessments   int      `json:"currentAssessments"`
	NewAssessmentCoolOff int64    `json:"newAssessmentCoolOff"`
	Messages             []string `json:"messages"`
}

func (s *Server) v3Info(w http.ResponseWriter, _ *http.Request) {
	msgs := []string{
		"padlock: an SSL Labs API v3-compatible subset (info, analyze, getEndpointData, getStatusCodes); assessments are run by this server and nothing is published.",
		"Starting a new assessment needs the header Authorization: Bearer TOKEN; polling and cached results do not.",
	}
	if !s.cfg.AllowPrivate {
		msgs = append(msgs, "Hosts that resolve to private, loopback or otherwise non-public addresses are refused.")
	}
	s.v3OK(w, v3Info{
		EngineVersion:        assess.EngineVersion,
		CriteriaVersion:      assess.CriteriaVersion,
		MaxAssessments:       s.cfg.MaxConcurrentScans,
		CurrentAssessments:   s.work.current(),
		NewAssessmentCoolOff: 0,
		Messages:             msgs,
	})
}

func (s *Server) v3StatusCodes(w http.ResponseWriter, _ *http.Request) {
	s.v3OK(w, map[string]any{"statusDetails": statusCodes})
}

// v3Switch reads an on/off parameter ("" is off).
func v3Switch(q map[string][]string, name string, allowed ...string) (string, *v3Error) {
	v := ""
	if vs := q[name]; len(vs) > 0 {
		v = strings.ToLower(strings.TrimSpace(vs[0]))
	}
	if v == "" {
		return "off", nil
	}
	for _, a := range append([]string{"on", "off"}, allowed...) {
		if v == a {
			return v, nil
		}
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
		v, e := v3Switch(q, p.name, p.extra...)
		if e != nil {
			errs = append(errs, *e)
		}
		vals[p.name] = v
	}
	var maxAge time.Duration
	if v := q.Get("maxAge"); v != "" {
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
				s.v3OK(w, viewHost(h, full(true), 0))
				return
			}
		}
	}
	if j == nil {
		switch s.auth(r, true) {
		case authOK:
		case authInvalid:
			w.Header().Set("WWW-Authenticate", `Bearer realm="padlock", error="invalid_token"`)
			v3Errors(w, http.StatusUnauthorized, v3Error{Message: "the token is not valid"})
			return
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="padlock"`)
			msg := "starting a new assessment needs the token: send Authorization: Bearer TOKEN"
			if !startNew {
				msg = "no cached assessment of " + t.String() + "; " + msg
			}
			v3Errors(w, http.StatusUnauthorized, v3Error{Field: "startNew", Message: msg})
			return
		}
		var err error
		if j, err = s.work.start(t, startNew); err != nil {
			var re *errRequest
			if errors.As(err, &re) {
				v3Errors(w, re.status, v3Error{Message: re.msg})
				return
			}
			v3Errors(w, http.StatusInternalServerError, v3Error{Message: "internal error"})
			return
		}
	}
	s.v3OK(w, j.view(full(j.isDone())))
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
	if _, e := v3Switch(q, "fromCache"); e != nil {
		errs = append(errs, *e)
	}
	if len(errs) > 0 {
		v3Errors(w, http.StatusBadRequest, errs...)
		return
	}
	ip = ip.Unmap().WithZone("")
	if j := s.work.lookup(t.String(), 0); j != nil {
		if ep := j.endpoint(ip); ep != nil {
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
			s.v3OK(w, &h.Endpoints[i])
			return
		}
	}
	v3Errors(w, http.StatusBadRequest, v3Error{Field: "s", Message: "qp.invalid: " + ip.String() + " is not an endpoint of the assessment of " + t.String()})
}

// storedHost returns the newest stored assessment of t no older than
// maxAge (0: any age), or nil.
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
		if maxAge > 0 && time.Since(time.UnixMilli(h.TestTime)) > maxAge {
			continue
		}
		return h, nil
	}
	return nil, nil
}

// hostView is a finished Host as analyze returns it.
type hostView struct {
	*assess.Host
	// CacheExpiryTime is when the result leaves the cache (ms since 1970);
	// set for errors, as SSL Labs does.
	CacheExpiryTime int64 `json:"cacheExpiryTime,omitempty"`
}

// viewHost returns h with full endpoint details, or summarised (no
// details, no rating breakdown) when full is false.
func viewHost(h *assess.Host, full bool, expiry int64) hostView {
	if full {
		return hostView{h, expiry}
	}
	c := *h
	c.Endpoints = make([]assess.Endpoint, len(h.Endpoints))
	for i, ep := range h.Endpoints {
		ep.Details = nil
		ep.PadlockGrade = nil
		c.Endpoints[i] = ep
	}
	return hostView{&c, expiry}
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
	Endpoints       []progressEndpoint `json:"endpoints,omitempty"`
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

// view is the job's Host object now: the result when done (full or
// summarised), else its progress.
func (j *job) view(full bool) any {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.host != nil {
		var expiry int64
		if j.host.Status == assess.StatusError {
			expiry = j.finished.Add(errorCacheTTL).UnixMilli()
		}
		return viewHost(j.host, full, expiry)
	}
	p := progressHost{
		Host:            j.target.Host,
		Port:            int(j.target.Port),
		Protocol:        "http",
		Status:          j.status,
		StatusMessage:   msgResolving,
		StartTime:       j.started.UnixMilli(),
		EngineVersion:   assess.EngineVersion,
		CriteriaVersion: assess.CriteriaVersion,
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

// endpoint returns the job's endpoint at ip (full when done, its progress
// otherwise), or nil.
func (j *job) endpoint(ip netip.Addr) any {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.host != nil {
		for i := range j.host.Endpoints {
			if a, err := netip.ParseAddr(j.host.Endpoints[i].IPAddress); err == nil && a.Unmap() == ip {
				return &j.host.Endpoints[i]
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
