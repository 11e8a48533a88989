package server

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"

	"padlock/queue"
	"padlock/store"
)

// queueView opens the store's job queue (River) once, to read it.
type queueView struct {
	once sync.Once
	q    *queue.Queue
	err  error
}

func (s *Server) jobQueue(ctx context.Context) (*queue.Queue, error) {
	s.queue.once.Do(func() {
		s.queue.q, s.queue.err = queue.Open(context.WithoutCancel(ctx), s.cfg.Store, queue.Options{})
	})
	return s.queue.q, s.queue.err
}

// queueRoutes registers a scan's progress (read, like the scan itself)
// and the operators' view of the queue (the token, even on a public
// server: job arguments and failure reasons are for operators).
func (s *Server) queueRoutes(m *http.ServeMux) {
	read := s.requireRead
	m.Handle("GET /api/v1/scans/{id}/progress", read(http.HandlerFunc(s.apiProgress)))
	m.Handle("GET /scans/{id}/progress", read(http.HandlerFunc(s.pageProgress)))
	m.Handle("GET /api/v1/queue", s.requireOperator(http.HandlerFunc(s.apiQueue)))
	m.Handle("GET /api/v1/scans/{id}/queue", s.requireOperator(http.HandlerFunc(s.apiScanQueue)))
	m.Handle("GET /queue", s.requireOperator(http.HandlerFunc(s.pageQueue)))
}

// requireOperator lets a request through only with the token: a Bearer
// token, or (for the page, a read) Basic authentication with the token as
// the password.
func (s *Server) requireOperator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.tokenHash == nil {
			s.denyJSON(w, r, http.StatusForbidden, "forbidden", "the queue view needs the server's token: the server was started without one")
			return
		}
		if st := s.auth(r, false); st != authOK {
			s.deny(w, r, st, false)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Progress is a scan's progress: its counts in the store and its jobs in
// the queue.
type Progress struct {
	Scan         store.ScanID     `json:"scan"`
	Name         string           `json:"name"`
	Status       store.ScanStatus `json:"status"`
	Total        int              `json:"total"`
	Done         int              `json:"done"`
	Inconclusive int              `json:"inconclusive"`
	Percent      float64          `json:"percent"`
	// Jobs counts the scan's jobs by state (one job per endpoint; the
	// targets sharing it are done together).
	Jobs struct {
		Pending   int `json:"pending"`
		Running   int `json:"running"`
		Retrying  int `json:"retrying"`
		Failed    int `json:"failed"`
		Completed int `json:"completed"`
	} `json:"jobs"`
}

func (s *Server) progress(r *http.Request) (Progress, error) {
	sc, err := s.scanFromPath(r)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Scan: sc.ID, Name: sc.Name, Status: sc.Status, Total: sc.Counts.Total, Done: sc.Counts.Done, Inconclusive: sc.Counts.Failed}
	if p.Total > 0 {
		p.Percent = float64(int(1000*float64(p.Done)/float64(p.Total))) / 10
	}
	q, err := s.jobQueue(r.Context())
	if err != nil {
		return p, err
	}
	jq, err := q.ScanJobs(r.Context(), sc.ID, 1)
	if err != nil {
		return p, err
	}
	p.Jobs.Pending, p.Jobs.Running, p.Jobs.Retrying, p.Jobs.Failed, p.Jobs.Completed = jq.Pending, jq.Running, jq.Retrying, jq.Failed, jq.Completed
	return p, nil
}

func (s *Server) apiProgress(w http.ResponseWriter, r *http.Request) {
	p, err := s.progress(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

var progressPage = template.Must(template.New("progress").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
{{if ne .P.Status "finished"}}<meta http-equiv="refresh" content="2">{{end}}
<title>Scan {{.P.Scan}}: {{.P.Done}}/{{.P.Total}}</title>
<link rel="stylesheet" href="{{.Base}}assets/style.css">
</head><body><main>
<h1>Scan {{.P.Scan}} {{.P.Name}}</h1>
<p><progress max="{{.P.Total}}" value="{{.P.Done}}">{{.P.Percent}}%</progress>
{{.P.Done}} of {{.P.Total}} targets ({{.P.Percent}}%), {{.P.Inconclusive}} inconclusive — {{.P.Status}}</p>
<p>Jobs: {{.P.Jobs.Running}} running, {{.P.Jobs.Pending}} waiting, {{.P.Jobs.Retrying}} retrying, {{.P.Jobs.Failed}} failed, {{.P.Jobs.Completed}} done.</p>
{{if eq .P.Status "finished"}}<p><a href="{{.Base}}scans/{{.P.Scan}}/">The scan's report</a></p>{{else}}<p>This page reloads every 2 seconds.</p>{{end}}
</main></body></html>
`))

func (s *Server) pageProgress(w http.ResponseWriter, r *http.Request) {
	p, err := s.progress(r)
	var rq *errRequest
	switch {
	case errors.As(err, &rq) && rq.status == http.StatusNotFound:
		s.notFound(w, r, "No such scan.")
		return
	case err != nil:
		s.log.Error("progress page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = progressPage.Execute(w, struct {
		P    Progress
		Base string
	}{p, s.cfg.BaseURL})
}

// queueScans are the scans the operators' view lists: the unfinished
// ones and the latest few.
func (s *Server) queueScans(ctx context.Context) ([]store.Scan, error) {
	scans, err := s.cfg.Store.Scans(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Scan
	for i := len(scans) - 1; i >= 0; i-- {
		if scans[i].Status != store.StatusFinished || len(out) < 5 {
			out = append(out, scans[i])
		}
		if len(out) >= 50 {
			break
		}
	}
	return out, nil
}

// QueueScan is one scan in the operators' view.
type QueueScan struct {
	Name   string           `json:"name"`
	Status store.ScanStatus `json:"status"`
	Counts store.Counts     `json:"counts"`
	queue.ScanQueue
}

func (s *Server) queueView(ctx context.Context, scans []store.Scan, jobs int) ([]QueueScan, error) {
	q, err := s.jobQueue(ctx)
	if err != nil {
		return nil, err
	}
	out := []QueueScan{}
	for _, sc := range scans {
		jq, err := q.ScanJobs(ctx, sc.ID, jobs)
		if err != nil {
			return nil, err
		}
		out = append(out, QueueScan{Name: sc.Name, Status: sc.Status, Counts: sc.Counts, ScanQueue: jq})
	}
	return out, nil
}

func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request) {
	scans, err := s.queueScans(r.Context())
	if err == nil {
		var v []QueueScan
		if v, err = s.queueView(r.Context(), scans, 20); err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"scans": v})
			return
		}
	}
	s.fail(w, r, err)
}

func (s *Server) apiScanQueue(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scanFromPath(r)
	if err == nil {
		var v []QueueScan
		if v, err = s.queueView(r.Context(), []store.Scan{sc}, 500); err == nil {
			writeJSON(w, http.StatusOK, v[0])
			return
		}
	}
	s.fail(w, r, err)
}

var queuePage = template.Must(template.New("queue").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"id": func(id store.ScanID) string { return strconv.FormatInt(int64(id), 10) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>padlock: the job queue</title>
<link rel="stylesheet" href="{{.Base}}assets/style.css">
</head><body><main>
<h1>The job queue</h1>
<p>Jobs of the unfinished scans and of the latest ones. A job is one endpoint: the targets that share it are assessed together. This page reloads every 5 seconds.</p>
{{range .Scans}}
<section>
<h2><a href="{{$.Base}}scans/{{id .Scan}}/progress">Scan {{id .Scan}}</a> {{.Name}} — {{.Status}}, {{.Counts.Done}}/{{.Counts.Total}} targets</h2>
<p>{{.Pending}} waiting, {{.Running}} running, {{.Retrying}} retrying, {{.Failed}} failed, {{.Completed}} done.</p>
{{if .Jobs}}<table>
<thead><tr><th>job</th><th>state</th><th>attempt</th><th>worker</th><th>last attempt</th><th>next run</th><th>reason</th><th>targets</th></tr></thead>
<tbody>{{range .Jobs}}<tr><td>{{.ID}} {{.Kind}}</td><td>{{.State}}</td><td>{{.Attempt}}/{{.MaxAttempts}}</td><td>{{.Worker}}</td><td>{{when .AttemptedAt}}</td><td>{{if eq .State "retryable"}}{{when .ScheduledAt}}{{end}}</td><td>{{.Reason}}</td><td><code>{{.Args}}</code></td></tr>
{{end}}</tbody></table>{{end}}
</section>
{{else}}<p>No scans.</p>{{end}}
</main></body></html>
`))

func (s *Server) pageQueue(w http.ResponseWriter, r *http.Request) {
	scans, err := s.queueScans(r.Context())
	var v []QueueScan
	if err == nil {
		v, err = s.queueView(r.Context(), scans, 50)
	}
	if err != nil {
		s.log.Error("queue page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = queuePage.Execute(w, struct {
		Scans []QueueScan
		Base  string
	}{v, s.cfg.BaseURL})
}
