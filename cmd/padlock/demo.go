package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"text/tabwriter"

	"padlock/assess"
	"padlock/console"
	"padlock/lab"
	"padlock/pki"
	"padlock/vuln"
)

// runDemo starts the lab's deliberately configured servers on loopback and
// checks each one: padlock's main job end to end, with no internet.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asJSON  = fs.Bool("json", false, "print each server's Host object, one per line")
		brief   = fs.Bool("brief", false, "print only the summary table")
		noColor = fs.Bool("no-color", false, "plain output even on a terminal")
		pf      probeFlags
	)
	pf.register(fs)
	if err := fs.Parse(args); err != nil {
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
	if !*asJSON {
		fmt.Fprintf(stdout, "padlock demo: %d deliberately configured HTTPS servers on 127.0.0.1\n\n", len(servers))
	}

	// The lab's servers chain to the lab's own root: trust it, as a user
	// of a private PKI would with --ca-file.
	ca, err := lab.DemoCA()
	if err != nil {
		return err
	}
	opts := assess.Options{
		Probe: pf.options(),
		PKI:   pki.Options{ExtraRoots: []*x509.Certificate{ca.Root().Cert}},
		Vuln:  &vuln.Options{},
	}
	// Assess the servers side by side (each endpoint still has its own
	// connection cap), then print them in catalogue order.
	hosts := make([]*assess.Host, len(servers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range servers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			t := assess.Target{
				Host: "localhost",
				Port: uint16(s.Port),
				SNI:  "localhost",
				Pin:  []netip.Addr{netip.MustParseAddr(s.Host)},
			}
			hosts[i] = assess.Assess(ctx, t, opts)
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for i, s := range servers {
		h := hosts[i]
		switch {
		case *asJSON:
			if err := json.NewEncoder(stdout).Encode(h); err != nil {
				return err
			}
		case !*brief:
			fmt.Fprintf(stdout, "=== %s: %s\n", s.Name, s.Description)
			if err := console.Write(stdout, h, console.Options{Color: !*noColor && isTerminal(stdout)}); err != nil {
				return err
			}
			fmt.Fprintln(stdout)
		}
	}
	if *asJSON {
		return nil
	}
	return demoSummary(stdout, servers, hosts)
}

// demoSummary prints one line per lab server: what it is and what padlock saw.
func demoSummary(w io.Writer, servers []*lab.GoServer, hosts []*assess.Host) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tGRADE\tPROTOCOLS\tSUITES\tCONNECTIONS\tSTATUS")
	for i, s := range servers {
		h := hosts[i]
		protocols, suites, conns, status := "-", 0, 0, h.StatusMessage
		if len(h.Endpoints) > 0 {
			ep := h.Endpoints[0]
			status = ep.StatusMessage
			if d := ep.Details; d != nil {
				var names []string
				for _, p := range d.Protocols {
					names = append(names, p.Name+" "+p.Version)
				}
				if len(names) > 0 {
					protocols = strings.Join(names, ", ")
				}
				for _, ps := range d.Suites {
					suites += len(ps.List)
				}
				conns = d.PadlockConnections
			}
		}
		g := h.PadlockSite.Display
		if g == "" {
			g = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", s.Name, g, protocols, suites, conns, status)
	}
	return tw.Flush()
}
