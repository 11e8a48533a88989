package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestIPHolds(t *testing.T) { eachDialect(t, testIPHolds) }

func testIPHolds(t *testing.T, s Store) {
	ctx := context.Background()
	const addr = "127.0.0.9"
	// One holder at a time, however many ask together.
	var (
		mu   sync.Mutex
		got  []string
		wg   sync.WaitGroup
		errs []error
	)
	for i := range 10 {
		wg.Go(func() {
			h := fmt.Sprintf("h%d", i)
			ok, ahead, err := s.HoldIP(ctx, addr, h, time.Minute)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				got = append(got, h)
				if ahead != 0 {
					errs = append(errs, fmt.Errorf("a new address's rate is %v ahead", ahead))
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(got) != 1 {
		t.Fatalf("%d holders of one address: %v", len(got), got)
	}
	holder := got[0]
	// The others asked: the holder is told it is wanted, and its hold is
	// not extended.
	if kept, wanted, err := s.RenewIP(ctx, addr, holder, time.Minute); !kept || !wanted || err != nil {
		t.Errorf("renew while wanted: kept %v wanted %v %v", kept, wanted, err)
	}
	if kept, _, err := s.RenewIP(ctx, addr, "not-the-holder", time.Minute); kept || err != nil {
		t.Errorf("someone else renewed the hold: %v %v", kept, err)
	}
	// Another address is held on its own.
	if ok, _, err := s.HoldIP(ctx, "127.0.0.10", "other", time.Minute); !ok || err != nil {
		t.Errorf("other address: %v %v", ok, err)
	}
	// Released by someone else: nothing happens; by its holder, with the
	// rate 300 ms ahead: the next holder gets it, and the rate.
	if err := s.ReleaseIP(ctx, addr, "not-the-holder", 0); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := s.HoldIP(ctx, addr, "next", time.Minute); ok {
		t.Fatal("taken while held")
	}
	if err := s.ReleaseIP(ctx, addr, holder, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ok, ahead, err := s.HoldIP(ctx, addr, "next", time.Minute)
	if !ok || err != nil {
		t.Fatalf("not taken after the release: %v %v", ok, err)
	}
	if ahead < 200*time.Millisecond || ahead > 300*time.Millisecond {
		t.Errorf("the rate is %v ahead, want about 300ms", ahead)
	}
	// Nobody wants it now: renewing extends it.
	if kept, wanted, err := s.RenewIP(ctx, addr, "next", time.Minute); !kept || wanted || err != nil {
		t.Errorf("renew: kept %v wanted %v %v", kept, wanted, err)
	}
	// An expired hold is taken over, and its holder can no longer renew.
	if ok, _, _ := s.HoldIP(ctx, "127.0.0.11", "dead", 10*time.Millisecond); !ok {
		t.Fatal("first hold")
	}
	time.Sleep(30 * time.Millisecond)
	if kept, _, _ := s.RenewIP(ctx, "127.0.0.11", "dead", time.Minute); kept {
		t.Error("an expired hold was renewed")
	}
	if ok, _, err := s.HoldIP(ctx, "127.0.0.11", "alive", time.Minute); !ok || err != nil {
		t.Errorf("expired hold not taken over: %v %v", ok, err)
	}
	// Released with the bucket full: the row goes, and the address is
	// free, with a full bucket, for the next holder.
	if err := s.ReleaseIP(ctx, "127.0.0.11", "alive", 0); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := sqlOf(s).queryRow(ctx, `SELECT COUNT(*) FROM ip_holds WHERE addr = ?`, "127.0.0.11").Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d rows left after a release with the bucket full (%v)", rows, err)
	}
	if ok, ahead, err := s.HoldIP(ctx, "127.0.0.11", "after", time.Minute); !ok || ahead != 0 || err != nil {
		t.Errorf("after the release: %v %v %v", ok, ahead, err)
	}
}
