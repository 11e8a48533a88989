package demofleet

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"padlock/change"
	"padlock/fleet"
	"padlock/lab"
	"padlock/store"
	"padlock/stored"
)

// TestDemoDiff runs the demo (two scans of the lab fleet, one server
// changed between them) and checks what change.Compare makes of it.
func TestDemoDiff(t *testing.T) {
	ctx := context.Background()
	servers, err := lab.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d, err := Run(ctx, st, servers, fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	sites := func(id store.ScanID) []change.Site {
		as, err := st.Assessments(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if _, err := stored.Decode(a.Result); err != nil {
				t.Fatal(err)
			}
		}
		return stored.ChangeSites(as)
	}
	changes := change.Compare(sites(d.First), sites(d.Second))
	kinds := map[change.Kind]int{}
	for _, c := range changes {
		kinds[c.Kind]++
		if c.Kind == change.Deteriorated {
			t.Logf("%s: %s", c.Organisation, c)
			if c.Organisation != Change.From || c.From != "A" || !strings.Contains(strings.Join(c.Reasons, ";"), "TLS 1.0") {
				t.Errorf("deteriorated: %+v", c)
			}
		}
	}
	if kinds[change.Deteriorated] != 1 || kinds[change.Unchanged] != len(servers)-1 {
		t.Errorf("kinds %v; changes %v", kinds, changes)
	}
}
