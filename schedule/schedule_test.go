package schedule_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"padlock/alert"
	"padlock/fleet"
	"padlock/lab"
	"padlock/lab/peer"
	"padlock/queue"
	"padlock/schedule"
	"padlock/store"
)

// receiver is a real webhook endpoint on loopback: it checks each
// request's signature and keeps the bodies. It answers 500 to the first
// failFirst requests.
type receiver struct {
	*httptest.Server
	secret    []byte
	failFirst int

	mu       sync.Mutex
	requests int
	bodies   [][]byte // accepted (2xx) bodies
	badSigs  []string
}

func newReceiver(t *testing.T, secret string, failFirst int) *receiver {
	r := &receiver{secret: []byte(secret), failFirst: failFirst}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests++
		if err != nil || req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := alert.Verify(r.secret, req.Header.Get(alert.SignatureHeader), body, time.Now(), 0); err != nil {
			r.badSigs = append(r.badSigs, err.Error())
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if r.requests <= r.failFirst {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		r.bodies = append(r.bodies, body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) accepted() ([][]byte, int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...), r.requests, append([]string(nil), r.badSigs...)
}

// clock is a settable time for the schedule workers (the periods), so a
// test decides when the next period begins.
type clock struct{ t atomic.Int64 }

func (c *clock) Now() time.Time       { return time.UnixMilli(c.t.Load()) }
func (c *clock) Set(t time.Time)      { c.t.Store(t.UnixMilli()) }
func (c *clock) Add(d time.Duration)  { c.t.Add(d.Milliseconds()) }
func newClock(t time.Time) *clock     { c := &clock{}; c.Set(t); return c }
func (c *clock) fn() func() time.Time { return c.Now }

type env struct {
	st    store.Store
	watch store.Watcher
	q     *queue.Queue
	opts  string // the schedules' scan settings (JSON)
}

// dialects runs test on SQLite and on a real PostgreSQL (skipped without
// it, failed in CI); newDB makes a new empty database and returns what
// store.Open takes.
func dialects(t *testing.T, test func(t *testing.T, newDB func(t *testing.T) string)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t *testing.T) string { return filepath.Join(t.TempDir(), "padlock.db") })
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, func(t *testing.T) string { return peer.Postgres(t).NewDatabase() })
	})
}

func openDB(t *testing.T, dsn string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// start works the queue of st with the scan jobs and the schedule and
// alert jobs, a tick every second.
func start(t *testing.T, st store.Store, o schedule.Options) *env {
	t.Helper()
	ctx := context.Background()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile, err := ca.Root().WriteRootPEM(t.TempDir(), "root")
	if err != nil {
		t.Fatal(err)
	}
	// The schedules' settings: the TLS side only, no politeness delay,
	// the lab CA trusted.
	settings, err := json.Marshal(fleet.SettingsOf(fleet.Options{Rate: -1, Concurrency: 2, Retries: -1, Budget: time.Minute, CAFile: caFile}))
	if err != nil {
		t.Fatal(err)
	}
	base := fleet.Options{Local: true}
	o.Base = base
	if o.Tick == 0 {
		o.Tick = time.Second
	}
	if o.Poll == 0 {
		o.Poll = 200 * time.Millisecond
	}
	q, err := queue.Open(ctx, st, queue.Options{
		Work:         true,
		Concurrency:  4,
		Register:     []queue.Registrar{fleet.Register(base), schedule.Register(o)},
		PollInterval: 100 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
	})
	return &env{st: st, watch: st.(store.Watcher), q: q, opts: string(settings)}
}

// waitRuns waits until schedule id has n runs with their alerts made.
func waitRuns(t *testing.T, st store.Watcher, id store.ScheduleID, n int, within time.Duration) []store.Run {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		runs, err := st.Runs(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, r := range runs {
			if !r.Alerted.IsZero() {
				done++
			}
		}
		if done >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d runs alerted of %d wanted: %+v", within, done, n, runs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// labSite serves one lab demo configuration on loopback and can switch to
// another between scans.
type labSite struct {
	srv *lab.GoServer
	cfg atomic.Pointer[tls.Config]
	all map[string]*tls.Config
}

func startLabSite(t *testing.T, names ...string) *labSite {
	t.Helper()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	s := &labSite{all: map[string]*tls.Config{}}
	for _, spec := range lab.DemoServers() {
		for _, n := range names {
			if spec.Name == n {
				cfg, err := spec.Build(ca)
				if err != nil {
					t.Fatal(err)
				}
				s.all[n] = cfg
			}
		}
	}
	if len(s.all) != len(names) {
		t.Fatalf("lab demo servers: found %d of %v", len(s.all), names)
	}
	s.cfg.Store(s.all[names[0]])
	s.srv, err = lab.StartGo(context.Background(), "schedule test", &tls.Config{
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return s.cfg.Load(), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *labSite) use(name string) { s.cfg.Store(s.all[name]) }

func (s *labSite) targetsFile(t *testing.T) string {
	t.Helper()
	csv := fmt.Sprintf("organisation,url,ip\nLab,https://localhost:%d/,%s\n", s.srv.Port, s.srv.Host)
	file := filepath.Join(t.TempDir(), "targets.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// A schedule with a short interval fires by itself, period after period,
// each run an ordinary finished scan.
func TestScheduleFires(t *testing.T) { dialects(t, testScheduleFires) }

func testScheduleFires(t *testing.T, newDB func(*testing.T) string) {
	site := startLabSite(t, "modern")
	e := start(t, openDB(t, newDB(t)), schedule.Options{})
	ctx := context.Background()
	id, err := e.watch.AddSchedule(ctx, store.Schedule{Name: "often", Every: 2 * time.Second, TargetsFile: site.targetsFile(t), Options: e.opts})
	if err != nil {
		t.Fatal(err)
	}
	runs := waitRuns(t, e.watch, id, 2, 60*time.Second)
	seen := map[int64]bool{}
	for _, r := range runs {
		if seen[r.Period] {
			t.Errorf("period %d ran twice", r.Period)
		}
		seen[r.Period] = true
		if r.Alerted.IsZero() {
			continue
		}
		sc, err := e.st.Scan(ctx, r.ScanID)
		if err != nil || sc.Status != store.StatusFinished || sc.Counts.Done != 1 {
			t.Errorf("run %d: scan %+v, %v", r.Period, sc, err)
		}
		as, _ := e.st.Assessments(ctx, r.ScanID)
		if len(as) != 1 || as[0].Grade != "A" {
			t.Errorf("run %d: assessments %+v", r.Period, as)
		}
	}
	scans, _ := e.st.Scans(ctx)
	if len(scans) != len(runs) {
		t.Errorf("%d scans for %d runs", len(scans), len(runs))
	}
	al, _ := e.watch.Alerts(ctx, store.AlertFilter{})
	if len(al) != 0 {
		t.Errorf("alerts for an unchanged site: %+v", al)
	}
}

// A site made worse between two runs sends exactly one signed webhook; a
// third run with nothing new sends nothing.
// Two processes running schedules on one database (two River clients, two
// store handles) start each period's run once.
func TestTwoSchedulers(t *testing.T) { dialects(t, testTwoSchedulers) }

func testTwoSchedulers(t *testing.T, newDB func(*testing.T) string) {
	site := startLabSite(t, "modern")
	dsn := newDB(t)
	a := start(t, openDB(t, dsn), schedule.Options{})
	b := start(t, openDB(t, dsn), schedule.Options{})
	ctx := context.Background()
	id, err := a.watch.AddSchedule(ctx, store.Schedule{Name: "twice?", Every: 2 * time.Second, TargetsFile: site.targetsFile(t), Options: a.opts})
	if err != nil {
		t.Fatal(err)
	}
	runs := waitRuns(t, b.watch, id, 3, 90*time.Second)
	scans, err := b.st.Scans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[store.ScanID]bool{}
	for _, r := range runs {
		if r.ScanID != 0 && seen[r.ScanID] {
			t.Errorf("scan %d belongs to two runs", r.ScanID)
		}
		seen[r.ScanID] = true
	}
	// Every scan is one run's (a run still starting may have none yet).
	if len(scans) > len(runs) {
		t.Errorf("%d scans for %d runs: a period ran twice", len(scans), len(runs))
	}
	t.Logf("%d runs, %d scans, by two schedulers", len(runs), len(scans))

	// A period's run job inserted again (River forgets completed jobs after
	// a day) finds the period claimed and starts nothing.
	if err := b.q.Insert(ctx, river.InsertManyParams{Args: schedule.RunArgs{Schedule: id, Period: runs[0].Period},
		InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Second}}}); err != nil { // not the same unique key: River inserts it
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	a.q.Stop(ctx)
	b.q.Stop(ctx)
	again, _ := b.watch.Runs(ctx, id)
	if r := again[0]; r.Period != runs[0].Period || r.ScanID != runs[0].ScanID {
		t.Errorf("period %d rerun: %+v, was %+v", runs[0].Period, r, runs[0])
	}
	after, _ := b.st.Scans(ctx)
	withScan := 0
	for _, r := range again {
		if r.ScanID != 0 {
			withScan++
		}
	}
	if len(after) != withScan {
		t.Errorf("%d scans for %d runs with a scan", len(after), withScan)
	}
}

func TestDeteriorationSendsOneWebhook(t *testing.T) { dialects(t, testDeterioration) }

func testDeterioration(t *testing.T, newDB func(*testing.T) string) {
	site := startLabSite(t, "modern", "legacy")
	hook := newReceiver(t, "s3cret-for-tests", 0)
	clk := newClock(time.Now())
	e := start(t, openDB(t, newDB(t)), schedule.Options{Now: clk.fn()})
	ctx := context.Background()
	every := time.Hour
	id, err := e.watch.AddSchedule(ctx, store.Schedule{
		Name: "weekly", Every: every, Anchor: clk.Now(), TargetsFile: site.targetsFile(t), Options: e.opts,
		WebhookURL: hook.URL + "/padlock", WebhookSecret: "s3cret-for-tests",
	})
	if err != nil {
		t.Fatal(err)
	}

	waitRuns(t, e.watch, id, 1, 60*time.Second)
	site.use("legacy")
	due := time.Now()
	clk.Add(every)
	waitRuns(t, e.watch, id, 2, 60*time.Second)
	waitFor(t, 20*time.Second, func() bool { b, _, _ := hook.accepted(); return len(b) >= 1 })
	t.Logf("from the period's start to the webhook received: %s (tick every second, one loopback site)", time.Since(due).Round(10*time.Millisecond))

	clk.Add(every)
	runs := waitRuns(t, e.watch, id, 3, 60*time.Second)
	time.Sleep(time.Second) // a webhook that should not come has its chance

	bodies, requests, bad := hook.accepted()
	if len(bodies) != 1 || requests != 1 || len(bad) != 0 {
		t.Fatalf("webhook: %d accepted of %d requests, bad signatures %v; want exactly 1", len(bodies), requests, bad)
	}
	var p alert.Payload
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	var changes []alert.Change
	json.Unmarshal(p.Changes, &changes)
	t.Logf("webhook: %s", bodies[0])
	if p.Type != alert.PayloadType || p.Schedule.ID != int64(id) || p.Scan != int64(runs[1].ScanID) ||
		p.PreviousScan != int64(runs[0].ScanID) || p.From != "A" || p.To == "A" || len(changes) == 0 || changes[0].Kind != alert.GradeDown {
		t.Errorf("payload %+v, changes %+v", p, changes)
	}
	al, err := e.watch.Alerts(ctx, store.AlertFilter{})
	if err != nil || len(al) != 1 || al[0].Status != store.AlertSent || al[0].Attempts != 1 {
		t.Errorf("stored alerts %+v, %v", al, err)
	}
}

func waitFor(t *testing.T, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not done after %s", within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A webhook that fails is retried with back-off until it answers 2xx, with
// the same body; every attempt is signed.
func TestWebhookRetried(t *testing.T) { dialects(t, testWebhookRetried) }

func testWebhookRetried(t *testing.T, newDB func(*testing.T) string) {
	hook := newReceiver(t, "retry-secret", 2)
	o := schedule.Options{}
	o.Deliver.Backoff = func(int) time.Duration { return 200 * time.Millisecond }
	e := start(t, openDB(t, newDB(t)), o)
	ctx := context.Background()
	base, err := e.st.CreateScan(ctx, store.Scan{Name: "fleet"}, []store.Target{{URL: "https://example.org/"}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.watch.AddSchedule(ctx, store.Schedule{Every: 24 * time.Hour, Anchor: time.Now().Add(time.Hour),
		FleetScan: base, WebhookURL: hook.URL, WebhookSecret: "retry-secret"})
	if err != nil {
		t.Fatal(err)
	}
	aid, ok, err := e.watch.RecordAlert(ctx, store.Alert{ScheduleID: id, ScanID: base, Site: "example.org", From: "A", To: "F"},
		[]store.KeyedChange{{Key: "example.org|grade-down|A>F|test", JSON: json.RawMessage(`{"kind":"grade-down","summary":"grade A → F","key":"example.org|grade-down|A>F|test"}`)}})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := e.q.Insert(ctx, river.InsertManyParams{Args: alert.DeliverArgs{Alert: aid}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { b, _, _ := hook.accepted(); return len(b) == 1 })
	_, requests, bad := hook.accepted()
	if requests != 3 || len(bad) != 0 {
		t.Errorf("%d requests (want 3: two refused, one accepted), bad signatures %v", requests, bad)
	}
	waitFor(t, 5*time.Second, func() bool { a, _ := e.watch.Alert(ctx, aid); return a.Status == store.AlertSent })
	a, _ := e.watch.Alert(ctx, aid)
	if a.Attempts != 3 || a.LastError != "" || a.Sent.IsZero() {
		t.Errorf("alert after delivery: %+v", a)
	}
	// Another job for the same alert is not inserted (unique by alert), and
	// a delivered alert is not sent again.
	if err := e.q.Insert(ctx, river.InsertManyParams{Args: alert.DeliverArgs{Alert: aid}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if _, n, _ := hook.accepted(); n != 3 {
		t.Errorf("%d requests after a second job for the same alert, want still 3", n)
	}
}

var logOut io.Writer = os.Stderr
