package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"padlock/fleet"
	"padlock/queue"
	"padlock/store"
)

// resumeFlag is --resume with an optional scan id: "--resume" alone (the
// latest unfinished scan) or "--resume=ID"; "--resume ID" is read from the
// arguments.
type resumeFlag struct {
	set bool
	id  store.ScanID
}

func (r *resumeFlag) String() string {
	if r == nil || !r.set {
		return ""
	}
	if r.id == 0 {
		return "true"
	}
	return strconv.FormatInt(int64(r.id), 10)
}

func (r *resumeFlag) Set(s string) error {
	r.set = true
	if s == "" || s == "true" {
		return nil
	}
	id, err := parseScanID(s)
	if err != nil {
		return err
	}
	r.id = id
	return nil
}

func (r *resumeFlag) IsBoolFlag() bool { return true }

func parseScanID(s string) (store.ScanID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a scan id (a positive number)", s)
	}
	return store.ScanID(n), nil
}

// scanFlags are padlock scan's flags.
type scanFlags struct {
	db          string
	name        string
	resume      resumeFlag
	strict      bool
	concurrency int
	perIP       int
	rate        float64
	retries     int
	grace       time.Duration
	quiet       bool
	resolves    resolveFlag
	assess      *assessFlags
	enqueueOnly bool
	follow      resumeFlag
	localLimits bool
	rescueAfter time.Duration
	profile     profileFlags
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	dbFlagVar(fs, &f.db, true)
	fs.StringVar(&f.name, "name", "", "a name for the scan (default: the targets file and the date)")
	fs.Var(&f.resume, "resume", "continue an interrupted scan: the latest, or --resume=ID (or --resume ID)")
	fs.BoolVar(&f.strict, "strict", false, "refuse a targets file with any bad row (default: skip bad rows, with their line numbers)")
	fs.IntVar(&f.concurrency, "concurrency", fleet.DefaultConcurrency, "targets assessed at once")
	fs.IntVar(&f.perIP, "per-ip", fleet.DefaultPerIP, "connections open at once to one IP address")
	fs.Float64Var(&f.rate, "rate", fleet.DefaultRate, "new connections per second to one IP address (negative: no limit), in bursts of up to --per-ip")
	fs.IntVar(&f.retries, "retries", fleet.DefaultRetries, "extra attempts for an inconclusive target (0: none)")
	fs.DurationVar(&f.grace, "grace", fleet.DefaultGrace, "on Ctrl-C, time running targets get to finish")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress display and no summary")
	fs.Var(&f.resolves, "resolve", "use ADDR for HOST:PORT instead of DNS (HOST:PORT:ADDR, repeatable, as curl)")
	fs.BoolVar(&f.enqueueOnly, "enqueue-only", false, "store the scan and queue its jobs, and exit: padlock worker processes (on any machine using --db) work them")
	fs.Var(&f.follow, "follow", "follow a scan's progress (the latest unfinished, or --follow=ID) without working on it")
	fs.BoolVar(&f.localLimits, "local-limits", false, "hold the per-IP limits in this process only, not in the database shared with other workers")
	fs.DurationVar(&f.rescueAfter, "rescue-after", queue.DefaultRescueAfter, "a job running this long is taken to belong to a dead worker and run again (must exceed --budget)")
	f.profile.register(fs)
	f.assess = registerAssessFlags(fs, forOperator)
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f scanFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock scan [flags] TARGETS")
		fmt.Fprintln(stderr, "       padlock scan [flags] --resume [SCAN_ID]")
		fmt.Fprintln(stderr, "       padlock scan --enqueue-only [flags] TARGETS   (then: padlock worker --db …)")
		fmt.Fprintln(stderr, "       padlock scan --follow[=SCAN_ID] --db …")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "TARGETS is a CSV file with a header (organisation,url required; group, tags,")
		fmt.Fprintln(stderr, "notes, ip optional) or a list of hosts or URLs, one per line.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if f.retries == 0 {
		f.retries = -1 // fleet: negative means no retries
	}

	if f.follow.set {
		if f.resume.set || f.enqueueOnly || fs.NArg() > 1 || (fs.NArg() == 1 && f.follow.id != 0) {
			return fmt.Errorf("%w: --follow [SCAN_ID] takes no targets file, --resume or --enqueue-only", errUsage)
		}
		if fs.NArg() == 1 {
			id, err := parseScanID(fs.Arg(0))
			if err != nil {
				return fmt.Errorf("%w: --follow takes a scan id: %v", errUsage, err)
			}
			f.follow.id = id
		}
		return followScan(ctx, f, stdout, stderr)
	}
	if f.enqueueOnly && f.resume.set {
		return fmt.Errorf("%w: --enqueue-only queues a new scan; a resumed scan's jobs are queued already (padlock worker works them)", errUsage)
	}

	var targetsFile string
	switch {
	case f.resume.set && fs.NArg() == 1 && f.resume.id == 0:
		id, err := parseScanID(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("%w: --resume takes a scan id, not a targets file: %v", errUsage, err)
		}
		f.resume.id = id
	case f.resume.set && fs.NArg() > 0:
		return fmt.Errorf("%w: --resume continues a stored scan; give no targets file", errUsage)
	case !f.resume.set && fs.NArg() != 1:
		fs.Usage()
		return fmt.Errorf("%w: give one targets file", errUsage)
	case !f.resume.set:
		targetsFile = fs.Arg(0)
	}
	if f.concurrency <= 0 || f.perIP <= 0 {
		return fmt.Errorf("%w: --concurrency and --per-ip must be positive", errUsage)
	}

	// Read the targets before touching the database: a bad file changes
	// nothing.
	var targets []fleet.Target
	if targetsFile != "" {
		tf, err := fleet.LoadTargets(targetsFile, fleet.ParseOptions{Strict: f.strict})
		if tf != nil {
			for _, w := range tf.Warnings {
				fmt.Fprintf(stderr, "%s: %s\n", targetsFile, w)
			}
			for _, e := range tf.Errors {
				fmt.Fprintf(stderr, "%s: %v\n", targetsFile, e)
			}
			if tf.MoreErrors > 0 {
				fmt.Fprintf(stderr, "%s: and %d more bad rows\n", targetsFile, tf.MoreErrors)
			}
		}
		if err != nil {
			return err
		}
		targets = tf.Targets
		if len(targets) == 0 {
			return fmt.Errorf("%s: no usable target", targetsFile)
		}
		if n := len(tf.Errors) + tf.MoreErrors; n > 0 {
			fmt.Fprintf(stderr, "%s: %d bad rows left out, %d targets to scan (--strict refuses such a file)\n", targetsFile, n, len(targets))
		}
		for i := range targets {
			for _, r := range f.resolves {
				if r.host == targets[i].Host && r.port == targets[i].Port && !slices.Contains(targets[i].Pin, r.addr.Unmap()) {
					targets[i].Pin = append(targets[i].Pin, r.addr.Unmap())
				}
			}
			slices.SortFunc(targets[i].Pin, netip.Addr.Compare)
			targets[i].Pin = slices.Compact(targets[i].Pin)
		}
	}

	// A new scan's settings are checked before the database is touched;
	// a resumed one's come from the database.
	var opts fleet.Options
	if !f.resume.set {
		var err error
		if opts, err = f.options(); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	stopProfile, err := f.profile.start()
	if err != nil {
		return err
	}
	defer func() {
		if perr := stopProfile(); perr != nil && err == nil {
			err = perr
		}
	}()

	var id store.ScanID
	if f.resume.set {
		id, err = resumableScan(ctx, st, f.resume.id)
		if err != nil {
			return err
		}
		sc, err := st.Scan(ctx, id)
		if err != nil {
			return err
		}
		f.applySettings(sc.Options, set)
		if opts, err = f.options(); err != nil {
			return err
		}
	}

	hard := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var prog *fleet.Progress
	if !f.quiet {
		prog = fleet.NewProgress(stderr, isTerminal(stderr))
		opts.Observer = prog
	}
	note := func(s string) {
		if prog != nil {
			prog.Note(s)
		} else if !f.quiet {
			fmt.Fprintln(stderr, s)
		}
	}
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				if n == 1 {
					note(fmt.Sprintf("stopping: no new targets; running ones get %s to finish (interrupt again to stop now)", opts.Grace))
				} else {
					note("stopping now")
					close(hard)
					return
				}
			case <-hard:
				return
			}
		}
	}()
	opts.HardStop = hard
	defer func() {
		select {
		case <-hard:
		default:
			close(hard)
		}
	}()

	if !f.resume.set {
		name := f.name
		if name == "" {
			name = targetsFile + " " + time.Now().Format("2006-01-02 15:04")
		}
		id, err = fleet.CreateScan(ctx, st, name, targetsFile, targets, opts)
		if err != nil {
			return err
		}
	}
	if f.enqueueOnly {
		fmt.Fprintf(stdout, "scan %d: %d targets queued in %s\n", id, len(targets), store.Redact(f.db))
		if !f.quiet {
			fmt.Fprintf(stderr, "work it with: padlock worker --db %s (on any number of machines)\nfollow it with: padlock scan --db %s --follow=%d\n",
				store.Redact(f.db), store.Redact(f.db), id)
		}
		return nil
	}
	sum, err := fleet.Run(ctx, st, id, opts)
	if errors.Is(err, fleet.ErrInterrupted) {
		return fmt.Errorf("scan %d interrupted with %d of %d targets done; continue it with: padlock scan --db %s --resume=%d",
			id, sum.Done, sum.Total, store.Redact(f.db), id)
	}
	if err != nil {
		return fmt.Errorf("scan %d: %w", id, err)
	}
	if !f.quiet {
		failed := 0
		if sc, err := st.Scan(ctx, id); err == nil {
			failed = sc.Counts.Failed
		}
		fmt.Fprintf(stdout, "scan %d: %d targets assessed (%d inconclusive), stored in %s\n", id, sum.Total, failed, store.Redact(f.db))
	}
	return nil
}

// resumableScan returns id when that scan can be resumed, or the latest
// scan that is not finished when id is 0.
func resumableScan(ctx context.Context, st store.Store, id store.ScanID) (store.ScanID, error) {
	if id != 0 {
		sc, err := st.Scan(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("no scan %d in the database", id)
		}
		if err != nil {
			return 0, err
		}
		if sc.Status == store.StatusFinished {
			return 0, fmt.Errorf("scan %d is finished already (%d targets)", id, sc.Counts.Total)
		}
		return id, nil
	}
	scans, err := st.Scans(ctx)
	if err != nil {
		return 0, err
	}
	for i := len(scans) - 1; i >= 0; i-- {
		if scans[i].Status != store.StatusFinished {
			return scans[i].ID, nil
		}
	}
	return 0, errors.New("no unfinished scan to resume")
}

// applySettings takes the stored scan's settings for every flag not given
// on the command line.
func (f *scanFlags) applySettings(raw string, set map[string]bool) {
	var s fleet.Settings
	if json.Unmarshal([]byte(raw), &s) != nil {
		return
	}
	if !set["concurrency"] && s.Concurrency > 0 {
		f.concurrency = s.Concurrency
	}
	if !set["per-ip"] && s.PerIP > 0 {
		f.perIP = s.PerIP
	}
	if !set["rate"] && s.Rate != 0 {
		f.rate = s.Rate
	}
	if !set["retries"] {
		f.retries = s.Retries
		if f.retries == 0 {
			f.retries = -1
		}
	}
	as, a := s.Assessment(), &f.assess.Settings
	if !set["budget"] && as.Budget > 0 {
		a.Budget = as.Budget
	}
	if !set["timeout"] && as.Timeout > 0 {
		a.Timeout = as.Timeout
	}
	if !set["connections"] && as.Connections > 0 {
		a.Connections = as.Connections
	}
	if !set["aia-fetch"] {
		a.FetchIssuers = as.FetchIssuers
	}
	if !set["no-web"] {
		a.Web = as.Web
	}
	if !set["no-vuln"] {
		a.Vuln = as.Vuln
	}
	if !set["ca-file"] && as.CAFile != "" {
		a.CAFile = as.CAFile
	}
	if !set["allow-internal-fetches"] {
		a.InternalFetches = as.InternalFetches
	}
}

// options are the fleet options of the flags.
func (f *scanFlags) options() (fleet.Options, error) {
	ao, err := f.assess.options()
	if err != nil {
		return fleet.Options{}, err
	}
	o := fleet.Options{
		Concurrency: f.concurrency,
		PerIP:       f.perIP,
		Rate:        f.rate,
		Budget:      f.assess.Budget,
		Timeout:     f.assess.Timeout,
		Retries:     f.retries,
		Grace:       f.grace,
		Web:         ao.Web,
		Local:       f.localLimits,
		Queue:       queue.Options{RescueAfter: f.rescueAfter},

		InternalFetches: f.assess.InternalFetches,
	}
	ao.Web = nil // the scan gives it its politeness dialer
	o.Assess = ao
	if f.assess.CAFile != "" {
		// Recorded with the scan, so that --resume trusts the same roots
		// from wherever it is run.
		o.CAFile = f.assess.CAFile
		if abs, err := filepath.Abs(f.assess.CAFile); err == nil {
			o.CAFile = abs
		}
	}
	return o, nil
}

// followScan draws a scan's progress, read from the database, until it
// is finished (or ctx ends): from any machine that reaches the database,
// whoever works the scan.
func followScan(ctx context.Context, f scanFlags, stdout, stderr io.Writer) error {
	st, err := store.Open(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	id := f.follow.id
	if id == 0 {
		if id, err = resumableScan(ctx, st, 0); err != nil {
			return err
		}
	}
	q, err := queue.Open(ctx, st, queue.Options{})
	if err != nil {
		return err
	}
	prog := fleet.NewProgress(stderr, isTerminal(stderr))
	if f.quiet {
		prog = fleet.NewProgress(io.Discard, false)
	}
	sc, err := fleet.Follow(ctx, q, id, prog)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scan %d %s: %d of %d targets done (%d inconclusive)\n", id, sc.Status, sc.Counts.Done, sc.Counts.Total, sc.Counts.Failed)
	return nil
}
