package alert

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"padlock/store"
)

// scanOf stores a scan of the given sites: grade "" is inconclusive.
func scanOf(t *testing.T, st store.Store, grades map[string]string, notAfter time.Time) store.ScanID {
	t.Helper()
	ctx := context.Background()
	var targets []store.Target
	for _, site := range []string{"a.example", "b.example"} {
		if _, ok := grades[site]; ok {
			targets = append(targets, store.Target{URL: "https://" + site + "/", Organisation: site})
		}
	}
	id, err := st.CreateScan(ctx, store.Scan{Name: "t"}, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		a := store.Assessment{ScanID: id, TargetID: tg.ID, Grade: grades[tg.Site], CertNotAfter: notAfter}
		if a.Grade == "" {
			a.Inconclusive = "timeout"
		}
		if err := st.SaveAssessment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetScanStatus(ctx, id, store.StatusFinished, time.Now()); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCheckLooksPastAnInconclusiveRun(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := st.(store.Watcher)
	now := time.Now()
	far := now.AddDate(1, 0, 0)
	s1 := scanOf(t, st, map[string]string{"a.example": "A", "b.example": "A"}, far)
	s2 := scanOf(t, st, map[string]string{"a.example": "", "b.example": "A"}, far)
	s3 := scanOf(t, st, map[string]string{"a.example": "C", "b.example": "A"}, now.AddDate(0, 0, 5))
	sid, err := w.AddSchedule(ctx, store.Schedule{Every: time.Hour, FleetScan: s1})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := w.Schedule(ctx, sid)

	ids, err := Check(ctx, st, w, sc, []store.ScanID{s2, s1}, s3, now)
	if err != nil || len(ids) != 2 {
		t.Fatalf("Check: %v %v, want two alerts (a: A → C past the inconclusive run; b: certificate)", ids, err)
	}
	got := map[string][]Change{}
	for _, id := range ids {
		a, err := w.Alert(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != store.AlertUnsent || a.PrevScanID != s2 || a.ScanID != s3 {
			t.Errorf("alert %+v", a)
		}
		var cs []Change
		json.Unmarshal(a.Changes, &cs)
		got[a.Site] = cs
	}
	if cs := got["a.example"]; len(cs) != 2 || cs[0].Kind != GradeDown || cs[0].Summary != "grade A → C" || cs[1].Kind != CertExpiring {
		t.Errorf("a.example: %+v", cs)
	}
	if cs := got["b.example"]; len(cs) != 1 || cs[0].Kind != CertExpiring {
		t.Errorf("b.example: %+v", cs)
	}
	// The same run checked again (a retried job, another worker): nothing.
	if ids, err := Check(ctx, st, w, sc, []store.ScanID{s2, s1}, s3, now); err != nil || len(ids) != 0 {
		t.Errorf("checked again: %v %v", ids, err)
	}
	// The next run, with the same certificate still expiring: nothing new.
	s4 := scanOf(t, st, map[string]string{"a.example": "C", "b.example": "A"}, now.AddDate(0, 0, 5))
	if ids, err := Check(ctx, st, w, sc, []store.ScanID{s3, s2, s1}, s4, now); err != nil || len(ids) != 0 {
		t.Errorf("next run: %v %v", ids, err)
	}
}
