// Command padlockprobe runs padlock's prober (probe.Run) against one
// loopback endpoint and prints what it found. bench/run uses it for the
// "padlock-enum" row: the protocol, suite, order and group enumeration
// alone, without the grading and the extra checks around it, so that it
// compares with what sslscan and nmap do.
//
// Usage:
//
//	padlockprobe [-sni NAME] [-json] [-sim] 127.0.0.1:PORT
//
// The text output lists, per supported protocol, the accepted suites (IANA
// names, in the server's order when it has one), then the groups, and ends
// with a line "suites=N connections=N". -json prints the probe.Result
// instead, followed by the same last line.
//
// Handshake simulation (replaying reference clients' hellos, one
// connection each) is not enumeration and is turned off unless -sim is
// given. The option is set by name (probe.Options.SkipSimulation) so that
// this program builds with prober versions that have no simulation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"reflect"
	"syscall"
	"time"

	"padlock/probe"
	"padlock/registry"
)

func main() {
	sni := flag.String("sni", "localhost", "server_name to send (\"\" for none)")
	asJSON := flag.Bool("json", false, "print the whole probe result as JSON")
	budget := flag.Duration("budget", 5*time.Minute, "time allowed for the whole probe")
	sim := flag.Bool("sim", false, "include handshake simulation, if the prober has it")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: padlockprobe [-sni NAME] [-json] IP:PORT")
		os.Exit(2)
	}
	ap, err := netip.ParseAddrPort(flag.Arg(0))
	if err != nil || !ap.Addr().IsLoopback() {
		fmt.Fprintf(os.Stderr, "padlockprobe: want a loopback IP:PORT, got %q\n", flag.Arg(0))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ep := probe.Endpoint{Host: *sni, IP: ap.Addr(), Port: ap.Port(), SNI: *sni}
	opts := probe.Options{Budget: *budget}
	if !*sim {
		skipSimulation(&opts)
	}
	res, err := probe.Run(ctx, ep, opts)
	if res == nil {
		fmt.Fprintln(os.Stderr, "padlockprobe:", err)
		os.Exit(1)
	}
	n := 0
	for _, ps := range res.Suites {
		n += len(ps.Suites)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "padlockprobe:", err)
			os.Exit(1)
		}
	} else {
		printText(res)
	}
	fmt.Printf("suites=%d connections=%d\n", n, res.Connections)
	if err != nil {
		fmt.Fprintln(os.Stderr, "padlockprobe:", err)
		os.Exit(1)
	}
}

func printText(res *probe.Result) {
	for _, p := range res.Protocols {
		state := "no"
		if p.Supported {
			state = "yes"
		}
		if p.Inconclusive != "" {
			state = "inconclusive: " + p.Inconclusive
		}
		fmt.Printf("%-8s %s\n", p.Protocol, state)
	}
	for _, ps := range res.Suites {
		order := "unknown"
		if ps.PreferenceKnown {
			order = "client"
			if ps.ServerPreference {
				order = "server"
			}
		}
		fmt.Printf("%s suites (order: %s)\n", ps.Protocol, order)
		for _, a := range ps.Suites {
			name := fmt.Sprintf("0x%06x", a.ID)
			if s, ok := a.Suite(); ok {
				name = s.Name
			} else if c, ok := registry.SSLv2CipherByID(a.ID); ok {
				name = c.Name
			}
			fmt.Printf("  %s\n", name)
		}
		if ps.Inconclusive != "" {
			fmt.Printf("  inconclusive: %s\n", ps.Inconclusive)
		}
	}
	fmt.Printf("groups (via %v):", res.Groups.Via)
	for _, g := range res.Groups.Groups {
		if gr, ok := registry.GroupByID(g); ok {
			fmt.Printf(" %s", gr.Name)
		} else {
			fmt.Printf(" 0x%04x", g)
		}
	}
	fmt.Println()
	for _, e := range res.Errors {
		fmt.Printf("error: %s\n", e)
	}
}

// skipSimulation sets opts.SkipSimulation when probe.Options has it.
func skipSimulation(opts *probe.Options) {
	f := reflect.ValueOf(opts).Elem().FieldByName("SkipSimulation")
	if f.IsValid() && f.Kind() == reflect.Bool && f.CanSet() {
		f.SetBool(true)
	}
}
