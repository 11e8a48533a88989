package server

// The alerts of scheduled scans (package alert) and the schedules, when
// the store keeps them (store.Watcher):
//
//	GET /alerts                 the alerts, newest first (HTML)
//	GET /api/v1/alerts          the same as JSON: {"alerts": [alert.Entry…]}; ?limit=N (default 100, at most 1000)
//	GET /api/v1/schedules       the schedules: {"schedules": [...]} (never the webhook secret, nor the
//	                            webhook URL's path or query, which may hold a token)
//
// They are reads: open unless Config.Private.

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"padlock/alert"
	"padlock/schedule"
	"padlock/store"
)

// Bounds of the alert lists.
const (
	defaultAlertLimit = 100
	maxAlertLimit     = 1000
)

var errNoWatcher = errors.New("this database keeps no schedules or alerts")

func (s *Server) watcher() (store.Watcher, error) {
	w, ok := s.cfg.Store.(store.Watcher)
	if !ok {
		return nil, errNoWatcher
	}
	return w, nil
}

func alertLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return defaultAlertLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxAlertLimit {
		return 0, errors.New("limit must be a number from 1 to 1000")
	}
	return n, nil
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	wa, err := s.watcher()
	if err != nil {
		apiError(w, http.StatusNotImplemented, "unsupported", err.Error())
		return
	}
	limit, err := alertLimit(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	list, err := wa.Alerts(r.Context(), store.AlertFilter{Limit: limit})
	if err != nil {
		s.log.Error("listing alerts", "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "the alerts could not be read")
		return
	}
	out := make([]alert.Entry, len(list))
	for i, a := range list {
		out[i] = alert.EntryOf(a)
	}
	writeJSON(w, http.StatusOK, struct {
		Alerts []alert.Entry `json:"alerts"`
	}{out})
}

// scheduleJSON is a schedule as the API shows it.
type scheduleJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Every       string    `json:"every"`
	EverySecs   int64     `json:"everySeconds"`
	Anchor      time.Time `json:"anchor"`
	TargetsFile string    `json:"targetsFile,omitempty"`
	FleetScan   int64     `json:"fleetScan,omitempty"`
	// Webhook is the webhook's origin only ("https://hooks.example").
	Webhook    string `json:"webhook,omitempty"`
	ExpiryDays int    `json:"expiryDays"`
	LastScan   int64  `json:"lastScan,omitempty"`
}

func webhookOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (s *Server) apiSchedules(w http.ResponseWriter, r *http.Request) {
	wa, err := s.watcher()
	if err != nil {
		apiError(w, http.StatusNotImplemented, "unsupported", err.Error())
		return
	}
	list, err := wa.Schedules(r.Context())
	if err != nil {
		s.log.Error("listing schedules", "err", err)
		apiError(w, http.StatusInternalServerError, "internal", "the schedules could not be read")
		return
	}
	out := make([]scheduleJSON, 0, len(list))
	for _, sc := range list {
		v := scheduleJSON{ID: int64(sc.ID), Name: schedule.Name(sc), Every: sc.Every.String(), EverySecs: int64(sc.Every / time.Second),
			Anchor: sc.Anchor, TargetsFile: sc.TargetsFile, FleetScan: int64(sc.FleetScan),
			Webhook: webhookOrigin(sc.WebhookURL), ExpiryDays: sc.ExpiryDays}
		if runs, err := wa.Runs(r.Context(), sc.ID); err == nil {
			for i := len(runs) - 1; i >= 0 && v.LastScan == 0; i-- {
				v.LastScan = int64(runs[i].ScanID)
			}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, struct {
		Schedules []scheduleJSON `json:"schedules"`
	}{out})
}

// alertsTmpl lists the alerts: no script, no inline style; every value
// from a scanned site is escaped by html/template.
var alertsTmpl = template.Must(template.New("alerts").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alerts · padlock</title>
<link rel="stylesheet" href="{{.Base}}assets/style.css">
</head>
<body>
<main>
<h1>Alerts</h1>
<p>Sites that got worse between two runs of a schedule, newest first{{if .More}} (the latest {{.Limit}}){{end}}. Each change is alerted once.</p>
{{if not .Alerts}}<p>No alerts.</p>{{else}}
<table>
<thead><tr><th scope="col">When</th><th scope="col">Site</th><th scope="col">Grade</th><th scope="col">What got worse</th><th scope="col">Webhook</th><th scope="col">Scan</th></tr></thead>
<tbody>
{{range .Alerts}}<tr>
<td>{{.Created.UTC.Format "2006-01-02 15:04"}} UTC</td>
<td>{{.Site}}{{if .Organisation}}<br>{{.Organisation}}{{end}}</td>
<td>{{if .From}}{{.From}}{{else}}?{{end}} → {{if .To}}{{.To}}{{else}}?{{end}}</td>
<td><ul>{{range .Changes}}<li>{{.Summary}}{{if .Reasons}}<ul>{{range .Reasons}}<li>{{.}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul></td>
<td>{{.Status}}{{if .Attempts}} ({{.Attempts}} attempt{{if ne .Attempts 1}}s{{end}}){{end}}{{if and .LastError (ne .Status "sent")}}<br>{{.LastError}}{{end}}</td>
<td>{{if .Scan}}<a href="{{$.Base}}scans/{{.Scan}}/">{{.Scan}}</a>{{end}}</td>
</tr>
{{end}}</tbody>
</table>{{end}}
<p><a href="{{.Base}}">Dashboard</a> · <a href="{{.Base}}api/v1/alerts">Alerts (JSON)</a> · <a href="{{.Base}}api/v1/schedules">Schedules (JSON)</a></p>
</main>
</body>
</html>
`))

func (s *Server) pageAlerts(w http.ResponseWriter, r *http.Request) {
	wa, err := s.watcher()
	if err != nil {
		s.simplePage(w, http.StatusNotImplemented, "Alerts", "This database keeps no schedules or alerts.")
		return
	}
	limit, err := alertLimit(r)
	if err != nil {
		s.simplePage(w, http.StatusBadRequest, "Alerts", err.Error())
		return
	}
	list, err := wa.Alerts(r.Context(), store.AlertFilter{Limit: limit + 1})
	if err != nil {
		s.log.Error("listing alerts", "err", err)
		s.simplePage(w, http.StatusInternalServerError, "Error", "The alerts could not be read; the server's log says why.")
		return
	}
	more := len(list) > limit
	if more {
		list = list[:limit]
	}
	entries := make([]alert.Entry, len(list))
	for i, a := range list {
		entries[i] = alert.EntryOf(a)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	alertsTmpl.Execute(w, struct {
		Base   string
		Alerts []alert.Entry
		More   bool
		Limit  int
	}{s.cfg.BaseURL, entries, more, limit})
}
