package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"padlock/web"
)

// chromiumPreloadURL is where Chromium publishes its HSTS preload list.
const chromiumPreloadURL = "https://raw.githubusercontent.com/chromium/chromium/main/net/http/transport_security_state_static.json"

// maxPreloadBytes bounds the download (the list is some tens of MiB).
const maxPreloadBytes = web.MaxPreloadListBytes

// defaultPreloadPath is where `hsts-preload update` keeps the list and
// where check, scan and serve look for it.
func defaultPreloadPath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "padlock", "hsts-preload.json")
}

// runHSTSPreload manages the local copy of Chromium's HSTS preload list.
func runHSTSPreload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hsts-preload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("url", chromiumPreloadURL, "where to download the list from")
	out := fs.String("out", defaultPreloadPath(), "`file` to keep the list in")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: padlock hsts-preload update [flags]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Downloads Chromium's HSTS preload list (online) and keeps it for check, scan and serve,")
		fmt.Fprintln(stderr, "which report each site's preload status when the list is there.")
		fs.PrintDefaults()
	}
	if len(args) > 0 && isHelp(args[0]) {
		fs.Usage()
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "update" {
		fs.Usage()
		return fmt.Errorf("%w: want 'hsts-preload update'", errUsage)
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: no cache directory: give --out", errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *src, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "padlock (HSTS preload list update)")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("downloading the preload list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading the preload list: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPreloadBytes+1))
	if err != nil {
		return fmt.Errorf("downloading the preload list: %w", err)
	}
	if len(data) > maxPreloadBytes {
		return fmt.Errorf("the preload list is over %d MiB: refused", maxPreloadBytes>>20)
	}
	if _, err := web.LoadPreloadList(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("the downloaded preload list does not parse: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "padlock hsts-preload: %d bytes from %s kept in %s\n", len(data), *src, *out)
	return nil
}

// loadPreload reads the preload list at path. The default path may be
// missing (no list: preload status is not reported); a path given
// explicitly must load.
func loadPreload(path string, explicit bool) (web.PreloadList, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("HSTS preload list: %w", err)
	}
	defer f.Close()
	list, err := web.LoadPreloadList(f)
	if err != nil {
		return nil, fmt.Errorf("HSTS preload list %s: %w", path, err)
	}
	return list, nil
}
