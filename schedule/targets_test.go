package schedule_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"padlock/schedule"
	"padlock/store"
)

func TestTargetsAndPeriods(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, err := st.CreateScan(ctx, store.Scan{Name: "fleet", TargetsFile: "/srv/fleet.csv"}, []store.Target{
		{Organisation: "A", URL: "https://a.example/", Line: 2},
		{Organisation: "B", URL: "https://b.example:8443/", Line: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts, file, err := schedule.Targets(ctx, st, store.Schedule{FleetScan: base})
	if err != nil || len(ts) != 2 || file != "/srv/fleet.csv" || ts[1].Host != "b.example" || ts[1].Port != 8443 {
		t.Errorf("saved fleet: %+v %q %v", ts, file, err)
	}
	csv := filepath.Join(t.TempDir(), "t.csv")
	os.WriteFile(csv, []byte("organisation,url\nX,https://x.example/\nBad,not a url at all\n"), 0o644)
	ts, file, err = schedule.Targets(ctx, st, store.Schedule{TargetsFile: csv})
	if err != nil || len(ts) != 1 || file != csv {
		t.Errorf("targets file: %+v %q %v", ts, file, err)
	}
	if _, _, err := schedule.Targets(ctx, st, store.Schedule{TargetsFile: filepath.Join(t.TempDir(), "gone.csv")}); err == nil || !strings.Contains(err.Error(), "gone.csv") {
		t.Errorf("missing file: %v", err)
	}

	anchor := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	sc := store.Schedule{Every: 168 * time.Hour, Anchor: anchor}
	for _, c := range []struct {
		at   time.Time
		want int64
	}{
		{anchor.Add(-time.Second), -1},
		{anchor, 0},
		{anchor.Add(168*time.Hour - time.Millisecond), 0},
		{anchor.Add(168 * time.Hour), 1},
		{anchor.Add(10 * 168 * time.Hour), 10},
	} {
		if got := schedule.Period(sc, c.at); got != c.want {
			t.Errorf("Period at %s = %d, want %d", c.at, got, c.want)
		}
	}
	if got := schedule.PeriodStart(sc, 2); !got.Equal(anchor.Add(336 * time.Hour)) {
		t.Errorf("PeriodStart(2) = %s", got)
	}
}
