package fleet

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The timing of a process's hold of an address in the shared limits.
const (
	// holdRenew is how often a hold is renewed while its holder
	// connects there (and how often it learns that another process wants
	// the address).
	holdRenew = 4 * time.Second
	// holdSlack is how much longer than its longest connection needs a
	// hold is taken for: the renewals' margin, so that connections keep
	// starting between two renewals.
	holdSlack = 2 * holdRenew
	// holdIdle is how long a process keeps an address it no longer
	// connects to (the pauses between an assessment's steps).
	holdIdle = time.Second
	// holdGiveWay is how long a holder that let an address go because
	// another process wanted it waits before asking for it again.
	holdGiveWay = 500 * time.Millisecond
	// holdCall bounds each database call of a hold.
	holdCall = 5 * time.Second
)

// hold is this process's hold of one address in the shared limits
// (Politeness.Share). A goroutine (Politeness.holdLoop) runs while
// connections want the address: it takes the address in the database,
// renews it, lets it go, and tells the waiting connections when they may
// start (until). The connections themselves then wait for the process's
// own slot and rate limiter, as with local limits.
type hold struct {
	addr string

	mu sync.Mutex
	// demand counts the connections that want the address, waiting or
	// open, by how long each may live.
	demand map[time.Duration]int
	// inflight counts the connections admitted under the current hold
	// and not yet closed.
	inflight int
	// admitting: connections may start (held, and not letting go).
	admitting bool
	// until is when the hold ends at the latest (the local clock before
	// the database's, so never later than the database's expiry): a
	// connection starts only if it will be closed by then.
	until time.Time
	// longer: a connection waits because the hold is too short for it.
	longer bool
	// lim is the address's rate limiter while held.
	lim *rate.Limiter
	// running: the hold's goroutine runs.
	running bool
	// changed is closed (and replaced) when admitting, until or lim
	// change.
	changed chan struct{}
	// wake pokes the goroutine (demand or inflight changed).
	wake chan struct{}
}

func (h *hold) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// broadcastLocked wakes the connections waiting for a change.
func (h *hold) broadcastLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// maxNeedLocked is the longest life among the connections that want the
// address.
func (h *hold) maxNeedLocked() time.Duration {
	var m time.Duration
	for d := range h.demand {
		m = max(m, d)
	}
	return m
}

// leave takes a connection's demand back (and its admission).
func (h *hold) leave(need time.Duration, admitted bool) {
	h.mu.Lock()
	if h.demand[need]--; h.demand[need] <= 0 {
		delete(h.demand, need)
	}
	if admitted {
		h.inflight--
	}
	h.mu.Unlock()
	h.poke()
}

// acquireShared waits until this process holds the address and a
// connection living up to need may start under its rate. Database errors
// do not fail the connection: it waits on (a worker that lost its
// database connects to nothing new until it is back), bounded by ctx.
func (p *Politeness) acquireShared(ctx context.Context, h *hold, need time.Duration) (release func(), err error) {
	h.mu.Lock()
	h.demand[need]++
	if !h.running {
		h.running = true
		go p.holdLoop(h)
	}
	h.mu.Unlock()
	h.poke()
	for {
		h.mu.Lock()
		if !h.admitting || time.Now().Add(need).After(h.until) {
			if h.admitting {
				h.longer = true
				h.poke()
			}
			ch := h.changed
			h.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				h.leave(need, false)
				return nil, ctx.Err()
			}
		}
		h.inflight++
		lim := h.lim
		h.mu.Unlock()
		if err := lim.Wait(ctx); err != nil {
			h.leave(need, true)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		h.mu.Lock()
		ok := h.admitting && !time.Now().Add(need).After(h.until)
		if !ok {
			h.inflight--
		}
		h.mu.Unlock()
		if ok {
			return func() { h.leave(need, true) }, nil
		}
		h.poke() // the hold ended while the token was awaited: wait for the next
	}
}

// holdLoop takes, keeps and lets go of h's address while connections
// want it; it returns when none does.
func (p *Politeness) holdLoop(h *hold) {
	giveWay := false
	for {
		if giveWay {
			time.Sleep(jitter(holdGiveWay))
		}
		holder, ok := p.take(h)
		if !ok {
			return
		}
		giveWay = p.keep(h, holder)
	}
}

// take polls the database until this process holds h's address (true),
// or until no connection wants it any more (false: the loop is over).
func (p *Politeness) take(h *hold) (holder string, ok bool) {
	holder = leaseHolder()
	poll := 10 * time.Millisecond
	for {
		h.mu.Lock()
		if len(h.demand) == 0 {
			h.running = false
			h.mu.Unlock()
			return "", false
		}
		ttl := h.maxNeedLocked() + holdSlack
		h.mu.Unlock()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), holdCall)
		ok, ahead, err := p.shared.HoldIP(ctx, h.addr, holder, ttl)
		cancel()
		p.sharedOps.Add(1)
		switch {
		case err != nil:
			p.sharedErrs.Add(1)
		case ok:
			h.mu.Lock()
			h.admitting, h.until, h.longer = true, start.Add(ttl), false
			h.lim = p.limiterFrom(ahead)
			h.broadcastLocked()
			h.mu.Unlock()
			return holder, true
		default:
			p.sharedWaits.Add(1)
		}
		t := time.NewTimer(jitter(poll))
		select {
		case <-t.C:
		case <-h.wake: // a connection gave up: maybe none is left
			t.Stop()
		}
		poll = min(poll*2, 250*time.Millisecond)
	}
}

// keep renews the hold of h's address while connections want it, and
// lets it go after holdIdle without any, or once another process wants
// it and this process's connections there have closed. It reports
// whether it let go because another process wanted the address.
func (p *Politeness) keep(h *hold, holder string) (wanted bool) {
	renewAt := time.Now().Add(holdRenew)
	var idleAt, tried time.Time
	lost := false
	for {
		h.mu.Lock()
		now := time.Now()
		busy := len(h.demand) > 0
		longer := h.longer
		ttl := h.maxNeedLocked() + holdSlack
		h.mu.Unlock()
		if !busy {
			if idleAt.IsZero() {
				idleAt = now.Add(holdIdle)
			}
			if !now.Before(idleAt) {
				break
			}
		} else {
			idleAt = time.Time{}
			if !now.Before(renewAt) || (longer && now.Sub(tried) >= holdRenew/8) {
				start := time.Now()
				tried = start
				ctx, cancel := context.WithTimeout(context.Background(), holdCall)
				kept, w, err := p.shared.RenewIP(ctx, h.addr, holder, ttl)
				cancel()
				p.sharedOps.Add(1)
				switch {
				case err != nil:
					// Connections go on starting until the hold runs
					// out (until); try again shortly.
					p.sharedErrs.Add(1)
					renewAt = time.Now().Add(holdRenew / 4)
				case !kept:
					lost = true // it expired: nothing of ours is open
				case w:
					wanted = true
				default:
					h.mu.Lock()
					h.until, h.longer = start.Add(ttl), false
					h.broadcastLocked()
					h.mu.Unlock()
					renewAt = start.Add(holdRenew)
				}
				if lost || wanted {
					break
				}
			}
		}
		next := renewAt
		if !idleAt.IsZero() {
			next = idleAt
		} else if soon := tried.Add(holdRenew / 8); longer && soon.Before(next) {
			next = soon
		}
		t := time.NewTimer(max(time.Until(next), time.Millisecond))
		select {
		case <-t.C:
		case <-h.wake:
			t.Stop()
		}
	}
	// Let go: no new connection starts; the open ones close first, so
	// that the next holder's never overlap them.
	h.mu.Lock()
	h.admitting = false
	h.broadcastLocked()
	for h.inflight > 0 {
		h.mu.Unlock()
		<-h.wake
		h.mu.Lock()
	}
	ahead := p.tatAhead(h.lim)
	h.mu.Unlock()
	if !lost {
		ctx, cancel := context.WithTimeout(context.Background(), holdCall)
		if p.shared.ReleaseIP(ctx, h.addr, holder, ahead) != nil {
			p.sharedErrs.Add(1) // the hold expires on its own
		}
		cancel()
		p.sharedOps.Add(1)
	}
	return wanted
}

// limiterFrom returns a rate limiter whose theoretical arrival time is
// ahead of now: the state the last holder of an address left.
func (p *Politeness) limiterFrom(ahead time.Duration) *rate.Limiter {
	lim := rate.NewLimiter(p.rate, p.burst)
	if p.rate == rate.Inf || ahead <= 0 {
		return lim
	}
	used := int(math.Ceil(ahead.Seconds() * float64(p.rate)))
	now := time.Now()
	for used > 0 {
		n := min(used, p.burst)
		lim.ReserveN(now, n)
		used -= n
	}
	return lim
}

// tatAhead is how far ahead of now lim's theoretical arrival time is:
// the time its bucket needs to fill again.
func (p *Politeness) tatAhead(lim *rate.Limiter) time.Duration {
	if lim == nil || p.rate == rate.Inf {
		return 0
	}
	missing := float64(p.burst) - lim.TokensAt(time.Now())
	if missing <= 0 {
		return 0
	}
	return time.Duration(missing / float64(p.rate) * float64(time.Second))
}

// jitter is d ±50%.
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(mrand.Int64N(int64(d)))
}

// leaseHolder is a token unique to one hold.
func leaseHolder() string {
	var b [12]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}
