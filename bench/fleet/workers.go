package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"padlock/lab"
	"padlock/store"
)

// runWorkers is `fleet workers`: N loopback targets scanned by 1, 2, 3…
// `padlock worker` processes on PostgreSQL, and by one `padlock scan` on
// the embedded SQLite; wall time, targets per second, peak RSS and CPU per
// process, and the connections each address saw at the servers.
func runWorkers(args []string) error {
	fs := flag.NewFlagSet("workers", flag.ExitOnError)
	var (
		n           = fs.Int("n", 1000, "targets")
		pgURL       = fs.String("pg", "", "a PostgreSQL URL whose user may create databases (each run gets a new one); empty: SQLite only")
		counts      = fs.String("workers", "1,2,3", "worker process counts to run on PostgreSQL")
		concurrency = fs.Int("concurrency", 128, "--concurrency of each worker process (and of the SQLite scan)")
		port        = fs.Int("port", 9443, "the port every address listens on")
		bin         = fs.String("padlock", "", "padlock binary (default: go build ./cmd/padlock)")
		out         = fs.String("out", filepath.Join(os.TempDir(), "padlock-bench-workers"), "directory for targets, databases, logs and results")
		extra       = fs.String("scan-flags", "--no-web", "padlock scan flags of every run, space-separated")
		sqliteRun   = fs.Bool("sqlite", true, "also run one `padlock scan` process on embedded SQLite")
		local       = fs.Bool("local-limits", false, "hold the per-IP limits in each process (--local-limits), not in the database: what sharing them costs")
	)
	fs.Parse(args)
	outDir, err := prepare(*out, bin)
	if err != nil {
		return err
	}
	ca, err := lab.NewCA("padlock bench root")
	if err != nil {
		return err
	}
	caFile, err := ca.WriteRootPEM(outDir, "bench-ca")
	if err != nil {
		return err
	}
	cfgs, order, err := benchConfigs(ca)
	if err != nil {
		return err
	}
	sites, stop, err := startFleet(*n, *port, cfgs, order)
	if err != nil {
		return err
	}
	defer stop()
	targets := filepath.Join(outDir, "targets.csv")
	var b strings.Builder
	b.WriteString("organisation,url,group,ip\n")
	for i := range *n {
		fmt.Fprintf(&b, "Bench site %d,https://site%d.bench.test:%d/,%s,%s\n", i, i, *port, sites[i].config, addrOf(i))
	}
	if err := os.WriteFile(targets, []byte(b.String()), 0o644); err != nil {
		return err
	}
	scanFlags := append([]string{"--ca-file", caFile}, strings.Fields(*extra)...)
	var procFlags []string // flags of the working processes only
	limits := "held in the database"
	if *local {
		procFlags = []string{"--local-limits"}
		limits = "held in each process (--local-limits)"
	}

	var report strings.Builder
	fmt.Fprintf(&report, "# bench/fleet workers, %s, %d cores (GOMAXPROCS %d), %s\n\n", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.GOMAXPROCS(0), kernel())
	fmt.Fprintf(&report, "%d loopback targets, one address each, 4 configurations in turn; flags `%s`; default per-IP limits (4 at once, 10/s), %s; `--concurrency %d` per process.\n\n",
		*n, strings.Join(scanFlags[2:], " "), limits, *concurrency)
	fmt.Fprintf(&report, "| database | processes | wall time | targets/s | peak RSS per process | CPU per process (user+sys) | most open at once at one address | most new in 1 s at one address | stored | grades |\n|---|---|---|---|---|---|---|---|---|---|\n")

	serverCounts := func() (peak, perSec int) {
		for _, s := range sites {
			s.mu.Lock()
			peak = max(peak, s.peak)
			s.peak = 0
			s.mu.Unlock()
			perSec = max(perSec, s.maxPerSecond())
			s.mu.Lock()
			s.accepts = nil
			s.mu.Unlock()
		}
		return
	}
	row := func(db string, procs int, wall time.Duration, res []runResult, sum dbSummary) {
		var rss, cpu []string
		for _, r := range res {
			rss = append(rss, fmt.Sprintf("%.0f MB", float64(r.MaxRSSKB)/1024))
			cpu = append(cpu, fmt.Sprintf("%.0f s", (r.User+r.Sys).Seconds()))
		}
		peak, perSec := serverCounts()
		fmt.Fprintf(&report, "| %s | %d | %.1f s | %.1f | %s | %s | %d | %d | %d of %d (%d inconclusive) | %s |\n",
			db, procs, wall.Seconds(), float64(sum.done)/wall.Seconds(), strings.Join(rss, ", "), strings.Join(cpu, ", "),
			peak, perSec, sum.done, sum.total, sum.failed, sum.grades)
	}

	if *sqliteRun {
		db := filepath.Join(outDir, "bench.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		args := append(append(append([]string{"scan", "--db", db, "--concurrency", strconv.Itoa(*concurrency), "--quiet"}, procFlags...), scanFlags...), targets)
		log.Printf("padlock %s", strings.Join(args, " "))
		res, err := timed(filepath.Join(outDir, "sqlite.log"), *bin, args...)
		if err != nil {
			return err
		}
		if res.ExitCode != 0 {
			return fmt.Errorf("padlock scan exited %d (see %s)", res.ExitCode, filepath.Join(outDir, "sqlite.log"))
		}
		sum, err := summarizeDB(db)
		if err != nil {
			return err
		}
		row("SQLite (padlock scan)", 1, res.Wall, []runResult{res}, sum)
	}

	if *pgURL != "" {
		for _, c := range strings.Split(*counts, ",") {
			w, err := strconv.Atoi(strings.TrimSpace(c))
			if err != nil || w <= 0 {
				return fmt.Errorf("-workers: %q", c)
			}
			dsn, err := freshDatabase(*pgURL, fmt.Sprintf("padlock_bench_%d_%d", w, time.Now().Unix()))
			if err != nil {
				return err
			}
			start := time.Now()
			args := append(append([]string{"scan", "--db", dsn, "--enqueue-only", "--quiet"}, scanFlags...), targets)
			if res, err := timed(filepath.Join(outDir, fmt.Sprintf("enqueue-%d.log", w)), *bin, args...); err != nil || res.ExitCode != 0 {
				return fmt.Errorf("enqueue: %v (exit %d)", err, res.ExitCode)
			}
			log.Printf("%d workers on %s", w, store.Redact(dsn))
			results := make([]runResult, w)
			errs := make([]error, w)
			var wg sync.WaitGroup
			for i := range w {
				wg.Go(func() {
					results[i], errs[i] = timed(filepath.Join(outDir, fmt.Sprintf("worker-%d-%d.log", w, i)), *bin,
						append([]string{"worker", "--db", dsn, "--allow-internal-targets", "--quiet", "--exit-when-done", "--concurrency", strconv.Itoa(*concurrency)}, procFlags...)...)
				})
			}
			wg.Wait()
			wall := time.Since(start)
			for i, err := range errs {
				if err != nil || results[i].ExitCode != 0 {
					return fmt.Errorf("worker %d: %v (exit %d)", i, err, results[i].ExitCode)
				}
			}
			sum, err := summarizeDB(dsn)
			if err != nil {
				return err
			}
			row("PostgreSQL (padlock worker)", w, wall, results, sum)
		}
	}
	path := filepath.Join(outDir, "results.md")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(report.String())
	log.Printf("results in %s", path)
	return nil
}

// freshDatabase creates database name on the server of admin and returns
// its URL.
func freshDatabase(admin, name string) (string, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("PostgreSQL %s: %w", store.Redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}
