package main

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/store"
)

// loopFleet starts n loopback sites, site i at addr(i), and writes their
// targets file and CA beside them.
func loopFleet(t *testing.T, n int, addr func(i int) netip.AddrPort) (f *lab.LoopFleet, csv, ca string) {
	t.Helper()
	f, err := lab.StartLoopFleet(context.Background(), n, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	csv, ca, err = f.TargetsCSV(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f, csv, ca
}

// ownAddress gives site i an address of its own: 127.31.X.Y, any port.
func ownAddress(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 31, byte(i / 250), byte(i%250 + 1)}), 0)
}

// proc is a padlock process started by a test, its output in a file.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func startPadlock(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	log := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: exec.Command(padlockBin, args...), log: log, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			b, _ := os.ReadFile(log)
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("--- %s (last lines):\n%s", name, b)
		}
	})
	return p
}

func (p *proc) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%v still running after %s", p.cmd.Args, within)
	}
}

// waitDone waits until scan id has at least n targets done.
func waitDone(t *testing.T, st store.Store, id store.ScanID, n int, within time.Duration) store.Scan {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		sc, err := st.Scan(context.Background(), id)
		if err == nil && (sc.Counts.Done >= n || sc.Status == store.StatusFinished && n > sc.Counts.Total) {
			return sc
		}
		if time.Now().After(deadline) {
			t.Fatalf("scan %d: %+v after %s, waiting for %d done (%v)", id, sc, within, n, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// gradesByURL returns a finished scan's grades by target URL, failing
// unless every target has exactly one assessment.
func gradesByURL(t *testing.T, st store.Store, id store.ScanID) map[string]string {
	t.Helper()
	ctx := context.Background()
	sc, err := st.Scan(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Status != store.StatusFinished {
		t.Errorf("scan %d is %s", id, sc.Status)
	}
	targets, err := st.Targets(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	as := byTarget(t, st, id) // fails on a duplicate
	out := map[string]string{}
	for _, tg := range targets {
		a, ok := as[tg.ID]
		if !ok {
			t.Errorf("%s (line %d) has no assessment", tg.URL, tg.Line)
			continue
		}
		g := a.Grade
		if g == "" {
			g = "inconclusive: " + a.Inconclusive
		}
		out[tg.URL] = g
	}
	if len(as) != len(targets) {
		t.Errorf("%d assessments for %d targets", len(as), len(targets))
	}
	return out
}

// The fleet mode: 300 loopback targets queued in PostgreSQL, worked by 3
// worker processes, one of them killed with SIGKILL midway. Every target
// ends with exactly one assessment, with the grades a one-process scan on
// embedded SQLite gives the same targets.
func TestWorkersPostgresKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("300 targets")
	}
	pg := peer.Postgres(t)
	dsn := pg.NewDatabase()
	_, csv, ca := loopFleet(t, 300, ownAddress)
	scanFlags := []string{"--no-vuln", "--no-web", "--ca-file", ca, "--budget", "40s", "--retries", "2"}

	out, errOut, code := padlock(t, append([]string{"scan", "--db", dsn, "--enqueue-only", "--name", "workers"}, append(scanFlags, csv)...)...)
	if code != 0 || !strings.Contains(out, "scan 1: 300 targets queued") {
		t.Fatalf("enqueue: exit %d\n%s%s", code, out, errOut)
	}
	var workers []*proc
	for i := range 3 {
		workers = append(workers, startPadlock(t, fmt.Sprintf("worker%d", i), "worker", "--db", dsn,
			"--allow-internal-targets", "--concurrency", "16", "--rescue-after", "90s", "--exit-when-done"))
	}
	// A follower on "another machine" sees the progress.
	follow := startPadlock(t, "follow", "scan", "--db", dsn, "--follow=1")

	st := openDB(t, dsn)
	waitDone(t, st, 1, 100, 4*time.Minute)
	if err := workers[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	workers[0].wait(t, 10*time.Second)
	waitDone(t, st, 1, 301, 5*time.Minute) // finished
	for _, w := range workers[1:] {
		w.wait(t, 30*time.Second)
		if w.err != nil {
			t.Errorf("worker: %v", w.err)
		}
	}
	follow.wait(t, 30*time.Second)
	if b, _ := os.ReadFile(follow.log); !strings.Contains(string(b), "scan 1 finished: 300 of 300 targets done") {
		t.Errorf("the follower did not see the scan end:\n%s", b)
	}
	pgGrades := gradesByURL(t, st, 1)

	// The same targets, one process, embedded SQLite.
	db := filepath.Join(t.TempDir(), "one.db")
	out, errOut, code = padlock(t, append([]string{"scan", "--db", db, "--concurrency", "48", "--quiet"}, append(scanFlags, csv)...)...)
	if code != 0 {
		t.Fatalf("SQLite scan: exit %d\n%s%s", code, out, errOut)
	}
	one := gradesByURL(t, openDB(t, db), 1)
	diff := 0
	count := map[string]int{}
	for url, g := range one {
		count[g]++
		if pgGrades[url] != g {
			diff++
			if diff <= 10 {
				t.Errorf("%s: %q with 3 workers on PostgreSQL, %q in one process on SQLite", url, pgGrades[url], g)
			}
		}
	}
	t.Logf("grades: %v; %d differ", count, diff)
	for g := range count {
		if strings.HasPrefix(g, "inconclusive") {
			t.Errorf("inconclusive results in a loopback fleet: %v", count)
		}
	}
}

// The per-IP limits hold for all workers together: 9 sites behind one
// address, 3 worker processes; the server counts at most --per-ip
// connections open at once and about --rate new ones per second. With
// --local-limits (each process on its own) the same run goes over, which
// shows the count would catch it.
func TestWorkersSharePerIPLimits(t *testing.T) {
	pg := peer.Postgres(t)
	one := netip.MustParseAddr("127.32.0.1")
	const perIP, rate = 3, 30
	run := func(t *testing.T, local bool) *lab.AddrCount {
		f, csv, ca := loopFleet(t, 9, func(int) netip.AddrPort { return netip.AddrPortFrom(one, 0) })
		dsn := pg.NewDatabase()
		args := []string{"scan", "--db", dsn, "--enqueue-only", "--no-vuln", "--no-web", "--ca-file", ca,
			"--per-ip", fmt.Sprint(perIP), "--rate", fmt.Sprint(rate), "--budget", "2m", csv}
		if out, errOut, code := padlock(t, args...); code != 0 {
			t.Fatalf("enqueue: %d %s%s", code, out, errOut)
		}
		var ws []*proc
		for i := range 3 {
			wargs := []string{"worker", "--db", dsn, "--allow-internal-targets", "--concurrency", "4", "--exit-when-done"}
			if local {
				wargs = append(wargs, "--local-limits")
			}
			ws = append(ws, startPadlock(t, fmt.Sprintf("worker%d", i), wargs...))
		}
		for _, w := range ws {
			w.wait(t, 4*time.Minute)
		}
		gradesByURL(t, openDB(t, dsn), 1)
		return f.Addr(one)
	}
	t.Run("shared", func(t *testing.T) {
		c := run(t, false)
		n := len(c.Accepts())
		peak, win := c.Peak(), c.MaxInWindow(time.Second)
		t.Logf("%d connections; at most %d open at once, %d in one second", n, peak, win)
		if peak > perIP {
			t.Errorf("%d connections open at once at %s, the limit is %d", peak, one, perIP)
		}
		if win > rate+perIP+2 { // the rate plus one burst, and the edges of the window
			t.Errorf("%d connections within one second at %s, the limit is %d/s in bursts of %d", win, one, rate, perIP)
		}
	})
	t.Run("local", func(t *testing.T) {
		c := run(t, true)
		t.Logf("--local-limits: %d connections; at most %d open at once, %d in one second", len(c.Accepts()), c.Peak(), c.MaxInWindow(time.Second))
		if c.Peak() <= perIP && c.MaxInWindow(time.Second) <= rate+perIP+2 {
			t.Errorf("three processes each on their own limits stayed within one process's limits: the shared test proves nothing")
		}
	})
}

// A wrong or unreachable database: a clear error naming it (password
// hidden) and a non-zero exit, for every command that takes --db.
func TestBadDatabaseURL(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "t.csv")
	os.WriteFile(csv, []byte("https://a.test/\n"), 0o644)
	unreachable := "postgres://scanner:hunter2@127.0.0.1:1/padlock?sslmode=disable"
	bad := "postgres://scanner:hunter2@127.0.0.1:1/padlock?sslmode=bogus"
	for _, args := range [][]string{
		{"scan", csv}, {"scan", "--enqueue-only", csv}, {"scan", "--follow"}, {"worker"}, {"diff"},
		{"history", "a.test"}, {"report", "--out", dir}, {"serve", "--listen", "127.0.0.1:0"},
	} {
		for _, db := range []string{unreachable, bad} {
			all := append([]string{args[0], "--db", db}, args[1:]...)
			out, errOut, code := padlock(t, all...)
			msg := out + errOut
			if code == 0 {
				t.Errorf("padlock %v: exit 0", all)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("padlock %v shows the password:\n%s", all, msg)
			}
			if !strings.Contains(msg, "postgres://scanner:xxxxx@127.0.0.1:1/padlock") {
				t.Errorf("padlock %v does not name the database:\n%s", all, msg)
			}
		}
	}
}

// A worker that loses its database (PostgreSQL stopped, then started
// again) keeps going and loses no finished result.
func TestWorkerLosesDatabase(t *testing.T) {
	pg := peer.Postgres(t)
	dsn := pg.NewDatabase()
	_, csv, ca := loopFleet(t, 40, ownAddress)
	if out, errOut, code := padlock(t, "scan", "--db", dsn, "--enqueue-only", "--no-vuln", "--no-web", "--ca-file", ca, "--budget", "90s", csv); code != 0 {
		t.Fatalf("enqueue: %d %s%s", code, out, errOut)
	}
	w := startPadlock(t, "worker", "worker", "--db", dsn, "--allow-internal-targets", "--concurrency", "8", "--exit-when-done")
	st := openDB(t, dsn)
	waitDone(t, st, 1, 8, 3*time.Minute)
	st.Close()
	pg.Stop()
	time.Sleep(4 * time.Second)
	pg.Start()
	w.wait(t, 5*time.Minute)
	if w.err != nil {
		t.Errorf("worker: %v", w.err)
	}
	st = openDB(t, dsn)
	grades := gradesByURL(t, st, 1)
	for url, g := range grades {
		if strings.HasPrefix(g, "inconclusive") {
			t.Errorf("%s: %s", url, g)
		}
	}
	if b, _ := os.ReadFile(w.log); !bytes.Contains(b, []byte("retrying")) && !bytes.Contains(b, []byte("error")) {
		t.Logf("the worker logged no database error (the outage fell between its writes)")
	}
}

// SQLite, one machine: a scan killed with SIGKILL midway is resumed by two
// `padlock scan --resume` at once; nothing is lost or done twice.
func TestSQLiteKill9TwoResumes(t *testing.T) {
	_, csv, ca := loopFleet(t, 60, ownAddress)
	db := filepath.Join(t.TempDir(), "padlock.db")
	scan := startPadlock(t, "scan", "scan", "--db", db, "--no-vuln", "--no-web", "--ca-file", ca, "--concurrency", "6", "--rate", "20", csv)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no progress")
		}
		time.Sleep(300 * time.Millisecond)
		st, err := store.Open(context.Background(), db)
		if err != nil {
			continue
		}
		sc, err := st.Scan(context.Background(), 1)
		st.Close()
		if err == nil && sc.Counts.Done >= 15 {
			break
		}
	}
	scan.cmd.Process.Signal(syscall.SIGKILL)
	scan.wait(t, 10*time.Second)
	st := openDB(t, db)
	before := byTarget(t, st, 1)
	if len(before) >= 60 {
		t.Fatal("the scan ended before it was killed")
	}
	st.Close()

	var wg sync.WaitGroup
	var rs []*proc
	for i := range 2 {
		rs = append(rs, startPadlock(t, fmt.Sprintf("resume%d", i), "scan", "--db", db, "--resume=1", "--quiet"))
	}
	for _, r := range rs {
		wg.Go(func() { r.wait(t, 4*time.Minute) })
	}
	wg.Wait()
	for _, r := range rs {
		if r.err != nil {
			t.Errorf("resume: %v", r.err)
		}
	}
	st = openDB(t, db)
	grades := gradesByURL(t, st, 1)
	after := byTarget(t, st, 1)
	for id, a := range before {
		if !after[id].Finished.Equal(a.Finished) {
			t.Errorf("target %d, done before the kill, was assessed again", id)
		}
	}
	for url, g := range grades {
		if strings.HasPrefix(g, "inconclusive") {
			t.Errorf("%s: %s", url, g)
		}
	}
	// No job was inserted twice: one scan job per endpoint (60), and one
	// finish job.
	var jobs int
	sqlite := st.(*store.SQLite)
	if err := sqlite.DB().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'padlock.scan'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 60 {
		t.Errorf("%d scan jobs for 60 endpoints", jobs)
	}
}
