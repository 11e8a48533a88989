package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"

	"padlock/assess"
	"padlock/change"
	"padlock/console"
	"padlock/fleet"
	"padlock/lab"
	"padlock/lab/demofleet"
	"padlock/store"
	"padlock/web"
)

// runDemo is padlock's main job end to end on loopback, with no internet:
// it starts the lab's deliberately configured HTTPS servers, scans them as
// a fleet into a database, "upgrades" one of them the way the seed study
// saw a force's site fall, scans again, prints what changed and why, and
// writes the published report (and, with --serve, serves the dashboard).
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		out     = fs.String("out", "padlock-demo-report", "`directory` to write the HTML report to")
		db      = fs.String("db", "", "database `file` to keep the demo's scans in (default: a temporary one)")
		serve   = fs.Bool("serve", false, "after the report, serve the dashboard from the demo's database until interrupted")
		listen  = fs.String("listen", "127.0.0.1:8080", "`address` for --serve")
		check   = fs.Bool("check", false, "instead of the fleet scans, assess each lab server and print the full result")
		asJSON  = fs.Bool("json", false, "with --check: print each server's Host object, one per line")
		noColor = fs.Bool("no-color", false, "plain output even on a terminal")
	)
	af := registerAssessFlags(fs, forOperator)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock demo [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Starts deliberately (mis)configured HTTPS servers and websites on 127.0.0.1,")
		fmt.Fprintln(stderr, "scans them twice as a fleet with one server changed for the worse in between,")
		fmt.Fprintln(stderr, "prints what changed and why, and writes the HTML report. No internet needed.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: demo takes no arguments", errUsage)
	}

	servers, err := lab.StartDemo(ctx)
	if err != nil {
		return fmt.Errorf("starting the lab servers: %w", err)
	}
	defer func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}()
	// The lab's servers chain to the lab's own root: trust it, as a user
	// of a private PKI would with --ca-file.
	ca, err := lab.DemoCA()
	if err != nil {
		return err
	}
	// Everything the lab serves is on loopback, what its sites point to
	// included.
	af.InternalFetches = true
	opts, err := af.options()
	if err != nil {
		return err
	}
	opts.PKI.ExtraRoots = append(opts.PKI.ExtraRoots, ca.Root().Cert)
	// The lab's websites chain to the lab's root too, and are small.
	var webOpts *web.Options
	if opts.Web != nil {
		webOpts = opts.Web
		webOpts.RootCAs, webOpts.IgnoreRobotsTxt, webOpts.MaxPages = ca.Root().Pool(), true, 6
		opts.Web = nil // the fleet gives it its own dialer
	}
	if *check {
		// The lab servers have no plain-HTTP side of their own here.
		return demoCheck(ctx, servers, opts, *asJSON, !*noColor && isTerminal(stdout), stdout)
	}

	// The fleet: the HTTPS servers, each with a plain-HTTP redirector (so
	// they are secure by default), and websites with a plain-HTTP side of
	// their own (no HTTPS, forms over plain text...).
	targets := demofleet.ServerTargets(servers)
	for i, s := range servers {
		r, err := lab.StartRedirector(ctx, s.Name, s.Port)
		if err != nil {
			return err
		}
		defer r.Close()
		targets[i].HTTPPort = uint16(r.HTTPPort)
		targets[i].HTTP = "http://localhost:" + strconv.Itoa(r.HTTPPort) + "/"
	}
	var sites []*lab.Site
	for _, spec := range lab.DemoSites() {
		site, err := lab.StartSite(ctx, spec, ca)
		if err != nil {
			return err
		}
		defer site.Close()
		sites = append(sites, site)
	}
	targets = append(targets, demofleet.SiteTargets(sites, len(targets)+1)...)

	fmt.Fprintf(stdout, "padlock demo: %d lab sites on 127.0.0.1 (%d HTTPS servers, %d websites with a plain-HTTP side), scanned as a fleet\n\n",
		len(targets), len(servers), len(sites))
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "padlock-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "padlock.db")
	}
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()

	// Every lab site shares 127.0.0.1: the per-IP politeness that protects
	// real servers would only queue the demo against itself.
	d, err := demofleet.Run(ctx, st, servers, fleet.Options{Assess: opts, Web: webOpts, PerIP: 64,
		Budget: af.Budget, Timeout: af.Timeout, InternalFetches: af.InternalFetches}, targets...)
	if d != nil {
		defer d.Close()
	}
	if err != nil {
		return fmt.Errorf("scanning the lab fleet: %w", err)
	}
	if err := demoTable(ctx, st, d.Second, stdout); err != nil {
		return err
	}

	first, err := st.Scan(ctx, d.First)
	if err != nil {
		return err
	}
	second, err := st.Scan(ctx, d.Second)
	if err != nil {
		return err
	}
	before, err := changeSites(ctx, st, d.First)
	if err != nil {
		return err
	}
	after, err := changeSites(ctx, st, d.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nBetween the scans the %q server was replaced by one configured like %q. padlock diff:\n\n", d.Changed, d.ChangedTo)
	if err := writeDiff(stdout, first, second, change.Compare(before, after), false); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	if _, err := writeReportSite(ctx, st, d.Second, *out, stdout); err != nil {
		return err
	}
	if !*serve {
		return nil
	}
	st.Close()
	fmt.Fprintln(stdout)
	return runServe(ctx, []string{"--db", path, "--listen", *listen, "--allow-internal-targets"}, stdout, stderr)
}

// demoTable prints one line per site of a stored scan.
func demoTable(ctx context.Context, st store.Store, id store.ScanID, w io.Writer) error {
	as, err := st.Assessments(ctx, id)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tGRADE\tBEST PROTOCOL\tCERTIFICATE EXPIRES")
	for _, a := range as {
		g := a.Grade
		if a.Star {
			g += "*"
		}
		if g == "" {
			g = "- (" + a.Inconclusive + ")"
		}
		exp := "-"
		if !a.CertNotAfter.IsZero() {
			exp = a.CertNotAfter.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", strings.TrimPrefix(a.Organisation, "lab: "), g, orDash(a.BestProtocol), exp)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// demoCheck assesses every lab server on its own and prints the results.
func demoCheck(ctx context.Context, servers []*lab.GoServer, opts assess.Options, asJSON, color bool, stdout io.Writer) error {
	// Side by side (each endpoint keeps its own connection cap), then
	// printed in catalogue order.
	hosts := make([]*assess.Host, len(servers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range servers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			t := assess.Target{Host: "localhost", Port: uint16(s.Port), SNI: "localhost", Pin: []netip.Addr{netip.MustParseAddr(s.Host)}}
			hosts[i] = assess.Assess(ctx, t, opts)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i, s := range servers {
		if asJSON {
			if err := json.NewEncoder(stdout).Encode(hosts[i]); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(stdout, "=== %s: %s\n", s.Name, s.Description)
		if err := console.Write(stdout, hosts[i], console.Options{Color: color}); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	return nil
}
