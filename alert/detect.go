// Package alert tells a security team when a site of its fleet got worse
// between two runs of a schedule, once per change, by a signed webhook.
//
// # What is alerted
//
// Detect compares each site's previous assessment with its new one (package
// change says what deteriorated and why) and yields one Notification per
// site that got worse, listing each Change:
//
//   - grade-down: the grade ranks lower (grade.Grade's order), to any grade
//     but U;
//   - https-lost: the grade became U (the HTTPS port refuses connections, no
//     protocol completes a handshake, or HTTPS only redirects to plain HTTP);
//   - star: personal data over plain HTTP (`*`) appeared;
//   - not-secure-by-default: plain HTTP stopped redirecting to HTTPS;
//   - vulnerability: a check that was not vulnerable before is now;
//   - cert-expiring: a served leaf certificate expires within the schedule's
//     number of days (or has expired). This one is a state, not a change:
//     it is alerted once per site and certificate expiry date, even on a
//     schedule's first run.
//
// An inconclusive assessment on either side is never a change (GRADING.md
// decision 1); a site absent from the previous run has nothing to compare
// with. Nothing is yielded when nothing got worse.
//
// # Never twice
//
// Every Change has a dedup key: the site, the kind, what changed, and for
// changes between runs the new run's scan ("example.org|grade-down|B>F|scan
// 12"). Record stores a notification with the changes whose keys the store
// never saw (store.Watcher.RecordAlert, one transaction, unique keys), so a
// run alerted twice (a retried job, two workers) sends nothing new, while
// a site that recovers and breaks again in a later run is a new change.
// The keys are recorded before the webhook is sent, and the webhook is
// retried until it answers 2xx: a receiver may see an alert more than once
// (same "id"), never two alerts for one change.
//
// # Webhooks
//
// Deliver POSTs the alert as JSON (Payload), signed with HMAC-SHA256 over
// the timestamp and the body in the Padlock-Signature header (see Sign and
// docs/webhooks.md for how to verify it). DeliverWorker is the River job
// that does it, retried with back-off.
package alert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"padlock/change"
	"padlock/grade"
)

// Kind is what got worse.
type Kind string

// Kinds of deterioration.
const (
	GradeDown          Kind = "grade-down"
	HTTPSLost          Kind = "https-lost"
	Star               Kind = "star"
	NotSecureByDefault Kind = "not-secure-by-default"
	Vulnerability      Kind = "vulnerability"
	CertExpiring       Kind = "cert-expiring"
)

// Site is one site's assessment as Detect needs it.
type Site struct {
	change.Site
	// CertNotAfter is the earliest expiry of the leaf certificates served
	// (zero when unknown).
	CertNotAfter time.Time
	// VulnChecked says the vulnerability checks ran (on any endpoint);
	// Vulnerable lists the checks found vulnerable.
	VulnChecked bool
	Vulnerable  []Vuln
}

// Vuln is one vulnerability check found vulnerable.
type Vuln struct {
	Check string `json:"check"` // vuln.Check* id: "heartbleed"
	Name  string `json:"name"`  // "Heartbleed (CVE-2014-0160)"
}

// Change is one thing that got worse on a site.
type Change struct {
	Kind Kind `json:"kind"`
	// Summary says it in one line: "grade B → F", "certificate expires in 3
	// days (2026-12-09)".
	Summary string `json:"summary"`
	// Reasons are the grading findings that explain it ("+ certificate
	// expired"), for grade changes.
	Reasons []string `json:"reasons,omitempty"`
	// Key is the dedup key (see the package doc).
	Key string `json:"key"`
}

// Notification is one site that got worse: what is alerted for it.
type Notification struct {
	Site         string   `json:"site"`
	Organisation string   `json:"organisation,omitempty"`
	URL          string   `json:"url,omitempty"`
	From         string   `json:"from"` // grade with `*`, "" when unknown
	To           string   `json:"to"`
	Changes      []Change `json:"changes"`
}

// Options tune Detect.
type Options struct {
	// ExpiryDays: a certificate expiring within this many days is alerted
	// (0: 14, negative: never).
	ExpiryDays int
	// Now is the time expiry is measured from (zero: time.Now()).
	Now time.Time
	// Run names the new run in the dedup keys of changes between runs
	// ("scan 12"). Required for the keys to be unique across runs.
	Run string
}

// DefaultExpiryDays is Options.ExpiryDays's default.
const DefaultExpiryDays = 14

// Detect returns one notification per site of cur that got worse since
// prev, in cur's order (sites keyed as change.Site.Key). See the package
// doc for what counts.
func Detect(prev, cur []Site, o Options) []Notification {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.ExpiryDays == 0 {
		o.ExpiryDays = DefaultExpiryDays
	}
	before := map[string]Site{}
	for _, s := range prev {
		before[siteKey(s)] = s
	}
	var out []Notification
	seen := map[string]bool{}
	for _, s := range cur {
		k := siteKey(s)
		if seen[k] { // listed twice in one run: the first entry speaks
			continue
		}
		seen[k] = true
		var n Notification
		n.Site, n.Organisation, n.URL = k, s.Organisation, s.URL
		n.To = s.Grade.Display(s.Star)
		if p, ok := before[k]; ok {
			n.From = p.Grade.Display(p.Star)
			n.Changes = between(k, p, s, o.Run)
		}
		if c, ok := expiring(k, s, o); ok {
			n.Changes = append(n.Changes, c)
		}
		if len(n.Changes) > 0 {
			out = append(out, n)
		}
	}
	return out
}

func siteKey(s Site) string {
	if s.Key != "" {
		return s.Key
	}
	return strings.ToLower(strings.TrimSpace(s.URL))
}

func graded(s Site) bool { return s.Inconclusive == "" && s.Grade.Valid() }

// between lists what got worse from p to s.
func between(site string, p, s Site, run string) []Change {
	if !graded(p) || !graded(s) {
		return nil
	}
	key := func(kind Kind, what string) string {
		k := site + "|" + string(kind) + "|" + what
		if run != "" {
			k += "|" + run
		}
		return k
	}
	ch := change.Compare([]change.Site{p.Site}, []change.Site{s.Site})
	var reasons []string
	if len(ch) == 1 {
		for _, r := range ch[0].Reasons {
			if strings.HasPrefix(r, "+ ") && r != "+ "+change.ReasonStar && r != "+ "+change.ReasonNotSecureByDefault {
				reasons = append(reasons, r)
			}
		}
	}
	var out []Change
	from, to := p.Grade, s.Grade
	switch {
	case to == grade.U && from != grade.U:
		out = append(out, Change{Kind: HTTPSLost, Summary: fmt.Sprintf("HTTPS lost: grade %s → U (no secure connection)", from),
			Reasons: reasons, Key: key(HTTPSLost, string(from)+">U")})
	case to.Compare(from) < 0:
		out = append(out, Change{Kind: GradeDown, Summary: fmt.Sprintf("grade %s → %s", from, to),
			Reasons: reasons, Key: key(GradeDown, string(from)+">"+string(to))})
	}
	if s.Star && !p.Star {
		out = append(out, Change{Kind: Star, Summary: change.ReasonStar, Key: key(Star, "")})
	}
	if p.SecureByDefault != nil && s.SecureByDefault != nil && *p.SecureByDefault && !*s.SecureByDefault {
		out = append(out, Change{Kind: NotSecureByDefault, Summary: change.ReasonNotSecureByDefault, Key: key(NotSecureByDefault, "")})
	}
	if p.VulnChecked && s.VulnChecked {
		for _, v := range s.Vulnerable {
			if slices.ContainsFunc(p.Vulnerable, func(x Vuln) bool { return x.Check == v.Check }) {
				continue
			}
			name := v.Name
			if name == "" {
				name = v.Check
			}
			out = append(out, Change{Kind: Vulnerability, Summary: "vulnerable to " + name, Key: key(Vulnerability, v.Check)})
		}
	}
	return out
}

// expiring reports a certificate expiring within the window; its key is
// the site and the expiry (one alert per certificate, not per run).
func expiring(site string, s Site, o Options) (Change, bool) {
	if o.ExpiryDays < 0 || s.CertNotAfter.IsZero() {
		return Change{}, false
	}
	left := s.CertNotAfter.Sub(o.Now)
	if left > time.Duration(o.ExpiryDays)*24*time.Hour {
		return Change{}, false
	}
	date := s.CertNotAfter.UTC().Format("2006-01-02")
	var sum string
	switch days := int(left.Hours() / 24); {
	case left <= 0:
		sum = "certificate expired on " + date
	case days == 0:
		sum = "certificate expires within a day (" + date + ")"
	case days == 1:
		sum = "certificate expires in 1 day (" + date + ")"
	default:
		sum = fmt.Sprintf("certificate expires in %d days (%s)", days, date)
	}
	return Change{Kind: CertExpiring, Summary: sum,
		Key: site + "|" + string(CertExpiring) + "|" + s.CertNotAfter.UTC().Format(time.RFC3339)}, true
}
