package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"padlock/assess"
	"padlock/store"
)

func TestReadinessFigures(t *testing.T) {
	yes, no := true, false
	days := func(n int) *int { return &n }
	in := []siteReadiness{
		{grade: "A+", r: &assess.Readiness{TLS13: true, PQGroups: []string{"X25519MLKEM768"}, PQFirstChoice: &yes, EMS: &yes, CertDaysLeft: days(10)}},
		{grade: "A", r: &assess.Readiness{TLS13: true, PQGroups: []string{"X25519MLKEM768", "SecP256r1MLKEM768"}, PQFirstChoice: &no, CertDaysLeft: days(60),
			FutureGrade: "T", FutureGradeFrom: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{grade: "B", r: &assess.Readiness{EMS: &no, CertDaysLeft: days(-3), CertLifetime: 365, CertLifetimeMax: 200}},
		{grade: "C"}, // result unreadable: not counted
	}
	r := readinessOf(in)
	if r.Known != 3 || r.PQ != 2 || r.PQFirstChoice != 1 || r.PQFirstChoicePercent != 50 || r.TLS13 != 2 {
		t.Fatalf("figures %+v", r)
	}
	if r.PQGroups["X25519MLKEM768"] != 2 || r.PQGroups["SecP256r1MLKEM768"] != 1 {
		t.Errorf("groups %v", r.PQGroups)
	}
	if r.EMS != 1 || r.EMSKnown != 2 || r.EMSPercent != 50 {
		t.Errorf("EMS %d of %d (%v)", r.EMS, r.EMSKnown, r.EMSPercent)
	}
	// Expired certificates are T, not "expiring".
	if r.Expiring != 1 || r.LongLived != 1 || r.FutureChanges != 1 {
		t.Errorf("expiring %d long-lived %d future %d", r.Expiring, r.LongLived, r.FutureChanges)
	}
	future := map[string]int{}
	for _, g := range r.Future {
		future[g.Grade] = g.Count
	}
	if future["A+"] != 1 || future["T"] != 1 || future["B"] != 1 || future["A"] != 0 || future["C"] != 0 {
		t.Errorf("future distribution %v", future)
	}
}

// TestReadinessInReport: the league table has the post-quantum column and
// the report the section of figures, from the sites' readiness.
func TestReadinessInReport(t *testing.T) {
	f := build(t, newStore(t), 0)
	yes := true
	for i := range f.Sites {
		if f.Sites[i].Grade == "A+" {
			f.Sites[i].Readiness = &assess.Readiness{TLS13: true, PQGroups: []string{"X25519MLKEM768"}, PQFirstChoice: &yes}
		}
	}
	f.Headline.Readiness = sitesReadiness(f.Sites)
	if f.Headline.Readiness.PQ != 1 {
		t.Fatalf("headline %+v", f.Headline.Readiness)
	}
	s := writeAndParse(t, f)
	doc := s.pages["index.html"]
	if len(find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "web2026-table" })) != 1 {
		t.Fatal("no table of the web of 2026")
	}
	var header, pqCells []string
	walk(doc, func(n *html.Node) {
		if n.Data == "th" && strings.TrimSpace(text(n)) == "Post-quantum" {
			header = append(header, text(n))
		}
		if v, ok := attr(n, "title"); ok && n.Data == "td" && strings.Contains(v, "X25519MLKEM768") {
			pqCells = append(pqCells, text(n))
		}
	})
	if len(header) == 0 || len(pqCells) != 1 || strings.TrimSpace(pqCells[0]) != "yes" {
		t.Fatalf("league table: header %v, cells %v", header, pqCells)
	}
	var aplus *Site
	for i := range f.Sites {
		if f.Sites[i].Readiness != nil && f.Sites[i].Grade == "A+" {
			aplus = &f.Sites[i]
		}
	}
	page := s.pages["sites/"+aplus.Key+".html"]
	if page == nil {
		t.Fatalf("no page for %s", aplus.Key)
	}
	fact := find(page, func(n *html.Node) bool { v, _ := attr(n, "data-fact"); return v == "post-quantum" })
	if len(fact) != 1 || !strings.Contains(text(fact[0]), "X25519MLKEM768 · chosen for browsers that offer it") {
		t.Fatalf("site page post-quantum fact: %d", len(fact))
	}
	stat := find(doc, func(n *html.Node) bool { v, _ := attr(n, "data-stat"); return v == "post-quantum" })
	if len(stat) != 1 || !strings.Contains(text(stat[0]), "1 of") {
		t.Fatalf("headline stat %d", len(stat))
	}
}

// BenchmarkStoredReadiness: reading the readiness of one stored result for
// the trend (decode the JSON, then assess.Host.Readiness), on a result
// shaped like a real one (two endpoints, seven groups, 25 simulations).
func BenchmarkStoredReadiness(b *testing.B) {
	yes := true
	ep := assess.Endpoint{StatusMessage: assess.MsgReady, Grade: "A", Details: &assess.EndpointDetails{
		Protocols:   []assess.Protocol{{ID: 771, Name: "TLS", Version: "1.2"}, {ID: 772, Name: "TLS", Version: "1.3"}},
		NamedGroups: &assess.NamedGroups{Preference: &yes},
		Sims:        &assess.Sims{},
	}}
	for _, id := range []int{0x11EC, 0x11EB, 0x11ED, 0x1D, 0x17, 0x18, 0x19} {
		ep.Details.NamedGroups.List = append(ep.Details.NamedGroups.List, assess.NamedGroup{ID: id})
	}
	for i := 0; i < 25; i++ {
		ep.Details.Sims.Results = append(ep.Details.Sims.Results, assess.Sim{
			Client: assess.SimClient{ID: "chrome-137-win11", IsReference: true}, ProtocolID: 772, NamedGroupID: 0x11EC})
	}
	raw, err := json.Marshal(&assess.Host{PadlockSchema: assess.Schema, Host: "example.org", Endpoints: []assess.Endpoint{ep, ep}})
	if err != nil {
		b.Fatal(err)
	}
	as := []store.Assessment{{Grade: "A", Result: raw}}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if r := storedReadiness(as); r.PQ != 1 {
			b.Fatalf("%+v", r)
		}
	}
}
