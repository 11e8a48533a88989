package fleet

import (
	"context"
	"net"
	"strings"
	"testing"

	"padlock/assess"
	"padlock/queue"
)

// A job whose assessment panics is stored as failed for its target with
// the reason, its job is cancelled with that reason, and the scan goes
// on to the end.
func TestPanickingJob(t *testing.T) {
	ctx := context.Background()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	targets := []Target{
		target(1, "calm", "127.0.0.1", port),
		target(2, "boom", "127.0.0.2", port),
		target(3, "calm too", "127.0.0.3", port),
	}
	real := assessFunc
	assessFunc = func(ctx context.Context, t assess.Target, o assess.Options) *assess.Host {
		if len(t.Pin) > 0 && t.Pin[0].String() == "127.0.0.2" {
			var none []int
			_ = none[len(t.Pin)] // out of range: a genuine runtime panic
		}
		return real(ctx, t, o)
	}
	defer func() { assessFunc = real }()

	st := openStore(t)
	opts := Options{Rate: -1, Retries: 2}
	opts.Assess.Probe.SkipSimulation = true
	id, err := CreateScan(ctx, st, "panic", "", targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, st, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || sum.Done != 3 {
		t.Errorf("summary %+v", sum)
	}
	got := assessmentsByLine(t, st, id)
	if got[1].Grade != "U" || got[3].Grade != "U" {
		t.Errorf("the other targets: %q %q", got[1].Grade, got[3].Grade)
	}
	if got[2].Grade != "" || !strings.Contains(got[2].Inconclusive, "panic") || !strings.Contains(got[2].Inconclusive, "index out of range") {
		t.Errorf("the panicking target: grade %q, %q", got[2].Grade, got[2].Inconclusive)
	}
	sc, _ := st.Scan(ctx, id)
	if sc.Status != "finished" {
		t.Errorf("scan %s", sc.Status)
	}
	q, err := queue.Open(ctx, st, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	view, err := q.ScanJobs(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if view.Failed != 1 || len(view.Jobs) != 1 || !strings.Contains(view.Jobs[0].Reason, "panic") {
		t.Errorf("queue view %+v", view)
	}
}
