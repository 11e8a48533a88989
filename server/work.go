package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"padlock/assess"
	"padlock/fleet"
	"padlock/store"
)

// Host statuses of an assessment still running (SSL Labs API v3).
const (
	statusDNS        = "DNS"
	statusInProgress = "IN_PROGRESS"
)

// Messages of running assessments, as SSL Labs words them.
const (
	msgResolving  = "Resolving domain names"
	msgInProgress = "In progress"
)

// Status details codes (getStatusCodes) of padlock's phases.
var statusCodes = map[string]string{
	"TESTING_DNS":        "Resolving domain names and checking that the addresses may be assessed",
	"TESTING_ENDPOINT":   "Assessing the endpoint: protocols, cipher suites, key exchange groups, certificates, vulnerabilities and handshake simulation",
	"TESTING_HTTP":       "Checking the plain-HTTP side: redirects, HSTS, forms asking for personal data",
	"PADLOCK_CANCELLED":  "The server stopped before the assessment ended",
	"PADLOCK_REFUSED":    "The host resolves to an address the server does not assess",
	"PADLOCK_NOT_CACHED": "No assessment of the host is cached",
}

// errBusy: every assessment slot is taken.
var errBusy = &errRequest{http.StatusTooManyRequests, "too_many", "too many assessments and scans are running: try again later"}

// assessor runs single-host assessments and API scans in the background,
// and keeps the finished assessments in a bounded memory cache.
type assessor struct {
	s      *Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	running int             // assessments and scans holding a slot
	jobs    map[string]*job // by target (host:port): the latest, running or done
}

func newAssessor(s *Server) *assessor {
	ctx, cancel := context.WithCancel(context.Background())
	return &assessor{s: s, ctx: ctx, cancel: cancel, jobs: map[string]*job{}}
}

// close cancels everything running and waits for it.
func (a *assessor) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
}

// current is the number of assessments and scans running.
func (a *assessor) current() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.running
}

// acquireLocked takes a slot; a.mu is held.
func (a *assessor) acquireLocked() error {
	if a.closed {
		return &errRequest{http.StatusServiceUnavailable, "unavailable", "the server is shutting down"}
	}
	if a.running >= a.s.cfg.MaxConcurrentScans {
		return errBusy
	}
	a.running++
	a.wg.Add(1)
	return nil
}

func (a *assessor) release() {
	a.mu.Lock()
	a.running--
	a.mu.Unlock()
	a.wg.Done()
}

// job is one single-host assessment.
type job struct {
	key     string // target.String()
	target  assess.Target
	started time.Time

	mu       sync.Mutex
	status   string // DNS, IN_PROGRESS, READY, ERROR
	addrs    []netip.Addr
	host     *assess.Host // when READY or ERROR
	finished time.Time
	refused  bool // ERROR because of the private-address rule
	done     chan struct{}
}

// isDone reports whether the job has its result.
func (j *job) isDone() bool {
	select {
	case <-j.done:
		return true
	default:
		return false
	}
}

// lookup returns the job of a target: running, or done within the cache
// lifetime (and, when maxAge > 0, no older than maxAge).
func (a *assessor) lookup(key string, maxAge time.Duration) *job {
	a.mu.Lock()
	defer a.mu.Unlock()
	j := a.jobs[key]
	if j == nil {
		return nil
	}
	if !j.isDone() {
		return j
	}
	j.mu.Lock()
	age := time.Since(j.finished)
	ttl := a.s.cfg.CacheTTL
	if j.host.Status == assess.StatusError {
		ttl = min(ttl, errorCacheTTL)
	}
	j.mu.Unlock()
	if age > ttl {
		delete(a.jobs, key)
		return nil
	}
	if maxAge > 0 && age > maxAge {
		return nil
	}
	return j
}

// start begins an assessment of t, or returns the one running for it.
// With fresh false a cached result is returned as well.
func (a *assessor) start(t assess.Target, fresh bool) (*job, error) {
	key := t.String()
	a.mu.Lock()
	defer a.mu.Unlock()
	if old := a.jobs[key]; old != nil && (!old.isDone() || !fresh) {
		return old, nil
	}
	if err := a.acquireLocked(); err != nil {
		return nil, err
	}
	j := &job{key: key, target: t, started: time.Now(), status: statusDNS, done: make(chan struct{})}
	a.jobs[key] = j
	a.evictLocked()
	go a.run(j)
	return j, nil
}

// evictLocked drops expired results, then the oldest ones over the bound.
func (a *assessor) evictLocked() {
	var done []*job
	for k, j := range a.jobs {
		if !j.isDone() {
			continue
		}
		j.mu.Lock()
		fin := j.finished
		j.mu.Unlock()
		if time.Since(fin) > a.s.cfg.CacheTTL {
			delete(a.jobs, k)
			continue
		}
		done = append(done, j)
	}
	over := len(a.jobs) - a.s.cfg.MaxCacheEntries
	if over <= 0 {
		return
	}
	slices.SortFunc(done, func(x, y *job) int { return x.finished.Compare(y.finished) })
	for _, j := range done[:min(over, len(done))] {
		delete(a.jobs, j.key)
	}
}

// options are the options of a single-host assessment: the configured
// ones with every connection going through the guard.
func (a *assessor) options() assess.Options {
	s := a.s
	o := s.cfg.AssessOptions
	o.Resolver = s.guard
	o.Probe.Dial = s.guard.Dial
	if o.Web != nil {
		w := *o.Web
		w.Dial = s.guard.Dial
		w.Policy, w.Resolver = s.guard.Policy, s.guard
		o.Web = &w
	}
	return o
}

// run assesses a job's target: resolve, check the addresses, assess them
// pinned.
func (a *assessor) run(j *job) {
	defer a.release()
	defer func() {
		if v := recover(); v != nil {
			a.s.log.Error("assessment panicked", "target", j.key, "panic", fmt.Sprint(v))
			j.finish(a.errorHost(j, assess.MsgInternalError), false)
		}
	}()
	ctx := a.ctx
	addrs, err := a.s.guard.resolve(ctx, j.target.Host)
	switch {
	case errors.Is(err, ErrPrivateAddress):
		j.finish(a.errorHost(j, err.Error()), true)
		return
	case ctx.Err() != nil:
		j.finish(a.errorHost(j, assess.MsgCancelled), false)
		return
	case err != nil:
		j.finish(a.errorHost(j, assess.MsgResolveFailed), false)
		return
	}
	j.mu.Lock()
	j.status, j.addrs = statusInProgress, addrs
	j.mu.Unlock()

	t := j.target
	t.Pin = addrs // what was checked is what is assessed
	h := assess.Assess(ctx, t, a.options())
	if h == nil {
		h = a.errorHost(j, assess.MsgInternalError)
	}
	// The assessment began with the DNS phase: keep the start time the
	// polls reported all along, as SSL Labs clients compare them.
	h.StartTime = j.started.UnixMilli()
	for i := range h.Endpoints {
		if d := h.Endpoints[i].Details; d != nil {
			d.HostStartTime = h.StartTime
		}
	}
	a.s.lookupNames(ctx, h)
	// Stored before it is READY, so that a client that saw READY finds
	// it in the store (/api/v1/sites) too.
	a.s.saveSingle(ctx, h, j.started)
	j.finish(h, false)
	a.s.log.Info("assessment done", "target", j.key, "status", h.Status, "grade", h.PadlockSite.Grade, "duration", time.Since(j.started).Round(time.Millisecond))
}

// errorHost is the ERROR Host of a job that could not be assessed.
func (a *assessor) errorHost(j *job, msg string) *assess.Host {
	now := time.Now()
	return &assess.Host{
		Host:            j.target.Host,
		Port:            int(j.target.Port),
		Protocol:        "http",
		Status:          assess.StatusError,
		StatusMessage:   msg,
		StartTime:       j.started.UnixMilli(),
		TestTime:        now.UnixMilli(),
		EngineVersion:   assess.EngineVersion,
		CriteriaVersion: assess.CriteriaVersion,
		Endpoints:       []assess.Endpoint{},
		Certs:           []assess.Cert{},
		PadlockSchema:   assess.Schema,
		PadlockSite:     assess.Site{Inconclusive: msg},
	}
}

func (j *job) finish(h *assess.Host, refused bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.isDone() {
		return
	}
	j.host, j.status, j.refused, j.finished = h, h.Status, refused, time.Now()
	if h.Port == 0 {
		h.Port = int(j.target.Port)
	}
	close(j.done)
}

// startScan stores a scan of targets and runs it in the background.
func (a *assessor) startScan(ctx context.Context, name string, targets []fleet.Target) (store.ScanID, error) {
	a.mu.Lock()
	err := a.acquireLocked()
	a.mu.Unlock()
	if err != nil {
		return 0, err
	}
	opts := a.s.scanOptions()
	id, err := fleet.CreateScan(ctx, a.s.cfg.Store, name, "api", targets, opts)
	if err != nil {
		a.release()
		return 0, err
	}
	go func() {
		defer a.release()
		defer func() {
			if v := recover(); v != nil {
				a.s.log.Error("scan panicked", "scan", id, "panic", fmt.Sprint(v))
			}
		}()
		a.s.log.Info("scan started", "scan", id, "name", name, "targets", len(targets))
		sum, err := fleet.Run(a.ctx, a.s.cfg.Store, id, opts)
		if err != nil {
			a.s.log.Warn("scan stopped", "scan", id, "err", err, "done", sum.Done, "total", sum.Total)
			return
		}
		a.s.log.Info("scan finished", "scan", id, "assessed", sum.Assessed, "inconclusive", sum.Inconclusive, "elapsed", sum.Elapsed.Round(time.Millisecond))
	}()
	return id, nil
}

// scanOptions are the fleet options of an API scan: the configured ones,
// with the assessment options and every connection through the guard.
func (s *Server) scanOptions() fleet.Options {
	o := s.cfg.ScanOptions
	o.Assess = s.cfg.AssessOptions
	o.Assess.Web = nil
	o.Resolver = s.guard
	o.Dial = s.guard.Dial
	o.Observer = nil
	o.HardStop = nil
	if o.Web == nil && s.cfg.AssessOptions.Web != nil {
		w := *s.cfg.AssessOptions.Web
		o.Web = &w
	}
	if o.Web != nil {
		w := *o.Web // a copy: the configured options are shared
		w.Policy, w.Resolver = s.guard.Policy, s.guard
		o.Web = &w
	}
	return o
}
