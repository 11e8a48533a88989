package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"padlock/fleet"
	"padlock/queue"
	"padlock/schedule"
	"padlock/server"
	"padlock/store"
)

// serveShutdownGrace is how long requests in flight get to finish once
// the server is told to stop.
const serveShutdownGrace = 10 * time.Second

// runServe serves the dashboard, the JSON API and the SSL Labs API
// v3-compatible subset from the store until ctx is done (SIGINT).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		db        = dbFlag(fs, true)
		listen    = fs.String("listen", "127.0.0.1:8080", "`address` to listen on (loopback by default; port 0 picks a free one)")
		token     = fs.String("token", "", "the token write actions need (Authorization: Bearer TOKEN); default $PADLOCK_TOKEN, or a random one printed at start")
		readToken = fs.Bool("require-token-for-reads", false, "require the token for every page and API read too, not only for writes (pages take it as the Basic-auth password)")
		maxScans  = fs.Int("max-scans", server.DefaultMaxConcurrentScans, "assessments and scans that may run at once")
		certFile  = fs.String("tls-cert", "", "serve HTTPS with this certificate `file` (PEM, with its chain)")
		keyFile   = fs.String("tls-key", "", "the private key `file` of --tls-cert")
		quiet     = fs.Bool("quiet", false, "log warnings and errors only (no access log)")
		schedules = fs.Bool("schedules", true, "run the database's schedules and deliver their alerts here, working its job queue (--schedules=false when padlock worker processes do it)")
		// SSL Labs API clients (/api/v3, /api/v4).
		anonAnalyze = fs.Bool("anonymous-analyze", false, "let SSL Labs API clients, which send no token, start assessments through analyze (rate-limited per client address; non-public targets stay refused)")
		anonPerHour = fs.Int("anonymous-per-hour", server.DefaultAnonymousPerHour, "new assessments one client address may start anonymously per hour (with --anonymous-analyze)")
		apiEmails   stringList
	)
	fs.Var(&apiEmails, "api-email", "an `address` allowed to start assessments through /api/v4 with SSL Labs API v4's email header (repeatable)")
	af := registerAssessFlags(fs, forService)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock serve [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Serves the league table, site pages and a JSON API from the database, and an")
		fmt.Fprintln(stderr, "SSL Labs API, v3 and v4 (/api/v3/analyze ...; docs/ssllabs-api.md).")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments", errUsage)
	}
	if (*certFile == "") != (*keyFile == "") {
		return fmt.Errorf("%w: give both --tls-cert and --tls-key, or neither", errUsage)
	}
	if *maxScans <= 0 {
		return fmt.Errorf("%w: --max-scans must be at least 1", errUsage)
	}

	tok, generated := *token, false
	if tok == "" {
		tok = os.Getenv("PADLOCK_TOKEN")
	}
	if tok == "" {
		var err error
		if tok, err = newToken(); err != nil {
			return err
		}
		generated = true
	}
	if len(tok) < 16 {
		return fmt.Errorf("%w: the token must be at least 16 characters long", errUsage)
	}

	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	opts, err := af.options()
	if err != nil {
		return err
	}
	// The server fetches issuers itself, through its address guard.
	opts.PKI.FetchIssuer = nil
	scanOpts := fleet.Options{Timeout: af.Timeout, Budget: af.Budget}

	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	if *schedules {
		stop, err := workQueue(ctx, st, af, logger)
		if err != nil {
			return err
		}
		defer stop()
	}

	h, err := server.New(server.Config{
		Store:              st,
		Token:              tok,
		Private:            *readToken,
		AllowPrivate:       af.InternalTargets,
		AssessOptions:      opts,
		FetchIssuers:       af.FetchIssuers,
		ScanOptions:        scanOpts,
		Logger:             logger,
		MaxConcurrentScans: *maxScans,
		AnonymousAnalyze:   *anonAnalyze,
		AnonymousPerHour:   *anonPerHour,
		APIEmails:          apiEmails,
	})
	if err != nil {
		return err
	}
	defer func() {
		if c, ok := h.(io.Closer); ok {
			c.Close()
		}
	}()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if !*quiet {
		srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}

	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	addr := ln.Addr().(*net.TCPAddr)
	fmt.Fprintf(stdout, "padlock serve: dashboard and API on %s://%s/ (database %s)\n", scheme, displayAddr(addr), *db)
	if generated {
		fmt.Fprintf(stdout, "padlock serve: write token (generated for this run): %s\n", tok)
	} else {
		fmt.Fprintln(stdout, "padlock serve: write token: as given")
	}
	if *readToken {
		fmt.Fprintln(stdout, "padlock serve: every page and API read needs the token")
	}
	ip, _ := netip.AddrFromSlice(addr.IP)
	if !ip.Unmap().IsLoopback() {
		if scheme == "http" {
			fmt.Fprintln(stderr, "padlock serve: warning: listening beyond loopback over plain HTTP: the token travels in clear text; use --tls-cert/--tls-key or a TLS reverse proxy")
		}
		if af.InternalTargets {
			fmt.Fprintln(stderr, "padlock serve: warning: --allow-internal-targets on a reachable address lets anyone with the token scan your internal network")
		}
	}

	served := make(chan error, 1)
	go func() {
		if scheme == "https" {
			served <- srv.ServeTLS(ln, *certFile, *keyFile)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "padlock serve: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// workQueue works the database's job queue in this process: the
// schedules' ticks and runs, the alerts' deliveries, and the scan jobs (of
// the scheduled scans, or any queued for workers). It returns the function
// that stops it, giving running jobs serveShutdownGrace.
func workQueue(ctx context.Context, st store.Store, af *assessFlags, logger *slog.Logger) (func(), error) {
	base, err := workerBase(af, false, "padlock serve")
	if err != nil {
		return nil, err
	}
	q, err := queue.Open(ctx, st, queue.Options{
		Work:     true,
		Register: []queue.Registrar{fleet.Register(base), schedule.Register(schedule.Options{Base: base})},
		Logger:   logger.With("part", "river"),
	})
	if err != nil {
		return nil, err
	}
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), serveShutdownGrace)
		defer cancel()
		q.Stop(sctx)
	}, nil
}

// newToken returns a random token: 32 bytes, base64url.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// displayAddr is the address to print: a wildcard listener is shown as
// loopback, which is where a browser on this machine finds it.
func displayAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip.IsUnspecified() {
		if ip.To4() != nil {
			ip = net.IPv4(127, 0, 0, 1)
		} else {
			ip = net.IPv6loopback
		}
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
