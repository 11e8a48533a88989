// Command padlock assesses the HTTPS of one site or a whole fleet: its own
// wire-level TLS prober, SSL Labs style grades, the plain-HTTP side, history
// and reports.
//
// Usage:
//
//	padlock COMMAND [flags] [args]
//	padlock help [COMMAND]
//	padlock --version
//
// padlock help lists the commands (check, demo, scan, diff, history,
// report, serve, hsts-preload, version); docs/cli.md describes the flags
// they share and the exit statuses.
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
	{"demo", "scan a lab fleet on loopback twice, show what changed and why, write the report (no internet)", runDemo},
	{"scan", "assess every site of a targets file and store the results", runScan},
	{"worker", "work the queue of scan jobs in a database (PostgreSQL: on any number of machines)", runWorker},
	{"diff", "compare two stored scans: what improved, what deteriorated, and why", runDiff},
	{"history", "show a site's grades over the stored scans", runHistory},
	{"report", "publish a stored scan: league table, site pages and charts as HTML, or CSV, JSON, Markdown", runReport},
	{"schedule", "add, list or remove recurring scans that alert when a site gets worse", runSchedule},
	{"alerts", "list the alerts of scheduled scans: sites that got worse", runAlerts},
	{"serve", "serve the dashboard, a JSON API and an SSL Labs API v3-compatible subset from the database", runServe},
	{"hsts-preload", "download Chromium's HSTS preload list for check, scan and serve (online)", runHSTSPreload},
	{"version", "print padlock's version", runVersion},
}

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case args[0] == "--version" || args[0] == "-version":
		args = []string{"version"}
	case isHelp(args[0]) && len(args) == 1:
		usage(stdout)
		return 0
	case isHelp(args[0]) && len(args) == 2:
		// padlock help CMD: the command's own usage, on stdout.
		args = []string{args[1], "-h"}
		stderr = stdout
	case isHelp(args[0]):
		fmt.Fprintln(stderr, "usage: padlock help [COMMAND]")
		return 2
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
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'padlock help COMMAND' for a command's flags; 'padlock --version' for the version.")
	fmt.Fprintln(w, "Exit status: 0 done, 1 failed, 2 a command-line mistake (docs/cli.md).")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock version")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Prints padlock's version (also: padlock --version).")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	fmt.Fprintln(stdout, version())
	return nil
}
