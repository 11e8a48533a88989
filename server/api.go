package server

// The JSON API, /api/v1.
//
// Reads:
//
//	GET /api/v1/scans
//	    {"scans": [Scan...]}, oldest first.
//	GET /api/v1/scans/{id}                  ({id}: a number, or "latest", the latest finished scan)
//	    {"scan": Scan}
//	GET /api/v1/scans/{id}/assessments
//	    {"scan": Scan, "assessments": [Assessment...]}, in target order.
//	GET /api/v1/sites/{key}                 ({key}: a site key, "host" or "host:port", or a URL, escaped)
//	    {"site": key, "assessment": Assessment, "result": {...}}: the newest stored assessment
//	    of the site with its full result (fleet's Result: the target, the SSL Labs v3-shaped
//	    Host, the plain-HTTP side).
//	GET /api/v1/sites/{key}/history
//	    {"site": key, "history": [Assessment...]}, oldest scan first.
//
// Writes (Authorization: Bearer TOKEN; a JSON body of at most 1 MiB, with
// Content-Type application/json; unknown fields are refused):
//
//	POST /api/v1/scans    {"name": "...", "targets": [{"organisation": "...", "url": "...", "group": "..."}]}
//	    202 {"scan": Scan}, Location: /api/v1/scans/{id}. The scan runs in the background
//	    (package fleet); poll the scan until its status is "finished".
//	POST /api/v1/check    {"host": "example.org[:port]"}
//	    202 with the SSL Labs v3 Host object of the assessment (status DNS, IN_PROGRESS, or
//	    READY/ERROR when it is done), Location: /api/v3/analyze?host=...&all=done to poll.
//
// Errors are {"error": {"code": "...", "message": "..."}} with a 4xx or 5xx
// status: bad_request, bad_json, unsupported_media_type, too_large,
// unauthorized, forbidden, not_found, private_address, too_many, internal.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"padlock/assess"
	"padlock/fleet"
	"padlock/store"
)

// apiScan is a scan in the API.
type apiScan struct {
	ID          store.ScanID `json:"id"`
	Name        string       `json:"name"`
	TargetsFile string       `json:"targetsFile,omitempty"`
	Started     string       `json:"started,omitempty"`
	Finished    string       `json:"finished,omitempty"`
	Status      string       `json:"status"`
	Counts      store.Counts `json:"counts"`
}

// apiAssessment is one target's assessment, summarised.
type apiAssessment struct {
	ScanID            store.ScanID `json:"scanId"`
	TargetID          int64        `json:"targetId"`
	Site              string       `json:"site"`
	Organisation      string       `json:"organisation"`
	URL               string       `json:"url"`
	Group             string       `json:"group,omitempty"`
	Grade             string       `json:"grade"`
	Display           string       `json:"display"` // the grade as published: with "*" for personal data over plain text
	GradeTrustIgnored string       `json:"gradeTrustIgnored,omitempty"`
	Star              bool         `json:"star"`
	SecureByDefault   *bool        `json:"secureByDefault,omitempty"`
	Inconclusive      string       `json:"inconclusive,omitempty"`
	Provisional       bool         `json:"provisional,omitempty"`
	HSTS              string       `json:"hsts,omitempty"`
	Protocols         []string     `json:"protocols"`
	BestProtocol      string       `json:"bestProtocol,omitempty"`
	CertNotAfter      string       `json:"certNotAfter,omitempty"`
	Endpoints         int          `json:"endpoints"`
	Criteria          string       `json:"criteria,omitempty"`
	Started           string       `json:"started,omitempty"`
	Finished          string       `json:"finished,omitempty"`
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func toAPIScan(sc store.Scan) apiScan {
	return apiScan{
		ID:          sc.ID,
		Name:        sc.Name,
		TargetsFile: sc.TargetsFile,
		Started:     timeString(sc.Started),
		Finished:    timeString(sc.Finished),
		Status:      string(sc.Status),
		Counts:      sc.Counts,
	}
}

func toAPIAssessment(a store.Assessment) apiAssessment {
	out := apiAssessment{
		ScanID:            a.ScanID,
		TargetID:          a.TargetID,
		Site:              a.Site,
		Organisation:      a.Organisation,
		URL:               a.URL,
		Group:             a.Group,
		Grade:             a.Grade,
		Display:           a.Grade,
		GradeTrustIgnored: a.GradeTrustIgnored,
		Star:              a.Star,
		SecureByDefault:   a.SecureByDefault,
		Inconclusive:      a.Inconclusive,
		Provisional:       a.Provisional,
		HSTS:              a.HSTS,
		Protocols:         []string{},
		BestProtocol:      a.BestProtocol,
		CertNotAfter:      timeString(a.CertNotAfter),
		Endpoints:         a.Endpoints,
		Criteria:          a.Criteria,
		Started:           timeString(a.Started),
		Finished:          timeString(a.Finished),
	}
	if a.Star && a.Grade != "" {
		out.Display += "*"
	}
	for _, p := range strings.Split(a.Protocols, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out.Protocols = append(out.Protocols, p)
		}
	}
	return out
}

// apiErrorBody is the JSON of an API error.
type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// apiError writes {"error": {"code", "message"}} with status.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	var b apiErrorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

// writeJSON writes v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":{"code":"internal","message":"the response could not be encoded"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	w.Write(data)
	w.Write([]byte{'\n'})
}

// errRequest is a request the client got wrong: it carries the status and
// code to answer with.
type errRequest struct {
	status int
	code   string
	msg    string
}

func (e *errRequest) Error() string { return e.msg }

func badRequest(code, format string, args ...any) error {
	return &errRequest{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

// decodeJSON reads a request's JSON body into v: Content-Type
// application/json, at most MaxBodyBytes, no unknown fields, one value.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return &errRequest{http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as Content-Type: application/json"}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return &errRequest{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)}
		case errors.Is(err, io.EOF):
			return badRequest("bad_json", "the body is empty: send a JSON object")
		case errors.As(err, &syn):
			return badRequest("bad_json", "the body is not valid JSON (at byte %d): %v", syn.Offset, err)
		case errors.As(err, &typ):
			return badRequest("bad_json", "field %q: want a JSON %s, got %s", typ.Field, typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("bad_json", "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return badRequest("bad_json", "the body cannot be read as JSON: %v", err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errRequest{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)}
		}
		return badRequest("bad_json", "the body holds more than one JSON value")
	}
	return nil
}

// fail answers with err: a request error as it says, anything else as an
// internal error (logged, not shown).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var re *errRequest
	switch {
	case errors.As(err, &re):
		apiError(w, re.status, re.code, re.msg)
	case errors.Is(err, store.ErrNotFound):
		apiError(w, http.StatusNotFound, "not_found", "not found")
	default:
		s.log.Error("API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// scanFromPath reads {id}: a positive number, or "latest" for the latest
// finished scan.
func (s *Server) scanFromPath(r *http.Request) (store.Scan, error) {
	raw := r.PathValue("id")
	if raw == "latest" {
		scans, err := s.fleetScans(r.Context())
		if err != nil {
			return store.Scan{}, err
		}
		if len(scans) == 0 {
			return store.Scan{}, &errRequest{http.StatusNotFound, "not_found", "no scan has finished yet"}
		}
		return scans[0], nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return store.Scan{}, &errRequest{http.StatusNotFound, "not_found", fmt.Sprintf("%q is not a scan id (a positive number or \"latest\")", clip(raw, 40))}
	}
	sc, err := s.cfg.Store.Scan(r.Context(), store.ScanID(n))
	if errors.Is(err, store.ErrNotFound) {
		return store.Scan{}, &errRequest{http.StatusNotFound, "not_found", fmt.Sprintf("no scan %d", n)}
	}
	return sc, err
}

func (s *Server) apiScans(w http.ResponseWriter, r *http.Request) {
	scans, err := s.cfg.Store.Scans(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiScan, 0, len(scans))
	for _, sc := range scans {
		out = append(out, toAPIScan(sc))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scans": out})
}

func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scanFromPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scan": toAPIScan(sc)})
}

func (s *Server) apiScanAssessments(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scanFromPath(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	as, err := s.cfg.Store.Assessments(r.Context(), sc.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiAssessment, 0, len(as))
	for _, a := range as {
		out = append(out, toAPIAssessment(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scan": toAPIScan(sc), "assessments": out})
}

// siteFromPath reads {key} as a site key.
func siteFromPath(r *http.Request) (string, error) {
	raw := r.PathValue("key")
	if raw == "" || len(raw) > 300 || !utf8.ValidString(raw) {
		return "", &errRequest{http.StatusNotFound, "not_found", "not a site key"}
	}
	return store.SiteKey(raw), nil
}

// siteHistory reads {key} and its stored assessments, oldest first; it
// answers the request itself (and returns ok false) when there are none.
func (s *Server) siteHistory(w http.ResponseWriter, r *http.Request) (key string, hist []store.Assessment, ok bool) {
	key, err := siteFromPath(r)
	if err != nil {
		s.fail(w, r, err)
		return "", nil, false
	}
	hist, err = s.cfg.Store.History(r.Context(), key)
	if err != nil {
		s.fail(w, r, err)
		return "", nil, false
	}
	if len(hist) == 0 {
		apiError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no assessment of %q is stored", clip(key, 80)))
		return "", nil, false
	}
	return key, hist, true
}

func (s *Server) apiSite(w http.ResponseWriter, r *http.Request) {
	key, hist, ok := s.siteHistory(w, r)
	if !ok {
		return
	}
	last := hist[len(hist)-1]
	var result json.RawMessage
	if len(last.Result) > 0 {
		result = last.Result
	}
	writeJSON(w, http.StatusOK, struct {
		Site       string          `json:"site"`
		Assessment apiAssessment   `json:"assessment"`
		Result     json.RawMessage `json:"result,omitempty"`
	}{key, toAPIAssessment(last), result})
}

func (s *Server) apiSiteHistory(w http.ResponseWriter, r *http.Request) {
	key, hist, ok := s.siteHistory(w, r)
	if !ok {
		return
	}
	out := make([]apiAssessment, 0, len(hist))
	for _, a := range hist {
		out = append(out, toAPIAssessment(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"site": key, "history": out})
}

// scanRequest is the body of POST /api/v1/scans.
type scanRequest struct {
	Name    string `json:"name"`
	Targets []struct {
		Organisation string `json:"organisation"`
		URL          string `json:"url"`
		Group        string `json:"group"`
	} `json:"targets"`
}

// maxField bounds the text fields of a request.
const maxField = 1000

func checkField(name, v string) error {
	if len(v) > maxField {
		return badRequest("bad_request", "%s is longer than %d bytes", name, maxField)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return badRequest("bad_request", "%s holds control characters or is not UTF-8", name)
	}
	return nil
}

// targets validates a scan request's targets.
func (s *Server) targets(req *scanRequest) ([]fleet.Target, error) {
	if err := checkField("name", req.Name); err != nil {
		return nil, err
	}
	switch n := len(req.Targets); {
	case n == 0:
		return nil, badRequest("bad_request", "targets is empty: give at least one {\"organisation\", \"url\", \"group\"}")
	case n > s.cfg.MaxScanTargets:
		return nil, badRequest("bad_request", "%d targets: at most %d are accepted per scan", n, s.cfg.MaxScanTargets)
	}
	out := make([]fleet.Target, 0, len(req.Targets))
	for i, rt := range req.Targets {
		where := fmt.Sprintf("targets[%d]", i)
		for _, f := range []struct{ name, v string }{{"organisation", rt.Organisation}, {"url", rt.URL}, {"group", rt.Group}} {
			if err := checkField(where+"."+f.name, f.v); err != nil {
				return nil, err
			}
		}
		if strings.TrimSpace(rt.URL) == "" {
			return nil, badRequest("bad_request", "%s.url is empty", where)
		}
		t, err := fleet.FromStore(store.Target{URL: strings.TrimSpace(rt.URL)})
		if err != nil {
			return nil, badRequest("bad_request", "%s.url: %v", where, err)
		}
		if a, err := netip.ParseAddr(t.Host); err == nil {
			if err := s.guard.check(a); err != nil {
				return nil, &errRequest{http.StatusBadRequest, "private_address", fmt.Sprintf("%s.url: %v", where, err)}
			}
		}
		t.Line = i + 1
		t.Organisation = strings.TrimSpace(rt.Organisation)
		if t.Organisation == "" {
			t.Organisation = t.Host
		}
		t.Group = strings.TrimSpace(rt.Group)
		out = append(out, t)
	}
	return out, nil
}

func (s *Server) apiStartScan(w http.ResponseWriter, r *http.Request) {
	var req scanRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	targets, err := s.targets(&req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "api " + time.Now().UTC().Format("2006-01-02 15:04")
	}
	id, err := s.work.startScan(r.Context(), name, targets)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.cfg.Store.Scan(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/scans/"+strconv.FormatInt(int64(id), 10))
	writeJSON(w, http.StatusAccepted, map[string]any{"scan": toAPIScan(sc)})
}

// checkRequest is the body of POST /api/v1/check.
type checkRequest struct {
	Host string `json:"host"`
}

func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := checkField("host", req.Host); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := assess.ParseTarget(req.Host)
	if err != nil {
		s.fail(w, r, badRequest("bad_request", "host: %v", err))
		return
	}
	if err := s.admitTarget(t); err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.work.start(t, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v3/analyze?host="+url.QueryEscape(t.String())+"&all=done")
	writeJSON(w, http.StatusAccepted, j.view())
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
