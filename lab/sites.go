package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// A Site is a lab website: a plain-HTTP listener and, unless the site has
// no HTTPS, an HTTPS one, both on 127.0.0.1, serving a small public-body
// website (a home page, a "Report a crime" page with a form asking for
// personal data, a search box). What each listener does is the site's
// deliberate (mis)configuration: the plain-HTTP side of padlock's demo.
type Site struct {
	Name        string
	Description string
	Host        string // "127.0.0.1"
	HTTPPort    int
	HTTPSPort   int // 0 when the site has no HTTPS
	CA          *CA // verifies the HTTPS chain, when there is one

	servers []*http.Server
	wg      sync.WaitGroup
}

// SiteSpec describes a lab site.
type SiteSpec struct {
	Name        string
	Description string
	// TLS builds the HTTPS configuration; nil: no HTTPS at all.
	TLS func(ca *CA) (*tls.Config, error)
	// Redirect makes plain HTTP answer 301 to the HTTPS home page; else
	// plain HTTP serves the pages too.
	Redirect bool
	// HSTS is the Strict-Transport-Security value sent over HTTPS ("" none).
	HSTS string
	// FormToHTTP makes the HTTPS report form post to an http:// address.
	FormToHTTP bool
	// SearchOnly leaves out the report form: the site asks for nothing
	// personal, only a search box.
	SearchOnly bool
}

// DemoSites are the demo's websites with a plain-HTTP side, modelled on
// the seed study's findings.
func DemoSites() []SiteSpec {
	modern := func(ca *CA) (*tls.Config, error) {
		return issued(LeafOptions{KeyType: KeyP256})(ca)
	}
	return []SiteSpec{
		{Name: "secure-by-default", Description: "HTTP redirects to HTTPS, which sends HSTS for two years: what the study called world-class",
			TLS: modern, Redirect: true, HSTS: "max-age=63072000; includeSubDomains"},
		{Name: "no-https-crime-form", Description: "no HTTPS at all, and a crime-report form asking for name, date of birth, address and phone over plain HTTP",
			TLS: nil},
		{Name: "no-https-search-only", Description: "no HTTPS, but nothing personal asked: only a search box",
			TLS: nil, SearchOnly: true},
		{Name: "http-and-https", Description: "good HTTPS, but plain HTTP serves the same crime-report form without redirecting",
			TLS: modern},
		{Name: "form-posts-to-http", Description: "HTTPS with HSTS, but the report form submits to an http:// address",
			TLS: modern, Redirect: true, HSTS: "max-age=63072000", FormToHTTP: true},
	}
}

// StartSite starts spec's listeners on 127.0.0.1 with ephemeral ports.
func StartSite(ctx context.Context, spec SiteSpec, ca *CA) (*Site, error) {
	s := &Site{Name: spec.Name, Description: spec.Description, Host: "127.0.0.1"}
	fail := func(err error) (*Site, error) {
		s.Close()
		return nil, fmt.Errorf("lab: site %q: %w", spec.Name, err)
	}
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	s.HTTPPort = httpLn.Addr().(*net.TCPAddr).Port
	var httpsLn net.Listener
	if spec.TLS != nil {
		cfg, err := spec.TLS(ca)
		if err != nil {
			httpLn.Close()
			return fail(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			httpLn.Close()
			return fail(err)
		}
		s.HTTPSPort = ln.Addr().(*net.TCPAddr).Port
		s.CA = ca.Root()
		httpsLn = tls.NewListener(ln, cfg)
	}
	s.serve(httpLn, s.handler(spec, false))
	if httpsLn != nil {
		s.serve(httpsLn, s.handler(spec, true))
	}
	context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

func (s *Site) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.servers = append(s.servers, srv)
	s.wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return
		}
	})
}

// Close stops the site's listeners and waits for them.
func (s *Site) Close() error {
	for _, srv := range s.servers {
		_ = srv.Close()
	}
	s.wg.Wait()
	return nil
}

// handler serves the site's pages over one scheme.
func (s *Site) handler(spec SiteSpec, secure bool) http.Handler {
	httpsHome := "https://localhost:" + strconv.Itoa(s.HTTPSPort) + "/"
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, title, body string) {
		if secure && spec.HSTS != "" {
			w.Header().Set("Strict-Transport-Security", spec.HSTS)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, siteLayout, title, spec.Name, body)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !secure && spec.Redirect && spec.TLS != nil {
			http.Redirect(w, r, httpsHome, http.StatusMovedPermanently)
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		links := `<li><a href="/contact-us">Contact us</a></li>`
		if !spec.SearchOnly {
			links = `<li><a href="/report-a-crime">Report a crime online</a></li>` + links
		}
		page(w, "Home", `<form role="search" action="/search" method="get"><label for="q">Search this site</label>
<input id="q" name="q" type="search"><button>Search</button></form><ul>`+links+`</ul>`)
	})
	mux.HandleFunc("/contact-us", func(w http.ResponseWriter, r *http.Request) {
		page(w, "Contact us", `<p>In an emergency call 999. For non-emergencies call 101.</p>`)
	})
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		page(w, "Search", `<p>No results.</p>`)
	})
	if !spec.SearchOnly {
		mux.HandleFunc("/report-a-crime", func(w http.ResponseWriter, r *http.Request) {
			if !secure && spec.Redirect && spec.TLS != nil {
				http.Redirect(w, r, "https://localhost:"+strconv.Itoa(s.HTTPSPort)+r.URL.Path, http.StatusMovedPermanently)
				return
			}
			action := "/report-a-crime/submit"
			if secure && spec.FormToHTTP {
				action = "http://localhost:" + strconv.Itoa(s.HTTPPort) + "/report-a-crime/submit"
			}
			page(w, "Report a crime", fmt.Sprintf(reportForm, action))
		})
	}
	return mux
}

const siteLayout = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title></head>
<body><header><p>Exampleshire Constabulary (padlock lab site %q)</p></header>
<main>%s</main></body></html>
`

const reportForm = `<h1>Report a crime</h1>
<form method="post" action="%s">
<fieldset><legend>About you</legend>
<label for="fullname">Full name</label><input id="fullname" name="fullname" autocomplete="name" required>
<label for="dob">Date of birth</label><input id="dob" name="dob" type="date" autocomplete="bday">
<label for="addr">Home address</label><textarea id="addr" name="address" autocomplete="street-address"></textarea>
<label for="pc">Postcode</label><input id="pc" name="postcode" autocomplete="postal-code">
<label for="tel">Phone number</label><input id="tel" name="phone" type="tel" autocomplete="tel">
<label for="em">Email address</label><input id="em" name="email" type="email" autocomplete="email">
</fieldset>
<fieldset><legend>What happened</legend>
<label for="what">Describe the incident</label><textarea id="what" name="incident_description"></textarea>
</fieldset>
<button type="submit">Send report</button>
</form>
`

// StartRedirector listens for plain HTTP on 127.0.0.1 and answers every
// request with a 301 to the same path on https://localhost:httpsPort: the
// plain-HTTP side of an HTTPS-only lab server that is secure by default.
func StartRedirector(ctx context.Context, name string, httpsPort int) (*Site, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: redirector for %q: %w", name, err)
	}
	s := &Site{Name: name, Host: "127.0.0.1", HTTPPort: ln.Addr().(*net.TCPAddr).Port, HTTPSPort: httpsPort}
	target := "https://localhost:" + strconv.Itoa(httpsPort)
	s.serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusMovedPermanently)
	}))
	context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}
