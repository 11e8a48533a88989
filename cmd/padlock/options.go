package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"

	"padlock/assess"
)

// assessFlags are the assessment settings (assess.Settings) as flags,
// registered here once for every command that assesses (check, scan,
// serve, and the worker), so that a flag means the same thing in each.
type assessFlags struct {
	assess.Settings
	// hstsPreload is the Chromium HSTS preload list file.
	hstsPreload string
	fs          *flag.FlagSet
}

// command kinds for registerAssessFlags.
const (
	// forOperator: a command a person runs for themselves (check, scan,
	// demo): it assesses whatever address it is told to.
	forOperator = false
	// forService: a served scanner (serve, worker): targets that resolve
	// to non-public addresses are refused unless --allow-internal-targets.
	forService = true
)

// registerAssessFlags registers the assessment flags on fs, with the
// defaults of assess.DefaultSettings. A service also gets
// --allow-internal-targets; an operator's command always allows them, and
// gets --allow-internal-fetches for what the sites point to (a service
// guards every connection by its targets' rule).
func registerAssessFlags(fs *flag.FlagSet, service bool) *assessFlags {
	f := &assessFlags{Settings: assess.DefaultSettings(), fs: fs}
	s := &f.Settings
	fs.DurationVar(&s.Timeout, "timeout", s.Timeout, "time allowed for one connection (and one plain-HTTP request)")
	fs.DurationVar(&s.Budget, "budget", s.Budget, "time allowed for one target in all: every address, the checks, the plain-HTTP side (and a scan's retries)")
	fs.IntVar(&s.Connections, "connections", s.Connections, "connections open at once to one endpoint (a scan's --per-ip may lower it)")
	fs.BoolVar(&s.FetchIssuers, "aia-fetch", s.FetchIssuers, "fetch intermediate certificates a server fails to send from the certificates' AIA URLs, as most browsers do (--aia-fetch=false: judge only what was sent)")
	fs.StringVar(&s.CAFile, "ca-file", "", "PEM `file` of CA certificates to trust besides the Mozilla roots (private or test PKIs)")
	fs.Var(negated{&s.Vuln}, "no-vuln", "skip the vulnerability checks (Heartbleed, ROBOT, padding oracles, ...)")
	fs.Var(negated{&s.Web}, "no-web", "skip the plain-HTTP side (redirects, HSTS, forms asking for personal data)")
	fs.StringVar(&f.hstsPreload, "hsts-preload", defaultPreloadPath(), "Chromium HSTS preload list `file` (see padlock hsts-preload update); missing: preload status not reported")
	if service {
		fs.BoolVar(&s.InternalTargets, "allow-internal-targets", false, "DANGEROUS beyond demos and tests: let the served scanner assess targets on private, loopback, link-local and other non-public addresses")
	} else {
		s.InternalTargets = true
		fs.BoolVar(&s.InternalFetches, "allow-internal-fetches", false, "tests and labs only: let what a scanned site points to (AIA issuer URLs, redirects, links) be on private, loopback, link-local and other non-public addresses")
	}
	return f
}

// given reports whether the flag name was set on the command line.
func (f *assessFlags) given(name string) bool {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == name })
	return given
}

// options checks the settings and returns the assessment options: the
// --ca-file roots, the AIA fetcher, the HSTS preload list. A bad value or a
// file that cannot be used is a usage error (exit status 2).
func (f *assessFlags) options() (assess.Options, error) {
	switch {
	case f.Timeout <= 0:
		return assess.Options{}, fmt.Errorf("%w: --timeout must be positive", errUsage)
	case f.Budget <= 0:
		return assess.Options{}, fmt.Errorf("%w: --budget must be positive", errUsage)
	case f.Connections <= 0:
		return assess.Options{}, fmt.Errorf("%w: --connections must be at least 1", errUsage)
	}
	o, err := f.Settings.Options()
	if errors.Is(err, assess.ErrCAFile) {
		return assess.Options{}, fmt.Errorf("%w: --ca-file: %v", errUsage, err)
	}
	if err != nil {
		return assess.Options{}, err
	}
	if o.Web != nil {
		list, err := loadPreload(f.hstsPreload, f.given("hsts-preload"))
		if err != nil {
			return assess.Options{}, fmt.Errorf("%w: --hsts-preload: %v", errUsage, err)
		}
		o.Web.HSTSPreload = list
	}
	return o, nil
}

// negated is a boolean flag that clears *b when given (--no-web).
type negated struct{ b *bool }

func (n negated) String() string {
	if n.b == nil {
		return "false"
	}
	return fmt.Sprint(!*n.b)
}

func (n negated) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*n.b = !v
	return nil
}

func (n negated) IsBoolFlag() bool { return true }

// defaultDB is the database every command uses unless --db names another.
const defaultDB = "padlock.db"

// dbFlag registers --db, the one spelling of the option for every command
// that reads or writes scans. creates says whether the command makes a
// SQLite file that is missing (scan, serve, worker) or refuses it
// (databaseExists: diff, history, report, schedules, alerts).
func dbFlag(fs *flag.FlagSet, creates bool) *string {
	p := new(string)
	dbFlagVar(fs, p, creates)
	return p
}

// dbFlagVar is dbFlag into p.
func dbFlagVar(fs *flag.FlagSet, p *string, creates bool) {
	usage := "the `database`: a SQLite file (it must exist) or postgres://user:password@host/dbname"
	if creates {
		usage = "the `database`: a SQLite file (created if missing) or postgres://user:password@host/dbname"
	}
	fs.StringVar(p, "db", defaultDB, usage)
}
