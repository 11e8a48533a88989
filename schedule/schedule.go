// Package schedule runs recurring fleet scans (weekly, daily...) as River
// jobs, and makes the alerts of each run (package alert).
//
// # Periods
//
// A schedule (store.Schedule) counts periods from its anchor: period n
// starts at Anchor + n×Every. Its run for a period is an ordinary scan of
// the fleet, kept in the history like any other, named "<schedule name>
// #<period>". When padlock was not running for a while, only the current
// period runs on return: missed periods are not caught up.
//
// # Jobs
//
// A River periodic job (TickArgs, every minute by default) is enqueued by
// the leader of the River clients sharing the database, whatever the number
// of `padlock serve` and `padlock worker` processes. Its worker looks at
// every schedule and inserts a RunArgs job for the current period of those
// that have not run it, unique by (schedule, period). RunWorker claims the
// period in the store (store.Watcher.ClaimRun: one row per schedule and
// period), creates the scan, runs it, compares it with the schedule's
// previous finished run (alert.Check) and enqueues one alert.DeliverArgs
// job per new alert. So two schedulers never start the same run twice: the
// leader election keeps one enqueuer, the unique job keeps one job per
// period, and the claimed row keeps one scan per period even if the job is
// inserted again later. A run job that stops half-way (the process killed)
// is retried by River and resumes its scan rather than starting another.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"padlock/alert"
	"padlock/fleet"
	"padlock/store"
)

// DefaultTick is how often the schedules are looked at.
const DefaultTick = time.Minute

// Period returns the period of sc that now falls in (-1 before the anchor).
func Period(sc store.Schedule, now time.Time) int64 {
	if sc.Every <= 0 || now.Before(sc.Anchor) {
		return -1
	}
	return int64(now.Sub(sc.Anchor) / sc.Every)
}

// PeriodStart is when period n of sc starts.
func PeriodStart(sc store.Schedule, n int64) time.Time {
	return sc.Anchor.Add(time.Duration(n) * sc.Every)
}

// Inserter inserts River jobs: a *river.Client of any driver.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Queue is where the workers insert the jobs they start. Client is set once
// the River client exists (the workers are registered before it is made).
type Queue struct {
	Client Inserter
}

func (q *Queue) insert(ctx context.Context, args river.JobArgs) error {
	if q == nil || q.Client == nil {
		return errors.New("schedule: no River client to insert jobs with")
	}
	_, err := q.Client.Insert(ctx, args, nil)
	return err
}

// TickArgs is the periodic job that starts due runs.
type TickArgs struct{}

// Kind is the River job kind.
func (TickArgs) Kind() string { return "padlock_schedule_tick" }

// InsertOpts: a tick is worth nothing late, and one waiting is enough.
func (TickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// PeriodicJob is the tick as a River periodic job, every d (0: DefaultTick;
// River wants at least a second), also run when the leader starts.
func PeriodicJob(d time.Duration) *river.PeriodicJob {
	if d <= 0 {
		d = DefaultTick
	}
	return river.NewPeriodicJob(river.PeriodicInterval(d),
		func() (river.JobArgs, *river.InsertOpts) { return TickArgs{}, nil },
		&river.PeriodicJobOpts{ID: "padlock_schedule_tick", RunOnStart: true})
}

// TickWorker inserts the run of every schedule whose current period has
// not run.
type TickWorker struct {
	river.WorkerDefaults[TickArgs]
	Store store.Watcher
	Queue *Queue
	Now   func() time.Time // nil: time.Now
}

// Work inserts the due runs.
func (w *TickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	scheds, err := w.Store.Schedules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range scheds {
		p := Period(sc, now)
		if p < 0 {
			continue
		}
		runs, err := w.Store.Runs(ctx, sc.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].Period >= p {
			continue
		}
		if err := w.Queue.insert(ctx, RunArgs{Schedule: sc.ID, Period: p}); err != nil {
			errs = append(errs, fmt.Errorf("schedule %d: insert run %d: %w", sc.ID, p, err))
		}
	}
	return errors.Join(errs...)
}

// RunArgs is one run of a schedule: the scan of one period and its alerts.
type RunArgs struct {
	Schedule store.ScheduleID `json:"schedule"`
	Period   int64            `json:"period"`
}

// Kind is the River job kind.
func (RunArgs) Kind() string { return "padlock_schedule_run" }

// InsertOpts: one job per (schedule, period), in any state.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RunWorker runs a schedule's period: see the package doc.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	Store store.Store
	Watch store.Watcher
	Queue *Queue
	// Options gives the fleet options of a schedule's scans from its
	// stored settings (the command line's scan flags do it).
	Options func(sc store.Schedule) (fleet.Options, error)
	// RunScan runs a created or resumed scan; nil is fleet.Run.
	RunScan func(ctx context.Context, st store.Store, id store.ScanID, o fleet.Options) error
	Now     func() time.Time // nil: time.Now
}

func (w *RunWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Timeout: a scan takes as long as it takes (fleet bounds each target).
func (w *RunWorker) Timeout(*river.Job[RunArgs]) time.Duration { return -1 }

// Work runs (or resumes) the period's scan, then makes its alerts.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	id, period := job.Args.Schedule, job.Args.Period
	sc, err := w.Watch.Schedule(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err) // removed since
	}
	if err != nil {
		return err
	}
	run, _, err := w.Watch.ClaimRun(ctx, id, period, w.now())
	if err != nil {
		return err
	}
	if !run.Alerted.IsZero() {
		return nil // done before
	}
	opts, err := w.Options(sc)
	if err != nil {
		return river.JobCancel(fmt.Errorf("schedule %d: options: %w", id, err))
	}
	if run.ScanID == 0 {
		targets, file, err := Targets(ctx, w.Store, sc)
		if err != nil {
			return fmt.Errorf("schedule %d: %w", id, err)
		}
		name := fmt.Sprintf("%s #%d", Name(sc), period)
		scan, err := fleet.CreateScan(ctx, w.Store, name, file, targets, opts)
		if err != nil {
			return fmt.Errorf("schedule %d: %w", id, err)
		}
		if err := w.Watch.SetRunScan(ctx, id, period, scan); err != nil {
			return err
		}
		run.ScanID = scan
	}
	scan, err := w.Store.Scan(ctx, run.ScanID)
	if err != nil {
		return fmt.Errorf("schedule %d: %w", id, err)
	}
	if scan.Status != store.StatusFinished {
		runScan := w.RunScan
		if runScan == nil {
			runScan = func(ctx context.Context, st store.Store, id store.ScanID, o fleet.Options) error {
				_, err := fleet.Run(ctx, st, id, o)
				return err
			}
		}
		if err := runScan(ctx, w.Store, run.ScanID, opts); err != nil {
			return fmt.Errorf("schedule %d: scan %d: %w", id, run.ScanID, err)
		}
	}
	prev, err := previous(ctx, w.Store, w.Watch, sc, period)
	if err != nil {
		return err
	}
	if _, err := alert.Check(ctx, w.Store, w.Watch, sc, prev, run.ScanID, w.now()); err != nil {
		return fmt.Errorf("schedule %d: alerts: %w", id, err)
	}
	// Enqueue every alert of the run still to deliver: those made now, and
	// those of an earlier attempt that stopped before enqueuing them
	// (the jobs are unique per alert).
	pending, err := w.Watch.Alerts(ctx, store.AlertFilter{ScanID: run.ScanID, Status: store.AlertPending})
	if err != nil {
		return err
	}
	for _, a := range pending {
		if err := w.Queue.insert(ctx, alert.DeliverArgs{Alert: a.ID}); err != nil {
			return fmt.Errorf("schedule %d: enqueue alert %d: %w", id, a.ID, err)
		}
	}
	return w.Watch.SetRunAlerted(ctx, id, period, w.now())
}

// lookBack is how many earlier runs a site's last conclusive result is
// looked for in.
const lookBack = 5

// previous returns the scans of the schedule's latest earlier runs that
// finished, newest first, at most lookBack.
func previous(ctx context.Context, st store.Store, wa store.Watcher, sc store.Schedule, period int64) ([]store.ScanID, error) {
	runs, err := wa.Runs(ctx, sc.ID)
	if err != nil {
		return nil, err
	}
	var out []store.ScanID
	for i := len(runs) - 1; i >= 0 && len(out) < lookBack; i-- {
		r := runs[i]
		if r.Period >= period || r.ScanID == 0 {
			continue
		}
		s, err := st.Scan(ctx, r.ScanID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.Status == store.StatusFinished {
			out = append(out, s.ID)
		}
	}
	return out, nil
}

// Name is a schedule's name, or "schedule N".
func Name(sc store.Schedule) string {
	if sc.Name != "" {
		return sc.Name
	}
	return fmt.Sprintf("schedule %d", sc.ID)
}

// Targets reads what a schedule scans: its targets file, read again (bad
// rows are left out, as padlock scan does), or the targets of its saved
// fleet's scan. It returns them and the file name recorded with the scan.
func Targets(ctx context.Context, st store.Store, sc store.Schedule) ([]fleet.Target, string, error) {
	if sc.TargetsFile != "" {
		tf, err := fleet.LoadTargets(sc.TargetsFile, fleet.ParseOptions{})
		if err != nil {
			return nil, "", fmt.Errorf("targets file %s: %w", sc.TargetsFile, err)
		}
		if len(tf.Targets) == 0 {
			return nil, "", fmt.Errorf("targets file %s: no usable target", sc.TargetsFile)
		}
		return tf.Targets, sc.TargetsFile, nil
	}
	base, err := st.Scan(ctx, sc.FleetScan)
	if err != nil {
		return nil, "", fmt.Errorf("saved fleet (scan %d): %w", sc.FleetScan, err)
	}
	rows, err := st.Targets(ctx, sc.FleetScan)
	if err != nil {
		return nil, "", fmt.Errorf("saved fleet (scan %d): %w", sc.FleetScan, err)
	}
	var out []fleet.Target
	for _, r := range rows {
		t, err := fleet.FromStore(r)
		if err != nil {
			continue // the scan stored it as an error already
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("saved fleet (scan %d): no usable target", sc.FleetScan)
	}
	return out, base.TargetsFile, nil
}

// Workers are the River workers of schedules and alerts.
type Workers struct {
	Tick    *TickWorker
	Run     *RunWorker
	Deliver *alert.DeliverWorker
}

// Register adds them to a River workers bundle.
func (ws Workers) Register(rw *river.Workers) error {
	if err := river.AddWorkerSafely(rw, ws.Tick); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(rw, ws.Run); err != nil {
		return err
	}
	return river.AddWorkerSafely(rw, ws.Deliver)
}

// New makes the workers for one store. st must also be a store.Watcher.
func New(st store.Store, q *Queue, options func(store.Schedule) (fleet.Options, error)) (Workers, error) {
	w, ok := st.(store.Watcher)
	if !ok {
		return Workers{}, fmt.Errorf("schedule: the database does not keep schedules (%T)", st)
	}
	return Workers{
		Tick:    &TickWorker{Store: w, Queue: q},
		Run:     &RunWorker{Store: st, Watch: w, Queue: q, Options: options},
		Deliver: &alert.DeliverWorker{Store: w},
	}, nil
}
