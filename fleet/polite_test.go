package fleet

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
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
