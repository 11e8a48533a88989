// Package change compares two scans of a fleet: which sites improved,
// deteriorated, stayed, appeared or went, and why.
//
// It is pure (no I/O). Callers turn each stored assessment into a Site
// (FindingsFromHost gives a site's findings from its assess.Host) and call
// Compare with the older scan's sites and the newer one's.
//
// # Grade order
//
// Grades are ordered by package grade (grade.Grade: A+ … F, then T, M, U);
// "" and anything else is not a grade.
//
// # What counts as a change
//
// Sites are matched by Site.Key. For a site in both scans:
//   - if either side has no grade (Inconclusive, or an empty or unknown
//     Grade), the Kind is Inconclusive: never counted as improved or
//     deteriorated (docs/grading.md decision 1);
//   - otherwise it deteriorated if its grade ranks lower, or `*` (personal
//     data over plain text) appeared, or it stopped being secure by default
//     (both sides known); it improved if the opposite happened; when both
//     happened at once (B → A-*), deterioration wins: a regression is what a
//     fleet report must not hide, and Reasons name both;
//   - otherwise it is Unchanged (Reasons may still list rule changes that did
//     not move the grade).
//
// A site only in the newer scan is New, only in the older one Gone. A key
// listed several times in one scan is merged first: its worst grade, `*` if
// any entry has it, not secure by default if any entry is not.
//
// # Reasons
//
// Reasons come from the grading findings (rule id, effect, short reason),
// the `*` flag and secure by default. Each is a problem that appeared, "+
// certificate expired", or went, "− SSL 3.0 supported". Secure by default
// appears as its opposite problem ("+ not secure by default" when the site
// stopped redirecting HTTP to HTTPS) so that "+" always means worse. The
// reasons that explain the Kind come first (for a deterioration, the "+"
// ones). Findings with no grade effect (EffectInfo) are left out.
// Change.String renders "C → F: + certificate expired; + SSL 3.0 supported".
//
// Compare's result is ordered by Kind (deteriorated, improved, new, gone,
// inconclusive, unchanged), then organisation (case-insensitively), then
// site key.
package change

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"padlock/grade"
)

// Finding is one grading rule that fired on a site (any of its endpoints).
type Finding struct {
	// Rule is the rule id: "A4", "B2", "U", "score".
	Rule string `json:"rule"`
	// Effect is the rule's effect as grade.Effect writes it: "f", "t",
	// "cap-b", "warning", "no-a-plus", "info"...
	Effect string `json:"effect"`
	// Reason is short and stable from one scan to the next ("certificate
	// expired"): two findings with the same rule, effect and reason are the
	// same finding.
	Reason string `json:"reason"`
	// Detail is the grading's one-line explanation (may vary between scans;
	// not compared).
	Detail string `json:"detail,omitempty"`
}

// Site is one site of one scan, as Compare needs it.
type Site struct {
	Key          string // store.SiteKey: host[:port], lower-cased
	Organisation string
	URL          string
	// Grade is the site grade without `*`: "A+" … "F", "T", "M", "U"; ""
	// when inconclusive.
	Grade           grade.Grade
	Star            bool  // personal data over plain text
	SecureByDefault *bool // nil when unknown
	// Inconclusive says why there is no grade.
	Inconclusive string
	Findings     []Finding
}

// Kind is what happened to a site between two scans.
type Kind string

// Kinds of change.
const (
	Deteriorated Kind = "deteriorated"
	Improved     Kind = "improved"
	New          Kind = "new"
	Gone         Kind = "gone"
	Inconclusive Kind = "inconclusive"
	Unchanged    Kind = "unchanged"
)

// kindOrder is Compare's order of kinds.
var kindOrder = map[Kind]int{Deteriorated: 0, Improved: 1, New: 2, Gone: 3, Inconclusive: 4, Unchanged: 5}

// Change is what happened to one site.
type Change struct {
	Site         string `json:"site"` // the key
	Organisation string `json:"organisation"`
	URL          string `json:"url,omitempty"`
	Kind         Kind   `json:"kind"`
	// From and To are the grades with `*` ("C", "F*"); "" when the site was
	// absent or inconclusive on that side.
	From string `json:"from"`
	To   string `json:"to"`
	// Reasons explain the change: "+ certificate expired", "− SSL 3.0
	// supported", "inconclusive now: DNS lookup failed".
	Reasons []string `json:"reasons,omitempty"`
}

// String renders a change on one line: "C → F: + certificate expired;
// + SSL 3.0 supported". An absent side shows as "—", an inconclusive one
// as "?".
func (c Change) String() string {
	from, to := c.From, c.To
	if from == "" {
		from = "?"
		if c.Kind == New {
			from = "—"
		}
	}
	if to == "" {
		to = "?"
		if c.Kind == Gone {
			to = "—"
		}
	}
	s := from + " → " + to
	if len(c.Reasons) > 0 {
		s += ": " + strings.Join(c.Reasons, "; ")
	}
	return s
}

// Reasons written for the site flags.
const (
	ReasonStar               = "personal data over plain text (*)"
	ReasonNotSecureByDefault = "not secure by default (plain HTTP does not redirect to HTTPS)"
)

// Compare compares the sites of an older scan (prev) with those of a newer
// one (cur). See the package doc for the rules and the order.
func Compare(prev, cur []Site) []Change {
	p, pKeys := index(prev)
	c, cKeys := index(cur)
	keys := pKeys
	for _, k := range cKeys {
		if _, ok := p[k]; !ok {
			keys = append(keys, k)
		}
	}
	out := make([]Change, 0, len(keys))
	for _, k := range keys {
		a, inA := p[k]
		b, inB := c[k]
		switch {
		case inA && inB:
			out = append(out, compareSite(a, b))
		case inB:
			ch := Change{Site: k, Organisation: b.Organisation, URL: b.URL, Kind: New, To: b.Grade.Display(b.Star)}
			if why := inconclusive(b); why != "" {
				ch.Reasons = []string{"inconclusive: " + why}
			}
			out = append(out, ch)
		default:
			ch := Change{Site: k, Organisation: a.Organisation, URL: a.URL, Kind: Gone, From: a.Grade.Display(a.Star)}
			if why := inconclusive(a); why != "" {
				ch.Reasons = []string{"inconclusive before: " + why}
			}
			out = append(out, ch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if kindOrder[x.Kind] != kindOrder[y.Kind] {
			return kindOrder[x.Kind] < kindOrder[y.Kind]
		}
		xo, yo := strings.ToLower(x.Organisation), strings.ToLower(y.Organisation)
		if xo != yo {
			return xo < yo
		}
		if x.Organisation != y.Organisation {
			return x.Organisation < y.Organisation
		}
		return x.Site < y.Site
	})
	return out
}

// inconclusive says why a site has no grade ("" when it has one).
func inconclusive(s Site) string {
	switch {
	case s.Inconclusive != "":
		return s.Inconclusive
	case strings.TrimSpace(string(s.Grade)) == "":
		return "no grade"
	case !s.Grade.Valid():
		return "unknown grade " + quote(string(s.Grade))
	}
	return ""
}

func quote(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return `"` + s + `"`
}

func compareSite(a, b Site) Change {
	ch := Change{
		Site: b.Key, Organisation: b.Organisation, URL: b.URL,
		From: a.Grade.Display(a.Star), To: b.Grade.Display(b.Star),
	}
	if ch.Organisation == "" {
		ch.Organisation = a.Organisation
	}
	if ch.URL == "" {
		ch.URL = a.URL
	}
	wa, wb := inconclusive(a), inconclusive(b)
	if wa != "" || wb != "" {
		ch.Kind = Inconclusive
		if wa != "" {
			ch.Reasons = append(ch.Reasons, "inconclusive before: "+wa)
		}
		if wb != "" {
			ch.Reasons = append(ch.Reasons, "inconclusive now: "+wb)
		}
		return ch
	}

	// Problems that appeared (+) and went (−).
	var plus, minus []string
	before, now := findingSet(a.Findings), findingSet(b.Findings)
	for _, f := range b.Findings {
		if counted(f) && !before[key(f)] {
			plus = appendOnce(plus, "+ "+f.Reason)
		}
	}
	for _, f := range a.Findings {
		if counted(f) && !now[key(f)] {
			minus = appendOnce(minus, "− "+f.Reason)
		}
	}
	worse, better := false, false
	ra, rb := a.Grade.Rank(), b.Grade.Rank()
	worse = rb < ra
	better = rb > ra
	switch {
	case b.Star && !a.Star:
		worse = true
		plus = append(plus, "+ "+ReasonStar)
	case a.Star && !b.Star:
		better = true
		minus = append(minus, "− "+ReasonStar)
	}
	if a.SecureByDefault != nil && b.SecureByDefault != nil && *a.SecureByDefault != *b.SecureByDefault {
		if *a.SecureByDefault {
			worse = true
			plus = append(plus, "+ "+ReasonNotSecureByDefault)
		} else {
			better = true
			minus = append(minus, "− "+ReasonNotSecureByDefault)
		}
	}
	switch {
	case worse:
		ch.Kind = Deteriorated
		ch.Reasons = append(plus, minus...)
	case better:
		ch.Kind = Improved
		ch.Reasons = append(minus, plus...)
	default:
		ch.Kind = Unchanged
		ch.Reasons = append(minus, plus...)
	}
	if len(ch.Reasons) == 0 {
		ch.Reasons = nil
	}
	return ch
}

func counted(f Finding) bool { return f.Effect != "info" && f.Reason != "" }

func key(f Finding) string { return f.Rule + "\x00" + f.Effect + "\x00" + f.Reason }

func findingSet(fs []Finding) map[string]bool {
	m := make(map[string]bool, len(fs))
	for _, f := range fs {
		m[key(f)] = true
	}
	return m
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// index merges the sites of one scan by key; keys are in first-seen order.
// Sites without a key are keyed by their URL.
func index(sites []Site) (map[string]Site, []string) {
	m := make(map[string]Site, len(sites))
	var keys []string
	for _, s := range sites {
		k := s.Key
		if k == "" {
			k = strings.ToLower(strings.TrimSpace(s.URL))
		}
		s.Key = k
		old, ok := m[k]
		if !ok {
			m[k] = s
			keys = append(keys, k)
			continue
		}
		m[k] = merge(old, s)
	}
	return m, keys
}

// merge combines two entries of one scan for the same site.
func merge(a, b Site) Site {
	out := a
	if b.Organisation != "" && !containsPart(a.Organisation, b.Organisation) {
		if out.Organisation == "" {
			out.Organisation = b.Organisation
		} else {
			out.Organisation += ", " + b.Organisation
		}
	}
	out.Star = a.Star || b.Star
	switch {
	case a.SecureByDefault == nil:
		out.SecureByDefault = b.SecureByDefault
	case b.SecureByDefault != nil && !*b.SecureByDefault:
		out.SecureByDefault = b.SecureByDefault
	}
	ia, ib := inconclusive(a), inconclusive(b)
	switch {
	case ia != "" && ib == "":
		out.Grade, out.Inconclusive = b.Grade, ""
	case ia == "" && ib == "":
		out.Grade = grade.Worst(a.Grade, b.Grade)
	}
	seen := findingSet(a.Findings)
	out.Findings = append([]Finding(nil), a.Findings...)
	for _, f := range b.Findings {
		if !seen[key(f)] {
			seen[key(f)] = true
			out.Findings = append(out.Findings, f)
		}
	}
	return out
}

func containsPart(list, s string) bool {
	for _, p := range strings.Split(list, ", ") {
		if p == s {
			return true
		}
	}
	return false
}

// ShortReason makes a rule title into a short reason: "Certificate
// expired" → "certificate expired". A first word that is an acronym or a
// name with inner capitals ("SSL 3.0 supported", "OpenSSL …") is kept.
func ShortReason(title string) string {
	title = strings.TrimSpace(title)
	first, _, _ := strings.Cut(title, " ")
	r, n := utf8.DecodeRuneInString(first)
	if !unicode.IsUpper(r) {
		return title
	}
	for _, c := range first[n:] {
		if unicode.IsUpper(c) || unicode.IsDigit(c) {
			return title
		}
	}
	return string(unicode.ToLower(r)) + title[n:]
}
