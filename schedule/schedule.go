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
// Register adds three job kinds to a queue (package queue), on their own
// River queue (alert.QueueName) so that they never wait behind a big
// scan's jobs. A periodic tick (TickArgs, every minute by default) is
// enqueued by the leader of the River clients sharing the database,
// whatever the number of `padlock serve` and `padlock worker` processes;
// its worker inserts a RunArgs job for the current period of every
// schedule that has not run it, unique by (schedule, period). RunWorker
// claims the period in the store (store.Watcher.ClaimRun: one row per
// schedule and period), creates the scan with its jobs (fleet.CreateScanIn,
// worked like any scan's), snoozes until the scan has finished, then
// compares it with the schedule's previous finished runs (alert.Check) and
// enqueues one alert.DeliverArgs job per new alert.
//
// So two schedulers never start the same run twice: the leader election
// keeps one enqueuer, the unique job keeps one job per period, and the
// claimed row keeps one scan per period even if the job is inserted again
// later (River forgets completed jobs after a day). A run job retried after
// its process died finds its claimed row and goes on with the same scan.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"padlock/alert"
	"padlock/fleet"
	"padlock/queue"
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

// watch returns the queue working the job, its store and the store's
// schedules and alerts.
func watch(ctx context.Context) (*queue.Queue, store.Store, store.Watcher, error) {
	q := queue.FromContext(ctx)
	if q == nil {
		return nil, nil, nil, errors.New("schedule: not running in a queue's job")
	}
	st := q.Store()
	w, ok := st.(store.Watcher)
	if !ok {
		return nil, nil, nil, river.JobCancel(fmt.Errorf("schedule: the database keeps no schedules (%T)", st))
	}
	return q, st, w, nil
}

func insert(ctx context.Context, q *queue.Queue, args river.JobArgs) error {
	return q.Insert(ctx, river.InsertManyParams{Args: args})
}

// TickArgs is the periodic job that starts due runs.
type TickArgs struct{}

// Kind is the River job kind.
func (TickArgs) Kind() string { return "padlock_schedule_tick" }

// InsertOpts: a tick is worth nothing late, and one waiting is enough.
func (TickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: alert.QueueName, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
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
	Now func() time.Time // nil: time.Now
}

// Work inserts the due runs.
func (w *TickWorker) Work(ctx context.Context, _ *river.Job[TickArgs]) error {
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	q, _, wa, err := watch(ctx)
	if err != nil {
		return err
	}
	scheds, err := wa.Schedules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, sc := range scheds {
		p := Period(sc, now)
		if p < 0 {
			continue
		}
		runs, err := wa.Runs(ctx, sc.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].Period >= p {
			continue
		}
		if err := insert(ctx, q, RunArgs{Schedule: sc.ID, Period: p}); err != nil {
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
	return river.InsertOpts{Queue: alert.QueueName, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DefaultPoll is how often a run job looks again at its scan while the
// scan's own jobs are worked.
const DefaultPoll = 10 * time.Second

// RunWorker runs a schedule's period: see the package doc.
type RunWorker struct {
	river.WorkerDefaults[RunArgs]
	// Base are the process's own scan options (resolver, dialer, address
	// guard...), as fleet.Register gets them; the schedule's settings are
	// applied over them (fleet.Settings.Apply).
	Base fleet.Options
	Poll time.Duration    // 0: DefaultPoll
	Now  func() time.Time // nil: time.Now
}

func (w *RunWorker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Timeout: the job only creates a scan or makes alerts; the scan's own jobs
// do the assessing.
func (w *RunWorker) Timeout(*river.Job[RunArgs]) time.Duration { return 5 * time.Minute }

// Work claims the period, creates its scan (its jobs are worked like any
// scan's), comes back (snoozing) until the scan has finished, then makes
// the alerts and enqueues their delivery.
func (w *RunWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	q, st, wa, err := watch(ctx)
	if err != nil {
		return err
	}
	id, period := job.Args.Schedule, job.Args.Period
	sc, err := wa.Schedule(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err) // removed since
	}
	if err != nil {
		return err
	}
	run, _, err := wa.ClaimRun(ctx, id, period, w.now())
	if err != nil {
		return err
	}
	if !run.Alerted.IsZero() {
		return nil // done before
	}
	if run.ScanID == 0 {
		var set fleet.Settings
		if err := json.Unmarshal([]byte(sc.Options), &set); err != nil {
			return river.JobCancel(fmt.Errorf("schedule %d: its stored settings: %w", id, err))
		}
		opts, err := set.Apply(w.Base)
		if err != nil {
			return river.JobCancel(fmt.Errorf("schedule %d: %w", id, err))
		}
		targets, file, err := Targets(ctx, st, sc)
		if err != nil {
			return fmt.Errorf("schedule %d: %w", id, err)
		}
		name := fmt.Sprintf("%s #%d", Name(sc), period)
		scan, err := fleet.CreateScanIn(ctx, q, name, file, targets, opts)
		if err != nil {
			return fmt.Errorf("schedule %d: %w", id, err)
		}
		if err := wa.SetRunScan(ctx, id, period, scan); err != nil {
			return err
		}
		run.ScanID = scan
	}
	scan, err := st.Scan(ctx, run.ScanID)
	if err != nil {
		return fmt.Errorf("schedule %d: %w", id, err)
	}
	if scan.Status != store.StatusFinished {
		poll := w.Poll
		if poll <= 0 {
			poll = DefaultPoll
		}
		return river.JobSnooze(poll)
	}
	prev, err := previous(ctx, st, wa, sc, period)
	if err != nil {
		return err
	}
	if _, err := alert.Check(ctx, st, wa, sc, prev, run.ScanID, w.now()); err != nil {
		return fmt.Errorf("schedule %d: alerts: %w", id, err)
	}
	// Enqueue every alert of the run still to deliver: those made now, and
	// those of an earlier attempt that stopped before enqueuing them (the
	// jobs are unique per alert).
	pending, err := wa.Alerts(ctx, store.AlertFilter{ScanID: run.ScanID, Status: store.AlertPending})
	if err != nil {
		return err
	}
	for _, a := range pending {
		if err := insert(ctx, q, alert.DeliverArgs{Alert: a.ID}); err != nil {
			return fmt.Errorf("schedule %d: enqueue alert %d: %w", id, a.ID, err)
		}
	}
	return wa.SetRunAlerted(ctx, id, period, w.now())
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

// Options configure the schedule and alert jobs of a process.
type Options struct {
	// Base are the process's own scan options (see RunWorker.Base).
	Base fleet.Options
	// Tick is how often the schedules are looked at (0: DefaultTick; at
	// least a second).
	Tick time.Duration
	// Poll: see RunWorker.Poll.
	Poll time.Duration
	// Workers is how many schedule and alert jobs run at once (0: 2).
	Workers int
	// Now replaces the clock of the periods (tests).
	Now func() time.Time
	// Deliver tunes the webhook deliveries (its Store is left nil: the
	// queue's store is used).
	Deliver alert.DeliverWorker
}

// Register returns the registrar of the schedule and alert jobs for
// queue.Open: the tick (a periodic job), the runs and the deliveries, on
// their own queue (alert.QueueName).
func Register(o Options) queue.Registrar {
	return func(rw *river.Workers, cfg *river.Config) error {
		deliver := o.Deliver
		if err := river.AddWorkerSafely(rw, &TickWorker{Now: o.Now}); err != nil {
			return err
		}
		if err := river.AddWorkerSafely(rw, &RunWorker{Base: o.Base, Poll: o.Poll, Now: o.Now}); err != nil {
			return err
		}
		if err := river.AddWorkerSafely(rw, &deliver); err != nil {
			return err
		}
		n := o.Workers
		if n <= 0 {
			n = 2
		}
		if cfg.Queues == nil {
			cfg.Queues = map[string]river.QueueConfig{}
		}
		cfg.Queues[alert.QueueName] = river.QueueConfig{MaxWorkers: n}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, PeriodicJob(o.Tick))
		return nil
	}
}
