package fleet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"padlock/assess"
	"padlock/queue"
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
	// Budget bounds one attempt at a target (one River job run). Default
	// DefaultBudget; at most the queue's RescueAfter less a minute.
	Budget time.Duration
	// Timeout bounds one connection from the moment it may start (its
	// wait for a per-IP slot is not counted). Default DefaultTimeout.
	Timeout time.Duration
	// Retries is how many more attempts an inconclusive target gets (no
	// grade at all; a U or any grade is never retried), as River job
	// retries. Default DefaultRetries; negative means none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one (±25%): the River retry schedule of scan jobs. Default
	// DefaultBackoff.
	Backoff time.Duration
	// Grace is how long running targets may take to finish after Run's ctx
	// is cancelled; those still running then are cancelled and stay in the
	// queue, to run again on resume. Default DefaultGrace.
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

	// Queue tunes the River client Run works with (concurrency is
	// Concurrency; Register adds other job kinds).
	Queue queue.Options
	// Local keeps the per-IP limits in this process only, instead of in
	// the database shared with every other process working the queue.
	Local bool
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
	if o.Queue.Concurrency <= 0 {
		o.Queue.Concurrency = o.Concurrency
	}
	if o.Queue.RescueAfter <= 0 {
		o.Queue.RescueAfter = queue.DefaultRescueAfter
	}
	if o.Budget > o.Queue.RescueAfter-time.Minute && o.Queue.RescueAfter > 2*time.Minute {
		o.Budget = o.Queue.RescueAfter - time.Minute
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

// Apply returns base with the scan's settings: what a worker runs a scan
// with. base brings what is the worker's own (resolver, dialer, observer,
// HSTS preload list, an issuer fetcher through an address guard); the
// scan's roots are read from its recorded CA file unless base trusts
// roots of its own already (an in-process caller that passed them).
func (s Settings) Apply(base Options) (Options, error) {
	o := base
	if s.Concurrency > 0 {
		o.Concurrency = s.Concurrency
	}
	if s.PerIP > 0 {
		o.PerIP = s.PerIP
	}
	if s.Rate != 0 {
		o.Rate = s.Rate
	}
	o.Retries = s.Retries
	if o.Retries == 0 {
		o.Retries = -1
	}
	as := s.Assessment()
	if as.Budget > 0 {
		o.Budget = as.Budget
	}
	if as.Timeout > 0 {
		o.Timeout = as.Timeout
	}
	if as.Connections > 0 {
		o.Assess.Probe.Concurrency = as.Connections
	}
	// What the scan asked for, built as assess builds it; the worker's
	// own pieces are kept where it has them.
	fresh, err := as.Options()
	if err != nil {
		return o, fmt.Errorf("the scan's settings: %w", err)
	}
	switch {
	case !as.FetchIssuers:
		o.Assess.PKI.FetchIssuer = nil
	case o.Assess.PKI.FetchIssuer == nil:
		o.Assess.PKI.FetchIssuer = fresh.PKI.FetchIssuer
	}
	switch {
	case !as.Web:
		o.Web = nil
	case o.Web == nil:
		o.Web = fresh.Web
	}
	switch {
	case !as.Vuln:
		o.Assess.Vuln = nil
	case o.Assess.Vuln == nil:
		o.Assess.Vuln = fresh.Vuln
	}
	if as.CAFile != "" && len(base.Assess.PKI.ExtraRoots) == 0 {
		o.Assess.PKI.ExtraRoots = fresh.PKI.ExtraRoots
		o.CAFile = as.CAFile
	}
	return o, nil
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
	// TargetAbandoned: the assessment of these targets stopped before it
	// finished (their job runs again later).
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
	// assessments that took (targets sharing one count once).
	Assessed, Assessments int
	// Inconclusive are the targets saved without a grade by this run.
	Inconclusive int
	// Retries are the extra attempts made.
	Retries int
	// Abandoned are the targets left pending when the scan stopped (their
	// jobs stay queued).
	Abandoned int
	// Failed counts the jobs whose assessment failed outright (a panic),
	// stored as inconclusive with the reason.
	Failed int
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

// Run works a stored scan in this process until it is finished: it makes
// sure every target still to assess has its job (Enqueue), works the
// queue with a River client of its own (Options.Concurrency jobs at once;
// jobs of other scans in the queue are worked too), and follows the
// scan's counts in the database, so that targets assessed by other
// workers count as well. Each target's assessment is saved as soon as it
// is done.
//
// Cancelling ctx stops the scan gracefully: no new job starts, running
// ones get Options.Grace to finish (and are saved), the rest stay queued,
// the scan is marked interrupted and Run returns ErrInterrupted. When
// every target is done the scan's finish job looks for fleet-wide DROWN
// (MarkDROWN) and marks the scan finished.
func Run(ctx context.Context, st store.Store, id store.ScanID, opts Options) (Summary, error) {
	given := opts.Politeness
	opts = opts.withDefaults()
	start := time.Now()
	sum := Summary{ScanID: id}
	sc, err := st.Scan(ctx, id)
	if err != nil {
		return sum, err
	}
	sum.Total, sum.Done = sc.Counts.Total, sc.Counts.Done
	base := opts
	base.Politeness = given
	if given != nil && !opts.Local {
		given.Share(st)
	}
	w := newWorker(base)
	qo := opts.Queue
	qo.Work = true
	qo.Concurrency = opts.Concurrency
	qo.Register = append(slices.Clone(qo.Register), w.registrar())
	q, err := queue.Open(ctx, st, qo)
	if err != nil {
		return sum, err
	}
	if sc.Status != store.StatusFinished {
		if err := st.SetScanStatus(ctx, id, store.StatusRunning, time.Time{}); err != nil {
			return sum, err
		}
	}
	if _, err := Enqueue(ctx, q, id, opts.Retries); err != nil {
		return sum, err
	}
	opts.Observer.ScanStarted(id, sum.Total, sum.Done, sum.Total-sum.Done)
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return sum, err
	}
	finish := func(err error) (Summary, error) {
		here := w.summary(id)
		sum.Assessed, sum.Assessments, sum.Inconclusive, sum.Retries, sum.Failed =
			here.Assessed, here.Assessments, here.Inconclusive, here.Retries, here.Failed
		if sc, serr := st.Scan(context.WithoutCancel(ctx), id); serr == nil {
			sum.Done = sc.Counts.Done
			sum.Abandoned = sc.Counts.Total - sc.Counts.Done
		}
		if err == nil {
			sum.DROWN, _ = CountDROWN(context.WithoutCancel(ctx), st, id)
		}
		sum.Politeness = w.stats()
		sum.Elapsed = time.Since(start)
		sum.Interrupted = errors.Is(err, ErrInterrupted)
		opts.Observer.ScanEnded(sum)
		return sum, err
	}
	stop := func(grace time.Duration) error {
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if opts.HardStop != nil {
			go func() {
				select {
				case <-opts.HardStop:
					cancel()
				case <-sctx.Done():
				}
			}()
		}
		return q.Stop(sctx)
	}

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		select {
		case <-ctx.Done():
			_ = stop(opts.Grace)
			_ = st.SetScanStatus(context.WithoutCancel(ctx), id, store.StatusInterrupted, time.Now())
			return finish(ErrInterrupted)
		case <-opts.HardStop:
			_ = stop(0)
			_ = st.SetScanStatus(context.WithoutCancel(ctx), id, store.StatusInterrupted, time.Now())
			return finish(ErrInterrupted)
		case <-tick.C:
		}
		sc, err := st.Scan(ctx, id)
		if err != nil {
			lastErr = err // the database may come back
			continue
		}
		lastErr = nil
		if p, ok := opts.Observer.(interface{ Counts(store.Counts) }); ok {
			p.Counts(sc.Counts)
		}
		if sc.Status == store.StatusFinished {
			break
		}
		if sc.Counts.Done >= sc.Counts.Total {
			// The finish job runs on some worker; doing it here too is
			// harmless and saves waiting for it (unless this process
			// is at it already).
			if _, err := w.finish(ctx, st, id, false); err != nil {
				lastErr = err
			}
		}
	}
	_ = lastErr
	_ = stop(opts.Grace)
	return finish(nil)
}

// registrar registers this worker's job kinds.
func (w *worker) registrar() queue.Registrar {
	return func(rw *river.Workers, cfg *river.Config) error {
		if err := river.AddWorkerSafely[ScanJob](rw, w); err != nil {
			return err
		}
		if err := river.AddWorkerSafely[FinishJob](rw, &finishWorker{w: w}); err != nil {
			return err
		}
		if err := river.AddWorkerSafely[SweepJob](rw, sweepWorker{}); err != nil {
			return err
		}
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SweepJob{}, nil },
			&river.PeriodicJobOpts{ID: KindSweep, RunOnStart: true}))
		return nil
	}
}

// stats sums the politeness counters of the worker's limits.
func (w *worker) stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	var all []*Politeness
	if w.base.Politeness != nil {
		all = append(all, w.base.Politeness)
	}
	for _, p := range w.polite {
		all = append(all, p)
	}
	var out Stats
	for _, p := range all {
		s := p.Stats()
		out.Dials += s.Dials
		out.Opened += s.Opened
		out.Addresses += s.Addresses
		out.SharedWrites += s.SharedWrites
		if s.PeakPerIP > out.PeakPerIP {
			out.PeakPerIP, out.PeakAddr = s.PeakPerIP, s.PeakAddr
		}
	}
	return out
}
