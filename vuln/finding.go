package vuln

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// State is the outcome of one check.
type State uint8

// States. The zero value, Unknown, means the check did not run.
const (
	Unknown       State = iota
	NotVulnerable       // tested, and the server behaved correctly
	Vulnerable          // tested, and the evidence shows the flaw
	NotApplicable       // the precondition is absent (no CBC suite, one protocol...)
	Inconclusive        // tested, but no definite answer (see Reason)
)

var stateNames = [...]string{
	Unknown:       "unknown",
	NotVulnerable: "not vulnerable",
	Vulnerable:    "vulnerable",
	NotApplicable: "not applicable",
	Inconclusive:  "inconclusive",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText writes the state's name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a state's name.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("vuln: unknown state %q", b)
}

// Severity qualifies a Vulnerable finding.
type Severity uint8

// Severities.
const (
	// SeverityNone: not vulnerable, or not decided.
	SeverityNone Severity = iota
	// SeverityInfo: a weakness reported for information, with no grade
	// effect of its own (BEAST, Lucky13, 0-RTT, missing FALLBACK_SCSV...).
	SeverityInfo
	// SeverityNotExploitable: the flaw is there but the evidence shows it
	// cannot be exploited as such (an oracle visible only inside encrypted
	// alerts, CCS injection without known keys).
	SeverityNotExploitable
	// SeverityExploitable: the flaw is there and exploitable.
	SeverityExploitable
)

var severityNames = [...]string{
	SeverityNone:           "",
	SeverityInfo:           "info",
	SeverityNotExploitable: "not exploitable",
	SeverityExploitable:    "exploitable",
}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if n == string(b) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("vuln: unknown severity %q", b)
}

// Finding is the result of one check.
type Finding struct {
	Check    string   `json:"check"` // e.g. "heartbleed"; see the Check* constants
	Name     string   `json:"name"`  // e.g. "Heartbleed (CVE-2014-0160)"
	State    State    `json:"state"`
	Severity Severity `json:"severity,omitempty"`
	// Variant names a sub-result where SSL Labs has more values than the
	// states give (see the Variant* constants): "weak oracle", "strong
	// oracle", "inconsistent", "similar bug", "timeout"...
	Variant string `json:"variant,omitempty"`
	// Reason says in one sentence why the state was chosen.
	Reason string `json:"reason"`
	// Evidence is what decided it, bounded (at most MaxEvidence items).
	Evidence []Evidence `json:"evidence,omitempty"`
	// Connections opened by this check (checks decided together, such as
	// the padding oracles, share theirs and each count them all).
	Connections int `json:"connections"`
	// WallMS is the check's wall time in milliseconds, from its start to
	// its finding (checks decided together share it).
	WallMS float64 `json:"wallMs"`
}

// Evidence is one observation. Bytes are kept as hex, at most
// MaxEvidenceBytes of them, with the full length beside.
type Evidence struct {
	Label string `json:"label"`
	Value string `json:"value,omitempty"`
	Hex   string `json:"hex,omitempty"`
	Bytes int    `json:"bytes,omitempty"`
}

// Bounds on evidence.
const (
	MaxEvidence      = 16
	MaxEvidenceBytes = 64
	maxValueLen      = 256
)

// note returns textual evidence.
func note(label, format string, args ...any) Evidence {
	v := fmt.Sprintf(format, args...)
	if len(v) > maxValueLen {
		v = v[:maxValueLen] + "…"
	}
	return Evidence{Label: label, Value: v}
}

// bytesEvidence returns the first MaxEvidenceBytes of b in hex.
func bytesEvidence(label string, b []byte) Evidence {
	e := Evidence{Label: label, Bytes: len(b)}
	e.Hex = hex.EncodeToString(b[:min(len(b), MaxEvidenceBytes)])
	return e
}

func (f *Finding) add(e ...Evidence) {
	for _, x := range e {
		if len(f.Evidence) >= MaxEvidence {
			return
		}
		f.Evidence = append(f.Evidence, x)
	}
}

func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.Name, f.State)
	if f.Severity != SeverityNone {
		fmt.Fprintf(&b, " (%s)", f.Severity)
	}
	if f.Reason != "" {
		fmt.Fprintf(&b, " — %s", f.Reason)
	}
	return b.String()
}
