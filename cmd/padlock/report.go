package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"padlock/report"
	"padlock/store"
)

// runReport publishes a stored scan: a static HTML site, or one export.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		db     = dbFlag(fs, false)
		scan   = fs.String("scan", "", "the scan to report (default: the latest finished scan)")
		out    = fs.String("out", "", "html: the directory to write the site to (required); csv, json, md: the file to write (default: standard output)")
		format = fs.String("format", "html", "html (a static site), csv, json or md")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock report [flags] --out DIR")
		fmt.Fprintln(stderr, "       padlock report [flags] --format csv|json|md [--out FILE]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Publishes a stored scan: the league table by band with headline figures,")
		fmt.Fprintln(stderr, "charts, changes since the previous scan and a page per site, as a")
		fmt.Fprintln(stderr, "self-contained static site; or the same as CSV, JSON or Markdown")
		fmt.Fprintln(stderr, "(columns and schema: docs/exports.md).")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	f := strings.ToLower(strings.TrimSpace(*format))
	switch f {
	case "html", "csv", "json", "md":
	case "markdown":
		f = "md"
	default:
		return fmt.Errorf("%w: --format %q: want html, csv, json or md", errUsage, *format)
	}
	if f == "html" && *out == "" {
		fs.Usage()
		return fmt.Errorf("%w: the HTML report needs --out DIR", errUsage)
	}
	var id store.ScanID
	if *scan != "" {
		var err error
		if id, err = parseScanID(*scan); err != nil {
			return fmt.Errorf("%w: --scan: %v", errUsage, err)
		}
	}
	if err := databaseExists(*db); err != nil {
		return err
	}

	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()

	if f == "html" {
		_, err := writeReportSite(ctx, st, id, *out, stdout)
		return err
	}
	fl, err := report.Build(ctx, st, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch f {
	case "csv":
		err = report.WriteCSV(&buf, fl)
	case "json":
		err = report.WriteJSON(&buf, fl)
	case "md":
		err = report.WriteMarkdown(&buf, fl)
	}
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		abs = *out
	}
	fmt.Fprintf(stdout, "padlock report: %s, %s\n  written to %s\n", describeReport(fl), strings.ToUpper(f), abs)
	return nil
}

// writeReportSite builds the report of a scan (0: the latest finished
// one), writes it as a static site in dir, prints where it is, and returns
// the path of its index.html. `padlock demo` ends with it.
func writeReportSite(ctx context.Context, st store.Store, id store.ScanID, dir string, stdout io.Writer) (string, error) {
	fl, err := report.Build(ctx, st, id)
	if err != nil {
		return "", err
	}
	if err := report.WriteSite(dir, fl); err != nil {
		return "", fmt.Errorf("writing the report: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	index := filepath.Join(abs, report.IndexPath)
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(index)}
	fmt.Fprintf(stdout, "padlock report: %s\n  written to %s (%d site pages)\n  open %s\n", describeReport(fl), index, len(fl.Sites), u.String())
	return index, nil
}

// describeReport says what a report covers: "scan 2 (September survey),
// 12 sites: 11 graded, 1 inconclusive; compared with scan 1".
func describeReport(f *report.Fleet) string {
	d := fmt.Sprintf("scan %d", f.Scan.ID)
	if f.Scan.Name != "" {
		d += " (" + f.Scan.Name + ")"
	}
	h := f.Headline
	d += fmt.Sprintf(", %d sites: %d graded, %d inconclusive", h.Sites, h.Graded, h.Inconclusive)
	if f.Previous != nil {
		d += fmt.Sprintf("; compared with scan %d", f.Previous.ID)
	}
	return d
}

// databaseExists refuses a SQLite path with no file: opening it would
// create an empty database and report "no finished scan".
func databaseExists(dsn string) error {
	path := dsn
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		path = strings.TrimPrefix(dsn, "sqlite://")
	case strings.HasPrefix(dsn, "sqlite:"):
		path = strings.TrimPrefix(dsn, "sqlite:")
	case strings.Contains(dsn, "://"):
		return nil // not a file: store.Open says what it makes of it
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s (run padlock scan first, or give --db)", path)
	}
	return nil
}
