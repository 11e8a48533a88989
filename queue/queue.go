// Package queue owns padlock's job queue: one River client
// (github.com/riverqueue/river) on the store's own database — River on the
// same SQLite file for the embedded mode, River on PostgreSQL through the
// store's pgx pool for workers on many machines. Jobs are inserted in the
// same transaction as the rows they work on (CreateScan), retried with
// back-off, and rescued when a worker dies.
//
// Packages add their job kinds and periodic jobs with Options.Register;
// fleet registers its scan jobs (fleet.Register), and the schedules and
// alerts add theirs the same way:
//
//	q, err := queue.Open(ctx, st, queue.Options{
//		Work:     true,
//		Register: []queue.Registrar{fleet.Register(st, scanOpts), alerts.Register(st)},
//	})
//	err = q.Start(ctx) // works jobs until q.Stop
//
// A Queue that does not work (Options.Work false) only inserts and reads
// jobs: `padlock scan --enqueue-only` and the dashboard.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"padlock/store"
)

// Scans is the River queue of scan jobs.
const Scans = "scans"

// Defaults of Options.
const (
	// DefaultConcurrency is how many scan jobs one process works at once.
	DefaultConcurrency = 8
	// DefaultRescueAfter is how long a job may stay running before it is
	// taken to be orphaned by a dead worker and run again. It must exceed
	// the longest job (a target's budget, fleet.DefaultBudget, 5 minutes).
	DefaultRescueAfter = 6 * time.Minute
)

// Registrar adds job kinds (river.AddWorker on w), queues and periodic
// jobs (cfg.Queues, cfg.PeriodicJobs) to a Queue's River client before it
// is built. A Queue that does not work calls it too, with a Workers it
// then ignores, so that it knows every kind it may insert.
type Registrar func(w *river.Workers, cfg *river.Config) error

// Options configure a Queue.
type Options struct {
	// Work makes the Queue work jobs once started; false: insert and read
	// only.
	Work bool
	// Concurrency is how many scan jobs run at once (MaxWorkers of the
	// Scans queue). Default DefaultConcurrency.
	Concurrency int
	// RescueAfter: see DefaultRescueAfter.
	RescueAfter time.Duration
	// Register adds the job kinds, queues and periodic jobs.
	Register []Registrar
	// Logger receives River's logs (default: warnings and errors to
	// stderr).
	Logger *slog.Logger
	// PollInterval is how often idle workers look for new jobs when the
	// database cannot notify them (SQLite). Default 200ms.
	PollInterval time.Duration
}

// Queue is a River client on a store's database.
type Queue struct {
	st      store.Store
	c       client
	dialect store.Dialect
	work    bool
	own     *ownJobs
}

// client is what Queue needs of a river.Client, whatever its transaction
// type.
type client interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	insertManyTx(ctx context.Context, tx store.Tx, params []river.InsertManyParams) error
	insertMany(ctx context.Context, params []river.InsertManyParams) error
	jobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	jobCancel(ctx context.Context, id int64) error
	stopped() <-chan struct{}
}

type riverClient[TTx any] struct {
	c *river.Client[TTx]
}

func (r riverClient[TTx]) start(ctx context.Context) error         { return r.c.Start(ctx) }
func (r riverClient[TTx]) stop(ctx context.Context) error          { return r.c.Stop(ctx) }
func (r riverClient[TTx]) stopAndCancel(ctx context.Context) error { return r.c.StopAndCancel(ctx) }
func (r riverClient[TTx]) stopped() <-chan struct{}                { return r.c.Stopped() }
func (r riverClient[TTx]) insertManyTx(ctx context.Context, tx store.Tx, params []river.InsertManyParams) error {
	t, ok := tx.(TTx)
	if !ok {
		return fmt.Errorf("queue: a %T transaction given to a River client on another database", tx)
	}
	_, err := r.c.InsertManyTx(ctx, t, params)
	return err
}
func (r riverClient[TTx]) insertMany(ctx context.Context, params []river.InsertManyParams) error {
	_, err := r.c.InsertMany(ctx, params)
	return err
}
func (r riverClient[TTx]) jobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error) {
	return r.c.JobList(ctx, params)
}
func (r riverClient[TTx]) jobCancel(ctx context.Context, id int64) error {
	_, err := r.c.JobCancel(ctx, id)
	return err
}

// Open migrates River's tables in st's database and builds the client
// (not started).
func Open(ctx context.Context, st store.Store, o Options) (*Queue, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = DefaultRescueAfter
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	workers := river.NewWorkers()
	id := clientID()
	cfg := &river.Config{
		ID:                   id,
		Logger:               o.Logger,
		RescueStuckJobsAfter: o.RescueAfter,
		// Jobs bound their own time (fleet applies each scan's budget).
		JobTimeout:        -1,
		FetchPollInterval: o.PollInterval,
		// Finished jobs are kept a day for the dashboard's queue view.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
	}
	for _, r := range o.Register {
		if err := r(workers, cfg); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
	}
	if o.Work {
		if cfg.Queues == nil {
			cfg.Queues = map[string]river.QueueConfig{}
		}
		cfg.Queues[Scans] = river.QueueConfig{MaxWorkers: o.Concurrency}
		cfg.Workers = workers
	} else {
		cfg.PeriodicJobs = nil
		cfg.Queues = nil
	}
	q := &Queue{st: st, dialect: st.Dialect(), work: o.Work, own: newOwnJobs(id)}
	cfg.Middleware = append(cfg.Middleware, river.WorkerMiddlewareFunc(func(ctx context.Context, j *rivertype.JobRow, inner func(context.Context) error) error {
		q.own.begin(j.ID)
		defer q.own.end(j.ID)
		return inner(context.WithValue(ctx, queueKey{}, q))
	}))
	var err error
	switch s := st.(type) {
	case *store.SQLite:
		drv := riversqlite.New(s.DB())
		q.c, err = build(drv, cfg, func(m *rivermigrate.Migrator[*sql.Tx]) error {
			// One transaction (BEGIN IMMEDIATE): one process at a time.
			tx, err := s.DB().BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			//lint:ignore SA1019 River's SQLite migrations run in one transaction (the tests migrate new files so); BEGIN IMMEDIATE makes processes that start together on one file migrate one at a time
			if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
				return err
			}
			return tx.Commit()
		})
	case *store.PostgreSQL:
		drv := riverpgxv5.New(s.Pool())
		q.c, err = build(drv, cfg, func(m *rivermigrate.Migrator[pgx.Tx]) error {
			// River's PostgreSQL migrations take a transaction each; an
			// advisory lock held by one connection makes workers starting
			// together on a new database migrate one at a time.
			conn, err := s.Pool().Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7265636)`); err != nil {
				return err
			}
			defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7265636)`)
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
			return err
		})
	default:
		return nil, fmt.Errorf("queue: no River driver for a %T store", st)
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// build migrates River's tables with migrate and makes the client.
func build[TTx any](driver riverdriver.Driver[TTx], cfg *river.Config, migrate func(*rivermigrate.Migrator[TTx]) error) (client, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("queue: River migrations: %w", err)
	}
	if err := migrate(m); err != nil {
		return nil, fmt.Errorf("queue: River migrations: %w", err)
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	return riverClient[TTx]{c}, nil
}

// Start starts working jobs (Options.Work) and River's maintenance
// (rescuing jobs of dead workers, scheduling retries); it returns at once.
func (q *Queue) Start(ctx context.Context) error {
	if !q.work {
		return errors.New("queue: not a working queue (Options.Work)")
	}
	if err := q.c.start(ctx); err != nil {
		return fmt.Errorf("queue: start: %w", err)
	}
	go q.rescueLoop()
	return nil
}

// Stop stops fetching jobs and waits for the running ones until ctx is
// done; then it cancels them (they will be retried) and waits for them to
// return.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.work {
		return nil
	}
	err := q.c.stop(ctx)
	if ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return q.c.stopAndCancel(cctx)
	}
	return err
}

// Stopped is closed once a started Queue has stopped.
func (q *Queue) Stopped() <-chan struct{} { return q.c.stopped() }

// Insert inserts jobs (each unique as its kind says).
func (q *Queue) Insert(ctx context.Context, params ...river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if err := q.c.insertMany(ctx, params); err != nil {
		return fmt.Errorf("queue: insert: %w", err)
	}
	return nil
}

// InsertTx inserts jobs in a transaction of the store (store.ThenFunc's
// tx), so that they exist exactly when what the transaction writes does.
func (q *Queue) InsertTx(ctx context.Context, tx store.Tx, params ...river.InsertManyParams) error {
	if len(params) == 0 {
		return nil
	}
	if err := q.c.insertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue: insert: %w", err)
	}
	return nil
}

// CreateScan stores a scan, its targets and their jobs in one transaction:
// jobs makes the jobs from the stored targets (IDs set).
func (q *Queue) CreateScan(ctx context.Context, sc store.Scan, targets []store.Target, jobs func(id store.ScanID, targets []store.Target) []river.InsertManyParams) (store.ScanID, error) {
	return q.st.CreateScanTx(ctx, sc, targets, func(ctx context.Context, tx store.Tx, id store.ScanID, stored []store.Target) error {
		return q.InsertTx(ctx, tx, jobs(id, stored)...)
	})
}

type queueKey struct{}

// FromContext returns the Queue working the job whose context ctx is
// (nil outside a job): its Store is the database the job belongs to.
func FromContext(ctx context.Context) *Queue {
	q, _ := ctx.Value(queueKey{}).(*Queue)
	return q
}

// Store is the queue's store.
func (q *Queue) Store() store.Store { return q.st }

// live are the states of a job that will still run (or is running).
var live = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}
