package store

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSchedules(t *testing.T) { eachDialect(t, testSchedules) }

func testSchedules(t *testing.T, st Store) {
	ctx := context.Background()
	s := st.(Watcher)
	scan, _ := newScan(t, st, 2)
	bad := []Schedule{
		{Every: 0, TargetsFile: "f.csv"},
		{Every: time.Hour},
		{Every: time.Hour, TargetsFile: "f.csv", FleetScan: scan},
		{Every: time.Hour, FleetScan: 999},
		{Every: time.Hour, TargetsFile: "f.csv", Options: "{"},
	}
	for _, b := range bad {
		if _, err := s.AddSchedule(ctx, b); err == nil {
			t.Errorf("AddSchedule(%+v) accepted", b)
		}
	}
	anchor := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, err := s.AddSchedule(ctx, Schedule{Name: "weekly", Every: 168 * time.Hour, Anchor: anchor, TargetsFile: "fleet.csv",
		WebhookURL: "https://hooks.example/p", WebhookSecret: "k"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddSchedule(ctx, Schedule{Every: time.Hour, FleetScan: scan, ExpiryDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Schedule(ctx, a)
	if err != nil || got.Name != "weekly" || got.Every != 168*time.Hour || !got.Anchor.Equal(anchor) ||
		got.ExpiryDays != DefaultExpiryDays || got.WebhookSecret != "k" || got.Options != "{}" || got.Created.IsZero() {
		t.Errorf("schedule %+v, %v", got, err)
	}
	all, err := s.Schedules(ctx)
	if err != nil || len(all) != 2 || all[1].FleetScan != scan || all[1].ExpiryDays != 30 {
		t.Errorf("schedules %+v, %v", all, err)
	}

	// A period is claimed once, whoever asks.
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 8 {
		wg.Go(func() {
			_, ok, err := s.ClaimRun(ctx, a, 3, time.Time{})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				created++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("period claimed %d times", created)
	}
	if err := s.SetRunScan(ctx, a, 3, scan); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRunAlerted(ctx, a, 3, time.Time{}); err != nil {
		t.Fatal(err)
	}
	run, ok, err := s.ClaimRun(ctx, a, 3, time.Time{})
	if err != nil || ok || run.ScanID != scan || run.Alerted.IsZero() {
		t.Errorf("claim again: %+v %v %v", run, ok, err)
	}
	if _, _, err := s.ClaimRun(ctx, 999, 0, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("claim for a missing schedule: %v", err)
	}
	if err := s.SetRunScan(ctx, a, 4, scan); !errors.Is(err, ErrNotFound) {
		t.Errorf("set scan of an unclaimed run: %v", err)
	}
	runs, err := s.Runs(ctx, a)
	if err != nil || len(runs) != 1 || runs[0].Period != 3 {
		t.Errorf("runs %+v, %v", runs, err)
	}

	if err := s.RemoveSchedule(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveSchedule(ctx, b); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
	if _, err := s.Schedule(ctx, b); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed schedule: %v", err)
	}
}

func change(key string) KeyedChange {
	b, _ := json.Marshal(map[string]string{"key": key})
	return KeyedChange{Key: key, JSON: b}
}

func TestAlertsDedup(t *testing.T) { eachDialect(t, testAlertsDedup) }

func testAlertsDedup(t *testing.T, st Store) {
	ctx := context.Background()
	s := st.(Watcher)
	scan, _ := newScan(t, st, 1)
	sched, err := s.AddSchedule(ctx, Schedule{Every: time.Hour, FleetScan: scan, WebhookURL: "https://hooks.example/"})
	if err != nil {
		t.Fatal(err)
	}
	base := Alert{ScheduleID: sched, ScanID: scan, Site: "a.example", From: "A", To: "C"}

	id1, ok, err := s.RecordAlert(ctx, base, []KeyedChange{change("a|grade|A>C|scan 1"), change("a|cert|2027")})
	if err != nil || !ok || id1 == 0 {
		t.Fatalf("first: %v %v %v", id1, ok, err)
	}
	// The same changes again: nothing.
	if id, ok, err := s.RecordAlert(ctx, base, []KeyedChange{change("a|cert|2027"), change("a|grade|A>C|scan 1")}); err != nil || ok || id != 0 {
		t.Errorf("again: %v %v %v", id, ok, err)
	}
	// One old, one new: an alert with the new one only.
	id2, ok, err := s.RecordAlert(ctx, base, []KeyedChange{change("a|cert|2027"), change("a|star||scan 2")})
	if err != nil || !ok {
		t.Fatalf("partly new: %v %v", ok, err)
	}
	a2, err := s.Alert(ctx, id2)
	if err != nil || string(a2.Changes) != `[{"key":"a|star||scan 2"}]` || a2.Status != AlertPending || a2.Created.IsZero() {
		t.Errorf("partly new alert: %+v, %v", a2, err)
	}
	if _, _, err := s.RecordAlert(ctx, base, []KeyedChange{{Key: "x", JSON: []byte("{")}}); err == nil {
		t.Error("bad change JSON accepted")
	}

	if err := s.SetAlertDelivery(ctx, id1, AlertSent, 2, time.Now(), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlertDelivery(ctx, id1, "lost", 2, time.Time{}, ""); err == nil {
		t.Error("bad status accepted")
	}
	all, err := s.Alerts(ctx, AlertFilter{})
	if err != nil || len(all) != 2 || all[0].ID != id2 || all[1].Status != AlertSent || all[1].Attempts != 2 {
		t.Errorf("alerts %+v, %v", all, err)
	}
	pending, err := s.Alerts(ctx, AlertFilter{ScanID: scan, Status: AlertPending, Limit: 5})
	if err != nil || len(pending) != 1 || pending[0].ID != id2 {
		t.Errorf("pending %+v, %v", pending, err)
	}
	// Removing the schedule keeps its alerts.
	if err := s.RemoveSchedule(ctx, sched); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Alert(ctx, id1); err != nil || a.ScheduleID != 0 {
		t.Errorf("alert after its schedule went: %+v, %v", a, err)
	}
}
