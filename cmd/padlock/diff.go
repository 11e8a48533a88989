package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"padlock/change"
	"padlock/store"
	"padlock/stored"
)

// runDiff compares two stored scans: which sites improved, deteriorated,
// stayed, appeared or went, and why.
func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		db     = dbFlag(fs, false)
		asJSON = fs.Bool("json", false, "print the changes as JSON")
		all    = fs.Bool("all", false, "list the unchanged sites too")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock diff [flags] [SCAN_A [SCAN_B]]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Compares scan A (older) with scan B (newer). With no scan, the last two")
		fmt.Fprintln(stderr, "finished scans; with one, that scan and the finished scan before it.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 2 {
		fs.Usage()
		return fmt.Errorf("%w: at most two scans", errUsage)
	}
	var ids []store.ScanID
	for _, a := range fs.Args() {
		id, err := parseScanID(a)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		ids = append(ids, id)
	}

	if err := databaseExists(*db); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	a, b, err := scansToCompare(ctx, st, ids)
	if err != nil {
		return err
	}
	prev, err := changeSites(ctx, st, a.ID)
	if err != nil {
		return err
	}
	cur, err := changeSites(ctx, st, b.ID)
	if err != nil {
		return err
	}
	changes := change.Compare(prev, cur)

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			From    scanRef         `json:"from"`
			To      scanRef         `json:"to"`
			Changes []change.Change `json:"changes"`
		}{refOf(a), refOf(b), changes})
	}
	return writeDiff(stdout, a, b, changes, *all)
}

type scanRef struct {
	ID       store.ScanID     `json:"id"`
	Name     string           `json:"name"`
	Status   store.ScanStatus `json:"status"`
	Started  time.Time        `json:"started"`
	Finished time.Time        `json:"finished,omitzero"`
}

func refOf(s store.Scan) scanRef {
	return scanRef{ID: s.ID, Name: s.Name, Status: s.Status, Started: s.Started, Finished: s.Finished}
}

// scansToCompare picks the older and the newer scan.
func scansToCompare(ctx context.Context, st store.Store, ids []store.ScanID) (store.Scan, store.Scan, error) {
	get := func(id store.ScanID) (store.Scan, error) {
		s, err := st.Scan(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return s, fmt.Errorf("no scan %d in the database", id)
		}
		return s, err
	}
	switch len(ids) {
	case 2:
		a, err := get(ids[0])
		if err != nil {
			return a, a, err
		}
		b, err := get(ids[1])
		return a, b, err
	case 1:
		b, err := get(ids[0])
		if err != nil {
			return b, b, err
		}
		scans, err := st.Scans(ctx)
		if err != nil {
			return b, b, err
		}
		for i := len(scans) - 1; i >= 0; i-- {
			if scans[i].ID < b.ID && scans[i].Status == store.StatusFinished && scans[i].TargetsFile != store.SingleHostFile {
				return scans[i], b, nil
			}
		}
		return b, b, fmt.Errorf("no finished scan before scan %d to compare it with", b.ID)
	}
	latest, err := st.LatestFinished(ctx, 0)
	if err != nil {
		return store.Scan{}, store.Scan{}, err
	}
	latest = store.FleetScans(latest) // not padlock serve's single-host assessments
	if len(latest) < 2 {
		return store.Scan{}, store.Scan{}, fmt.Errorf("need two finished scans to compare, the database has %d", len(latest))
	}
	return latest[1], latest[0], nil
}

// changeSites reads a scan's assessments as package change compares them.
func changeSites(ctx context.Context, st store.Store, id store.ScanID) ([]change.Site, error) {
	as, err := st.Assessments(ctx, id)
	if err != nil {
		return nil, err
	}
	return stored.ChangeSites(as), nil
}

func describeScan(s store.Scan) string {
	d := fmt.Sprintf("scan %d", s.ID)
	if s.Name != "" {
		d += " (" + s.Name + ")"
	}
	when := s.Finished
	if when.IsZero() {
		when = s.Started
	}
	d += ", " + when.Local().Format("2006-01-02 15:04")
	if s.Status != store.StatusFinished {
		d += ", " + string(s.Status)
	}
	return d
}

// writeDiff prints the changes grouped by kind.
func writeDiff(w io.Writer, a, b store.Scan, changes []change.Change, all bool) error {
	fmt.Fprintf(w, "from %s\n  to %s\n", describeScan(a), describeScan(b))
	kinds := []struct {
		kind  change.Kind
		title string
	}{
		{change.Deteriorated, "Deteriorated"},
		{change.Improved, "Improved"},
		{change.New, "New"},
		{change.Gone, "Gone"},
		{change.Inconclusive, "Inconclusive (not counted as a change)"},
		{change.Unchanged, "Unchanged"},
	}
	count := map[change.Kind]int{}
	for _, c := range changes {
		count[c.Kind]++
	}
	for _, k := range kinds {
		n := count[k.kind]
		if n == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", k.title, n)
		if k.kind == change.Unchanged && !all {
			fmt.Fprintln(w, "  (list them with --all)")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range changes {
			if c.Kind != k.kind {
				continue
			}
			org := c.Organisation
			if org == "" {
				org = "-"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", org, c.Site, c.String())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", count[k.kind], strings.ToLower(string(k.kind))))
	}
	fmt.Fprintf(w, "\n%s\n", strings.Join(parts, ", "))
	return nil
}
