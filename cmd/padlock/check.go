package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"padlock/assess"
	"padlock/console"
	"padlock/pki"
	"padlock/probe"
	"padlock/vuln"
	"padlock/web"
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

// probeFlags are the prober's bounds, shared by every command that probes.
type probeFlags struct {
	timeout     time.Duration
	concurrency int
	budget      time.Duration
}

func (p *probeFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&p.timeout, "timeout", 10*time.Second, "time allowed for one connection")
	fs.IntVar(&p.concurrency, "connections", 4, "connections open at once to one endpoint")
	fs.DurationVar(&p.budget, "budget", 5*time.Minute, "time allowed for one endpoint in all")
}

func (p *probeFlags) options() probe.Options {
	return probe.Options{Timeout: p.timeout, Concurrency: p.concurrency, Budget: p.budget}
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asJSON   = fs.Bool("json", false, "print the SSL Labs API v3 shaped Host object (one per line for several targets)")
		sni      = fs.String("sni", "", "server name to send instead of the target's host name")
		noColor  = fs.Bool("no-color", false, "plain output even on a terminal")
		verbose  = fs.Bool("v", false, "show more detail")
		caFile   = fs.String("ca-file", "", "PEM `file` of CA certificates to trust besides the Mozilla roots (private or test PKIs)")
		noVuln   = fs.Bool("no-vuln", false, "skip the vulnerability checks (Heartbleed, ROBOT, padding oracles, ...)")
		preload  = fs.String("hsts-preload", defaultPreloadPath(), "Chromium HSTS preload list `file` (see padlock hsts-preload update); missing: preload status not reported")
		noWeb    = fs.Bool("no-web", false, "skip the plain-HTTP side (redirects, HSTS, forms asking for personal data)")
		httpPort = fs.Uint("http-port", 80, "port of the plain-HTTP side")
		aiaFetch = fs.Bool("aia-fetch", true, "fetch intermediate certificates a server fails to send from the certificates' AIA URLs, as most browsers do (-aia-fetch=false: judge only what was sent)")
		resolves resolveFlag
		pf       probeFlags
	)
	fs.Var(&resolves, "resolve", "use ADDR for HOST:PORT instead of DNS (HOST:PORT:ADDR, repeatable, as curl)")
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock check [flags] HOST[:PORT]...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
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

	opts := assess.Options{Probe: pf.options()}
	if !*noVuln {
		opts.Vuln = &vuln.Options{}
	}
	if !*noWeb {
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "hsts-preload" })
		list, err := loadPreload(*preload, explicit)
		if err != nil {
			return err
		}
		opts.Web = &web.Options{Timeout: pf.timeout, HSTSPreload: list}
	}
	if *httpPort == 0 || *httpPort > 65535 {
		return fmt.Errorf("%w: bad --http-port %d", errUsage, *httpPort)
	}
	if *caFile != "" {
		roots, err := readCAFile(*caFile)
		if err != nil {
			return fmt.Errorf("%w: -ca-file: %v", errUsage, err)
		}
		opts.PKI.ExtraRoots = roots
	}
	if *aiaFetch {
		opts.PKI.FetchIssuer = pki.HTTPIssuerFetcher(nil, 0, pf.timeout)
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

// readCAFile reads a PEM bundle of CA certificates. Text outside PEM blocks
// (the comments of ca-bundle files) is ignored; a file without any
// certificate, a block that is not a certificate, or one that does not
// parse is an error.
func readCAFile(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("%s: block %d is a %s, not a CERTIFICATE", path, len(certs)+1, blk.Type)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %v", path, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate found", path)
	}
	return certs, nil
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
