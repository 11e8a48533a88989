package report

import (
	"encoding/json"
	"io"
	"math"
	"time"

	"padlock/assess"
	"padlock/change"
	"padlock/store"
)

// JSONSchema names the version of WriteJSON's output. Additive changes
// keep it; renaming, removing or changing the meaning of a field bumps it.
const JSONSchema = "padlock.report/1"

// The JSON export's shape (docs/exports.md). It is its own set of types
// so that the contract does not move when the model does.
type jsonReport struct {
	Schema       string          `json:"schema"`
	Criteria     string          `json:"criteria,omitempty"`
	Engine       string          `json:"engine,omitempty"`
	Scan         jsonScan        `json:"scan"`
	Previous     *jsonScan       `json:"previous"`
	Headline     jsonHeadline    `json:"headline"`
	Bands        []jsonBand      `json:"bands"`
	Inconclusive []string        `json:"inconclusive"`
	Changes      []change.Change `json:"changes"`
	Trend        []jsonTrend     `json:"trend"`
	Sites        []jsonSite      `json:"sites"`
}

type jsonScan struct {
	ID          store.ScanID     `json:"id"`
	Name        string           `json:"name,omitempty"`
	TargetsFile string           `json:"targetsFile,omitempty"`
	Status      store.ScanStatus `json:"status"`
	Started     time.Time        `json:"started"`
	Finished    *time.Time       `json:"finished,omitempty"`
}

type jsonCount struct {
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

type jsonGrade struct {
	Grade string `json:"grade"`
	jsonCount
}

type jsonBandCount struct {
	Band string `json:"band"`
	jsonCount
}

type jsonHeadline struct {
	Sites                      int             `json:"sites"`
	Graded                     int             `json:"graded"`
	Inconclusive               int             `json:"inconclusive"`
	PerGrade                   []jsonGrade     `json:"perGrade"`
	PerBand                    []jsonBandCount `json:"perBand"`
	NoSecure                   jsonCount       `json:"noSecure"`
	NoSecureTakingPersonalData jsonCount       `json:"noSecureTakingPersonalData"`
	PersonalData               jsonCount       `json:"personalData"`
	SecureByDefault            jsonCount       `json:"secureByDefault"`
	SecureByDefaultKnown       int             `json:"secureByDefaultKnown"`
	Compared                   int             `json:"compared"`
	Improved                   jsonCount       `json:"improved"`
	Deteriorated               jsonCount       `json:"deteriorated"`
	Unchanged                  int             `json:"unchanged"`
	New                        int             `json:"new"`
	Gone                       int             `json:"gone"`
	InconclusiveChanges        int             `json:"inconclusiveChanges"`
	Readiness                  jsonReadiness   `json:"readiness"`
}

// jsonReadiness is Readiness for the export.
type jsonReadiness struct {
	Known         int            `json:"known"`
	PQ            jsonCount      `json:"postQuantum"`
	PQFirstChoice jsonCount      `json:"postQuantumFirstChoice"` // percentage of postQuantum
	PQGroups      map[string]int `json:"postQuantumGroups,omitempty"`
	TLS13         jsonCount      `json:"tls13"`
	EMS           jsonCount      `json:"ems"` // percentage of emsKnown
	EMSKnown      int            `json:"emsKnown"`
	Expiring      int            `json:"certificatesExpiringWithin30Days"`
	LongLived     int            `json:"certificatesLongerThanAllowed"`
	FutureChanges int            `json:"futureChanges"`
	Future        []jsonGrade    `json:"futureGrades"`
}

func jsonReadinessOf(r Readiness) jsonReadiness {
	return jsonReadiness{
		Known: r.Known, PQ: count(r.PQ, r.PQPercent), PQFirstChoice: count(r.PQFirstChoice, r.PQFirstChoicePercent),
		PQGroups: r.PQGroups, TLS13: count(r.TLS13, r.TLS13Percent), EMS: count(r.EMS, r.EMSPercent), EMSKnown: r.EMSKnown,
		Expiring: r.Expiring, LongLived: r.LongLived, FutureChanges: r.FutureChanges, Future: jsonGrades(r.Future),
	}
}

type jsonBand struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Grades []string `json:"grades"`
	jsonCount
	Sites []string `json:"sites"`
}

type jsonTrend struct {
	Scan         store.ScanID    `json:"scan"`
	Name         string          `json:"name,omitempty"`
	When         time.Time       `json:"when"`
	Sites        int             `json:"sites"`
	Graded       int             `json:"graded"`
	Inconclusive int             `json:"inconclusive"`
	Bands        []jsonBandCount `json:"bands"`
	Grades       []jsonGrade     `json:"grades"`
	Readiness    jsonReadiness   `json:"readiness"`
}

type jsonHistory struct {
	Scan         store.ScanID `json:"scan"`
	When         time.Time    `json:"when"`
	Grade        string       `json:"grade"`
	Star         bool         `json:"star"`
	Display      string       `json:"display"`
	Inconclusive string       `json:"inconclusive,omitempty"`
}

type jsonChange struct {
	Kind    change.Kind `json:"kind"`
	From    string      `json:"from"`
	To      string      `json:"to"`
	Reasons []string    `json:"reasons,omitempty"`
}

type jsonSite struct {
	Key               string            `json:"key"`
	Site              string            `json:"site"`
	Organisation      string            `json:"organisation"`
	URL               string            `json:"url"`
	Group             string            `json:"group,omitempty"`
	Grade             string            `json:"grade"`
	GradeTrustIgnored string            `json:"gradeTrustIgnored,omitempty"`
	Star              bool              `json:"star"`
	Display           string            `json:"display"`
	Band              string            `json:"band"`
	SecureByDefault   *bool             `json:"secureByDefault"`
	HSTS              string            `json:"hsts,omitempty"`
	Protocols         []string          `json:"protocols"`
	KeyFindings       []string          `json:"keyFindings"`
	Findings          []change.Finding  `json:"findings"`
	Change            *jsonChange       `json:"change,omitempty"`
	Inconclusive      string            `json:"inconclusive,omitempty"`
	Provisional       bool              `json:"provisional,omitempty"`
	Readiness         *assess.Readiness `json:"readiness,omitempty"`
	CertNotAfter      *time.Time        `json:"certNotAfter,omitempty"`
	Assessed          time.Time         `json:"assessed"`
	History           []jsonHistory     `json:"history"`
	ResultError       string            `json:"resultError,omitempty"`
	// Result is the stored result as stored (for a fleet scan,
	// {"schema":"padlock.fleet/1","host":{assess.Host}…}).
	Result json.RawMessage `json:"result"`
}

// round1 rounds a percentage to one decimal for the export.
func round1(p float64) float64 { return math.Round(p*10) / 10 }

func count(n int, p float64) jsonCount { return jsonCount{n, round1(p)} }

func jsonScanOf(s store.Scan) jsonScan {
	out := jsonScan{ID: s.ID, Name: s.Name, TargetsFile: s.TargetsFile, Status: s.Status, Started: s.Started.UTC()}
	if !s.Finished.IsZero() {
		t := s.Finished.UTC()
		out.Finished = &t
	}
	return out
}

func jsonGrades(gs []GradeCount) []jsonGrade {
	out := make([]jsonGrade, len(gs))
	for i, g := range gs {
		out[i] = jsonGrade{g.Grade, count(g.Count, g.Percent)}
	}
	return out
}

func jsonBands(bs []BandCount) []jsonBandCount {
	out := make([]jsonBandCount, len(bs))
	for i, b := range bs {
		out[i] = jsonBandCount{b.Band, count(b.Count, b.Percent)}
	}
	return out
}

// WriteJSON writes the report with every site's stored result, as one
// JSON document of schema JSONSchema ("padlock.report/1"); docs/exports.md
// describes it. Percentages are rounded to one decimal.
func WriteJSON(w io.Writer, f *Fleet) error {
	h := f.Headline
	r := jsonReport{
		Schema:   JSONSchema,
		Criteria: f.Criteria,
		Engine:   f.Engine,
		Scan:     jsonScanOf(f.Scan),
		Headline: jsonHeadline{
			Sites: h.Sites, Graded: h.Graded, Inconclusive: h.Inconclusive,
			PerGrade:                   jsonGrades(h.PerGrade),
			PerBand:                    jsonBands(h.PerBand),
			NoSecure:                   count(h.NoSecure, h.NoSecurePercent),
			NoSecureTakingPersonalData: count(h.NoSecureTakingPersonalData, h.NoSecureTakingPersonalDataPercent),
			PersonalData:               count(h.PersonalData, h.PersonalDataPercent),
			SecureByDefault:            count(h.SecureByDefault, h.SecureByDefaultPercent),
			SecureByDefaultKnown:       h.SecureByDefaultKnown,
			Compared:                   h.Compared,
			Improved:                   count(h.Improved, h.ImprovedPercent),
			Deteriorated:               count(h.Deteriorated, h.DeterioratedPercent),
			Unchanged:                  h.Unchanged, New: h.New, Gone: h.Gone,
			InconclusiveChanges: h.InconclusiveChanges,
			Readiness:           jsonReadinessOf(h.Readiness),
		},
		Bands:        []jsonBand{},
		Inconclusive: []string{},
		Changes:      f.Changes,
		Trend:        []jsonTrend{},
		Sites:        []jsonSite{},
	}
	if r.Changes == nil {
		r.Changes = []change.Change{}
	}
	if f.Previous != nil {
		p := jsonScanOf(*f.Previous)
		r.Previous = &p
	}
	for _, b := range f.Bands {
		jb := jsonBand{ID: b.ID, Name: b.Name, Grades: b.Grades, jsonCount: count(b.Count, b.Percent), Sites: []string{}}
		for _, s := range b.Sites {
			jb.Sites = append(jb.Sites, s.Key)
		}
		r.Bands = append(r.Bands, jb)
	}
	for _, s := range f.Inconclusive {
		r.Inconclusive = append(r.Inconclusive, s.Key)
	}
	for _, t := range f.Trend {
		r.Trend = append(r.Trend, jsonTrend{
			Scan: t.ScanID, Name: t.ScanName, When: t.When.UTC(), Sites: t.Sites, Graded: t.Graded,
			Inconclusive: t.Inconclusive, Bands: jsonBands(t.Bands), Grades: jsonGrades(t.Grades),
			Readiness: jsonReadinessOf(t.Readiness),
		})
	}
	for i := range f.Sites {
		s := &f.Sites[i]
		js := jsonSite{
			Key: s.Key, Site: s.SiteKey, Organisation: s.Organisation, URL: s.URL, Group: s.Group,
			Grade: s.Grade, GradeTrustIgnored: s.GradeTrustIgnored, Star: s.Star, Display: s.Display,
			Band: s.Band, SecureByDefault: s.SecureByDefault, HSTS: s.HSTS,
			Protocols: nonNil(s.Protocols), KeyFindings: nonNil(s.KeyFindings), Findings: s.Findings,
			Inconclusive: s.Inconclusive, Provisional: s.Provisional, Assessed: s.Assessed.UTC(),
			History: []jsonHistory{}, ResultError: s.ResultError, Result: s.Result,
			Readiness: s.Readiness,
		}
		if js.Findings == nil {
			js.Findings = []change.Finding{}
		}
		if js.Band == "" {
			js.Band = "inconclusive"
		}
		if s.Change.Kind != "" {
			js.Change = &jsonChange{Kind: s.Change.Kind, From: s.Change.From, To: s.Change.To, Reasons: s.Change.Reasons}
		}
		if !s.CertNotAfter.IsZero() {
			t := s.CertNotAfter.UTC()
			js.CertNotAfter = &t
		}
		if len(js.Result) == 0 || !json.Valid(js.Result) {
			js.Result = json.RawMessage("null")
		}
		for _, p := range s.History {
			js.History = append(js.History, jsonHistory{Scan: p.ScanID, When: p.When.UTC(), Grade: p.Grade, Star: p.Star, Display: p.Display, Inconclusive: p.Inconclusive})
		}
		r.Sites = append(r.Sites, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
