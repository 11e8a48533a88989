package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"padlock/change"
	"padlock/grade"
	"padlock/store"
	"padlock/stored"
)

// runHistory shows one site's grades over every stored scan.
func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		db     = dbFlag(fs, false)
		asJSON = fs.Bool("json", false, "print the history as JSON")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock history [flags] SITE")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "SITE is a host (www.example.org, host:port) or a URL of the targets file.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: give one site", errUsage)
	}
	site := fs.Arg(0)

	if err := databaseExists(*db); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	hist, err := st.History(ctx, site)
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		return fmt.Errorf("no assessment of %s in %s", store.SiteKey(site), *db)
	}
	scans, err := st.Scans(ctx)
	if err != nil {
		return err
	}
	byID := map[store.ScanID]store.Scan{}
	for _, s := range scans {
		byID[s.ID] = s
	}

	type entry struct {
		Scan         store.ScanID `json:"scan"`
		ScanName     string       `json:"scanName,omitempty"`
		When         string       `json:"when"`
		Organisation string       `json:"organisation,omitempty"`
		URL          string       `json:"url"`
		Grade        string       `json:"grade"` // with `*`; "" when inconclusive
		Inconclusive string       `json:"inconclusive,omitempty"`
		Secure       *bool        `json:"secureByDefault,omitempty"`
		Protocols    string       `json:"protocols,omitempty"`
		CertExpires  string       `json:"certExpires,omitempty"`
		// Change is what changed since the previous entry, with reasons.
		Change string `json:"change,omitempty"`
	}
	var entries []entry
	var prev *change.Site
	for _, a := range hist {
		cs := stored.ChangeSite(a)
		e := entry{
			Scan: a.ScanID, ScanName: byID[a.ScanID].Name, When: a.Finished.Local().Format("2006-01-02 15:04"),
			Organisation: a.Organisation, URL: a.URL, Grade: grade.Of(a.Grade).Display(a.Star),
			Inconclusive: a.Inconclusive, Secure: a.SecureByDefault, Protocols: a.Protocols,
		}
		if !a.CertNotAfter.IsZero() {
			e.CertExpires = a.CertNotAfter.Format("2006-01-02")
		}
		if prev != nil {
			cs.Key, prev.Key = "site", "site"
			if ch := change.Compare([]change.Site{*prev}, []change.Site{cs}); len(ch) == 1 && ch[0].Kind != change.Unchanged {
				e.Change = string(ch[0].Kind) + ": " + ch[0].String()
			}
		}
		prev = &cs
		entries = append(entries, e)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Site    string  `json:"site"`
			History []entry `json:"history"`
		}{store.SiteKey(site), entries})
	}
	fmt.Fprintf(stdout, "%s: %d assessments\n\n", store.SiteKey(site), len(entries))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCAN\tWHEN\tGRADE\tSECURE BY DEFAULT\tPROTOCOLS\tCERT EXPIRES\tCHANGE")
	for _, e := range entries {
		g := e.Grade
		if g == "" {
			g = "? (" + clipText(e.Inconclusive, 40) + ")"
		}
		sbd := "-"
		if e.Secure != nil {
			sbd = map[bool]string{true: "yes", false: "no"}[*e.Secure]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Scan, e.When, g, sbd, dash(e.Protocols), dash(e.CertExpires), dash(e.Change))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clipText shortens s to n runes.
func clipText(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
