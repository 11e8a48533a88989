package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"padlock/report"
	"padlock/store"
)

// builtFleet is a report.Fleet built for a scan in a given state.
type builtFleet struct {
	key   string
	fleet *report.Fleet
}

// maxBuilds bounds the built fleets kept.
const maxBuilds = 4

// buildKey names a scan's state: a fleet built for it stays right while
// the scan, its assessments and the finished scans before it are
// unchanged.
func buildKey(sc store.Scan, finished []store.Scan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|%d|%d|%d|%d", sc.ID, sc.Status, sc.Finished.UnixNano(), sc.Counts.Total, sc.Counts.Done, sc.Counts.Failed)
	for _, f := range finished {
		fmt.Fprintf(&b, "|%d:%d", f.ID, f.Finished.UnixNano())
	}
	return b.String()
}

// fleetFor builds (or takes from the cache) the report of a scan; id 0 is
// the latest finished scan. It returns store.ErrNotFound when there is no
// such scan.
func (s *Server) fleetFor(ctx context.Context, id store.ScanID) (*report.Fleet, error) {
	finished, err := s.fleetScans(ctx)
	if err != nil {
		return nil, err
	}
	var sc store.Scan
	if id == 0 {
		if len(finished) == 0 {
			return nil, store.ErrNotFound
		}
		sc = finished[0]
	} else if sc, err = s.cfg.Store.Scan(ctx, id); err != nil {
		return nil, err
	}
	key := buildKey(sc, finished)
	s.buildMu.Lock()
	for _, b := range s.builds {
		if b.key == key {
			s.buildMu.Unlock()
			return b.fleet, nil
		}
	}
	s.buildMu.Unlock()

	f, err := report.Build(ctx, s.cfg.Store, sc.ID)
	if err != nil {
		return nil, err
	}
	s.buildMu.Lock()
	s.builds = append(s.builds, builtFleet{key, f})
	if len(s.builds) > maxBuilds {
		s.builds = s.builds[len(s.builds)-maxBuilds:]
	}
	s.buildMu.Unlock()
	return f, nil
}

// pageOptions are the options of a live page whose links start at base.
func pageOptions(base string) report.PageOptions {
	return report.PageOptions{BaseURL: base, Live: true}
}

// pageScope is the scan a page request is about: the latest finished one
// under /, a given one under /scans/{id}/. Its base is where the scan's
// pages are served, for the links report writes.
type pageScope struct {
	id   store.ScanID // 0: the latest finished scan
	base string
}

// scope reads a page request's scan: {id} in the path, else ?scan=ID,
// else the latest finished scan.
func (s *Server) scope(r *http.Request) (pageScope, bool) {
	raw := r.PathValue("id")
	if raw == "" {
		raw = r.URL.Query().Get("scan")
		if raw == "" {
			return pageScope{base: s.cfg.BaseURL}, true
		}
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return pageScope{}, false
	}
	return pageScope{id: store.ScanID(n), base: s.cfg.BaseURL + "scans/" + strconv.FormatInt(n, 10) + "/"}, true
}

// scopedFleet returns the report of a page request's scan, or answers the
// request itself (404, the empty dashboard, 500) and returns nil.
func (s *Server) scopedFleet(w http.ResponseWriter, r *http.Request) (*report.Fleet, pageScope) {
	sc, ok := s.scope(r)
	if !ok {
		s.notFound(w, r, "No such scan.")
		return nil, sc
	}
	f, err := s.fleetFor(r.Context(), sc.id)
	switch {
	case errors.Is(err, store.ErrNotFound) && sc.id == 0:
		s.emptyPage(w, r)
		return nil, sc
	case err != nil:
		s.pageError(w, r, err)
		return nil, sc
	}
	return f, sc
}

// pageIndex serves the league table: / and /index.html (the latest
// finished scan), /scans/{id}/ and /scans/{id}/index.html.
func (s *Server) pageIndex(w http.ResponseWriter, r *http.Request) {
	f, sc := s.scopedFleet(w, r)
	if f == nil {
		return
	}
	s.render(w, r, func(out io.Writer) error { return report.RenderIndex(out, f, pageOptions(sc.base)) })
}

// pageSite serves /sites/{key} and /scans/{id}/sites/{key}. {key} is the
// report's page key, with or without ".html"; a store site key
// ("host:port") or a URL is accepted too.
func (s *Server) pageSite(w http.ResponseWriter, r *http.Request) {
	f, sc := s.scopedFleet(w, r)
	if f == nil {
		return
	}
	key := strings.TrimSuffix(r.PathValue("key"), ".html")
	site := f.Site(key)
	if site == nil {
		sk := store.SiteKey(key)
		for i := range f.Sites {
			if f.Sites[i].SiteKey == sk {
				site = &f.Sites[i]
				break
			}
		}
	}
	if site == nil {
		s.notFound(w, r, "No such site in this scan.")
		return
	}
	s.render(w, r, func(out io.Writer) error { return report.RenderSite(out, f, site.Key, pageOptions(sc.base)) })
}

func (s *Server) pageMethodology(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.scope(r)
	if !ok {
		s.notFound(w, r, "No such scan.")
		return
	}
	s.render(w, r, func(out io.Writer) error { return report.RenderMethodology(out, pageOptions(sc.base)) })
}

// export serves the report's CSV, JSON and Markdown exports of a scan.
func (s *Server) export(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, _ := s.scopedFleet(w, r)
		if f == nil {
			return
		}
		var (
			ct    string
			write func(io.Writer, *report.Fleet) error
		)
		switch format {
		case "csv":
			ct, write = "text/csv; charset=utf-8", report.WriteCSV
		case "json":
			ct, write = "application/json; charset=utf-8", report.WriteJSON
		default:
			ct, write = "text/markdown; charset=utf-8", report.WriteMarkdown
		}
		var buf bytes.Buffer
		if err := write(&buf, f); err != nil {
			s.log.Error("writing an export", "path", r.URL.Path, "err", err)
			s.simplePage(w, http.StatusInternalServerError, "Error", "The export could not be written; the server's log says why.")
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="padlock-scan-%d.%s"`, f.Scan.ID, format))
		w.Write(buf.Bytes())
	}
}

// assets serves report's assets: /assets/{path} and
// /scans/{id}/assets/{path}.
func (s *Server) assets() http.Handler {
	files := http.FileServerFS(report.Assets())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.PathValue("path")
		if p == "" || strings.HasSuffix(p, "/") {
			s.notFound(w, r, "No such asset.")
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + p
		r2.URL.RawPath = ""
		files.ServeHTTP(w, r2)
	})
}

// pageError answers a page whose scan is missing (404) or whose report
// could not be built (500).
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, "No such scan.")
		return
	}
	s.log.Error("building the report", "path", r.URL.Path, "err", err)
	s.simplePage(w, http.StatusInternalServerError, "Error", "The report could not be built; the server's log says why.")
}

func (s *Server) notFound(w http.ResponseWriter, _ *http.Request, msg string) {
	s.simplePage(w, http.StatusNotFound, "Not found", msg)
}

// emptyPage is the dashboard before any scan has finished.
func (s *Server) emptyPage(w http.ResponseWriter, r *http.Request) {
	msg := "No scan has finished yet. Start one with padlock scan TARGETS, or POST /api/v1/scans with the token."
	if scans, err := s.cfg.Store.Scans(r.Context()); err == nil {
		running := 0
		for _, sc := range scans {
			if sc.Status == store.StatusRunning {
				running++
			}
		}
		if running > 0 {
			msg = fmt.Sprintf("No scan has finished yet; %d running. This page shows the latest finished scan.", running)
		}
	}
	s.simplePage(w, http.StatusOK, "padlock", msg)
}

// simpleTmpl is the server's own page (errors, the empty dashboard): no
// script, no inline style.
var simpleTmpl = template.Must(template.New("simple").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · padlock</title>
<link rel="stylesheet" href="{{.Base}}assets/style.css">
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="{{.Base}}">Dashboard</a> · <a href="{{.Base}}methodology">Methodology</a> · <a href="{{.Base}}api/v1/scans">Scans (JSON)</a></p>
</main>
</body>
</html>
`))

func (s *Server) simplePage(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	simpleTmpl.Execute(w, map[string]string{"Title": title, "Message": msg, "Base": s.cfg.BaseURL})
}
