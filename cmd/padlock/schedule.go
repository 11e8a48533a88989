package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"padlock/alert"
	"padlock/fleet"
	"padlock/schedule"
	"padlock/store"
)

// minSecret is the shortest webhook secret accepted (bytes).
const minSecret = 16

// runSchedule manages recurring scans: add, list, remove.
func runSchedule(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		scheduleUsage(stderr)
		if len(args) == 0 {
			return fmt.Errorf("%w: give add, list or remove", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "add":
		return scheduleAdd(ctx, args[1:], stdout, stderr)
	case "list", "ls":
		return scheduleList(ctx, args[1:], stdout, stderr)
	case "remove", "rm":
		return scheduleRemove(ctx, args[1:], stdout, stderr)
	}
	scheduleUsage(stderr)
	return fmt.Errorf("%w: unknown schedule command %q", errUsage, args[0])
}

func scheduleUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: padlock schedule add --every DURATION [flags] TARGETS")
	fmt.Fprintln(w, "       padlock schedule add --every DURATION --fleet SCAN_ID [flags]")
	fmt.Fprintln(w, "       padlock schedule list [--db DB]")
	fmt.Fprintln(w, "       padlock schedule remove [--db DB] ID")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "A schedule scans a targets file (read again at each run) or a saved fleet (the")
	fmt.Fprintln(w, "targets of an earlier scan) every DURATION, and alerts on every site that got")
	fmt.Fprintln(w, "worse since its previous run: by a signed webhook (docs/webhooks.md) and in the")
	fmt.Fprintln(w, "dashboard. Schedules run in `padlock serve` and `padlock worker`.")
}

func scheduleAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schedule add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f scanFlags
	f.register(fs)
	var (
		every      = fs.Duration("every", 0, "interval between runs, e.g. 168h for weekly (at least 1m)")
		start      = fs.String("start", "", "when the first run is due (RFC 3339, e.g. 2026-12-07T03:00:00Z; default now)")
		fleetScan  = fs.Int64("fleet", 0, "scan again the targets of this stored scan (a saved fleet) instead of a targets file")
		webhook    = fs.String("webhook", "", "POST each alert to this URL (https:// recommended), signed with --webhook-secret-file")
		secretFile = fs.String("webhook-secret-file", "", "file holding the webhook's signing secret (at least 16 bytes; a trailing newline is dropped)")
		expiryDays = fs.Int("expiry-days", store.DefaultExpiryDays, "alert when a certificate expires within this many days")
	)
	fs.Usage = func() {
		scheduleUsage(stderr)
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.retries == 0 {
		f.retries = -1
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, n := range []string{"resume", "resolve", "grace", "quiet"} {
		if set[n] {
			return fmt.Errorf("%w: --%s is not a schedule setting", errUsage, n)
		}
	}
	switch {
	case *every < time.Minute:
		return fmt.Errorf("%w: --every must be at least 1m (e.g. 24h, 168h)", errUsage)
	case (*fleetScan != 0) == (fs.NArg() == 1):
		fs.Usage()
		return fmt.Errorf("%w: give one targets file, or --fleet SCAN_ID", errUsage)
	case fs.NArg() > 1:
		return fmt.Errorf("%w: give one targets file", errUsage)
	case *expiryDays < 1:
		return fmt.Errorf("%w: --expiry-days must be at least 1", errUsage)
	case (*webhook == "") != (*secretFile == ""):
		return fmt.Errorf("%w: --webhook and --webhook-secret-file go together (alerts are always signed)", errUsage)
	}
	sc := store.Schedule{Name: f.name, Every: *every, FleetScan: store.ScanID(*fleetScan), ExpiryDays: *expiryDays}
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			return fmt.Errorf("%w: --start: %v", errUsage, err)
		}
		sc.Anchor = t
	}
	if *webhook != "" {
		if err := alert.CheckURL(*webhook); err != nil {
			return fmt.Errorf("%w: --webhook: %v", errUsage, err)
		}
		secret, err := readSecret(*secretFile)
		if err != nil {
			return fmt.Errorf("%w: --webhook-secret-file: %v", errUsage, err)
		}
		sc.WebhookURL, sc.WebhookSecret = *webhook, secret
	}
	if fs.NArg() == 1 {
		file, err := filepath.Abs(fs.Arg(0))
		if err != nil {
			return err
		}
		tf, err := fleet.LoadTargets(file, fleet.ParseOptions{Strict: f.strict})
		if err != nil {
			return err
		}
		if len(tf.Targets) == 0 {
			return fmt.Errorf("%s: no usable target", fs.Arg(0))
		}
		sc.TargetsFile = file
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	settings, err := json.Marshal(fleet.SettingsOf(opts))
	if err != nil {
		return err
	}
	sc.Options = string(settings)

	w, closeDB, err := openWatcher(ctx, f.db)
	if err != nil {
		return err
	}
	defer closeDB()
	id, err := w.AddSchedule(ctx, sc)
	if err != nil {
		return err
	}
	sc, err = w.Schedule(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schedule %d added: %s every %s, first run due %s\n", id, source(sc), sc.Every,
		sc.Anchor.Local().Format("2006-01-02 15:04 MST"))
	return nil
}

// readSecret reads a webhook secret file.
func readSecret(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Size() > 4096 {
		return "", errors.New("over 4 KiB: not a secret file")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimRight(string(b), "\r\n")
	if len(s) < minSecret {
		return "", fmt.Errorf("the secret must be at least %d bytes (e.g. openssl rand -hex 32 > %s)", minSecret, path)
	}
	return s, nil
}

// openWatcher opens the database for schedules and alerts.
func openWatcher(ctx context.Context, db string) (store.Watcher, func(), error) {
	st, err := store.Open(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	w, ok := st.(store.Watcher)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("%s: this database does not keep schedules", db)
	}
	return w, func() { st.Close() }, nil
}

func source(sc store.Schedule) string {
	if sc.TargetsFile != "" {
		return sc.TargetsFile
	}
	return fmt.Sprintf("the targets of scan %d", sc.FleetScan)
}

func scheduleList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schedule list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs, false)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock schedule list [--db DB]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: schedule list takes no arguments", errUsage)
	}
	if err := databaseExists(*db); err != nil {
		return err
	}
	w, closeDB, err := openWatcher(ctx, *db)
	if err != nil {
		return err
	}
	defer closeDB()
	scheds, err := w.Schedules(ctx)
	if err != nil {
		return err
	}
	if len(scheds) == 0 {
		fmt.Fprintln(stdout, "no schedules (add one with: padlock schedule add --every 168h TARGETS)")
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEVERY\tNEXT\tLAST SCAN\tWEBHOOK\tEXPIRY\tTARGETS")
	for _, sc := range scheds {
		runs, err := w.Runs(ctx, sc.ID)
		if err != nil {
			return err
		}
		last := "—"
		if n := len(runs); n > 0 && runs[n-1].ScanID != 0 {
			last = strconv.FormatInt(int64(runs[n-1].ScanID), 10)
		}
		next := schedule.PeriodStart(sc, schedule.Period(sc, now)+1)
		if now.Before(sc.Anchor) {
			next = sc.Anchor
		} else if len(runs) == 0 || runs[len(runs)-1].Period < schedule.Period(sc, now) {
			next = now // due: the next tick starts it
		}
		hook := "—"
		if u, err := url.Parse(sc.WebhookURL); err == nil && sc.WebhookURL != "" {
			hook = u.Scheme + "://" + u.Host // never the path's tokens or the secret
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%dd\t%s\n", sc.ID, termSafe(schedule.Name(sc)), sc.Every,
			next.Local().Format("2006-01-02 15:04"), last, termSafe(hook), sc.ExpiryDays, termSafe(source(sc)))
	}
	return tw.Flush()
}

func scheduleRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schedule remove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := dbFlag(fs, false)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock schedule remove [--db DB] ID")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := databaseExists(*db); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give the id of the schedule to remove", errUsage)
	}
	n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%w: %q is not a schedule id", errUsage, fs.Arg(0))
	}
	w, closeDB, err := openWatcher(ctx, *db)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := w.RemoveSchedule(ctx, store.ScheduleID(n)); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no schedule %d in %s", n, *db)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schedule %d removed (its scans and alerts stay)\n", n)
	return nil
}

// runAlerts lists the alerts, newest first.
func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		db     = dbFlag(fs, false)
		limit  = fs.Int("n", 50, "at most this many alerts (0: all)")
		asJSON = fs.Bool("json", false, "print the alerts as JSON")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock alerts [--db DB] [--json] [-n N]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Lists the alerts of scheduled scans, newest first: the sites that got worse")
		fmt.Fprintln(stderr, "between two runs, what got worse, and the webhook's delivery.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: alerts takes no arguments", errUsage)
	}
	if err := databaseExists(*db); err != nil {
		return err
	}
	w, closeDB, err := openWatcher(ctx, *db)
	if err != nil {
		return err
	}
	defer closeDB()
	list, err := w.Alerts(ctx, store.AlertFilter{Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]alert.Entry, len(list))
		for i, a := range list {
			out[i] = alert.EntryOf(a)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "no alerts")
		return nil
	}
	for _, a := range list {
		v := alert.EntryOf(a)
		fmt.Fprintf(stdout, "%s  %s  %s → %s  [%s", a.Created.Local().Format("2006-01-02 15:04"), termSafe(a.Site),
			orDash(a.From), orDash(a.To), a.Status)
		if a.Attempts > 0 {
			fmt.Fprintf(stdout, ", %d attempts", a.Attempts)
		}
		fmt.Fprintln(stdout, "]")
		for _, c := range v.Changes {
			fmt.Fprintf(stdout, "    %s\n", termSafe(c.Summary))
		}
		if a.LastError != "" && a.Status != store.AlertSent {
			fmt.Fprintf(stdout, "    last error: %s\n", termSafe(a.LastError))
		}
	}
	return nil
}

// termSafe replaces control and other non-printable characters (a scanned
// site's or a file's escape sequences) so that they never reach the
// terminal.
func termSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}
