package schedule_test

import (
	"context"
	"crypto/tls"
	"database/sql"
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
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"padlock/alert"
	"padlock/fleet"
	"padlock/lab"
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
	st      *store.SQLite
	workers schedule.Workers
	client  *river.Client[*sql.Tx]
}

// start opens the store and a River client on the same SQLite file, with
// the schedule workers and a tick every second.
func start(t *testing.T, opts func(store.Schedule) (fleet.Options, error), tune func(*schedule.Workers)) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "padlock.db")
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	drv := riversqlite.New(db)
	mig, err := rivermigrate.New(drv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		t.Fatalf("river migrate: %v", err)
	}
	q := &schedule.Queue{}
	ws, err := schedule.New(st, q, opts)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(&ws)
	}
	rw := river.NewWorkers()
	if err := ws.Register(rw); err != nil {
		t.Fatal(err)
	}
	client, err := river.NewClient(drv, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           rw,
		PeriodicJobs:      []*river.PeriodicJob{schedule.PeriodicJob(time.Second)},
		FetchPollInterval: 100 * time.Millisecond,
		FetchCooldown:     50 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	q.Client = client
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client.Stop(sctx)
	})
	return &env{st: st, workers: ws, client: client}
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

// fastOptions: the TLS side only, no politeness delay, the lab CA trusted.
func fastOptions(store.Schedule) (fleet.Options, error) {
	ca, err := lab.DemoCA()
	if err != nil {
		return fleet.Options{}, err
	}
	o := fleet.Options{Rate: -1, Concurrency: 2, Retries: -1, Budget: time.Minute}
	o.Assess.PKI.ExtraRoots = append(o.Assess.PKI.ExtraRoots, ca.Root().Cert)
	return o, nil
}

// A schedule with a short interval fires by itself, period after period,
// each run an ordinary finished scan.
func TestScheduleFires(t *testing.T) {
	site := startLabSite(t, "modern")
	e := start(t, fastOptions, nil)
	ctx := context.Background()
	id, err := e.st.AddSchedule(ctx, store.Schedule{Name: "often", Every: 2 * time.Second, TargetsFile: site.targetsFile(t)})
	if err != nil {
		t.Fatal(err)
	}
	runs := waitRuns(t, e.st, id, 2, 60*time.Second)
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
	al, _ := e.st.Alerts(ctx, store.AlertFilter{})
	if len(al) != 0 {
		t.Errorf("alerts for an unchanged site: %+v", al)
	}
}

// A site made worse between two runs sends exactly one signed webhook; a
// third run with nothing new sends nothing.
func TestDeteriorationSendsOneWebhook(t *testing.T) {
	site := startLabSite(t, "modern", "legacy")
	hook := newReceiver(t, "s3cret-for-tests", 0)
	clk := newClock(time.Now())
	e := start(t, fastOptions, func(ws *schedule.Workers) {
		ws.Tick.Now, ws.Run.Now = clk.fn(), clk.fn()
	})
	ctx := context.Background()
	every := time.Hour
	id, err := e.st.AddSchedule(ctx, store.Schedule{
		Name: "weekly", Every: every, Anchor: clk.Now(), TargetsFile: site.targetsFile(t),
		WebhookURL: hook.URL + "/padlock", WebhookSecret: "s3cret-for-tests",
	})
	if err != nil {
		t.Fatal(err)
	}

	waitRuns(t, e.st, id, 1, 60*time.Second)
	site.use("legacy")
	clk.Add(every)
	runs := waitRuns(t, e.st, id, 2, 60*time.Second)
	waitFor(t, 20*time.Second, func() bool { b, _, _ := hook.accepted(); return len(b) >= 1 })

	clk.Add(every)
	runs = waitRuns(t, e.st, id, 3, 60*time.Second)
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
	al, err := e.st.Alerts(ctx, store.AlertFilter{})
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
func TestWebhookRetried(t *testing.T) {
	hook := newReceiver(t, "retry-secret", 2)
	e := start(t, fastOptions, func(ws *schedule.Workers) {
		ws.Deliver.Backoff = func(int) time.Duration { return 200 * time.Millisecond }
	})
	ctx := context.Background()
	base, err := e.st.CreateScan(ctx, store.Scan{Name: "fleet"}, []store.Target{{URL: "https://example.org/"}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.st.AddSchedule(ctx, store.Schedule{Every: 24 * time.Hour, Anchor: time.Now().Add(time.Hour),
		FleetScan: base, WebhookURL: hook.URL, WebhookSecret: "retry-secret"})
	if err != nil {
		t.Fatal(err)
	}
	aid, ok, err := e.st.RecordAlert(ctx, store.Alert{ScheduleID: id, ScanID: base, Site: "example.org", From: "A", To: "F"},
		[]store.KeyedChange{{Key: "example.org|grade-down|A>F|test", JSON: json.RawMessage(`{"kind":"grade-down","summary":"grade A → F","key":"example.org|grade-down|A>F|test"}`)}})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, err := e.client.Insert(ctx, alert.DeliverArgs{Alert: aid}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { b, _, _ := hook.accepted(); return len(b) == 1 })
	_, requests, bad := hook.accepted()
	if requests != 3 || len(bad) != 0 {
		t.Errorf("%d requests (want 3: two refused, one accepted), bad signatures %v", requests, bad)
	}
	waitFor(t, 5*time.Second, func() bool { a, _ := e.st.Alert(ctx, aid); return a.Status == store.AlertSent })
	a, _ := e.st.Alert(ctx, aid)
	if a.Attempts != 3 || a.LastError != "" || a.Sent.IsZero() {
		t.Errorf("alert after delivery: %+v", a)
	}
	// A second job for the same alert is not inserted (unique by alert).
	res, err := e.client.Insert(ctx, alert.DeliverArgs{Alert: aid}, nil)
	if err != nil || !res.UniqueSkippedAsDuplicate {
		t.Errorf("second delivery job: %+v, %v", res, err)
	}
}

var logOut io.Writer = os.Stderr
