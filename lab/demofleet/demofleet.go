// Package demofleet is the lab as a fleet: targets for the lab's servers
// and websites, and the demo's two scans with one server changed between
// them (padlock demo, and tests). It lives beside the lab, not in fleet:
// production code never imports the lab.
package demofleet

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"padlock/fleet"
	"padlock/lab"
	"padlock/store"
)

// ServerTargets returns one target per lab server: organisation the server's
// name, url https://localhost:PORT/ (the name the lab certificates are
// for), pinned to the server's address.
func ServerTargets(servers []*lab.GoServer) []fleet.Target {
	out := make([]fleet.Target, 0, len(servers))
	for i, s := range servers {
		a, err := netip.ParseAddr(s.Host)
		if err != nil {
			continue
		}
		out = append(out, fleet.Target{
			Line:         i + 1,
			Organisation: s.Name,
			URL:          "https://localhost:" + strconv.Itoa(s.Port) + "/",
			Group:        "lab",
			Notes:        s.Description,
			Pin:          []netip.Addr{a.Unmap()},
			Host:         "localhost",
			Port:         uint16(s.Port),
			HTTPPort:     80,
		})
	}
	return out
}

// SiteTargets returns one target per lab website, as ServerTargets does for
// servers: the HTTPS port when the site has one (else 443, which refuses),
// and its plain-HTTP port.
func SiteTargets(sites []*lab.Site, firstLine int) []fleet.Target {
	out := make([]fleet.Target, 0, len(sites))
	for i, s := range sites {
		a, err := netip.ParseAddr(s.Host)
		if err != nil {
			continue
		}
		port := s.HTTPSPort
		if port == 0 {
			// No HTTPS: a closed loopback port stands for the missing 443.
			port = closedPort()
		}
		out = append(out, fleet.Target{
			Line:         firstLine + i,
			Organisation: s.Name,
			URL:          "https://localhost:" + strconv.Itoa(port) + "/",
			Group:        "lab websites",
			Notes:        s.Description,
			Pin:          []netip.Addr{a.Unmap()},
			Host:         "localhost",
			Port:         uint16(port),
			HTTPPort:     uint16(s.HTTPPort),
			HTTP:         "http://localhost:" + strconv.Itoa(s.HTTPPort) + "/",
		})
	}
	return out
}

// closedPort returns a loopback port nothing listens on (one that was just
// free; the lab is the only thing opening ports there).
func closedPort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// Demo is the outcome of Run: two scans of the lab fleet, with one
// server changed between them.
type Demo struct {
	First, Second store.ScanID
	// Changed is the name of the server that changed; ChangedTo the name
	// of the configuration it serves in the second scan.
	Changed, ChangedTo string
	replaced           *http.Server
}

// Close stops the server that replaced the changed one.
func (d *Demo) Close() error {
	if d == nil || d.replaced == nil {
		return nil
	}
	return d.replaced.Close()
}

// Change names the lab server Run changes between its scans and
// the configuration it then serves: the "modern" site is "upgraded" into
// one that also speaks TLS 1.0 and 1.1 with legacy suites, as the seed
// study saw a force's site fall after a new website launched.
var Change = struct{ From, To string }{"modern", "legacy"}

// Run scans the lab servers (lab.StartDemo's) twice into st: once as
// they are, then again after the server named Change.From has been
// replaced, on the same address, by one serving Change.To's
// configuration. The scans are named "demo 1" and "demo 2"; `padlock diff`
// between them shows the change and its reasons.
//
// The servers' CAs are trusted for the scans (added to
// opts.Assess.PKI.ExtraRoots), the plain-HTTP side is skipped unless
// opts.Web is set, and, as every lab server shares 127.0.0.1, the per-IP
// rate limit is off unless opts sets Rate or Politeness. servers must stay
// up until Run returns, except the changed one, which Run closes;
// Close the Demo to stop its replacement.
//
// targets, when given, are scanned instead of ServerTargets(servers) (the demo
// adds its websites with a plain-HTTP side, and redirectors' ports).
func Run(ctx context.Context, st store.Store, servers []*lab.GoServer, opts fleet.Options, targets ...fleet.Target) (*Demo, error) {
	var from, to *lab.GoServer
	for _, s := range servers {
		switch s.Name {
		case Change.From:
			from = s
		case Change.To:
			to = s
		}
	}
	if from == nil || to == nil {
		return nil, fmt.Errorf("demofleet: the demo needs the lab servers %q and %q", Change.From, Change.To)
	}
	for _, s := range servers {
		if s.CA != nil && s.CA.Cert != nil && !slices.ContainsFunc(opts.Assess.PKI.ExtraRoots, s.CA.Cert.Equal) {
			opts.Assess.PKI.ExtraRoots = append(opts.Assess.PKI.ExtraRoots, s.CA.Cert)
		}
	}
	if opts.Rate == 0 && opts.Politeness == nil {
		opts.Rate = -1
	}
	if len(targets) == 0 {
		targets = ServerTargets(servers)
	}
	d := &Demo{Changed: from.Name, ChangedTo: to.Name}

	scan := func(name string) (store.ScanID, error) {
		id, err := fleet.CreateScan(ctx, st, name, "", targets, opts)
		if err != nil {
			return 0, err
		}
		_, err = fleet.Run(ctx, st, id, opts)
		return id, err
	}
	var err error
	if d.First, err = scan("demo 1"); err != nil {
		return d, err
	}
	if d.replaced, err = replaceServer(from, to.Config); err != nil {
		return d, err
	}
	if d.Second, err = scan("demo 2"); err != nil {
		return d, err
	}
	return d, nil
}

// replaceServer closes s and serves cfg on its address instead.
func replaceServer(s *lab.GoServer, cfg *tls.Config) (*http.Server, error) {
	if err := s.Close(); err != nil {
		return nil, err
	}
	var ln net.Listener
	var err error
	// The old listener is closed; its port is free again at once (Go sets
	// SO_REUSEADDR on listeners), but allow the kernel a moment.
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", s.Addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("demofleet: re-listening on %s: %w", s.Addr, err)
	}
	body := "padlock lab: " + s.Name + " (changed)\n"
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = srv.Serve(tls.NewListener(ln, cfg.Clone())) }()
	return srv, nil
}
