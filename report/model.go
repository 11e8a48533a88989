package report

import (
	"encoding/json"
	"strings"
	"time"

	"padlock/assess"
	"padlock/change"
	"padlock/grade"
	"padlock/store"
	"padlock/stored"
)

// Fleet is one scan made ready to publish: every site with its verdict,
// the headline figures, the league table's bands, the changes since the
// previous finished scan and the bands over every stored finished scan.
type Fleet struct {
	Scan store.Scan
	// Previous is the finished scan the changes are counted from (nil when
	// there is none): the same one `padlock diff` picks.
	Previous *store.Scan
	// Sites are the scan's targets in league-table order: by band, then
	// grade (best first), then organisation; inconclusive sites last.
	Sites    []Site
	Headline Headline
	// Bands are the five bands of the seed study, best first, each with
	// its sites (pointers into Sites).
	Bands []Band
	// Inconclusive are the sites without a grade (pointers into Sites):
	// listed separately, never counted in a band or a percentage.
	Inconclusive []*Site
	// Changes are the changes since Previous in change.Compare's order,
	// gone sites included; nil without a previous scan.
	Changes []change.Change
	// Trend is the bands of every stored finished scan up to this one,
	// oldest first (this scan last, even when it is not finished).
	Trend []TrendPoint
	// Criteria is the grading rules' revision the sites were graded with
	// ("padlock-2009r"; several joined with ", " if the scan mixes them).
	Criteria string
	// Engine is the padlock version that made the assessments (as
	// assess.Host.EngineVersion; several joined with ", ").
	Engine string

	byKey map[string]int // Site.Key → index in Sites, set by Build
}

// Site is one target of the scan as the report shows it.
type Site struct {
	Organisation string
	URL          string
	Group        string
	// Key names the site's page (sites/<Key>.html): SiteKey made safe for
	// file names and URL paths, unique in the fleet.
	Key string
	// SiteKey is the store's site key (store.SiteKey: host[:port]), which
	// history and changes match on.
	SiteKey string
	// Grade is "A+" … "F", "T", "M" or "U", without `*`; "" when
	// inconclusive.
	Grade string
	// GradeTrustIgnored is the grade with T and M set aside.
	GradeTrustIgnored string
	// Star: personal data over plain text (docs/grading.md decision 2).
	Star bool
	// Display is the grade as published: "B", "U*"; "" when inconclusive.
	Display string
	// Band is the band's ID (BandHighest …); "" when inconclusive.
	Band string
	// SecureByDefault: plain HTTP redirects to HTTPS (decision 3); nil when
	// it could not be told.
	SecureByDefault *bool
	// HSTS is the HSTS policy status ("present", "absent", "invalid",
	// "disabled", "unknown"; "" when not checked) and HSTSMaxAge its
	// max-age in seconds.
	HSTS       string
	HSTSMaxAge int64
	// Protocols are the protocols supported on any endpoint, oldest first:
	// "TLS 1.2", "TLS 1.3".
	Protocols []string
	// KeyFindings are the grading findings that cost the site something,
	// worst first: "B5 TLS 1.0 or TLS 1.1 supported (cap B)".
	KeyFindings []string
	// Findings are the site's findings as package change compares them.
	Findings []change.Finding
	// Change is what happened since the previous scan (zero without one).
	Change SiteChange
	// Inconclusive says why there is no grade.
	Inconclusive string
	// Provisional: a rule that could change the grade was not evaluated.
	Provisional bool
	// CertNotAfter is the earliest expiry of the leaf certificates served.
	CertNotAfter time.Time
	// Readiness is the site's standing on the web of 2026 beyond the
	// grade (hybrid post-quantum, TLS 1.3, EMS, certificate, future
	// grade); nil when its stored result could not be read.
	Readiness *assess.Readiness
	// Assessed is when the site's assessment ended.
	Assessed time.Time
	// Host is the stored assessment, parsed; nil when none was stored or
	// it could not be read (ResultError says why).
	Host *assess.Host
	// Result is the stored result JSON, as stored.
	Result      json.RawMessage
	ResultError string
	// DROWN lists the endpoints sharing this site's key with an SSL 2.0
	// server elsewhere in the scan (the fleet's fleet-wide E5 check).
	DROWN []DROWN
	// History is the site's grade in every scan of the trend, oldest first.
	History []HistoryPoint

	// endpoints are the parts of the stored endpoint details the typed
	// model does not carry (vulnerability fields).
	endpoints []rawEndpoint
}

// DROWN is one endpoint whose certificate key is also used with SSL 2.0
// elsewhere in the scan (the fleet-wide DROWN finding, as stored).
type DROWN = stored.DROWN

// SiteChange is what happened to a site since the previous scan.
type SiteChange struct {
	// Kind is change.Improved, Deteriorated, Unchanged, New or
	// Inconclusive; "" when there is no previous scan.
	Kind change.Kind
	// Arrow is how the league table shows it: "↑" improved, "↓"
	// deteriorated, "=" unchanged, "new", "?" inconclusive, "" no previous
	// scan.
	Arrow string
	// From and To are the grades with `*`, as change.Change has them.
	From, To string
	// Reasons explain it: "+ certificate expired", "− SSL 3.0 supported".
	Reasons []string
}

// Text is the change on one line: "C → F: + certificate expired".
func (c SiteChange) Text() string {
	if c.Kind == "" {
		return ""
	}
	return change.Change{Kind: c.Kind, From: c.From, To: c.To, Reasons: c.Reasons}.String()
}

// HistoryPoint is a site's grade in one scan.
type HistoryPoint struct {
	ScanID   store.ScanID
	ScanName string
	// When is when the scan finished (started, if it has not).
	When    time.Time
	Grade   string
	Star    bool
	Display string
	// Inconclusive says why there was no grade in that scan.
	Inconclusive string
}

// GradeCount is how many graded sites have one grade.
type GradeCount struct {
	Grade string
	Count int
	// Percent is of the graded sites (Headline.Graded), unrounded.
	Percent float64
}

// BandCount is how many graded sites fall in one band.
type BandCount struct {
	Band    string // the band's ID
	Count   int
	Percent float64 // of the graded sites, unrounded
}

// Headline holds the figures a report opens with. Every percentage is of
// Graded, the sites that got a grade, unless its comment says otherwise:
// inconclusive sites are never counted in a grade, a band or a percentage.
type Headline struct {
	// Sites is every target of the scan; Graded those with a grade;
	// Inconclusive those without one (Sites = Graded + Inconclusive).
	Sites        int
	Graded       int
	Inconclusive int
	// PerGrade has every grade from A+ to U in that order, zeros included.
	PerGrade []GradeCount
	// PerBand has the five bands, best first.
	PerBand []BandCount
	// NoSecure is the U sites (no secure connection), as a count and a
	// percentage of Graded.
	NoSecure        int
	NoSecurePercent float64
	// NoSecureTakingPersonalData is the U sites marked `*`; its percentage
	// is of NoSecure, as the seed study gave it ("of these, almost 70%").
	NoSecureTakingPersonalData        int
	NoSecureTakingPersonalDataPercent float64
	// PersonalData is every graded site marked `*`, whatever its grade
	// (percentage of Graded).
	PersonalData        int
	PersonalDataPercent float64
	// SecureByDefault is the graded sites whose plain HTTP redirects to
	// HTTPS; its percentage is of SecureByDefaultKnown, the graded sites
	// where that could be told.
	SecureByDefault        int
	SecureByDefaultKnown   int
	SecureByDefaultPercent float64
	// Improved, Deteriorated and Unchanged count the sites graded in both
	// this scan and the previous one (Compared); their percentages are of
	// Compared. New and Gone are sites only in one of the two scans;
	// InconclusiveChanges those without a grade on one side.
	Compared            int
	Improved            int
	ImprovedPercent     float64
	Deteriorated        int
	DeterioratedPercent float64
	Unchanged           int
	New                 int
	Gone                int
	InconclusiveChanges int
	// Readiness sums up the graded sites' readiness for the web of 2026,
	// the fleet's future grades included.
	Readiness Readiness
}

// Band is one band of the league table.
type Band struct {
	ID string
	// Name is the band as the seed study named it ("Highest standard").
	Name string
	// Title is the league table's heading: "Organisations with the highest
	// standard (A+, A)".
	Title  string
	Grades []string
	Count  int
	// Percent is of Headline.Graded, unrounded.
	Percent float64
	// Sites are the band's sites in league order (pointers into
	// Fleet.Sites).
	Sites []*Site
}

// TrendPoint is one scan's bands.
type TrendPoint struct {
	ScanID       store.ScanID
	ScanName     string
	When         time.Time
	Sites        int
	Graded       int
	Inconclusive int
	Bands        []BandCount
	Grades       []GradeCount
	// Readiness is the scan's readiness figures (hybrid post-quantum, TLS
	// 1.3, EMS …), read from its stored results.
	Readiness Readiness
}

// Band IDs (package grade's bands).
const (
	BandHighest                    = string(grade.BandHighest)
	BandRoomForImprovement         = string(grade.BandRoomForImprovement)
	BandSignificantRoom            = string(grade.BandSignificantRoom)
	BandSignificantVulnerabilities = string(grade.BandSignificantVulnerabilities)
	BandNoSecureConnection         = string(grade.BandNoSecureConnection)
)

// bandDef is one band's definition.
type bandDef struct {
	ID, Name, Title string
	Grades          []string
	Blurb           string
}

// bandDefs are the seed study's bands, best first, as the report words
// them; which grades each holds is package grade's (Grades, and the list in
// Title, are filled in from it). D and E (which the study never saw) sit
// with B and C; T and M sit with F (see the methodology page for why).
var bandDefs = []bandDef{
	{BandHighest, "Highest standard", "Organisations with the highest standard", nil,
		"A secure connection of the highest, world-class standard."},
	{BandRoomForImprovement, "Room for improvement", "Organisations with room for improvement", nil,
		"A good secure connection with a warning that keeps it from the highest standard."},
	{BandSignificantRoom, "Significant room for improvement", "Organisations with significant room for improvement", nil,
		"A secure connection weakened by outdated protocols, ciphers or keys."},
	{BandSignificantVulnerabilities, "Significant vulnerabilities", "Organisations with significant vulnerabilities", nil,
		"A secure connection that is broken (F) or that browsers refuse to trust (T: untrusted certificate, M: certificate for another name)."},
	{BandNoSecureConnection, "No secure connection", "Organisations with no secure connection", nil,
		"No secure connection at all: everything travels in plain text."},
}

func init() {
	for i := range bandDefs {
		d := &bandDefs[i]
		d.Grades = gradeStrings(grade.Band(d.ID).Grades())
		d.Title += " (" + strings.Join(d.Grades, ", ") + ")"
	}
}

// gradeOrder is every grade, best first.
var gradeOrder = gradeStrings(grade.All())

func gradeStrings(gs []grade.Grade) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = string(g)
	}
	return out
}

// Grades returns every grade padlock publishes, best first: A+ … F, T, M,
// U.
func Grades() []string { return append([]string(nil), gradeOrder...) }

// BandOf returns the ID of the band a grade falls in ("" for no grade). A
// trailing `*` is ignored.
func BandOf(g string) string { return string(grade.Of(g).Band()) }

// BandName returns a band's name ("Highest standard") from its ID, or
// "Inconclusive" for "".
func BandName(id string) string {
	for _, b := range bandDefs {
		if b.ID == id {
			return b.Name
		}
	}
	return "Inconclusive"
}

// BandIDs returns the band IDs, best first.
func BandIDs() []string {
	out := make([]string, len(bandDefs))
	for i, b := range bandDefs {
		out[i] = b.ID
	}
	return out
}

// Site returns the site with the given page key, or nil.
func (f *Fleet) Site(key string) *Site {
	if f.byKey != nil {
		if i, ok := f.byKey[key]; ok && i < len(f.Sites) && f.Sites[i].Key == key {
			return &f.Sites[i]
		}
		return nil
	}
	for i := range f.Sites {
		if f.Sites[i].Key == key {
			return &f.Sites[i]
		}
	}
	return nil
}

// Groups returns the sites' groups, sorted, without duplicates or "".
func (f *Fleet) Groups() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range f.Sites {
		if s.Group != "" && !seen[s.Group] {
			seen[s.Group] = true
			out = append(out, s.Group)
		}
	}
	sortStrings(out)
	return out
}
