package console

import (
	"fmt"
	"strings"

	"padlock/assess"
	"padlock/web"
)

// site prints the league-table verdict: the site's grade with its * flag,
// and whether it is secure by default.
func (r *renderer) site(h *assess.Host) {
	s := h.PadlockSite
	if s.Grade == "" && s.SecureByDefault == nil && !s.Star {
		return
	}
	var parts []string
	if s.Grade != "" {
		parts = append(parts, "site grade "+r.p.paint(gradeStyle(s.Grade), s.Display))
	} else if s.Inconclusive != "" {
		parts = append(parts, r.p.paint(dim, "no grade: "+s.Inconclusive))
	}
	if s.Star {
		parts = append(parts, r.p.paint(redB, "* personal data over plain text"))
	}
	if s.SecureByDefault != nil {
		if *s.SecureByDefault {
			parts = append(parts, r.p.paint(green, "secure by default"))
		} else {
			parts = append(parts, r.p.paint(yellow, "not secure by default"))
		}
	}
	if s.Provisional {
		parts = append(parts, r.p.paint(dim, "provisional"))
	}
	r.line("%s", strings.Join(parts, " · "))
}

// web prints the plain-HTTP side: where http:// leads, HSTS, the forms that
// ask for personal data, mixed content.
func (r *renderer) web(w *web.Result) {
	if w == nil {
		return
	}
	r.blank()
	r.line("%s", r.p.paint(bold, "── plain HTTP and pages "+repeat("─", 40)))

	r.section("Secure by default", "")
	verdict := r.p.paint(green, "yes")
	if !w.SecureByDefault {
		verdict = r.p.paint(yellow, "no")
	}
	r.line("    %s  %s", verdict, r.p.paint(dim, w.SecureByDefaultReason))
	for _, hop := range w.HTTPRedirects {
		r.hop(hop)
	}
	if w.HTTPSRedirectsToHTTP {
		r.line("    %s", r.p.paint(redB, "the HTTPS site redirects back to plain HTTP"))
	}
	for _, d := range w.HTTPSDowngrades {
		r.line("    %s %s → %s (%d)", r.p.paint(red, "HTTPS page redirects to HTTP:"), d.From, d.To, d.Status)
	}

	r.section("HSTS", "")
	p := w.HSTSPolicy
	switch {
	case p.Long():
		r.line("    %s  max-age=%d%s", r.p.paint(green, p.Status), p.MaxAge, hstsFlags(p))
	case p.Status == web.HSTSPresent:
		r.line("    %s  max-age=%d (under 180 days)%s", r.p.paint(yellow, p.Status), p.MaxAge, hstsFlags(p))
	default:
		r.line("    %s  %s", r.p.paint(yellow, p.Status), p.Error)
	}
	if p.Header != "" && r.verbose {
		r.line("    %s", r.p.paint(dim, "Strict-Transport-Security: "+p.Header))
	}
	for _, pre := range w.HSTSPreloads {
		r.line("    %s", r.p.paint(dim, fmt.Sprintf("%s preload list: %s %s", pre.Source, pre.Hostname, pre.Status)))
	}

	r.section("Forms", fmt.Sprintf("%d %s fetched", len(w.Pages), plural(len(w.Pages), "page", "pages")))
	if len(w.Evidence) == 0 {
		personal := 0
		for _, f := range w.Forms {
			if f.PersonalData {
				personal++
			}
		}
		r.line("    no personal data asked over plain text (%d %s found, %d asking for personal data, all over HTTPS)",
			len(w.Forms), plural(len(w.Forms), "form", "forms"), personal)
	}
	for _, e := range w.Evidence {
		r.line("    %s %s", r.p.paint(redB, "*"), e.Summary)
	}
	if len(w.MixedContent) > 0 {
		r.section("Mixed content", "information")
		for i, m := range w.MixedContent {
			if i == 10 && !r.verbose {
				r.line("    … and %d more", len(w.MixedContent)-i)
				break
			}
			r.line("    %s on %s: %s", m.Kind, m.PageURL, m.URL)
		}
	}
	if len(w.Errors) > 0 {
		r.section("Problems", "HTTP side")
		for _, e := range w.Errors {
			r.line("    %s", e)
		}
	}
}

func (r *renderer) hop(h web.Hop) {
	var what string
	switch {
	case h.Error != "":
		what = r.p.paint(red, h.Error)
	case h.Location != "":
		what = fmt.Sprintf("%d → %s", h.Status, h.Location)
	default:
		what = fmt.Sprintf("%d", h.Status)
	}
	r.line("    %s  %s", h.URL, what)
}

func hstsFlags(p web.HSTSPolicy) string {
	var f string
	if p.IncludeSubDomains {
		f += "; includeSubDomains"
	}
	if p.Preload {
		f += "; preload"
	}
	return f
}
