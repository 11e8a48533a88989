package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"padlock/lab"
	"padlock/store"
)

// padlockBin is the padlock binary, built once into a temporary directory
// for the tests that run it as a subprocess (to signal it); TestMain
// removes it.
var padlockBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "padlock-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	padlockBin = filepath.Join(dir, "padlock")
	out, err := exec.Command("go", "build", "-o", padlockBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fleetFixture is a fleet of lab servers on 127.0.0.1, a targets file
// naming them through the ip column, the lab CA as a PEM file and a
// database path.
type fleetFixture struct {
	dir, csv, ca, db string
	servers          []*lab.GoServer
	cfg              []*atomic.Pointer[tls.Config] // each server's configuration, switchable
}

func newFleet(t *testing.T, n int, extraRows ...string) *fleetFixture {
	t.Helper()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	f := &fleetFixture{dir: t.TempDir()}
	f.db = filepath.Join(f.dir, "padlock.db")
	if f.ca, err = ca.WriteRootPEM(f.dir, "lab-ca"); err != nil {
		t.Fatal(err)
	}
	modern := demoConfig(t, "modern")
	rows := []string{"organisation,url,group,ip"}
	for i := 0; i < n; i++ {
		p := new(atomic.Pointer[tls.Config])
		p.Store(modern)
		s, err := lab.StartGo(context.Background(), fmt.Sprintf("site%d", i), &tls.Config{
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return p.Load(), nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		f.servers = append(f.servers, s)
		f.cfg = append(f.cfg, p)
		rows = append(rows, fmt.Sprintf("Org %d,https://localhost:%d/,lab,127.0.0.1", i, s.Port))
	}
	rows = append(rows, extraRows...)
	f.csv = filepath.Join(f.dir, "fleet.csv")
	if err := os.WriteFile(f.csv, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func demoConfig(t *testing.T, name string) *tls.Config {
	t.Helper()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range lab.DemoServers() {
		if spec.Name == name {
			cfg, err := spec.Build(ca)
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}
	}
	t.Fatalf("no demo server %q", name)
	return nil
}

// padlock runs the binary and returns its output and exit code.
func padlock(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, padlockBin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("padlock %v: %v", args, err)
	}
	return o.String(), e.String(), 0
}

func openDB(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// byTarget returns a scan's assessments by target id, failing on a
// duplicate.
func byTarget(t *testing.T, st store.Store, id store.ScanID) map[int64]store.Assessment {
	t.Helper()
	as, err := st.Assessments(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]store.Assessment{}
	for _, a := range as {
		if _, dup := out[a.TargetID]; dup {
			t.Fatalf("target %d assessed twice", a.TargetID)
		}
		out[a.TargetID] = a
	}
	return out
}

// startSlowScan starts `padlock scan` on f, slowed by a low per-IP rate so
// that it can be stopped midway, and waits until at least two targets are
// stored.
func startSlowScan(t *testing.T, f *fleetFixture) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(padlockBin, "scan", "--db", f.db, "--ca-file", f.ca, "--no-web",
		"--concurrency", "2", "--rate", "30", "--grace", "20s", f.csv)
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errOut, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(90 * time.Second)
	for {
		time.Sleep(200 * time.Millisecond)
		if time.Now().After(deadline) {
			t.Fatalf("no progress after 90s:\n%s", errOut.String())
		}
		if _, err := os.Stat(f.db); err != nil {
			continue
		}
		st, err := store.Open(context.Background(), f.db)
		if err != nil {
			continue
		}
		sc, err := st.Scan(context.Background(), 1)
		st.Close()
		if err == nil && sc.Counts.Done >= 2 {
			return cmd, &errOut
		}
	}
}

// checkResumed resumes the scan and checks that every target ends with
// one assessment and that those stored before the stop were kept as they
// were.
func checkResumed(t *testing.T, f *fleetFixture, before map[int64]store.Assessment, args ...string) {
	t.Helper()
	out, errOut, code := padlock(t, append([]string{"scan", "--db", f.db, "--rate", "-1"}, args...)...)
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s%s", code, out, errOut)
	}
	st := openDB(t, f.db)
	sc, err := st.Scan(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Status != store.StatusFinished || sc.Counts.Total != len(f.servers) || sc.Counts.Done != len(f.servers) || sc.Counts.Failed != 0 {
		t.Fatalf("after resume: %+v\n%s", sc, errOut)
	}
	after := byTarget(t, st, 1)
	for id, a := range before {
		if !after[id].Finished.Equal(a.Finished) || after[id].Grade != a.Grade {
			t.Errorf("target %d was assessed again after the stop", id)
		}
	}
	for _, a := range after {
		if a.Grade != "A" {
			t.Errorf("%s: grade %q (%s)", a.URL, a.Grade, a.Inconclusive)
		}
	}
	if scans, _ := st.Scans(context.Background()); len(scans) != 1 {
		t.Errorf("%d scans in the database, want 1", len(scans))
	}
}

func TestScanSIGINTResume(t *testing.T) {
	f := newFleet(t, 8)
	cmd, out := startSlowScan(t, f)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("after SIGINT: %v\n%s", err, out)
	}
	if !strings.Contains(out.String(), "--resume=1") || !strings.Contains(out.String(), "stopping") {
		t.Errorf("output does not say how to resume:\n%s", out)
	}
	st := openDB(t, f.db)
	sc, err := st.Scan(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	// The targets running at the signal were let finish (the grace is
	// long enough), so nothing is half done; some are left.
	if sc.Status != store.StatusInterrupted || sc.Counts.Done < 2 || sc.Counts.Done >= 8 || sc.Counts.Failed != 0 {
		t.Fatalf("after SIGINT: %+v\n%s", sc, out)
	}
	before := byTarget(t, st, 1)
	st.Close()
	checkResumed(t, f, before, "--resume=1")
}

func TestScanSIGKILLResume(t *testing.T) {
	f := newFleet(t, 8)
	cmd, out := startSlowScan(t, f)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	st := openDB(t, f.db)
	sc, err := st.Scan(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Status != store.StatusRunning || sc.Counts.Done < 2 || sc.Counts.Done >= 8 {
		t.Fatalf("after SIGKILL: %+v\n%s", sc, out)
	}
	before := byTarget(t, st, 1)
	st.Close()
	checkResumed(t, f, before, "--resume") // the latest unfinished scan
}

func TestScanMalformedCSV(t *testing.T) {
	f := newFleet(t, 2,
		"Bad URL,ftp://x.example/,lab,",
		`Stray "quote,https://localhost:1/,lab,127.0.0.1`,
		"No organisation,,lab,",
	)
	_, errOut, code := padlock(t, "scan", "--db", f.db, "--ca-file", f.ca, "--no-web", "--strict", f.csv)
	if code != 1 || !strings.Contains(errOut, "line 4: url: unsupported scheme") {
		t.Errorf("--strict: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(f.db); err == nil {
		t.Errorf("--strict created the database")
	}

	out, errOut, code := padlock(t, "scan", "--db", f.db, "--ca-file", f.ca, "--no-web", "--rate", "-1", f.csv)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"line 4: url: unsupported scheme", "line 5: ", "line 6: url is empty", "3 bad rows left out, 2 targets"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	st := openDB(t, f.db)
	sc, err := st.Scan(context.Background(), 1)
	if err != nil || sc.Counts.Total != 2 || sc.Counts.Done != 2 || sc.Status != store.StatusFinished {
		t.Errorf("scan %+v, %v", sc, err)
	}
}

func TestDiffAndHistory(t *testing.T) {
	f := newFleet(t, 3)
	scan := func() {
		t.Helper()
		out, errOut, code := padlock(t, "scan", "--db", f.db, "--ca-file", f.ca, "--no-web", "--rate", "-1", f.csv)
		if code != 0 {
			t.Fatalf("scan: exit %d\n%s%s", code, out, errOut)
		}
	}
	scan()
	if _, errOut, code := padlock(t, "diff", "--db", f.db); code != 1 || !strings.Contains(errOut, "need two finished scans") {
		t.Errorf("diff with one scan: exit %d: %s", code, errOut)
	}
	f.cfg[1].Store(demoConfig(t, "legacy")) // site 1 "upgrades" to a legacy configuration
	scan()

	out, errOut, code := padlock(t, "diff", "--db", f.db)
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s", code, errOut)
	}
	site1 := fmt.Sprintf("localhost:%d", f.servers[1].Port)
	for _, want := range []string{"from scan 1", "to scan 2", "Deteriorated (1)", "Org 1", site1, "A → B: + TLS 1.0 or TLS 1.1 supported", "Unchanged (2)", "1 deteriorated, 0 improved, 0 new, 0 gone, 0 inconclusive, 2 unchanged"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	if out2, _, _ := padlock(t, "diff", "--db", f.db, "1", "2"); out2 != out {
		t.Errorf("diff 1 2 differs from the default:\n%s", out2)
	}
	if out3, _, _ := padlock(t, "diff", "--db", f.db, "--json"); !strings.Contains(out3, `"kind": "deteriorated"`) {
		t.Errorf("diff --json:\n%s", out3)
	}

	out, errOut, code = padlock(t, "history", "--db", f.db, "https://"+site1+"/")
	if code != 0 {
		t.Fatalf("history: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[3], " A ") || !strings.Contains(lines[4], " B ") || !strings.Contains(lines[4], "deteriorated: A → B") {
		t.Errorf("history:\n%s", out)
	}
	if _, errOut, code := padlock(t, "history", "--db", f.db, "nowhere.example"); code != 1 || !strings.Contains(errOut, "no assessment of nowhere.example") {
		t.Errorf("history of an unknown site: exit %d: %s", code, errOut)
	}
}
