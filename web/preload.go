package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxPreloadListBytes bounds the preload list file LoadPreloadList reads
// (Chromium's is about 15 MB today).
const MaxPreloadListBytes = 64 << 20

// PreloadEntry is one HSTS preload list entry.
type PreloadEntry struct {
	// Name is the listed domain.
	Name string `json:"name"`
	// IncludeSubdomains: the entry covers every subdomain of Name too.
	IncludeSubdomains bool `json:"includeSubdomains"`
	// Mode is "force-https" for HSTS entries.
	Mode string `json:"mode,omitempty"`
	// Policy is the list's reason for the entry ("bulk-18-weeks",
	// "custom", "public-suffix"...).
	Policy string `json:"policy,omitempty"`
}

// PreloadList answers whether a host is on an HSTS preload list.
type PreloadList interface {
	// Lookup returns the entry that makes host preloaded (its own, or a
	// parent domain's that includes subdomains), and whether there is one.
	Lookup(host string) (PreloadEntry, bool)
}

// chromiumList is a preload list read from Chromium's
// transport_security_state_static.json.
type chromiumList struct {
	entries map[string]PreloadEntry
}

// Len returns the number of HSTS entries.
func (l *chromiumList) Len() int { return len(l.entries) }

func (l *chromiumList) Lookup(host string) (PreloadEntry, bool) {
	host = normalizeHost(host)
	if host == "" {
		return PreloadEntry{}, false
	}
	if e, ok := l.entries[host]; ok {
		return e, true
	}
	for h := host; ; {
		i := strings.IndexByte(h, '.')
		if i < 0 {
			return PreloadEntry{}, false
		}
		h = h[i+1:]
		if e, ok := l.entries[h]; ok && e.IncludeSubdomains {
			return e, true
		}
	}
}

// LoadPreloadList reads an HSTS preload list in the format of Chromium's
// net/http/transport_security_state_static.json: JSON with whole-line //
// comments, whose "entries" array holds objects with "name", "policy",
// "mode" and "include_subdomains". Only entries with mode "force-https"
// are HSTS preloads (the others only pin keys). It reads at most
// MaxPreloadListBytes and fails on a larger file.
func LoadPreloadList(r io.Reader) (PreloadList, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPreloadListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading preload list: %w", err)
	}
	if len(data) > MaxPreloadListBytes {
		return nil, fmt.Errorf("preload list larger than %d bytes", MaxPreloadListBytes)
	}
	data = stripLineComments(data)
	var doc struct {
		Entries []struct {
			Name              string `json:"name"`
			Policy            string `json:"policy"`
			Mode              string `json:"mode"`
			IncludeSubdomains bool   `json:"include_subdomains"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing preload list: %w", err)
	}
	if doc.Entries == nil {
		return nil, errors.New("preload list has no \"entries\"")
	}
	l := &chromiumList{entries: make(map[string]PreloadEntry, len(doc.Entries))}
	for _, e := range doc.Entries {
		name := normalizeHost(e.Name)
		if name == "" || e.Mode != "force-https" {
			continue
		}
		if _, dup := l.entries[name]; dup {
			continue
		}
		l.entries[name] = PreloadEntry{Name: name, IncludeSubdomains: e.IncludeSubdomains, Mode: e.Mode, Policy: e.Policy}
	}
	return l, nil
}

// stripLineComments blanks, in place, lines whose first non-blank
// characters are "//" (the only comments Chromium's file has; "//" inside
// strings, as in URLs, is left alone), keeping offsets for JSON errors.
func stripLineComments(data []byte) []byte {
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += i
		}
		line := data[i:end]
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("//")) {
			for j := range line {
				line[j] = ' '
			}
		}
		i = end + 1
	}
	return data
}

// HSTSPreload is a host's status on a preload list, in the shape of SSL
// Labs' hstsPreloads entries.
type HSTSPreload struct {
	// Source names the list ("Chrome").
	Source   string `json:"source"`
	Hostname string `json:"hostname"`
	// Status is "present" or "absent" ("error" when the lookup failed).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// PadlockEntry is the list entry that covers the host, when present.
	PadlockEntry *PreloadEntry `json:"padlockEntry,omitempty"`
}
