// Package stored reads what a scan stores for each target
// (store.Assessment.Result): the one reader of stored results, used by
// the report, the server, `padlock diff` and `history` and the demo, so
// that each sees the same assessment, the same fleet-wide DROWN finding
// and the same sites to compare.
//
// Package fleet stores an object that wraps the assessment:
//
//	{"schema": "padlock.fleet/1", "target": {…}, "host": {assess.Host},
//	 "attempts": 1, "error": "…", "padlockDrown": [{"endpoint", "keyPin", "via"}…]}
//
// and a bare assess.Host (`padlock check --json`, "padlockSchema":
// "padlock.host/1") is read as well. Decode reads the stored JSON, the
// contract, not the scanner's types.
package stored

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"padlock/assess"
	"padlock/change"
	"padlock/grade"
	"padlock/store"
)

// DROWN is the fleet-wide DROWN finding (CVE-2016-0800, rule E5) for one
// endpoint: its certificate's RSA key is also used by other endpoints of
// the scan that accept SSL 2.0, so an attacker who can talk SSL 2.0 to
// those can decrypt this endpoint's TLS sessions. Package fleet finds it
// after a scan (fleet.MarkDROWN) and stores it with the result.
type DROWN struct {
	// Endpoint is this endpoint, "ip:port" ("[v6]:port").
	Endpoint string `json:"endpoint"`
	// KeyPin is the shared key: the base64 SHA-256 of the leaf
	// certificate's SubjectPublicKeyInfo (pki's pinSha256).
	KeyPin string `json:"keyPin,omitempty"`
	// Via are the endpoints that accept SSL 2.0 with that key, as
	// "host:port (ip)", or "ip:port" for targets given by address.
	Via []string `json:"via"`
}

// Result is one stored result.
type Result struct {
	// Host is the assessment; nil when the target was not assessed (Error
	// then says why) or nothing was stored.
	Host *assess.Host
	// HostJSON is the assessment as stored, for fields read by JSON key.
	HostJSON json.RawMessage
	// DROWN are the fleet-wide DROWN findings of the result's endpoints.
	DROWN []DROWN
	// Error is why the target could not be assessed at all.
	Error string
}

// Decode reads a stored result. An empty one is no error (Host nil).
func Decode(raw []byte) (Result, error) {
	var out Result
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return out, nil
	}
	var top struct {
		PadlockSchema string          `json:"padlockSchema"`
		Host          json.RawMessage `json:"host"`
		Error         string          `json:"error"`
		DROWN         []DROWN         `json:"padlockDrown"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return out, fmt.Errorf("stored result: %v", err)
	}
	out.Error, out.DROWN = top.Error, top.DROWN
	hostJSON := json.RawMessage(raw) // a bare Host
	if top.PadlockSchema == "" {
		h := bytes.TrimSpace(top.Host)
		switch {
		case len(h) > 0 && h[0] == '{':
			hostJSON = h
		case len(h) == 0 || bytes.Equal(h, []byte("null")):
			return out, nil // a wrapper without an assessment (Error says why)
		default:
			return out, errors.New("stored result: neither an assess.Host nor an object holding one")
		}
	}
	var host assess.Host
	if err := json.Unmarshal(hostJSON, &host); err != nil {
		return out, fmt.Errorf("stored assessment: %v", err)
	}
	out.Host, out.HostJSON = &host, hostJSON
	return out, nil
}

// Findings returns the grading findings as package change compares them,
// with the fleet-wide DROWN finding (E5) when the fleet recorded one.
func (r Result) Findings() []change.Finding {
	out := change.FindingsFromHost(r.Host)
	if len(r.DROWN) == 0 || slices.ContainsFunc(out, func(f change.Finding) bool { return f.Rule == "E5" }) {
		return out
	}
	var via []string
	for _, d := range r.DROWN {
		via = append(via, d.Via...)
	}
	slices.Sort(via)
	return append(out, change.Finding{
		Rule: "E5", Effect: "f", Reason: "DROWN",
		Detail: "the certificate key is also used with SSL 2.0 on " + strings.Join(slices.Compact(via), ", "),
	})
}

// ChangeSite is a stored assessment as package change compares it: the
// store's columns, and the findings of its result (none when the result
// does not read).
func ChangeSite(a store.Assessment) change.Site {
	r, _ := Decode(a.Result)
	return change.Site{
		Key:             a.Site,
		Organisation:    a.Organisation,
		URL:             a.URL,
		Grade:           grade.Grade(a.Grade),
		Star:            a.Star,
		SecureByDefault: a.SecureByDefault,
		Inconclusive:    a.Inconclusive,
		Findings:        r.Findings(),
	}
}

// ChangeSites is ChangeSite of every assessment of a scan: the site list
// of a comparison (`padlock diff`, the report's changes, the demo).
func ChangeSites(as []store.Assessment) []change.Site {
	out := make([]change.Site, 0, len(as))
	for _, a := range as {
		out = append(out, ChangeSite(a))
	}
	return out
}
