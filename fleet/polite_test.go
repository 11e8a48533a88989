package fleet

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/store"
)

// A connection that waited for its slot still gets its whole timeout, and
// no deadline set later reaches beyond it.
func TestPolitenessSlotWaitAndTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { // silent until the client closes
				buf := make([]byte, 1)
				c.Read(buf)
				c.Close()
			}()
		}
	}()
	p := NewPoliteness(1, -1)
	dial := p.Dial(DialOptions{ConnTimeout: 300 * time.Millisecond})
	ctx := context.Background()
	first, err := dial(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(500 * time.Millisecond); first.Close() }()

	start := time.Now()
	second, err := dial(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("second dial: %v", err)
	}
	defer second.Close()
	waited := time.Since(start)
	if waited < 400*time.Millisecond {
		t.Errorf("the second connection did not wait for the slot (%v)", waited)
	}
	if err := second.SetDeadline(time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	_, err = second.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 600*time.Millisecond {
		t.Errorf("the read ran %v: the deadline was not kept within 300ms of the connection's start", d)
	}
	if st := p.Stats(); st.PeakPerIP != 1 || st.Opened != 2 || st.Addresses != 1 {
		t.Errorf("stats %+v", st)
	}
}

// Waiting for a slot ends with the context.
func TestPolitenessWaitCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	p := NewPoliteness(1, -1)
	dial := p.Dial(DialOptions{})
	c, err := dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := dial(ctx, "tcp", ln.Addr().String()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dial while the slot is held: %v", err)
	}
}

// Host names are looked up through Pins before the resolver.
func TestPolitenessPins(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.2.9:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p := NewPoliteness(0, 0)
	dial := p.Dial(DialOptions{Pins: map[string][]netip.Addr{"pinned.example": {netip.MustParseAddr("127.0.2.9")}}})
	c, err := dial(context.Background(), "tcp", net.JoinHostPort("Pinned.Example.", port))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if st := p.Stats(); st.PeakAddr.String() != "127.0.2.9" {
		t.Errorf("stats %+v", st)
	}
	if p.PerIP() != DefaultPerIP || float64(p.Rate()) != DefaultRate {
		t.Errorf("defaults: %d, %v", p.PerIP(), p.Rate())
	}
}

// countingEcho listens on addr and counts what it sees; each connection
// is read until the client's end of stream, then closed.
func countingEcho(t *testing.T, addr string) (*lab.AddrCount, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var c lab.AddrCount
	cl := lab.CountingListener(ln, &c)
	go func() {
		for {
			conn, err := cl.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(io.Discard, conn)
				conn.Close()
			}()
		}
	}()
	return &c, ln.Addr().String()
}

// Two processes (two Politeness, each on its own handle of one SQLite
// file) connecting to one address together stay within one process's
// limits, counted at the server, and both get to connect: the address is
// handed over while both want it.
func TestSharedLimitsTwoProcesses(t *testing.T) {
	const perIP, rate, each = 2, 20.0, 30
	c, addr := countingEcho(t, "127.0.3.1:0")
	path := filepath.Join(t.TempDir(), "padlock.db")
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		byProc [2]int
	)
	start := time.Now()
	for proc := range 2 {
		st, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		p := NewPoliteness(perIP, rate).Share(st)
		dial := p.Dial(DialOptions{ConnTimeout: 2 * time.Second})
		for g := range 5 {
			wg.Go(func() {
				for i := range each / 5 {
					conn, err := dial(context.Background(), "tcp", addr)
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
						return
					}
					time.Sleep(time.Duration(10+(g*7+i*13)%40) * time.Millisecond)
					conn.Close()
					mu.Lock()
					byProc[proc]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	total := len(c.Accepts())
	peak, win := c.Peak(), c.MaxInWindow(time.Second)
	t.Logf("%d connections (%v per process) in %v; at most %d open at once, %d within one second", total, byProc, elapsed.Round(time.Millisecond), peak, win)
	if total != 2*each {
		t.Errorf("%d connections, want %d", total, 2*each)
	}
	if peak > perIP {
		t.Errorf("%d connections open at once, limit %d", peak, perIP)
	}
	// The rate plus one burst, one for the window's edges, and 100 ms of
	// accept-loop lag (see TestPerIPLimits).
	if win > int(rate)+perIP+1+2 {
		t.Errorf("%d connections within one second, limit %v/s in bursts of %d", win, rate, perIP)
	}
	if floor := time.Duration(float64(total-perIP) / rate * float64(time.Second)); elapsed < floor*9/10 {
		t.Errorf("%d connections in %v: faster than %v/s allows", total, elapsed, rate)
	}
}

// A hold left by a process that died (never released) keeps the address
// until it expires; then the next process connects.
func TestSharedLimitsDeadHolder(t *testing.T) {
	_, addr := countingEcho(t, "127.0.3.2:0")
	st := openStore(t)
	ok, _, err := st.HoldIP(context.Background(), "127.0.3.2", "dead", 700*time.Millisecond)
	if !ok || err != nil {
		t.Fatalf("hold: %v %v", ok, err)
	}
	p := NewPoliteness(1, 0).Share(st)
	start := time.Now()
	conn, err := p.Dial(DialOptions{ConnTimeout: time.Second})(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if d := time.Since(start); d < 600*time.Millisecond {
		t.Errorf("connected after %v, while another process held the address for 700ms", d)
	}
}
