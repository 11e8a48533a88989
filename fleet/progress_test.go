package fleet

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"padlock/store"
)

func TestProgressPlain(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false)
	p.Interval = time.Hour // no periodic line during the test
	now := time.Unix(1000, 0)
	p.now = func() time.Time { return now }
	p.ScanStarted(7, 10, 2, 8)
	p.TargetStarted([]Target{{Line: 3}, {Line: 4}})
	now = now.Add(4 * time.Second)
	p.TargetDone(Target{Line: 3, URL: "https://a.example/"}, store.Assessment{Grade: "A"}, 1)
	p.TargetDone(Target{Line: 4, URL: "https://b.example/"}, store.Assessment{Inconclusive: "timed out"}, 3)
	status := p.statusLocked()
	p.ScanEnded(Summary{ScanID: 7, Total: 10, Done: 4, Assessed: 2, Assessments: 2, Inconclusive: 1, Interrupted: true, Elapsed: 4 * time.Second,
		Politeness: Stats{Dials: 110, Addresses: 2, PeakPerIP: 4}})
	out := b.String()
	for _, want := range []string{
		"scan 7: resuming, 2 of 10 targets done, 8 to go",
		"line 4 https://b.example/: inconclusive (3 attempts): timed out",
		"scan 7 interrupted, 6 targets left pending (padlock scan --resume 7)",
		"connections: 110 to 2 addresses, at most 4 open at once to one address",
		"grades this run: A 1, inconclusive 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "\x1b") {
		t.Errorf("terminal control characters in plain output:\n%q", out)
	}
	// 2 done in 4 s: 0.5/s, 6 left: 12 s.
	if want := "scan 7: 4/10 (40%) · 0.5/s · ETA 12s · 0 running · 1 inconclusive · 4s"; status != want {
		t.Errorf("status %q, want %q", status, want)
	}
}

func TestProgressTerminal(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, true)
	p.Interval = time.Hour
	p.Width = 30
	p.ScanStarted(1, 3, 0, 3)
	p.TargetStarted([]Target{{Line: 1}})
	p.TargetDone(Target{Line: 1, URL: "https://a.example/"}, store.Assessment{Inconclusive: "reset"}, 1)
	p.ScanEnded(Summary{ScanID: 1, Total: 3, Done: 1})
	out := b.String()
	if !strings.Contains(out, "\r\x1b[Kscan 1: 1/3") || !strings.Contains(out, "\r\x1b[Kline 1 https://a.example/: inconclusive: reset\n") {
		t.Errorf("terminal output:\n%q", out)
	}
	for _, l := range strings.Split(out, "\r\x1b[K") {
		if i := strings.IndexByte(l, '\n'); i < 0 && len([]rune(l)) > 29 {
			t.Errorf("status line longer than the width: %q", l)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("output does not end with a whole line:\n%q", out)
	}
}
