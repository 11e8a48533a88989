// Command padlock assesses the HTTPS of one site or a whole fleet: its own
// wire-level TLS prober, SSL Labs style grades, the plain-HTTP side, history
// and reports.
//
// Usage:
//
//	padlock check [flags] HOST[:PORT]...   assess sites and print the result
//	padlock demo                            start lab servers on loopback and check them
//	padlock version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one padlock subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"check", "assess one or more sites and print the result", runCheck},
	{"demo", "start deliberately configured servers on loopback and check them", runDemo},
	{"scan", "assess every site of a targets file and store the results", runScan},
	{"worker", "work the queue of scan jobs in a database (PostgreSQL: on any number of machines)", runWorker},
	{"diff", "compare two stored scans: what improved, what deteriorated, and why", runDiff},
	{"history", "show a site's grades over the stored scans", runHistory},
	{"report", "publish a stored scan: league table, site pages and charts as HTML, or CSV, JSON, Markdown", runReport},
	{"serve", "serve the dashboard, a JSON API and an SSL Labs API v3-compatible subset from the database", runServe},
	{"hsts-preload", "download Chromium's HSTS preload list for check and scan (online)", runHSTSPreload},
	{"version", "print padlock's version", runVersion},
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "padlock %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "padlock %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "padlock: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: padlock COMMAND [flags] [args]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'padlock COMMAND -h' for a command's flags.")
}

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, version())
	return nil
}
