package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"padlock/lab/peer"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func openTemp(t *testing.T) (*SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "padlock.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// eachDialect runs test on a new SQLite store and on a new database of a
// real PostgreSQL server (skipped without PostgreSQL, failed in CI).
func eachDialect(t *testing.T, test func(t *testing.T, s Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, _ := openTemp(t)
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		pg := peer.Postgres(t)
		s, err := OpenPostgres(context.Background(), pg.NewDatabase())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		test(t, s)
	})
}

// sqlOf is the shared query layer of either store.
func sqlOf(s Store) *sqlDB {
	switch s := s.(type) {
	case *SQLite:
		return s.sqlDB
	case *PostgreSQL:
		return s.sqlDB
	}
	panic("unknown store")
}

func sampleTargets(n int) []Target {
	out := make([]Target, n)
	for i := range out {
		out[i] = Target{
			Organisation: fmt.Sprintf("Org %02d", i),
			URL:          fmt.Sprintf("https://Site%02d.Example.org/", i),
			Line:         i + 2,
		}
	}
	return out
}

func newScan(t *testing.T, s Store, n int) (ScanID, []Target) {
	t.Helper()
	targets := sampleTargets(n)
	id, err := s.CreateScan(context.Background(), Scan{Name: "test", TargetsFile: "fleet.csv", Options: `{"concurrency":4}`}, targets)
	if err != nil {
		t.Fatalf("CreateScan: %v", err)
	}
	return id, targets
}

func bp(b bool) *bool { return &b }

func TestOpenMigrateTwice(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	id, _ := newScan(t, s, 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		s2, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		sc, err := s2.Scan(ctx, id)
		if err != nil {
			t.Fatalf("reopen %d: Scan: %v", i, err)
		}
		if sc.Counts.Total != 2 {
			t.Errorf("reopen %d: total %d, want 2", i, sc.Counts.Total)
		}
		var mode string
		if err := s2.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := s2.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
		}
		var versions int
		if err := s2.db.QueryRowContext(ctx, "SELECT count(*) FROM goose_db_version WHERE version_id = 1").Scan(&versions); err != nil || versions != 1 {
			t.Errorf("migration 1 recorded %d times (%v), want once", versions, err)
		}
		s2.Close()
	}
}

func TestOpenDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db"), "sqlite://" + filepath.Join(dir, "c.db")} {
		st, err := Open(ctx, dsn)
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		st.Close()
	}
	// Nothing listens on port 1 of loopback: a clear error naming the
	// database, without its password.
	for _, dsn := range []string{"postgres://u:secret@127.0.0.1:1/padlock?sslmode=disable", "postgresql://127.0.0.1:1/padlock?sslmode=disable"} {
		_, err := Open(ctx, dsn)
		if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL at postgres") || !strings.Contains(err.Error(), "127.0.0.1:1/padlock") {
			t.Errorf("Open(%q) = %v, want cannot reach PostgreSQL at …", dsn, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if _, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/x?sslmode=bogus"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(bad URL) = %v", err)
	}
	if _, err := Open(ctx, "mysql://u:secret@db/x"); !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(mysql) = %v", err)
	}
	if _, err := Open(ctx, ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestCreateScanAndTargets(t *testing.T) { eachDialect(t, testCreateScanAndTargets) }

func testCreateScanAndTargets(t *testing.T, s Store) {
	ctx := context.Background()
	started := time.Date(2026, 7, 1, 9, 30, 0, 123456789, time.UTC)
	targets := []Target{
		{Organisation: "Cheshire", URL: "https://www.Cheshire.Police.UK/", Group: "police", Tags: []string{"main", "uk"}, Notes: "n", Line: 2},
		{Organisation: "Cheshire", URL: "https://report.example.org:8443/crime", Pin: "127.0.0.2", Line: 3},
		{Organisation: "Dorset", URL: "dorset.example.org", Site: "Dorset.Example.org:443", Line: 4},
	}
	id, err := s.CreateScan(ctx, Scan{Name: "july", TargetsFile: "uk.csv", Started: started}, targets)
	if err != nil {
		t.Fatal(err)
	}
	for i, tg := range targets {
		if tg.ID == 0 || tg.ScanID != id {
			t.Errorf("target %d: ID %d ScanID %d, want set", i, tg.ID, tg.ScanID)
		}
	}
	wantSites := []string{"www.cheshire.police.uk", "report.example.org:8443", "dorset.example.org"}
	for i, w := range wantSites {
		if targets[i].Site != w {
			t.Errorf("target %d site %q, want %q", i, targets[i].Site, w)
		}
	}
	got, err := s.Targets(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, targets) {
		t.Errorf("Targets:\n got %+v\nwant %+v", got, targets)
	}
	sc, err := s.Scan(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Scan{ID: id, Name: "july", TargetsFile: "uk.csv", Started: started.Truncate(time.Millisecond),
		Status: StatusRunning, Options: "{}", Counts: Counts{Total: 3}}
	if !reflect.DeepEqual(sc, want) {
		t.Errorf("Scan:\n got %+v\nwant %+v", sc, want)
	}
	if _, err := s.Scan(ctx, id+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Scan(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.Targets(ctx, id+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("Targets(missing) = %v, want ErrNotFound", err)
	}
	// Refusals leave nothing behind.
	bad := []Target{{URL: "https://ok.example/"}, {URL: " ", Line: 7}}
	if _, err := s.CreateScan(ctx, Scan{}, bad); err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Errorf("CreateScan with an empty URL = %v", err)
	}
	if _, err := s.CreateScan(ctx, Scan{Options: "{not json"}, nil); err == nil {
		t.Error("CreateScan with bad options succeeded")
	}
	if _, err := s.CreateScan(ctx, Scan{Status: "paused"}, nil); err == nil {
		t.Error("CreateScan with a bad status succeeded")
	}
	all, err := s.Scans(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("Scans = %d scans, %v; want 1", len(all), err)
	}
}

func TestSaveAssessmentPendingAndResave(t *testing.T) {
	eachDialect(t, testSaveAssessmentPendingAndResave)
}

func testSaveAssessmentPendingAndResave(t *testing.T, s Store) {
	ctx := context.Background()
	id, targets := newScan(t, s, 5)

	pending, err := s.Pending(ctx, id)
	if err != nil || len(pending) != 5 {
		t.Fatalf("Pending = %d, %v; want 5", len(pending), err)
	}
	finished := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	expiry := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	first := Assessment{
		ScanID: id, TargetID: targets[1].ID, Finished: finished, Grade: "C", Star: true,
		SecureByDefault: bp(false), HSTS: "absent", Protocols: "TLS 1.0,TLS 1.2", BestProtocol: "TLS 1.2",
		CertNotAfter: expiry, Endpoints: 2, Criteria: "padlock-2009r", Provisional: true,
		Result: json.RawMessage(`{"host":{"host":"site01.example.org"}}`), Lookup: json.RawMessage(`[{"addr":"x"}]`),
	}
	if err := s.SaveAssessment(ctx, first); err != nil {
		t.Fatal(err)
	}
	inc := Assessment{ScanID: id, TargetID: targets[3].ID, Finished: finished, Inconclusive: "DNS lookup failed"}
	if err := s.SaveAssessment(ctx, inc); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.Pending(ctx, id)
	if ids := targetIDs(pending); !reflect.DeepEqual(ids, []int64{targets[0].ID, targets[2].ID, targets[4].ID}) {
		t.Errorf("Pending = %v", ids)
	}
	sc, _ := s.Scan(ctx, id)
	if sc.Counts != (Counts{Total: 5, Done: 2, Failed: 1}) {
		t.Errorf("Counts = %+v", sc.Counts)
	}
	if n, err := s.Remaining(ctx, id); n != 3 || err != nil {
		t.Errorf("Remaining = %d, %v; want 3", n, err)
	}
	if ls, err := s.Lookups(ctx, id); err != nil || len(ls) != 2 || ls[0].TargetID != targets[1].ID ||
		string(ls[0].Data) != `[{"addr":"x"}]` || ls[1].TargetID != targets[3].ID || ls[1].Data != nil {
		t.Errorf("Lookups = %+v, %v", ls, err)
	}
	if a, err := s.Assessment(ctx, id, targets[3].ID); err != nil || a.Inconclusive != "DNS lookup failed" {
		t.Errorf("Assessment = %+v, %v", a, err)
	}
	if _, err := s.Assessment(ctx, id, targets[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Assessment of a pending target = %v, want ErrNotFound", err)
	}

	got, err := s.Assessments(ctx, id)
	if err != nil || len(got) != 2 {
		t.Fatalf("Assessments = %d, %v", len(got), err)
	}
	want := first
	want.Site, want.Organisation, want.URL = "site01.example.org", "Org 01", targets[1].URL
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got[0], want)
	}
	if got[1].SecureByDefault != nil || got[1].Result != nil || got[1].Inconclusive != "DNS lookup failed" {
		t.Errorf("inconclusive round trip: %+v", got[1])
	}

	// A re-run replaces, never duplicates.
	second := Assessment{ScanID: id, TargetID: targets[1].ID, Grade: "A", SecureByDefault: bp(true), Result: json.RawMessage(`{"v":2}`)}
	if err := s.SaveAssessment(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Assessments(ctx, id)
	if len(got) != 2 || got[0].Grade != "A" || got[0].Star || !*got[0].SecureByDefault || string(got[0].Result) != `{"v":2}` || got[0].Finished.IsZero() {
		t.Errorf("after re-save: %+v", got)
	}
	var rows int
	sqlOf(s).db.QueryRowContext(ctx, "SELECT count(*) FROM assessments").Scan(&rows)
	if rows != 2 {
		t.Errorf("%d assessment rows, want 2", rows)
	}

	// Status.
	end := finished.Add(time.Hour)
	if err := s.SetScanStatus(ctx, id, StatusFinished, end); err != nil {
		t.Fatal(err)
	}
	sc, _ = s.Scan(ctx, id)
	if sc.Status != StatusFinished || !sc.Finished.Equal(end) {
		t.Errorf("after SetScanStatus: %+v", sc)
	}
	if err := s.SetScanStatus(ctx, id+9, StatusFinished, end); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetScanStatus(missing) = %v", err)
	}
	if err := s.SetScanStatus(ctx, id, "done", end); err == nil {
		t.Error("SetScanStatus accepted a bad status")
	}
}

func TestSaveAssessmentRefusals(t *testing.T) { eachDialect(t, testSaveAssessmentRefusals) }

func testSaveAssessmentRefusals(t *testing.T, s Store) {
	ctx := context.Background()
	id1, t1 := newScan(t, s, 1)
	id2, _ := newScan(t, s, 1)

	err := s.SaveAssessment(ctx, Assessment{ScanID: id2, TargetID: t1[0].ID, Grade: "A"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("target of another scan: %v, want ErrNotFound", err)
	}
	if err := s.SaveAssessment(ctx, Assessment{ScanID: id1, TargetID: t1[0].ID, Grade: "A", Result: json.RawMessage(`{"a":`)}); err == nil {
		t.Error("invalid JSON accepted")
	}
	if err := s.SaveAssessment(ctx, Assessment{ScanID: id1, TargetID: t1[0].ID, Grade: "B*"}); err == nil {
		t.Error("grade with * accepted (the star is its own column)")
	}

	// The bound: exactly MaxResultBytes is fine, one byte more is not.
	big := make([]byte, MaxResultBytes)
	for i := range big {
		big[i] = 'x'
	}
	big[0], big[len(big)-1] = '"', '"'
	if err := s.SaveAssessment(ctx, Assessment{ScanID: id1, TargetID: t1[0].ID, Grade: "A", Result: big}); err != nil {
		t.Errorf("result of exactly %d bytes refused: %v", MaxResultBytes, err)
	}
	tooBig := append(big[:len(big)-1:len(big)-1], 'x', '"')
	err = s.SaveAssessment(ctx, Assessment{ScanID: id1, TargetID: t1[0].ID, Grade: "F", Result: tooBig})
	if !errors.Is(err, ErrResultTooLarge) || !strings.Contains(err.Error(), "8 MiB") {
		t.Errorf("oversized result: %v, want ErrResultTooLarge mentioning 8 MiB", err)
	}
	got, _ := s.Assessments(ctx, id1)
	if len(got) != 1 || got[0].Grade != "A" || len(got[0].Result) != MaxResultBytes {
		t.Errorf("the refused save changed the stored one: grade %q, %d bytes", got[0].Grade, len(got[0].Result))
	}
}

func targetIDs(ts []Target) []int64 {
	var out []int64
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// TestKilledMidScanCloseReopen: some assessments written, the store closed
// without finishing the scan; reopened, Pending is exactly the rest.
func TestKilledMidScanCloseReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	id, targets := newScan(t, s, 10)
	done := map[int64]bool{}
	for _, i := range []int{0, 3, 4, 9} {
		if err := s.SaveAssessment(ctx, Assessment{ScanID: id, TargetID: targets[i].ID, Grade: "B"}); err != nil {
			t.Fatal(err)
		}
		done[targets[i].ID] = true
	}
	s.Close()

	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	pending, err := s2.Pending(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, tg := range targets {
		if !done[tg.ID] {
			want = append(want, tg.ID)
		}
	}
	if got := targetIDs(pending); !reflect.DeepEqual(got, want) {
		t.Errorf("Pending after reopen = %v, want %v", got, want)
	}
	sc, _ := s2.Scan(ctx, id)
	if sc.Status != StatusRunning || sc.Counts.Done != 4 {
		t.Errorf("scan after reopen: %+v", sc)
	}
}

// The child half of TestKilledMidScanSIGKILL: saves assessments one by
// one, printing each target id once SaveAssessment has returned, until it
// is killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("PADLOCK_STORE_CHILD_DB"); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

func child(path string) int {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	id, _ := strconv.ParseInt(os.Getenv("PADLOCK_STORE_CHILD_SCAN"), 10, 64)
	pending, err := s.Pending(ctx, ScanID(id))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("ready")
	for _, tg := range pending {
		res := json.RawMessage(fmt.Sprintf(`{"target":%d,"pad":%q}`, tg.ID, strings.Repeat("p", 20000)))
		if err := s.SaveAssessment(ctx, Assessment{ScanID: tg.ScanID, TargetID: tg.ID, Grade: "A", Result: res}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println(tg.ID)
		time.Sleep(2 * time.Millisecond)
	}
	select {} // wait to be killed
}

// TestKilledMidScanSIGKILL kills a real process mid-scan with SIGKILL:
// every assessment it reported saved is there, Pending is exactly the
// rest, and a resumed run finishes the scan without duplicates.
func TestKilledMidScanSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	ctx := context.Background()
	s, path := openTemp(t)
	id, targets := newScan(t, s, 200)
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PADLOCK_STORE_CHILD_DB="+path, fmt.Sprintf("PADLOCK_STORE_CHILD_SCAN=%d", id))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not start: %q", sc.Text())
	}
	saved := map[int64]bool{}
	for len(saved) < 40 && sc.Scan() {
		n, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		saved[n] = true
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // ids printed before the kill landed were saved too
		if n, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
			saved[n] = true
		}
	}
	cmd.Wait()
	if len(saved) < 40 {
		t.Fatalf("child saved only %d before dying", len(saved))
	}

	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s2.Close()
	as, err := s2.Assessments(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	for _, a := range as {
		stored[a.TargetID] = true
		var r struct{ Target int64 }
		if err := json.Unmarshal(a.Result, &r); err != nil || r.Target != a.TargetID {
			t.Errorf("target %d: result damaged: %v", a.TargetID, err)
		}
	}
	for n := range saved {
		if !stored[n] {
			t.Errorf("target %d was reported saved but is missing after SIGKILL", n)
		}
	}
	// At most one save may have committed without being reported.
	if len(stored) > len(saved)+1 {
		t.Errorf("%d stored, %d reported", len(stored), len(saved))
	}
	pending, err := s2.Pending(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pending {
		if stored[p.ID] {
			t.Errorf("target %d is both stored and pending", p.ID)
		}
	}
	if len(pending)+len(stored) != len(targets) {
		t.Errorf("pending %d + stored %d != %d targets", len(pending), len(stored), len(targets))
	}
	// Resume: run the pending ones (and, harmlessly, one done one again).
	again := append(pending, targets[0])
	for _, tg := range again {
		if err := s2.SaveAssessment(ctx, Assessment{ScanID: id, TargetID: tg.ID, Grade: "B"}); err != nil {
			t.Fatal(err)
		}
	}
	scan, _ := s2.Scan(ctx, id)
	if scan.Counts.Done != len(targets) || scan.Counts.Total != len(targets) {
		t.Errorf("after resume: %+v", scan.Counts)
	}
	if p, _ := s2.Pending(ctx, id); len(p) != 0 {
		t.Errorf("still %d pending after resume", len(p))
	}
}

func TestConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	const workers, per = 8, 40
	id, targets := newScan(t, s, workers*per)
	// A second handle on the same file, as a second process would have.
	other, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var wg sync.WaitGroup
	errs := make(chan error, workers*per*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			st := Store(s)
			if w%2 == 1 {
				st = other
			}
			for i := w * per; i < (w+1)*per; i++ {
				a := Assessment{ScanID: id, TargetID: targets[i].ID, Grade: "A", Result: json.RawMessage(`{"i":` + strconv.Itoa(i) + `}`)}
				if err := st.SaveAssessment(ctx, a); err != nil {
					errs <- err
				}
				if i%5 == 0 { // and a re-run of the same target
					a.Grade = "B"
					if err := st.SaveAssessment(ctx, a); err != nil {
						errs <- err
					}
				}
				if _, err := st.Pending(ctx, id); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	as, err := s.Assessments(ctx, id)
	if err != nil || len(as) != workers*per {
		t.Fatalf("Assessments = %d, %v; want %d", len(as), err, workers*per)
	}
	for i, a := range as {
		want := "A"
		if i%5 == 0 {
			want = "B"
		}
		if a.TargetID != targets[i].ID || a.Grade != want {
			t.Errorf("assessment %d: target %d grade %s, want %d %s", i, a.TargetID, a.Grade, targets[i].ID, want)
		}
	}
}

func TestHistoryAndLatestFinished(t *testing.T) { eachDialect(t, testHistoryAndLatestFinished) }

func testHistoryAndLatestFinished(t *testing.T, s Store) {
	ctx := context.Background()
	mk := func(name string, started time.Time, grade string) ScanID {
		targets := []Target{
			{Organisation: "Cheshire", URL: "https://www.cheshire.example/"},
			{Organisation: "Other", URL: "https://other.example/"},
		}
		id, err := s.CreateScan(ctx, Scan{Name: name, Started: started}, targets)
		if err != nil {
			t.Fatal(err)
		}
		for i, tg := range targets {
			g := grade
			if i == 1 {
				g = "A"
			}
			if err := s.SaveAssessment(ctx, Assessment{ScanID: id, TargetID: tg.ID, Grade: g, Finished: started.Add(time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	jul := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	// Created out of order: history goes by when scans ran.
	sep := mk("september", jul.AddDate(0, 2, 0), "F")
	july := mk("july", jul, "C")
	aug := mk("august", jul.AddDate(0, 1, 0), "")
	s.SetScanStatus(ctx, sep, StatusFinished, jul.AddDate(0, 2, 1))
	s.SetScanStatus(ctx, july, StatusFinished, jul.AddDate(0, 0, 1))
	s.SetScanStatus(ctx, aug, StatusInterrupted, jul.AddDate(0, 1, 1))

	for _, q := range []string{"www.cheshire.example", "https://WWW.Cheshire.Example/contact", "www.cheshire.example:443"} {
		h, err := s.History(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range h {
			got = append(got, fmt.Sprintf("%d:%s:%s", a.ScanID, a.Grade, a.Organisation))
		}
		want := []string{fmt.Sprintf("%d:C:Cheshire", july), fmt.Sprintf("%d::Cheshire", aug), fmt.Sprintf("%d:F:Cheshire", sep)}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("History(%q) = %v, want %v", q, got, want)
		}
	}
	if h, err := s.History(ctx, "nowhere.example"); err != nil || len(h) != 0 {
		t.Errorf("History(unknown) = %v, %v", h, err)
	}

	latest, err := s.LatestFinished(ctx, 2)
	if err != nil || len(latest) != 2 || latest[0].ID != sep || latest[1].ID != july {
		t.Errorf("LatestFinished(2) = %+v, %v; want september then july", latest, err)
	}
	if all, _ := s.LatestFinished(ctx, 0); len(all) != 2 {
		t.Errorf("LatestFinished(0) = %d scans, want the 2 finished", len(all))
	}
	scans, _ := s.Scans(ctx)
	if len(scans) != 3 || scans[0].ID != sep || scans[2].ID != aug {
		t.Errorf("Scans not in id order: %+v", scans)
	}
}

func TestCorruptFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("this is not a database\n", 500)), 0o644)
	_, err := OpenSQLite(ctx, garbage)
	if err == nil || !strings.Contains(err.Error(), "not a SQLite database") || !strings.Contains(err.Error(), garbage) {
		t.Errorf("garbage file: %v", err)
	}
	if _, err := Open(ctx, "sqlite:"+garbage); err == nil {
		t.Error("Open accepted a garbage file")
	}

	// A real database with its pages overwritten after the header.
	damaged := filepath.Join(dir, "damaged.db")
	s, err := OpenSQLite(ctx, damaged)
	if err != nil {
		t.Fatal(err)
	}
	newScan(t, s, 50)
	s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	s.Close()
	b, _ := os.ReadFile(damaged)
	for i := 100; i < len(b); i++ {
		b[i] = byte(i * 7)
	}
	os.WriteFile(damaged, b, 0o644)
	os.Remove(damaged + "-wal")
	os.Remove(damaged + "-shm")
	_, err = OpenSQLite(ctx, damaged)
	if err == nil || !strings.Contains(err.Error(), damaged) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged file: %v", err)
	}

	// Another program's SQLite database is left alone.
	foreign := filepath.Join(dir, "foreign.db")
	if s, err := OpenSQLite(ctx, foreign); err == nil {
		s.db.ExecContext(ctx, "DROP TABLE goose_db_version")
		s.db.ExecContext(ctx, "CREATE TABLE photos (id INTEGER PRIMARY KEY)")
		s.Close()
	}
	_, err = OpenSQLite(ctx, foreign)
	if err == nil || !strings.Contains(err.Error(), "not padlock's") {
		t.Errorf("foreign database: %v", err)
	}

	if _, err := OpenSQLite(ctx, dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := OpenSQLite(ctx, filepath.Join(dir, "no", "such", "dir", "x.db")); err == nil {
		t.Error("a path in a missing directory opened")
	}
}

func TestSiteKey(t *testing.T) {
	for in, want := range map[string]string{
		"example.org":                   "example.org",
		"https://Example.ORG/":          "example.org",
		"https://www.example.org./x?y":  "www.example.org",
		"example.org:443":               "example.org",
		"https://example.org:8443/path": "example.org:8443",
		"http://example.org/":           "example.org",
		"http://example.org:8080/":      "example.org:8080",
		"  WWW.Example.org  ":           "www.example.org",
		"127.0.0.1":                     "127.0.0.1",
		"https://127.0.0.1:4443/":       "127.0.0.1:4443",
		"::1":                           "[::1]",
		"[2001:DB8::1]":                 "[2001:db8::1]",
		"https://[2001:db8::1]:8443/":   "[2001:db8::1]:8443",
		"https://[2001:db8::1]/":        "[2001:db8::1]",
	} {
		if got := SiteKey(in); got != want {
			t.Errorf("SiteKey(%q) = %q, want %q", in, got, want)
		}
		if got := SiteKey(SiteKey(in)); got != want {
			t.Errorf("SiteKey not idempotent on %q: %q", in, got)
		}
	}
}
