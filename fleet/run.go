package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"time"

	"padlock/assess"
	"padlock/store"
	"padlock/web"
)

// Defaults of Options.
const (
	// DefaultConcurrency is how many targets are assessed at once.
	DefaultConcurrency = 8
	// DefaultBudget bounds one target: every attempt, and the waits
	// between them.
	DefaultBudget = 5 * time.Minute
	// DefaultTimeout bounds one connection once it has its slot.
	DefaultTimeout = 10 * time.Second
	// DefaultRetries is how many more times an inconclusive target is
	// assessed.
	DefaultRetries = 2
	// DefaultBackoff is the wait before the first retry; it doubles
	// (with ±25% jitter) for each further one.
	DefaultBackoff = 5 * time.Second
	// DefaultGrace is how long targets already running may take to finish
	// once the scan is told to stop.
	DefaultGrace = 10 * time.Second
)

// ErrInterrupted is returned by Run when it was stopped before every
// target was assessed; the scan is then marked interrupted and can be
// resumed.
var ErrInterrupted = errors.New("scan interrupted")

// Options tune a fleet scan. Zero values pick the defaults.
type Options struct {
	// Concurrency is how many targets are assessed at once (global
	// limit). Default DefaultConcurrency.
	Concurrency int
	// PerIP and Rate are the per-IP politeness limits (NewPoliteness):
	// connections open at once to one address (default 4) and new
	// connections per second to one address (default 10; negative: no
	// limit). Ignored when Politeness is set.
	PerIP int
	Rate  float64
	// Politeness, when set, is used instead of one made from PerIP and
	// Rate (to share limits between runs or read its Stats).
	Politeness *Politeness
	// Budget bounds one target in all: attempts and back-off. Default
	// DefaultBudget.
	Budget time.Duration
	// Timeout bounds one connection from the moment it may start (its
	// wait for a per-IP slot is not counted). Default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many more attempts an inconclusive target gets (no
	// grade at all; a U or any grade is never retried). Default
	// DefaultRetries; negative means none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one. Default DefaultBackoff.
	Backoff time.Duration
	// Grace is how long running targets may take to finish after ctx is
	// cancelled; those still running then are abandoned (left pending).
	// Default DefaultGrace.
	Grace time.Duration
	// HardStop, when closed, abandons running targets at once.
	HardStop <-chan struct{}

	// Assess is the base of every assessment's options: PKI, handshake
	// simulation, probe concurrency... Its Probe.Dial, Probe.Timeout,
	// Probe.Budget, Resolver and Web are set by the scan.
	Assess assess.Options
	// Web, when set, checks each site's plain-HTTP side too; nil skips
	// it. Its Dial is set by the scan.
	Web *web.Options
	// CAFile names the file Assess.PKI.ExtraRoots were read from; it is
	// only recorded with the scan (Settings), so that a resumed scan
	// trusts the same roots.
	CAFile string
	// InternalFetches records that the assessment options let what a site
	// points to be on non-public addresses (assess.Settings.
	// InternalFetches); like CAFile it is only recorded with the scan.
	InternalFetches bool
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver assess.Resolver
	// Dial is the network dialer under the politeness layer (tests count
	// connections with it). Default net.Dialer.
	Dial DialFunc

	// Observer is told about progress (see Progress); nil: nobody.
	Observer Observer
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		o.Retries = DefaultRetries
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Politeness == nil {
		o.Politeness = NewPoliteness(o.PerIP, o.Rate)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return o
}

// Settings are the options recorded with a scan (store.Scan.Options), so
// that --resume goes on as the scan began: the fleet's own, and the
// assessment settings (assess.Settings, read back with Assessment).
type Settings struct {
	Concurrency int     `json:"concurrency"`
	PerIP       int     `json:"perIp"`
	Rate        float64 `json:"rate"` // -1: no limit
	Budget      string  `json:"budget"`
	Timeout     string  `json:"timeout"`
	Retries     int     `json:"retries"`
	Web         bool    `json:"web"`
	Vuln        bool    `json:"vuln"`
	CAFile      string  `json:"caFile,omitempty"`
	Connections int     `json:"connections,omitempty"`
	// FetchIssuers: AIA fetching was on. Scans recorded before it was a
	// setting lack it, and ran without.
	FetchIssuers bool `json:"fetchIssuers"`
	// InternalFetches: what the sites pointed to could be on non-public
	// addresses (--allow-internal-fetches).
	InternalFetches bool `json:"internalFetches,omitempty"`
}

// Assessment returns the assessment settings of the scan.
func (s Settings) Assessment() assess.Settings {
	a := assess.Settings{
		Connections:  s.Connections,
		FetchIssuers: s.FetchIssuers,
		CAFile:       s.CAFile,
		Vuln:         s.Vuln,
		Web:          s.Web,

		InternalFetches: s.InternalFetches,
	}
	a.Budget, _ = time.ParseDuration(s.Budget)
	a.Timeout, _ = time.ParseDuration(s.Timeout)
	return a
}

// SettingsOf returns the settings of o (defaults filled in).
func SettingsOf(o Options) Settings {
	o = o.withDefaults()
	r := float64(o.Politeness.Rate())
	if math.IsInf(r, 0) {
		r = -1
	}
	return Settings{
		Concurrency: o.Concurrency,
		PerIP:       o.Politeness.PerIP(),
		Rate:        r,
		Budget:      o.Budget.String(),
		Timeout:     o.Timeout.String(),
		Retries:     o.Retries,
		Web:         o.Web != nil,
		Vuln:        o.Assess.Vuln != nil,
		CAFile:      o.CAFile,
		Connections: o.Assess.Probe.Concurrency,
		// Recorded so that a resumed scan, or a worker, judges chains as
		// the scan began.
		FetchIssuers:    o.Assess.PKI.FetchIssuer != nil,
		InternalFetches: o.InternalFetches,
	}
}

// Observer is told how a scan goes. Calls come from several goroutines.
type Observer interface {
	// ScanStarted: total targets in the scan, done of them already
	// (resume), todo to run now.
	ScanStarted(id store.ScanID, total, done, todo int)
	// TargetStarted: an assessment began for these targets (one shared
	// assessment).
	TargetStarted(ts []Target)
	// TargetDone: a target's assessment was saved.
	TargetDone(t Target, a store.Assessment, attempts int)
	// TargetAbandoned: the scan stopped before these targets finished;
	// they stay pending.
	TargetAbandoned(ts []Target)
	// ScanEnded: the scan stopped (finished or not).
	ScanEnded(s Summary)
}

type nopObserver struct{}

func (nopObserver) ScanStarted(store.ScanID, int, int, int)  {}
func (nopObserver) TargetStarted([]Target)                   {}
func (nopObserver) TargetDone(Target, store.Assessment, int) {}
func (nopObserver) TargetAbandoned([]Target)                 {}
func (nopObserver) ScanEnded(Summary)                        {}

// Summary is what one Run did.
type Summary struct {
	ScanID store.ScanID
	// Total targets of the scan; Done of them with an assessment now
	// (before and during this run).
	Total, Done int
	// Assessed are the targets saved by this run; Assessments how many
	// assessments that took (targets sharing one count once), Reused the
	// targets whose result came from an earlier run's twin.
	Assessed, Assessments, Reused int
	// Inconclusive are the targets saved without a grade by this run.
	Inconclusive int
	// Retries are the extra attempts made.
	Retries int
	// Abandoned are the targets left pending when the scan stopped
	// (running ones abandoned after the grace, and those never started).
	Abandoned int
	// DROWN is how many assessments carry a fleet-wide DROWN finding.
	DROWN       int
	Interrupted bool
	Elapsed     time.Duration
	Politeness  Stats
}

// ToStore returns the store rows of targets.
func ToStore(ts []Target) []store.Target {
	out := make([]store.Target, len(ts))
	for i, t := range ts {
		pins := make([]string, len(t.Pin))
		for j, a := range t.Pin {
			pins[j] = a.String()
		}
		out[i] = store.Target{
			Organisation: t.Organisation,
			URL:          t.URL,
			Group:        t.Group,
			Tags:         t.Tags,
			Notes:        t.Notes,
			Pin:          strings.Join(pins, ";"),
			HTTP:         t.HTTP,
			Line:         t.Line,
		}
	}
	return out
}

// FromStore reads a stored target back.
func FromStore(st store.Target) (Target, error) {
	t, err := parseURL(st.URL)
	if err != nil {
		return Target{}, fmt.Errorf("url: %v", err)
	}
	pins, err := parsePins(st.Pin)
	if err != nil {
		return Target{}, fmt.Errorf("ip: %v", err)
	}
	if err := t.setHTTP(st.HTTP); err != nil {
		return Target{}, fmt.Errorf("http: %v", err)
	}
	t.Line, t.Organisation, t.Group, t.Tags, t.Notes, t.Pin = st.Line, st.Organisation, st.Group, st.Tags, st.Notes, pins
	return t, nil
}

// CreateScan stores a new scan of targets with o's settings and returns
// its id; Run then assesses it.
func CreateScan(ctx context.Context, st store.Store, name, file string, targets []Target, o Options) (store.ScanID, error) {
	settings, err := json.Marshal(SettingsOf(o))
	if err != nil {
		return 0, err
	}
	return st.CreateScan(ctx, store.Scan{Name: name, TargetsFile: file, Started: time.Now(), Options: string(settings)}, ToStore(targets))
}

// job is one assessment and the targets that share it.
type job struct {
	key     string
	targets []Target
	ids     []int64 // store target ids, same order
	reuse   *assess.Host
	bad     error // the stored target could not be read back
}

// Run assesses the pending targets of a stored scan (all of them for a new
// scan, what is left for a resumed one) and saves each target's assessment
// as soon as it is done. Targets that share host, ports and pinned
// addresses share one assessment.
//
// Cancelling ctx stops the scan gracefully: no new target starts, running
// ones get Options.Grace to finish (and are saved), the rest stay pending,
// the scan is marked interrupted and Run returns ErrInterrupted. When
// every target is done Run looks for fleet-wide DROWN (MarkDROWN) and marks
// the scan finished.
func Run(ctx context.Context, st store.Store, id store.ScanID, opts Options) (Summary, error) {
	opts = opts.withDefaults()
	start := time.Now()
	sum := Summary{ScanID: id}
	// Saving must outlive ctx: what finished during the grace period is
	// kept.
	saveCtx := context.WithoutCancel(ctx)

	sc, err := st.Scan(ctx, id)
	if err != nil {
		return sum, err
	}
	pending, err := st.Pending(ctx, id)
	if err != nil {
		return sum, err
	}
	sum.Total = sc.Counts.Total
	sum.Done = sc.Counts.Done
	if err := st.SetScanStatus(ctx, id, store.StatusRunning, time.Time{}); err != nil {
		return sum, err
	}
	jobs, err := plan(ctx, st, id, pending)
	if err != nil {
		return sum, err
	}
	opts.Observer.ScanStarted(id, sum.Total, sum.Done, len(pending))

	workCtx, cancelWork := context.WithCancel(saveCtx)
	defer cancelWork()
	graceTimer := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(opts.Grace, cancelWork)
		context.AfterFunc(workCtx, func() { t.Stop() })
	})
	defer graceTimer()
	if opts.HardStop != nil {
		go func() {
			select {
			case <-opts.HardStop:
				cancelWork()
			case <-workCtx.Done():
			}
		}()
	}

	var (
		mu       sync.Mutex
		fatalErr error
	)
	fatal := func(err error) {
		mu.Lock()
		if fatalErr == nil {
			fatalErr = err
		}
		mu.Unlock()
		cancelWork()
	}
	queue := make(chan *job)
	go func() {
		defer close(queue)
		for _, j := range jobs {
			if ctx.Err() != nil || workCtx.Err() != nil {
				return
			}
			select {
			case queue <- j:
			case <-ctx.Done():
				return
			case <-workCtx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range opts.Concurrency {
		wg.Go(func() {
			for j := range queue {
				opts.Observer.TargetStarted(j.targets)
				res, attempts, began := runJob(workCtx, j, opts)
				if res == nil {
					opts.Observer.TargetAbandoned(j.targets)
					continue
				}
				if err := saveJob(saveCtx, st, id, j, res, attempts, began, opts.Observer, &mu, &sum); err != nil {
					fatal(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for range queue { // the dispatcher stops on its own; nothing is left to run
	}

	sum.Politeness = opts.Politeness.Stats()
	finish := func(err error) (Summary, error) {
		sum.Elapsed = time.Since(start)
		opts.Observer.ScanEnded(sum)
		return sum, err
	}
	if fatalErr != nil {
		_ = st.SetScanStatus(saveCtx, id, store.StatusInterrupted, time.Now())
		sum.Interrupted = true
		return finish(fatalErr)
	}
	left, err := st.Pending(saveCtx, id)
	if err != nil {
		return finish(err)
	}
	sum.Abandoned = len(left)
	if len(left) > 0 || ctx.Err() != nil {
		sum.Interrupted = true
		if err := st.SetScanStatus(saveCtx, id, store.StatusInterrupted, time.Now()); err != nil {
			return finish(err)
		}
		return finish(ErrInterrupted)
	}
	n, err := MarkDROWN(saveCtx, st, id)
	sum.DROWN = n
	if err != nil {
		return finish(err)
	}
	if err := st.SetScanStatus(saveCtx, id, store.StatusFinished, time.Now()); err != nil {
		return finish(err)
	}
	return finish(nil)
}

// plan groups the pending targets into jobs by EndpointKey, in the order
// of their first target, and reuses the assessment of a target of the
// same scan that is done already (a resumed scan whose twin finished).
func plan(ctx context.Context, st store.Store, id store.ScanID, pending []store.Target) ([]*job, error) {
	var jobs []*job
	byKey := map[string]*job{}
	for _, p := range pending {
		t, err := FromStore(p)
		if err != nil {
			jobs = append(jobs, &job{targets: []Target{{Line: p.Line, Organisation: p.Organisation, URL: p.URL}}, ids: []int64{p.ID}, bad: err})
			continue
		}
		k := t.EndpointKey()
		if j := byKey[k]; j != nil {
			j.targets = append(j.targets, t)
			j.ids = append(j.ids, p.ID)
			continue
		}
		j := &job{key: k, targets: []Target{t}, ids: []int64{p.ID}}
		byKey[k] = j
		jobs = append(jobs, j)
	}
	if len(pending) == 0 {
		return jobs, nil
	}
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return nil, err
	}
	if sc.Counts.Done == 0 {
		return jobs, nil
	}
	done, err := st.Assessments(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, a := range done {
		r, err := DecodeResult(a.Result)
		if err != nil || r.Host == nil {
			continue
		}
		if j := byKey[r.Target.EndpointKey()]; j != nil && j.reuse == nil && r.Site().Grade != "" {
			j.reuse = r.Host
		}
	}
	return jobs, nil
}

// runJob assesses a job's targets, retrying inconclusive results. It
// returns nil when the scan was stopped before the assessment finished.
func runJob(ctx context.Context, j *job, opts Options) (res *Result, attempts int, began time.Time) {
	began = time.Now()
	t := j.targets[0]
	switch {
	case j.bad != nil:
		return &Result{Schema: ResultSchema, Target: t, Error: "the stored target cannot be read: " + j.bad.Error()}, 0, began
	case j.reuse != nil:
		return &Result{Schema: ResultSchema, Target: t, Host: j.reuse}, 0, began
	}
	tctx, cancel := context.WithTimeout(ctx, opts.Budget)
	defer cancel()
	deadline, _ := tctx.Deadline()

	var h *assess.Host
	for {
		attempts++
		h = assess.Assess(tctx, t.AssessTarget(), assessOptions(t, time.Until(deadline), opts))
		if ctx.Err() != nil {
			return nil, attempts, began // stopped: the result is not to be trusted
		}
		if h.PadlockSite.Grade != "" || h.StatusMessage == assess.MsgInvalidTarget || attempts > opts.Retries {
			break
		}
		wait := backoff(opts.Backoff, attempts)
		if time.Until(deadline) < wait+opts.Timeout {
			break
		}
		select {
		case <-time.After(wait):
		case <-tctx.Done():
		}
		if ctx.Err() != nil {
			return nil, attempts, began
		}
	}
	return &Result{Schema: ResultSchema, Target: t, Host: h, Attempts: attempts}, attempts, began
}

// backoff is the wait before retry n (1-based): base·2^(n-1), ±25%.
func backoff(base time.Duration, n int) time.Duration {
	d := base << (n - 1)
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

// assessOptions are the options of one attempt at t with remaining time.
func assessOptions(t Target, remaining time.Duration, opts Options) assess.Options {
	ao := opts.Assess
	if opts.Resolver != nil {
		ao.Resolver = opts.Resolver
	}
	if remaining < time.Second {
		remaining = time.Second
	}
	// The per-connection timeout is applied by the politeness layer from
	// the moment a connection has its slot; the prober's own may then be
	// as long as the budget, so that queueing at a busy address is not
	// mistaken for a slow server.
	ao.Probe.Timeout = remaining
	ao.Probe.Budget = remaining
	if ao.Probe.Concurrency <= 0 || ao.Probe.Concurrency > opts.Politeness.PerIP() {
		ao.Probe.Concurrency = min(4, opts.Politeness.PerIP())
	}
	ao.Probe.Dial = opts.Politeness.Dial(DialOptions{Base: opts.Dial, ConnTimeout: opts.Timeout, Resolver: opts.Resolver})
	if opts.Web != nil {
		w := *opts.Web
		pins := map[string][]netip.Addr{}
		if len(t.Pin) > 0 {
			pins[t.Host] = t.Pin
		}
		w.Dial = opts.Politeness.Dial(DialOptions{Base: opts.Dial, Pins: pins, Resolver: opts.Resolver})
		ao.Web = &w
	}
	return ao
}

// saveJob saves the result for every target of the job, each with its own
// target in the result.
func saveJob(ctx context.Context, st store.Store, id store.ScanID, j *job, res *Result, attempts int, began time.Time, obs Observer, mu *sync.Mutex, sum *Summary) error {
	for i, t := range j.targets {
		r := *res
		r.Target = t
		r.SharedWith = nil
		for k, o := range j.targets {
			if k != i {
				r.SharedWith = append(r.SharedWith, o.Line)
			}
		}
		a, err := r.assessment(id, j.ids[i], began)
		if err != nil {
			return err
		}
		if err := st.SaveAssessment(ctx, a); err != nil {
			return fmt.Errorf("saving %s (line %d): %w", t.URL, t.Line, err)
		}
		mu.Lock()
		sum.Assessed++
		sum.Done++
		if a.Grade == "" {
			sum.Inconclusive++
		}
		if j.reuse != nil {
			sum.Reused++
		}
		mu.Unlock()
		obs.TargetDone(t, a, attempts)
	}
	mu.Lock()
	if j.reuse == nil && j.bad == nil {
		sum.Assessments++
		if attempts > 1 {
			sum.Retries += attempts - 1
		}
	}
	mu.Unlock()
	return nil
}
