package assess

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"padlock/lab/hostile"
	"padlock/probe"
	"padlock/vuln"
)

// These tests assess hostile mock servers (package lab/hostile): peers that
// close or reset at every step of the handshake, drip-feed, tarpit, or send
// oversized and endless records. For each the assessment must end within
// its bounds, hold bounded memory, give the honest state (inconclusive with
// a reason, never a grade or a U from a lost connection) and keep what it
// did learn. Each case logs its time, connections, bytes allocated and
// peak heap (go test -v -run TestAssessHostile).

type hostileWant int

const (
	wantU            hostileWant = iota // every hello refused: U is true
	wantInconclusive                    // no grade, no U
	wantGraded                          // a whole first flight was read: graded
)

func TestAssessHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("assesses hostile mock servers")
	}
	tests := []struct {
		name string
		b    hostile.Behaviour
		want hostileWant
		// kept is the TLS version ("1.2", "1.3") the mock's ServerHello
		// showed, which must be kept as supported ("" when none).
		kept string
		why  string // a substring of the inconclusive reason or caveats
	}{
		{"close before any byte", hostile.CloseAt(hostile.BeforeAnyByte), wantU, "", ""},
		{"reset before any byte", hostile.ResetAt(hostile.BeforeAnyByte), wantInconclusive, "", "reset"},
		{"reset on accept", hostile.ResetOnAccept, wantInconclusive, "", "reset"},
		{"close after a partial record header", hostile.CloseAt(hostile.PartialHeader), wantInconclusive, "", "inside a record"},
		{"reset after a partial record header", hostile.ResetAt(hostile.PartialHeader), wantInconclusive, "", ""},
		{"close mid-record", hostile.CloseAt(hostile.MidRecord), wantInconclusive, "", "inside a record"},
		{"reset mid-record", hostile.ResetAt(hostile.MidRecord), wantInconclusive, "", ""},
		{"close after ServerHello", hostile.CloseAt(hostile.AfterServerHello), wantInconclusive, "1.2", "broke off"},
		{"reset after ServerHello", hostile.ResetAt(hostile.AfterServerHello), wantInconclusive, "1.2", "broke off"},
		{"close after Certificate", hostile.CloseAt(hostile.AfterCertificate), wantInconclusive, "1.2", "broke off"},
		{"reset after Certificate", hostile.ResetAt(hostile.AfterCertificate), wantInconclusive, "1.2", "broke off"},
		{"TLS 1.3: close after ServerHello", hostile.TLS13CloseAfterServerHello, wantInconclusive, "1.3", "broke off"},
		{"close after ServerHelloDone", hostile.CloseAt(hostile.AfterServerHelloDone), wantGraded, "1.2", ""},
		{"reset after ServerHelloDone", hostile.ResetAt(hostile.AfterServerHelloDone), wantGraded, "1.2", ""},
		{"drip-feed 1 byte per 100 ms", hostile.DripFeed(100 * time.Millisecond), wantInconclusive, "", "timed out"},
		{"tarpit", hostile.Tarpit, wantInconclusive, "", "timed out"},
		{"oversized record", hostile.OversizedRecord, wantInconclusive, "", "record"},
		{"endless records after ServerHello", hostile.EndlessRecords, wantInconclusive, "1.2", "broke off"},
		{"endless handshake message", hostile.EndlessHandshake, wantInconclusive, "", "handshake"},
	}
	var table strings.Builder
	for _, tt := range tests {
		// One case at a time, so that the memory figures are its own.
		t.Run(tt.name, func(t *testing.T) {
			ap := hostile.Serve(t, tt.b)
			// The vulnerability checks run too, as they do by default: they
			// must stay bounded against these peers as well.
			opts := Options{
				Probe: probe.Options{Timeout: 2 * time.Second, Budget: 60 * time.Second},
				Vuln:  &vuln.Options{Wait: time.Second, Budget: 30 * time.Second},
			}
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
			defer cancel()

			m := startMemWatch()
			start := time.Now()
			h := Assess(ctx, Target{Host: "127.0.0.1", Port: ap.Port()}, opts)
			took := time.Since(start)
			allocated, peak := m.stop()

			if took > 120*time.Second { // generous: the budgets are 60 s (probe) and 30 s (checks)
				t.Errorf("took %v", took)
			}
			if peak > 256<<20 {
				t.Errorf("peak heap %d MiB", peak>>20)
			}
			if len(h.Endpoints) != 1 {
				t.Fatalf("%d endpoints", len(h.Endpoints))
			}
			ep := h.Endpoints[0]
			var reasons []string
			if ep.PadlockGrade != nil {
				reasons = append(reasons, ep.PadlockGrade.Inconclusive)
				reasons = append(reasons, ep.PadlockGrade.Caveats...)
			}
			if ep.Details != nil {
				reasons = append(reasons, ep.Details.PadlockErrors...)
				for _, p := range ep.Details.PadlockProtocolTests {
					reasons = append(reasons, p.Inconclusive)
				}
			}
			all := strings.Join(reasons, "\n")
			switch tt.want {
			case wantU:
				if ep.Grade != "U" {
					t.Errorf("grade %q (%s), want U", ep.Grade, ep.StatusMessage)
				}
			case wantInconclusive:
				if ep.Grade != "" || ep.PadlockFailure == FailNoTLS {
					t.Errorf("grade %q, failure %q: want no grade and no U; reasons:\n%s", ep.Grade, ep.PadlockFailure, all)
				}
				if ep.PadlockGrade == nil || ep.PadlockGrade.Inconclusive == "" {
					t.Errorf("no inconclusive reason")
				}
			case wantGraded:
				if ep.Grade == "" || ep.Grade == "U" {
					t.Errorf("grade %q, want a grade from the whole first flights; reasons:\n%s", ep.Grade, all)
				}
			}
			if ep.PadlockGrade != nil {
				for _, f := range ep.PadlockGrade.Findings {
					if strings.HasPrefix(string(f.Rule), "E") {
						// No vulnerability can be shown on a peer that
						// never completes a handshake.
						t.Errorf("vulnerability rule %s fired: %s", f.Rule, f.Title)
					}
				}
			}
			if tt.why != "" && !strings.Contains(all, tt.why) {
				t.Errorf("no %q in the reasons:\n%s", tt.why, all)
			}
			if tt.kept != "" {
				found := false
				if ep.Details != nil {
					for _, p := range ep.Details.Protocols {
						found = found || p.Name == "TLS" && p.Version == tt.kept
					}
				}
				if !found {
					t.Errorf("TLS %s, which the ServerHello showed, was not kept", tt.kept)
				}
			}
			if tt.kept == "1.2" && ep.Details != nil {
				// Each ServerHello named a suite: all three are kept.
				var got []uint16
				for _, ps := range ep.Details.Suites {
					for _, s := range ps.List {
						if ps.Protocol == 771 {
							got = append(got, uint16(s.ID))
						}
					}
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(hostile.Suites))
				if !slices.Equal(got, want) {
					t.Errorf("TLS 1.2 suites %x, want %x", got, want)
				}
			}
			conns := 0
			if ep.Details != nil {
				conns = ep.Details.PadlockConnections
			}
			inc := ""
			if ep.PadlockGrade != nil {
				inc = ep.PadlockGrade.Inconclusive
			}
			line := tableLine(tt.name, took, conns, allocated, peak, ep.Grade, ep.PadlockFailure, inc)
			t.Log(line)
			table.WriteString(line + "\n")
		})
	}
	t.Logf("| case | time | connections | allocated | peak heap | grade | failure | inconclusive |\n|---|---|---|---|---|---|---|---|\n%s\nprocess peak RSS (VmHWM): %s", table.String(), vmHWM())
}

// TestAssessResetOnAcceptIsAlwaysInconclusive repeats the reset-on-accept
// case: whether the reset races the hello, the connect or the read, the
// verdict must be the same (it used to be U one run in three).
func TestAssessResetOnAcceptIsAlwaysInconclusive(t *testing.T) {
	if testing.Short() {
		t.Skip("assesses a hostile mock server")
	}
	ap := hostile.Serve(t, hostile.ResetOnAccept)
	const runs = 30
	var wg sync.WaitGroup
	var bad atomic.Int32
	sem := make(chan struct{}, 3)
	for i := range runs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			h := Assess(context.Background(), Target{Host: "127.0.0.1", Port: ap.Port()},
				Options{Probe: probe.Options{Timeout: 2 * time.Second, SkipSimulation: true}})
			ep := h.Endpoints[0]
			if ep.Grade != "" || ep.PadlockFailure != FailNoAnswer {
				bad.Add(1)
				t.Errorf("run %d: grade %q, failure %q", i, ep.Grade, ep.PadlockFailure)
			}
		})
	}
	wg.Wait()
	t.Logf("%d of %d runs inconclusive", runs-int(bad.Load()), runs)
}

// memWatch samples the heap while an assessment runs.
type memWatch struct {
	stopc  chan struct{}
	done   chan struct{}
	before uint64
	peak   atomic.Uint64
}

func startMemWatch() *memWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := &memWatch{stopc: make(chan struct{}), done: make(chan struct{}), before: ms.TotalAlloc}
	m.peak.Store(ms.HeapInuse)
	go func() {
		defer close(m.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.stopc:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > m.peak.Load() {
					m.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return m
}

// stop returns the bytes allocated during the watch and the peak heap in
// use.
func (m *memWatch) stop() (allocated, peak uint64) {
	close(m.stopc)
	<-m.done
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc - m.before, max(m.peak.Load(), ms.HeapInuse)
}

func tableLine(name string, took time.Duration, conns int, allocated, peak uint64, grade, failure, inc string) string {
	if grade == "" {
		grade = "—"
	}
	if len(inc) > 70 {
		inc = inc[:70] + "…"
	}
	return fmt.Sprintf("| %s | %v | %d | %.1f MiB | %.1f MiB | %s | %s | %s |", name, took.Round(10*time.Millisecond),
		conns, float64(allocated)/(1<<20), float64(peak)/(1<<20), grade, failure, inc)
}

// vmHWM is the process's peak resident set size, from /proc (Linux).
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
