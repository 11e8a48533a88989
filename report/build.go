package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"padlock/change"
	"padlock/grade"
	"padlock/store"
	"padlock/stored"
)

// Build reads a scan from the store and makes it ready to publish. scanID
// 0 is the latest finished scan. The previous scan, for the changes, is
// the one `padlock diff` would compare with: for the latest, the finished
// scan before it in finish order; for a given scan, the last finished
// scan with a smaller id. The trend covers every finished scan up to the
// report's (in finish order) and ends with the report's scan.
//
// A stored result that cannot be read does not fail the build: the site
// keeps its stored grade and says why its details are missing
// (Site.ResultError).
func Build(ctx context.Context, st store.Store, scanID store.ScanID) (*Fleet, error) {
	finished, err := st.LatestFinished(ctx, 0)
	if err != nil {
		return nil, err
	}
	finished = store.FleetScans(finished) // not padlock serve's single-host assessments
	// finished is newest first: make it oldest first.
	for i, j := 0, len(finished)-1; i < j; i, j = i+1, j-1 {
		finished[i], finished[j] = finished[j], finished[i]
	}

	var cur store.Scan
	var prev *store.Scan
	if scanID == 0 {
		if len(finished) == 0 {
			return nil, errors.New("report: no finished scan in the database (run padlock scan first, or name a scan with --scan)")
		}
		cur = finished[len(finished)-1]
		if len(finished) > 1 {
			p := finished[len(finished)-2]
			prev = &p
		}
	} else {
		cur, err = st.Scan(ctx, scanID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("report: no scan %d in the database", scanID)
		}
		if err != nil {
			return nil, err
		}
		for i := range finished {
			if finished[i].ID < cur.ID && (prev == nil || finished[i].ID > prev.ID) {
				p := finished[i]
				prev = &p
			}
		}
	}

	// The trend: finished scans up to the report's, then the report's.
	var trend []store.Scan
	for _, s := range finished {
		if s.ID == cur.ID {
			break
		}
		trend = append(trend, s)
	}
	trend = append(trend, cur)

	f := &Fleet{Scan: cur, Previous: prev}
	history := map[string][]HistoryPoint{}
	var curAs []store.Assessment
	var prevSites []change.Site
	prevDone := prev == nil

	for _, sc := range trend {
		as, err := st.Assessments(ctx, sc.ID)
		if err != nil {
			return nil, fmt.Errorf("report: reading scan %d: %w", sc.ID, err)
		}
		f.Trend = append(f.Trend, trendPoint(sc, as))
		for key, p := range historyPoints(sc, as) {
			history[key] = append(history[key], p)
		}
		switch {
		case sc.ID == cur.ID:
			curAs = as
		case prev != nil && sc.ID == prev.ID:
			prevSites = stored.ChangeSites(as)
			prevDone = true
		}
	}
	if !prevDone {
		// The previous scan by id finished after the report's scan: it is
		// not in the trend, but the changes still count from it.
		as, err := st.Assessments(ctx, prev.ID)
		if err != nil {
			return nil, fmt.Errorf("report: reading scan %d: %w", prev.ID, err)
		}
		prevSites = stored.ChangeSites(as)
	}

	keys := map[string]int{}
	criteria, engines := map[string]bool{}, map[string]bool{}
	for _, a := range curAs {
		s := siteFrom(a)
		s.Key = uniqueKey(pageKey(s.SiteKey, s.URL), keys)
		s.History = append([]HistoryPoint(nil), history[s.SiteKey]...)
		if a.Criteria != "" {
			criteria[a.Criteria] = true
		}
		if s.Host != nil && s.Host.EngineVersion != "" {
			engines[s.Host.EngineVersion] = true
		}
		f.Sites = append(f.Sites, s)
	}
	f.Criteria = joinKeys(criteria)
	f.Engine = joinKeys(engines)

	if prev != nil {
		cs := make([]change.Site, len(f.Sites))
		for i, s := range f.Sites {
			cs[i] = change.Site{
				Key: s.SiteKey, Organisation: s.Organisation, URL: s.URL,
				Grade: grade.Grade(s.Grade), Star: s.Star, SecureByDefault: s.SecureByDefault,
				Inconclusive: s.Inconclusive, Findings: s.Findings,
			}
		}
		f.Changes = change.Compare(prevSites, cs)
		byKey := map[string]change.Change{}
		for _, c := range f.Changes {
			byKey[c.Site] = c
		}
		for i := range f.Sites {
			if c, ok := byKey[f.Sites[i].SiteKey]; ok {
				f.Sites[i].Change = SiteChange{Kind: c.Kind, Arrow: arrow(c.Kind), From: c.From, To: c.To, Reasons: c.Reasons}
			}
		}
	}

	sortSites(f.Sites)
	f.byKey = make(map[string]int, len(f.Sites))
	for i, s := range f.Sites {
		f.byKey[s.Key] = i
	}
	f.Bands = bands(f.Sites)
	for i := range f.Sites {
		if f.Sites[i].Grade == "" {
			f.Inconclusive = append(f.Inconclusive, &f.Sites[i])
		}
	}
	f.Headline = headline(f)
	return f, nil
}

// siteFrom makes a Site of a stored assessment.
func siteFrom(a store.Assessment) Site {
	s := Site{
		Organisation:      a.Organisation,
		URL:               a.URL,
		Group:             a.Group,
		SiteKey:           a.Site,
		Grade:             a.Grade,
		GradeTrustIgnored: a.GradeTrustIgnored,
		Star:              a.Star,
		Inconclusive:      a.Inconclusive,
		Provisional:       a.Provisional,
		HSTS:              a.HSTS,
		CertNotAfter:      a.CertNotAfter,
		Assessed:          a.Finished,
		Result:            a.Result,
	}
	if grade.Of(s.Grade).Rank() == 0 {
		// Not a grade: inconclusive (decision 1), whatever the column says.
		if s.Inconclusive == "" {
			s.Inconclusive = "no grade"
			if s.Grade != "" {
				s.Inconclusive = "unknown grade " + s.Grade
			}
		}
		s.Grade = ""
	}
	if s.Grade != "" {
		s.Inconclusive = ""
	}
	if a.SecureByDefault != nil {
		v := *a.SecureByDefault
		s.SecureByDefault = &v
	}
	s.Display = grade.Of(s.Grade).Display(s.Star)
	s.Band = BandOf(s.Grade)
	if a.Protocols != "" {
		for _, p := range strings.Split(a.Protocols, ",") {
			if p = strings.TrimSpace(p); p != "" {
				s.Protocols = append(s.Protocols, p)
			}
		}
	}

	res, err := stored.Decode(a.Result)
	if err != nil {
		s.ResultError = err.Error()
	}
	s.Host, s.DROWN = res.Host, res.DROWN
	if s.ResultError == "" && res.Host == nil && res.Error != "" {
		s.ResultError = res.Error
	}
	s.endpoints = decodeRawEndpoints(res.HostJSON)
	s.Findings = res.Findings()
	s.KeyFindings = keyFindings(s.Findings)
	s.Readiness = hostReadiness(s.Host)
	if h := s.Host; h != nil {
		if w := h.PadlockWeb; w != nil {
			if s.HSTS == "" {
				s.HSTS = w.HSTSPolicy.Status
			}
			s.HSTSMaxAge = w.HSTSPolicy.MaxAge
		}
		if len(s.Protocols) == 0 {
			s.Protocols = hostProtocols(s.Host)
		}
	}
	return s
}

// effectOrder ranks change.Finding effects, worst first.
var effectOrder = map[string]int{
	"u": 0, "m": 1, "t": 2, "f": 3, "cap-c": 4, "cap-b": 5, "cap-a": 6, "warning": 7, "no-a-plus": 8, "score": 9,
}

// keyFindings are the findings with a grade effect, worst first:
// "B5 TLS 1.0 or TLS 1.1 supported (cap B)".
func keyFindings(fs []change.Finding) []string {
	type kf struct {
		rank int
		text string
	}
	var list []kf
	for _, f := range fs {
		r, ok := effectOrder[f.Effect]
		if !ok || f.Reason == "" {
			continue
		}
		text := f.Reason
		if f.Rule != "" && f.Rule != string(grade.RuleScore) {
			text = f.Rule + " " + text
		}
		if l := effectShort[f.Effect]; l != "" && l != f.Rule {
			text += " (" + l + ")"
		}
		list = append(list, kf{r, text})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].rank < list[j].rank })
	out := make([]string, len(list))
	for i, k := range list {
		out[i] = k.text
	}
	return out
}

// effectShort says what an effect does to the grade, for key findings.
var effectShort = map[string]string{
	"u": "U", "m": "M", "t": "T", "f": "F", "cap-c": "cap C", "cap-b": "cap B", "cap-a": "cap A",
	"warning": "A-", "no-a-plus": "no A+",
}

func arrow(k change.Kind) string {
	switch k {
	case change.Improved:
		return "↑"
	case change.Deteriorated:
		return "↓"
	case change.Unchanged:
		return "="
	case change.New:
		return "new"
	case change.Inconclusive:
		return "?"
	}
	return ""
}

// sortSites puts sites in league order: band, grade (best first),
// organisation (case-insensitively), URL; inconclusive sites last.
func sortSites(sites []Site) {
	sort.SliceStable(sites, func(i, j int) bool {
		a, b := sites[i], sites[j]
		ra, rb := grade.Of(a.Grade).Rank(), grade.Of(b.Grade).Rank()
		if ra != rb {
			return ra > rb
		}
		oa, ob := strings.ToLower(a.Organisation), strings.ToLower(b.Organisation)
		if oa != ob {
			return oa < ob
		}
		if a.Organisation != b.Organisation {
			return a.Organisation < b.Organisation
		}
		return a.URL < b.URL
	})
}

// bands sorts the graded sites into the five bands.
func bands(sites []Site) []Band {
	graded := 0
	for _, s := range sites {
		if s.Grade != "" {
			graded++
		}
	}
	out := make([]Band, len(bandDefs))
	for i, d := range bandDefs {
		out[i] = Band{ID: d.ID, Name: d.Name, Title: d.Title, Grades: d.Grades}
		for j := range sites {
			if sites[j].Band == d.ID {
				out[i].Sites = append(out[i].Sites, &sites[j])
			}
		}
		out[i].Count = len(out[i].Sites)
		out[i].Percent = percent(out[i].Count, graded)
	}
	return out
}

func headline(f *Fleet) Headline {
	h := Headline{Sites: len(f.Sites), Readiness: sitesReadiness(f.Sites)}
	grades := map[string]int{}
	for _, s := range f.Sites {
		if s.Grade == "" {
			h.Inconclusive++
			continue
		}
		h.Graded++
		grades[s.Grade]++
		if s.Star {
			h.PersonalData++
		}
		if s.Grade == "U" {
			h.NoSecure++
			if s.Star {
				h.NoSecureTakingPersonalData++
			}
		}
		if s.SecureByDefault != nil {
			h.SecureByDefaultKnown++
			if *s.SecureByDefault {
				h.SecureByDefault++
			}
		}
	}
	h.PerGrade = gradeCounts(grades, h.Graded)
	for _, b := range f.Bands {
		h.PerBand = append(h.PerBand, BandCount{Band: b.ID, Count: b.Count, Percent: b.Percent})
	}
	h.NoSecurePercent = percent(h.NoSecure, h.Graded)
	h.NoSecureTakingPersonalDataPercent = percent(h.NoSecureTakingPersonalData, h.NoSecure)
	h.PersonalDataPercent = percent(h.PersonalData, h.Graded)
	h.SecureByDefaultPercent = percent(h.SecureByDefault, h.SecureByDefaultKnown)
	for _, c := range f.Changes {
		switch c.Kind {
		case change.Improved:
			h.Improved++
		case change.Deteriorated:
			h.Deteriorated++
		case change.Unchanged:
			h.Unchanged++
		case change.New:
			h.New++
		case change.Gone:
			h.Gone++
		case change.Inconclusive:
			h.InconclusiveChanges++
		}
	}
	h.Compared = h.Improved + h.Deteriorated + h.Unchanged
	h.ImprovedPercent = percent(h.Improved, h.Compared)
	h.DeterioratedPercent = percent(h.Deteriorated, h.Compared)
	return h
}

func gradeCounts(grades map[string]int, graded int) []GradeCount {
	out := make([]GradeCount, len(gradeOrder))
	for i, g := range gradeOrder {
		out[i] = GradeCount{Grade: g, Count: grades[g], Percent: percent(grades[g], graded)}
	}
	return out
}

// trendPoint counts one scan's grades and bands.
func trendPoint(sc store.Scan, as []store.Assessment) TrendPoint {
	p := TrendPoint{ScanID: sc.ID, ScanName: sc.Name, When: scanTime(sc), Sites: len(as)}
	grades := map[string]int{}
	bandN := map[string]int{}
	for _, a := range as {
		if grade.Of(a.Grade).Rank() == 0 {
			p.Inconclusive++
			continue
		}
		p.Graded++
		grades[a.Grade]++
		bandN[BandOf(a.Grade)]++
	}
	p.Grades = gradeCounts(grades, p.Graded)
	p.Readiness = storedReadiness(as)
	for _, d := range bandDefs {
		p.Bands = append(p.Bands, BandCount{Band: d.ID, Count: bandN[d.ID], Percent: percent(bandN[d.ID], p.Graded)})
	}
	return p
}

// historyPoints gives each site key of a scan its point; a key listed more
// than once is merged (worst grade, `*` if any has it).
func historyPoints(sc store.Scan, as []store.Assessment) map[string]HistoryPoint {
	out := map[string]HistoryPoint{}
	for _, a := range as {
		g := a.Grade
		if grade.Of(g).Rank() == 0 {
			g = ""
		}
		p, seen := out[a.Site]
		if !seen {
			p = HistoryPoint{ScanID: sc.ID, ScanName: sc.Name, When: scanTime(sc), Grade: g, Star: a.Star}
			if g == "" {
				p.Inconclusive = a.Inconclusive
				if p.Inconclusive == "" {
					p.Inconclusive = "no grade"
				}
			}
		} else {
			p.Star = p.Star || a.Star
			switch {
			case g == "":
			case p.Grade == "":
				p.Grade, p.Inconclusive = g, ""
			default:
				p.Grade = string(grade.Worst(grade.Of(p.Grade), grade.Of(g)))
			}
		}
		p.Display = grade.Of(p.Grade).Display(p.Star)
		out[a.Site] = p
	}
	return out
}

func scanTime(sc store.Scan) time.Time {
	if !sc.Finished.IsZero() {
		return sc.Finished
	}
	return sc.Started
}

// percent is 100·n/d, or 0 when d is 0.
func percent(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

func joinKeys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// pageKey makes a site key safe as a file name and a URL path segment:
// lower-case letters, digits, '.', '-' and '_' only ("localhost:8443" →
// "localhost-8443", "[::1]" → "--1").
func pageKey(siteKey, url string) string {
	k := siteKey
	if k == "" {
		k = store.SiteKey(url)
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(k) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_':
			b.WriteRune(r)
			dash = false
		default:
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 100 {
			break
		}
	}
	s := strings.Trim(b.String(), ".-")
	if s == "" {
		s = "site"
	}
	return s
}

// uniqueKey makes key unique among those seen ("example.org",
// "example.org-2" …).
func uniqueKey(key string, seen map[string]int) string {
	seen[key]++
	if seen[key] == 1 {
		return key
	}
	for n := seen[key]; ; n++ {
		k := fmt.Sprintf("%s-%d", key, n)
		if seen[k] == 0 {
			seen[k] = 1
			seen[key] = n
			return k
		}
	}
}
