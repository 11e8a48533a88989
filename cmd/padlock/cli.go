package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// parseFlags parses a subcommand's command line. Flags come before the
// arguments: one written after an argument would otherwise be taken for an
// argument (a target named "--json"), so it is a usage error that says so.
// "--" ends the flags, and what follows it is taken as written.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	rest := fs.Args()
	if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
		return nil
	}
	for _, a := range rest {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return fmt.Errorf("%w: flag %s after the argument %q: flags go before arguments (padlock %s -h)", errUsage, a, rest[0], fs.Name())
		}
	}
	return nil
}
