package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"padlock/fleet"
	"padlock/netguard"
	"padlock/pki"
	"padlock/queue"
	"padlock/schedule"
	"padlock/store"
)

// runWorker is padlock worker: it works the queue of scan jobs in the
// database until stopped. Any number of workers, on any machines, may
// work one PostgreSQL database; the per-IP limits hold for all of them
// together (they are kept in the database).
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs, true)
	concurrency := fs.Int("concurrency", queue.DefaultConcurrency, "scan jobs (targets sharing an endpoint) worked at once")
	rescueAfter := fs.Duration("rescue-after", queue.DefaultRescueAfter, "a job running this long is taken to belong to a dead worker and run again (must exceed the scans' --budget)")
	grace := fs.Duration("grace", fleet.DefaultGrace, "on SIGINT/SIGTERM, time running jobs get to finish (the rest run again later)")
	localLimits := fs.Bool("local-limits", false, "hold the per-IP limits in this process only (default: in the database, for every worker together)")
	exitIdle := fs.Bool("exit-when-done", false, "exit once no scan in the database is left unfinished")
	quiet := fs.Bool("quiet", false, "log warnings and errors only")
	var profile profileFlags
	profile.register(fs)
	af := registerAssessFlags(fs, forService)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock worker --db DATABASE [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Works the scan jobs queued in DATABASE (padlock scan --enqueue-only, the")
		fmt.Fprintln(stderr, "dashboard's API) until stopped. A scan runs with its own recorded settings;")
		fmt.Fprintln(stderr, "the assessment flags below are the worker's defaults for what a scan leaves open.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: padlock worker takes no arguments", errUsage)
	}
	if *concurrency <= 0 {
		return fmt.Errorf("%w: --concurrency must be positive", errUsage)
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	base, err := workerBase(af, *localLimits, "padlock worker")
	if err != nil {
		return err
	}

	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	stopProfile, err := profile.start()
	if err != nil {
		return err
	}
	defer func() {
		if perr := stopProfile(); perr != nil && err == nil {
			err = perr
		}
	}()
	q, err := queue.Open(ctx, st, queue.Options{
		Work:        true,
		Concurrency: *concurrency,
		RescueAfter: *rescueAfter,
		Register:    []queue.Registrar{fleet.Register(base), schedule.Register(schedule.Options{Base: base})},
		Logger:      logger.With("part", "river"),
	})
	if err != nil {
		return err
	}
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	logger.Info("padlock worker: working the queue", "db", store.Redact(*db), "concurrency", *concurrency, "pid", os.Getpid())

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-q.Stopped():
			return fmt.Errorf("the queue stopped")
		case <-tick.C:
			if *exitIdle && allFinished(ctx, st) {
				break wait
			}
		}
	}
	logger.Info("padlock worker: stopping", "grace", *grace)
	// A second signal stops at once.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-sctx.Done():
		}
	}()
	if err := q.Stop(sctx); err != nil {
		logger.Warn("padlock worker: stopped with jobs cancelled (they run again later)", "err", err)
	}
	return nil
}

// allFinished reports whether every scan in the database is finished.
// workerBase is what a process working the queue (padlock worker, and
// padlock serve for its schedules) scans with besides each scan's own
// settings: the assessment flags and, unless --allow-internal-targets,
// the guard of a served scanner, since the targets come from whoever can
// queue a scan or add a schedule in the database.
func workerBase(af *assessFlags, localLimits bool, command string) (fleet.Options, error) {
	ao, err := af.options()
	if err != nil {
		return fleet.Options{}, err
	}
	base := fleet.Options{Budget: af.Budget, Timeout: af.Timeout, Web: ao.Web, Local: localLimits}
	ao.Web = nil
	base.Assess = ao
	if !af.InternalTargets {
		g := &netguard.Guard{Policy: netguard.PublicOnly, Hint: command + " refuses such targets unless started with --allow-internal-targets"}
		base.Resolver, base.Dial = g, g.Dial
		if af.FetchIssuers {
			base.Assess.PKI.FetchIssuer = pki.HTTPIssuerFetcher(&http.Client{Transport: g.Transport()}, 0, 0)
		}
	}
	return base, nil
}

func allFinished(ctx context.Context, st store.Store) bool {
	scans, err := st.Scans(ctx)
	if err != nil || len(scans) == 0 {
		return false
	}
	for _, s := range scans {
		if s.Status != store.StatusFinished {
			return false
		}
	}
	return true
}
