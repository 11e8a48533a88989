package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"padlock/assess"
	"padlock/console"
)

// resolveFlag collects curl-style --resolve HOST:PORT:ADDR pins.
type resolveFlag []resolvePin

type resolvePin struct {
	host string
	port uint16
	addr netip.Addr
}

func (r *resolveFlag) String() string { return "" }

func (r *resolveFlag) Set(s string) error {
	// HOST:PORT:ADDR, where ADDR may be an IPv6 literal with or without brackets.
	host, rest, ok := strings.Cut(s, ":")
	if !ok {
		return fmt.Errorf("want HOST:PORT:ADDR, got %q", s)
	}
	portStr, addrStr, ok := strings.Cut(rest, ":")
	if !ok || host == "" {
		return fmt.Errorf("want HOST:PORT:ADDR, got %q", s)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return fmt.Errorf("bad port in %q", s)
	}
	addr, err := netip.ParseAddr(strings.Trim(addrStr, "[]"))
	if err != nil {
		return fmt.Errorf("bad address in %q: %v", s, err)
	}
	*r = append(*r, resolvePin{strings.ToLower(host), uint16(port), addr})
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asJSON   = fs.Bool("json", false, "print the SSL Labs API v3 shaped Host object (one per line for several targets)")
		sni      = fs.String("sni", "", "server name to send instead of the target's host name")
		noColor  = fs.Bool("no-color", false, "plain output even on a terminal")
		verbose  = fs.Bool("v", false, "show more detail")
		httpPort = fs.Uint("http-port", 80, "port of the plain-HTTP side")
		resolves resolveFlag
	)
	fs.Var(&resolves, "resolve", "use ADDR for HOST:PORT instead of DNS (HOST:PORT:ADDR, repeatable, as curl)")
	af := registerAssessFlags(fs, forOperator)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock check [flags] HOST[:PORT]...")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no target given", errUsage)
	}
	var targets []assess.Target
	for _, arg := range fs.Args() {
		t, err := assess.ParseTarget(arg)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if *sni != "" {
			t.SNI = *sni
		}
		for _, r := range resolves {
			if r.host == strings.ToLower(t.Host) && r.port == t.Port {
				t.Pin = append(t.Pin, r.addr)
			}
		}
		t.HTTPPort = uint16(*httpPort)
		targets = append(targets, t)
	}

	if *httpPort == 0 || *httpPort > 65535 {
		return fmt.Errorf("%w: bad --http-port %d", errUsage, *httpPort)
	}
	opts, err := af.options()
	if err != nil {
		return err
	}
	failed := 0
	for _, t := range targets {
		h := assess.Assess(ctx, t, opts)
		if h.Status != "READY" {
			failed++
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			if len(targets) == 1 {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(h); err != nil {
				return err
			}
			continue
		}
		if err := console.Write(stdout, h, console.Options{Color: !*noColor && isTerminal(stdout), Verbose: *verbose}); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d targets could not be assessed", failed, len(targets))
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
