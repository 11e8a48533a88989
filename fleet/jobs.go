package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"runtime/debug"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"padlock/assess"
	"padlock/queue"
	"padlock/store"
)

// Job kinds.
const (
	// KindScan assesses the targets of one scan that share an endpoint.
	KindScan = "padlock.scan"
	// KindFinish ends a scan whose targets are all assessed: fleet-wide
	// DROWN (MarkDROWN), then the scan is marked finished.
	KindFinish = "padlock.scan.finish"
	// KindSweep finishes the scans whose targets are all saved but whose
	// finish job was lost (queued while the database was away); a
	// periodic job, run by the River leader among the workers.
	KindSweep = "padlock.scan.sweep"
)

// SweepEvery is how often the leader sweeps for scans to finish.
const SweepEvery = 15 * time.Second

// spareAttempts are the River attempts beyond 1+Retries a scan job gets,
// for the runs lost to a worker that died while holding it.
const spareAttempts = 3

// ScanJob is the River job of the targets of one scan that share an
// endpoint (host, ports, pinned addresses): they are assessed once, and
// each gets its own stored assessment. The targets travel in the job, so
// a worker needs no other read to start.
type ScanJob struct {
	Scan    store.ScanID   `json:"scan"`
	Targets []store.Target `json:"targets"`
	// Retries is the scan's Options.Retries (negative: none).
	Retries int `json:"retries"`
}

// Kind implements river.JobArgs.
func (ScanJob) Kind() string { return KindScan }

// InsertOpts implements river.JobArgsWithInsertOpts: the scans queue, and
// one live job per (scan, targets), so that two processes resuming a scan
// at once insert its missing jobs once.
func (j ScanJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       queue.Scans,
		MaxAttempts: 1 + max(j.Retries, 0) + spareAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// FinishJob ends a scan (KindFinish).
type FinishJob struct {
	Scan store.ScanID `json:"scan"`
}

// Kind implements river.JobArgs.
func (FinishJob) Kind() string { return KindFinish }

// InsertOpts implements river.JobArgsWithInsertOpts: once per scan.
func (FinishJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Scans, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SweepJob is the periodic KindSweep job.
type SweepJob struct{}

// Kind implements river.JobArgs.
func (SweepJob) Kind() string { return KindSweep }

// InsertOpts implements river.JobArgsWithInsertOpts: one per period.
func (SweepJob) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue.Scans, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepJob]
}

// Work implements river.Worker.
func (sweepWorker) Work(ctx context.Context, _ *river.Job[SweepJob]) error {
	st := storeOf(ctx)
	scans, err := st.Scans(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range scans {
		if sc.Status != store.StatusFinished && sc.Counts.Total > 0 && sc.Counts.Done >= sc.Counts.Total {
			if err := finishScan(ctx, st, sc.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// CreateScan stores a new scan of targets with o's settings and its jobs
// (one per endpoint), in one transaction; workers (Run, padlock worker)
// then assess it.
func CreateScan(ctx context.Context, st store.Store, name, file string, targets []Target, o Options) (store.ScanID, error) {
	q, err := queue.Open(ctx, st, queue.Options{})
	if err != nil {
		return 0, err
	}
	return CreateScanIn(ctx, q, name, file, targets, o)
}

// CreateScanIn is CreateScan on an open queue.
func CreateScanIn(ctx context.Context, q *queue.Queue, name, file string, targets []Target, o Options) (store.ScanID, error) {
	settings, err := json.Marshal(SettingsOf(o))
	if err != nil {
		return 0, err
	}
	o = o.withDefaults()
	sc := store.Scan{Name: name, TargetsFile: file, Started: time.Now(), Options: string(settings)}
	return q.CreateScan(ctx, sc, ToStore(targets), func(id store.ScanID, stored []store.Target) []river.InsertManyParams {
		return jobsOf(id, stored, o.Retries)
	})
}

// jobsOf groups a scan's targets into jobs by EndpointKey, in the order
// of their first target. A target whose stored row cannot be read back
// gets a job of its own (it is stored as not assessable).
func jobsOf(id store.ScanID, targets []store.Target, retries int) []river.InsertManyParams {
	var (
		jobs  []*ScanJob
		byKey = map[string]*ScanJob{}
	)
	for _, st := range targets {
		t, err := FromStore(st)
		if err != nil {
			jobs = append(jobs, &ScanJob{Scan: id, Targets: []store.Target{st}, Retries: retries})
			continue
		}
		k := t.EndpointKey()
		if j := byKey[k]; j != nil {
			j.Targets = append(j.Targets, st)
			continue
		}
		j := &ScanJob{Scan: id, Targets: []store.Target{st}, Retries: retries}
		byKey[k] = j
		jobs = append(jobs, j)
	}
	out := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		out[i] = river.InsertManyParams{Args: *j}
	}
	return out
}

// Enqueue makes sure every target of scan id still to assess has a live
// job (inserting the missing ones: a job given up after its last attempt,
// or a scan stored before the queue), and a finish job when none is left.
// Two processes enqueueing at once insert each job once. It returns how
// many targets got a new job.
func Enqueue(ctx context.Context, q *queue.Queue, id store.ScanID, retries int) (int, error) {
	st := q.Store()
	pending, err := st.Pending(ctx, id)
	if err != nil {
		return 0, err
	}
	if len(pending) == 0 {
		return 0, q.Insert(ctx, river.InsertManyParams{Args: FinishJob{Scan: id}})
	}
	live, err := q.LiveJobs(ctx, id)
	if err != nil {
		return 0, err
	}
	covered := map[int64]bool{}
	for _, raw := range live {
		var j ScanJob
		if json.Unmarshal(raw, &j) == nil {
			for _, t := range j.Targets {
				covered[t.ID] = true
			}
		}
	}
	var missing []store.Target
	for _, t := range pending {
		if !covered[t.ID] {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	return len(missing), q.Insert(ctx, jobsOf(id, missing, retries)...)
}

// Register returns the registrar of the scan job kinds for queue.Open:
// jobs run with base (the process's own options: resolver, dialer,
// assessment options, observer) and each scan's recorded settings.
func Register(base Options) queue.Registrar {
	return func(w *river.Workers, cfg *river.Config) error {
		return newWorker(base).registrar()(w, cfg)
	}
}

// assessFunc assesses one target (a variable so that a test can make a
// job panic).
var assessFunc = assess.Assess

// worker runs scan jobs.
type worker struct {
	river.WorkerDefaults[ScanJob]
	base Options

	mu        sync.Mutex
	scans     map[store.ScanID]*scanRun
	polite    map[[2]float64]*Politeness
	finishing map[store.ScanID]*sync.Mutex
}

// scanRun is what a worker knows of one scan.
type scanRun struct {
	opts Options
	err  error
	sum  Summary
}

func newWorker(base Options) *worker {
	return &worker{base: base, scans: map[store.ScanID]*scanRun{}, polite: map[[2]float64]*Politeness{}, finishing: map[store.ScanID]*sync.Mutex{}}
}

// NextRetry implements river.Worker: the scan's back-off (Backoff,
// doubled each time, ±25%).
func (w *worker) NextRetry(job *river.Job[ScanJob]) time.Time {
	base := DefaultBackoff
	w.mu.Lock()
	if r := w.scans[job.Args.Scan]; r != nil && r.opts.Backoff > 0 {
		base = r.opts.Backoff
	}
	w.mu.Unlock()
	return time.Now().Add(backoff(base, max(job.Attempt, 1)))
}

// Timeout implements river.Worker: none from River; the job applies its
// scan's budget itself.
func (w *worker) Timeout(*river.Job[ScanJob]) time.Duration { return -1 }

// run returns the options scan id runs with in this process (read once
// from its settings).
func (w *worker) run(ctx context.Context, st store.Store, id store.ScanID) (*scanRun, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.scans[id]; r != nil && r.err == nil {
		return r, nil
	}
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return nil, err // the database may be back for the next attempt
	}
	r := &scanRun{}
	var s Settings
	if err := json.Unmarshal([]byte(sc.Options), &s); err != nil {
		r.err = fmt.Errorf("scan %d: its stored settings: %v", id, err)
	} else {
		r.opts, r.err = s.Apply(w.base)
	}
	o := r.opts
	if w.base.Politeness == nil {
		o.Politeness = w.politenessLocked(st, o.PerIP, o.Rate)
	}
	r.opts = o.withDefaults()
	w.scans[id] = r
	return r, nil
}

// politenessLocked returns the process's Politeness for one pair of
// limits, sharing them through the database unless Options.Local.
func (w *worker) politenessLocked(st store.Store, perIP int, rate float64) *Politeness {
	k := [2]float64{float64(perIP), rate}
	if p := w.polite[k]; p != nil {
		return p
	}
	p := NewPoliteness(perIP, rate)
	if !w.base.Local {
		p.Share(st)
	}
	w.polite[k] = p
	return p
}

// Work implements river.Worker: assess the job's targets once, store an
// assessment for each, and ask for the scan to be finished when it was
// the last. An inconclusive result is returned as an error while
// retries are left, so that River runs the job again after the back-off.
func (w *worker) Work(ctx context.Context, job *river.Job[ScanJob]) (err error) {
	st := storeOf(ctx)
	a := job.Args
	if len(a.Targets) == 0 {
		return nil
	}
	r, err := w.run(ctx, st, a.Scan)
	if err != nil {
		return err
	}
	if job.Attempt > 1 {
		// Run again: after a retry, or because its worker died between
		// saving and completing it. What is saved stays as it is.
		ids := make([]int64, len(a.Targets))
		for i, t := range a.Targets {
			ids[i] = t.ID
		}
		done, err := st.Assessed(ctx, a.Scan, ids)
		if err != nil {
			return err
		}
		if len(done) == len(ids) {
			w.afterSave(ctx, st, a.Scan)
			return nil
		}
	}
	opts := r.opts
	began := time.Now()
	targets := make([]Target, len(a.Targets))
	var bad error
	for i, s := range a.Targets {
		t, err := FromStore(s)
		if err != nil {
			bad = err
			t = Target{Line: s.Line, Organisation: s.Organisation, URL: s.URL}
		}
		targets[i] = t
	}
	var res *Result
	switch {
	case r.err != nil && job.Attempt < job.MaxAttempts:
		// This worker cannot run the scan as recorded (its CA file is
		// not here, say); another worker, or a later attempt, may.
		return r.err
	case r.err != nil:
		res = &Result{Schema: ResultSchema, Target: targets[0], Error: r.err.Error()}
	case bad != nil:
		res = &Result{Schema: ResultSchema, Target: targets[0], Error: "the stored target cannot be read: " + bad.Error()}
	default:
		opts.Observer.TargetStarted(targets)
		dbErrs := opts.Politeness.SharedErrors()
		var panicked error
		res, panicked = w.assess(ctx, targets[0], opts, job.Attempt)
		if panicked != nil {
			// Recorded as failed for its targets, with the reason; the
			// scan goes on and the job is cancelled (not retried).
			res = &Result{Schema: ResultSchema, Target: targets[0], Attempts: job.Attempt, Error: panicked.Error()}
			if err := w.save(ctx, st, job, targets, res, began, opts); err != nil {
				return err
			}
			w.count(a.Scan, func(s *Summary) { s.Failed++ })
			w.afterSave(ctx, st, a.Scan)
			return river.JobCancel(panicked)
		}
		if ctx.Err() != nil {
			opts.Observer.TargetAbandoned(targets)
			return fmt.Errorf("stopped before the assessment ended: %w", ctx.Err())
		}
		if res.Host.PadlockSite.Grade == "" && res.Host.StatusMessage != assess.MsgInvalidTarget &&
			job.Attempt < 1+max(opts.Retries, 0) && job.Attempt < job.MaxAttempts {
			opts.Observer.TargetAbandoned(targets)
			return fmt.Errorf("inconclusive (attempt %d, retried): %s", job.Attempt, res.Site().Inconclusive)
		}
		if res.Host.PadlockSite.Grade == "" && opts.Politeness.SharedErrors() > dbErrs && job.Attempt < job.MaxAttempts {
			// The database was unreachable while connecting: not the
			// site's fault; try again rather than store it.
			opts.Observer.TargetAbandoned(targets)
			return fmt.Errorf("inconclusive while the database was unreachable: %s", res.Site().Inconclusive)
		}
	}
	if err := w.save(ctx, st, job, targets, res, began, opts); err != nil {
		return err
	}
	w.count(a.Scan, func(s *Summary) {
		if res.Host != nil {
			s.Assessments++
			s.Retries += max(job.Attempt-1, 0)
		}
	})
	w.afterSave(ctx, st, a.Scan)
	return nil
}

// assess runs one attempt at t within the scan's budget; a panic in the
// assessment comes back as an error.
func (w *worker) assess(ctx context.Context, t Target, opts Options, attempt int) (res *Result, panicked error) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("assessment panicked", "url", t.URL, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			res, panicked = nil, fmt.Errorf("the assessment failed: panic: %v", v)
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, opts.Budget)
	defer cancel()
	h := assessFunc(tctx, t.AssessTarget(), assessOptions(t, opts.Budget, opts))
	return &Result{Schema: ResultSchema, Target: t, Host: h, Attempts: attempt}, nil
}

// save stores the result for every target of the job, each with its own
// target. A finished result is never dropped because the database is
// away: saving is retried (with back-off, up to 30 s apart) until it
// works or the job is cancelled (a hard stop).
func (w *worker) save(ctx context.Context, st store.Store, job *river.Job[ScanJob], targets []Target, res *Result, began time.Time, opts Options) error {
	for i, t := range targets {
		r := *res
		r.Target = t
		r.SharedWith = nil
		for k, o := range targets {
			if k != i {
				r.SharedWith = append(r.SharedWith, o.Line)
			}
		}
		a, err := r.assessment(job.Args.Scan, job.Args.Targets[i].ID, began)
		if err != nil {
			return err
		}
		wait := 500 * time.Millisecond
		for {
			err := st.SaveAssessment(context.WithoutCancel(ctx), a)
			if err == nil {
				break
			}
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrResultTooLarge) {
				return river.JobCancel(fmt.Errorf("saving %s (line %d): %w", t.URL, t.Line, err))
			}
			slog.Warn("saving an assessment failed; retrying", "url", t.URL, "scan", job.Args.Scan, "err", err, "in", wait)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return fmt.Errorf("saving %s (line %d), stopped: %w", t.URL, t.Line, err)
			}
			wait = min(wait*2, 30*time.Second)
		}
		w.count(job.Args.Scan, func(s *Summary) {
			s.Assessed++
			if a.Grade == "" {
				s.Inconclusive++
			}
		})
		opts.Observer.TargetDone(t, a, job.Attempt)
	}
	return nil
}

// count updates this process's summary of a scan.
func (w *worker) count(id store.ScanID, f func(*Summary)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.scans[id]
	if r == nil {
		r = &scanRun{}
		w.scans[id] = r
	}
	f(&r.sum)
}

// summary returns this process's summary of a scan so far.
func (w *worker) summary(id store.ScanID) Summary {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := w.scans[id]; r != nil {
		return r.sum
	}
	return Summary{}
}

// afterSave queues the scan's finish job when no target is left.
func (w *worker) afterSave(ctx context.Context, st store.Store, id store.ScanID) {
	left, err := st.Remaining(context.WithoutCancel(ctx), id)
	if err != nil || left > 0 {
		return
	}
	if q := queueOf(ctx); q != nil {
		if err := q.Insert(context.WithoutCancel(ctx), river.InsertManyParams{Args: FinishJob{Scan: id}}); err != nil {
			slog.Warn("queueing the end of a scan failed", "scan", id, "err", err)
		}
	}
}

// finishWorker runs KindFinish jobs.
type finishWorker struct {
	river.WorkerDefaults[FinishJob]
	w *worker
}

// Work implements river.Worker.
func (f *finishWorker) Work(ctx context.Context, job *river.Job[FinishJob]) error {
	_, err := f.w.finish(ctx, storeOf(ctx), job.Args.Scan, true)
	return err
}

// finish runs finishScan for a scan once at a time in this process (Run
// helps the finish job along; the DROWN lookup is not worth doing twice
// at once). With wait false it returns at once (false) when the scan is
// being finished already.
func (w *worker) finish(ctx context.Context, st store.Store, id store.ScanID, wait bool) (bool, error) {
	w.mu.Lock()
	m := w.finishing[id]
	if m == nil {
		m = &sync.Mutex{}
		w.finishing[id] = m
	}
	w.mu.Unlock()
	if wait {
		m.Lock()
	} else if !m.TryLock() {
		return false, nil
	}
	defer m.Unlock()
	return true, finishScan(ctx, st, id)
}

// finishScan marks a scan whose targets are all assessed finished, after
// the fleet-wide DROWN lookup. Running it twice does no harm.
func finishScan(ctx context.Context, st store.Store, id store.ScanID) error {
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return err
	}
	if sc.Status == store.StatusFinished {
		return nil
	}
	if sc.Counts.Done < sc.Counts.Total {
		return fmt.Errorf("scan %d has %d targets left", id, sc.Counts.Total-sc.Counts.Done)
	}
	if _, err := MarkDROWN(ctx, st, id); err != nil {
		return err
	}
	return st.SetScanStatus(ctx, id, store.StatusFinished, time.Now())
}

// backoff is the wait before retry n (1-based): base·2^(n-1), ±25%.
func backoff(base time.Duration, n int) time.Duration {
	d := base << (n - 1)
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

// assessOptions are the options of one attempt at t with remaining time.
func assessOptions(t Target, remaining time.Duration, opts Options) assess.Options {
	ao := opts.Assess
	if opts.Resolver != nil {
		ao.Resolver = opts.Resolver
	}
	if remaining < time.Second {
		remaining = time.Second
	}
	// The per-connection timeout is applied by the politeness layer from
	// the moment a connection has its slot; the prober's own may then be
	// as long as the budget, so that queueing at a busy address is not
	// mistaken for a slow server.
	ao.Probe.Timeout = remaining
	ao.Probe.Budget = remaining
	if ao.Probe.Concurrency <= 0 || ao.Probe.Concurrency > opts.Politeness.PerIP() {
		ao.Probe.Concurrency = min(4, opts.Politeness.PerIP())
	}
	ao.Probe.Dial = opts.Politeness.Dial(DialOptions{Base: opts.Dial, ConnTimeout: opts.Timeout, Resolver: opts.Resolver})
	if opts.Web != nil {
		w := *opts.Web
		pins := map[string][]netip.Addr{}
		if len(t.Pin) > 0 {
			pins[t.Host] = t.Pin
		}
		w.Dial = opts.Politeness.Dial(DialOptions{Base: opts.Dial, Pins: pins, Resolver: opts.Resolver})
		ao.Web = &w
	}
	return ao
}

// storeOf is the store of the job whose context ctx is.
func storeOf(ctx context.Context) store.Store {
	if q := queue.FromContext(ctx); q != nil {
		return q.Store()
	}
	panic("fleet: a scan job outside a padlock queue")
}

// queueOf is the queue of the job whose context ctx is.
func queueOf(ctx context.Context) *queue.Queue { return queue.FromContext(ctx) }
