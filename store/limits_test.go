package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestIPLimits(t *testing.T) { eachDialect(t, testIPLimits) }

func testIPLimits(t *testing.T, s Store) {
	ctx := context.Background()
	const addr = "127.0.0.9"
	// Leases: at most 3 live at once, however many ask together.
	var (
		mu   sync.Mutex
		got  []int
		wg   sync.WaitGroup
		errs []error
	)
	for i := range 10 {
		wg.Go(func() {
			slot, ok, err := s.LeaseIP(ctx, addr, 3, fmt.Sprintf("h%d", i), time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				got = append(got, slot)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(got) != 3 {
		t.Fatalf("%d leases taken with 3 slots: %v", len(got), got)
	}
	if _, ok, _ := s.LeaseIP(ctx, addr, 3, "late", time.Minute); ok {
		t.Error("a 4th lease was taken")
	}
	// Another address has its own slots.
	if _, ok, err := s.LeaseIP(ctx, "127.0.0.10", 3, "other", time.Minute); !ok || err != nil {
		t.Errorf("other address: %v %v", ok, err)
	}
	// Released (by its holder only), the slot is free again.
	var holder string
	mu.Lock()
	slot := got[0]
	mu.Unlock()
	for i := range 10 {
		h := fmt.Sprintf("h%d", i)
		if err := s.ReleaseIP(ctx, addr, slot, h); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.LeaseIP(ctx, addr, 3, "probe", time.Minute); ok {
			holder = h
			break
		}
	}
	if holder == "" {
		t.Fatal("releasing did not free a slot")
	}
	// An expired lease is taken over.
	if _, ok, _ := s.LeaseIP(ctx, "127.0.0.11", 1, "dead", time.Millisecond); !ok {
		t.Fatal("first lease")
	}
	time.Sleep(20 * time.Millisecond)
	if _, ok, err := s.LeaseIP(ctx, "127.0.0.11", 1, "alive", time.Minute); !ok || err != nil {
		t.Errorf("expired lease not taken over: %v %v", ok, err)
	}

	// Rate: 10/s with bursts of 2: the first two start at once, the next
	// ones 100 ms apart.
	var waits []time.Duration
	for range 5 {
		w, err := s.ReserveIPRate(ctx, "127.0.0.12", 100*time.Millisecond, 2)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	if waits[0] != 0 || waits[1] > 20*time.Millisecond || waits[2] < 60*time.Millisecond || waits[4] < 260*time.Millisecond || waits[4] > 320*time.Millisecond {
		t.Errorf("waits %v, want about [0 0 100ms 200ms 300ms]", waits)
	}
}
