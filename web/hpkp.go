package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// HPKP policy statuses: SSL Labs' hpkpPolicy.status, plus HPKPUnmatched,
// padlock's own, for a usable policy not yet compared with a certificate
// chain.
const (
	HPKPUnknown    = "unknown"    // not checked, or HTTPS did not answer
	HPKPAbsent     = "absent"     // HTTPS answered without the header
	HPKPInvalid    = "invalid"    // a header that RFC 7469 says to ignore, or several headers
	HPKPDisabled   = "disabled"   // a valid header with max-age=0 (Public-Key-Pins only)
	HPKPIncomplete = "incomplete" // valid, but no pin matches the chain, or no backup pin
	HPKPPartial    = "partial"    // valid, but the pins match only some certification paths
	HPKPValid      = "valid"      // a pin matches every path, and a backup pin is present
	HPKPUnmatched  = "present-unmatched"
)

// HPKP problems: why a policy is invalid, incomplete or partial
// (HPKPPolicy.PadlockProblem). docs/grading.md rule F5 names each of them.
const (
	HPKPProblemSyntax          = "syntax"           // the header does not parse (RFC 7469 §2.1)
	HPKPProblemMultipleHeaders = "multiple-headers" // more than one header field in the response
	HPKPProblemNoMatch         = "no-match"         // no pin is a key of the certificate chain
	HPKPProblemNoBackup        = "no-backup"        // every pin is a key of the chain (RFC 7469 §2.5, §4.3)
	HPKPProblemUnpinnedPath    = "unpinned-path"    // some certification paths have no pinned key
)

// Header names.
const (
	hpkpHeader   = "Public-Key-Pins"
	hpkpROHeader = "Public-Key-Pins-Report-Only"
)

// Bounds on what a policy keeps; parsing and matching go on past them.
const (
	maxHPKPDirectives = 32
	maxHPKPNotes      = 8
)

// HPKPPin is one pin: SSL Labs' {hashFunction, value}.
type HPKPPin struct {
	// HashFunction is "sha256", the only one RFC 7469 defines.
	HashFunction string `json:"hashFunction"`
	// Value is the base64 SHA-256 of a SubjectPublicKeyInfo, as the
	// header has it. (SSL Labs' documentation calls matchedPins values
	// hex; padlock keeps base64 throughout, so that Pins, MatchedPins and
	// pki.Cert.PinSHA256 compare as strings.)
	Value string `json:"value"`
}

// HPKPDirective is one directive as sent: SSL Labs' directives[] entry.
type HPKPDirective struct {
	// Name is lower case; Value is unquoted ("" for none).
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HPKPPolicy is a Public-Key-Pins or Public-Key-Pins-Report-Only policy in
// the shape of SSL Labs' hpkpPolicy (and hpkpRoPolicy) object, plus
// padlock's own fields (prefixed padlock).
//
// The header alone cannot say whether pins are right: that takes the keys
// of the certificate chain the server sends, which the TLS scan has.
// ParseHPKP therefore leaves a usable policy HPKPUnmatched, and Match or
// MatchPaths sets the final status.
type HPKPPolicy struct {
	// Header is the header value the policy was read from (the first, when
	// there were several).
	Header string `json:"header,omitempty"`
	// Status is one of the HPKP* statuses.
	Status string `json:"status"`
	// Error says why the policy is invalid, incomplete or partial, or why
	// the status is unknown.
	Error             string `json:"error,omitempty"`
	MaxAge            int64  `json:"maxAge"`
	IncludeSubDomains bool   `json:"includeSubDomains"`
	ReportURI         string `json:"reportUri,omitempty"`
	// Pins are the distinct pin-sha256 pins, in header order.
	Pins []HPKPPin `json:"pins,omitempty"`
	// MatchedPins are the pins that are keys of the certificate chain (set
	// by Match), in header order.
	MatchedPins []HPKPPin `json:"matchedPins,omitempty"`
	// Directives are the directives as sent (the first 32), pins included.
	Directives []HPKPDirective `json:"directives,omitempty"`

	// PadlockReportOnly marks a Public-Key-Pins-Report-Only policy.
	PadlockReportOnly bool `json:"padlockReportOnly,omitempty"`
	// PadlockProblem is one of the HPKPProblem* values when Status is
	// HPKPInvalid, HPKPIncomplete or HPKPPartial.
	PadlockProblem string `json:"padlockProblem,omitempty"`
	// PadlockURL is the HTTPS URL whose response carried Header.
	PadlockURL string `json:"padlockUrl,omitempty"`
	// PadlockHeaderCount is how many header fields of this name that
	// response had, when more than one (which makes the policy invalid).
	PadlockHeaderCount int `json:"padlockHeaderCount,omitempty"`
	// PadlockNotes are things that do not change the status but a reader
	// should know: ignored pins, a Report-Only header that reports nowhere.
	PadlockNotes []string `json:"padlockNotes,omitempty"`
}

// ParseHPKP parses one Public-Key-Pins header value strictly, as RFC 7469
// §2.1 defines it:
//
//	directive      = directive-name [ "=" directive-value ]
//	directive-name = token
//	directive-value = token / quoted-string
//	pin-directive  = "pin-" token "=" quoted-string      (§2.1.1)
//	max-age        = "max-age" "=" delta-seconds          (§2.1.2, required)
//	includeSubDomains, with no value                      (§2.1.3)
//	report-uri     = "report-uri" "=" quoted-string       (§2.1.4)
//
// Directive names are case-insensitive. Every directive but the pins may
// appear once. A pin-sha256 value must be quoted and be the standard,
// padded base64 of 32 bytes; report-uri must be quoted and an absolute
// URI; max-age is 1*DIGIT (a quoted number is accepted, as browsers did).
// Anything else that breaks these rules makes the whole header invalid, as
// a browser would ignore it. Pins with other hash algorithms (pin-sha1)
// and unknown directives are ignored, as RFC 7469 §2.1 asks; a pin
// repeated with the same value counts once. Empty directives (";;", a
// trailing ";") are skipped, as browsers did, though the grammar has none.
//
// The result is HPKPInvalid, HPKPDisabled (max-age=0) or HPKPUnmatched,
// which Match turns into a final status. max-age values too large for
// int64 are clamped to math.MaxInt64.
func ParseHPKP(value string) HPKPPolicy { return parseHPKP(value, false) }

// ParseHPKPReportOnly parses one Public-Key-Pins-Report-Only header value
// like ParseHPKP, except that max-age is optional and, as RFC 7469 §2.1.2
// says a browser ignores it there, never disables the policy (it must
// still be a number when present). A policy without report-uri is noted:
// it reports nowhere.
func ParseHPKPReportOnly(value string) HPKPPolicy { return parseHPKP(value, true) }

func parseHPKP(value string, reportOnly bool) HPKPPolicy {
	p := HPKPPolicy{Header: value, Status: HPKPInvalid, PadlockReportOnly: reportOnly}
	invalid := func(msg string) HPKPPolicy {
		// A browser ignores the whole header: keep the header and its
		// directives as evidence, but no policy.
		p.Error, p.PadlockProblem = msg, HPKPProblemSyntax
		p.MaxAge, p.IncludeSubDomains, p.ReportURI, p.Pins = 0, false, "", nil
		return p
	}
	dirs, err := parseHSTSDirectives(value)
	if err != nil {
		return invalid(err.Error())
	}
	seen := map[string]bool{}
	pinned := map[string]bool{}
	haveMaxAge := false
	for _, d := range dirs {
		if len(p.Directives) < maxHPKPDirectives {
			p.Directives = append(p.Directives, HPKPDirective{Name: d.name, Value: d.value})
		}
		if algo, ok := strings.CutPrefix(d.name, "pin-"); ok {
			// Pins may repeat (§2.1, requirement 2).
			if algo != "sha256" {
				p.note(fmt.Sprintf("%s ignored: RFC 7469 defines only pin-sha256", clip(d.name, 40)))
				continue
			}
			switch {
			case !d.hasValue:
				return invalid("pin-sha256 has no value")
			case !d.quoted:
				return invalid(fmt.Sprintf("pin-sha256 value %q is not a quoted string", clip(d.value, 60)))
			}
			raw, err := base64.StdEncoding.Strict().DecodeString(d.value)
			if err != nil {
				return invalid(fmt.Sprintf("pin-sha256 value %q is not base64", clip(d.value, 60)))
			}
			if len(raw) != sha256.Size {
				return invalid(fmt.Sprintf("pin-sha256 value %q is %d bytes, not a 32-byte SHA-256", clip(d.value, 60), len(raw)))
			}
			if pinned[d.value] {
				p.note(fmt.Sprintf("pin-sha256 %q repeated: it counts once", d.value))
				continue
			}
			pinned[d.value] = true
			p.Pins = append(p.Pins, HPKPPin{HashFunction: "sha256", Value: d.value})
			continue
		}
		if seen[d.name] {
			return invalid(fmt.Sprintf("duplicate directive %q", clip(d.name, 40)))
		}
		seen[d.name] = true
		switch d.name {
		case "max-age":
			if !d.hasValue {
				return invalid("max-age has no value")
			}
			n, ok := parseDeltaSeconds(d.value)
			if !ok {
				return invalid(fmt.Sprintf("max-age value %q is not a number of seconds", clip(d.value, 40)))
			}
			p.MaxAge, haveMaxAge = n, true
		case "includesubdomains":
			if d.hasValue {
				return invalid("includeSubDomains takes no value")
			}
			p.IncludeSubDomains = true
		case "report-uri":
			switch {
			case !d.hasValue:
				return invalid("report-uri has no value")
			case !d.quoted:
				return invalid(fmt.Sprintf("report-uri value %q is not a quoted string", clip(d.value, 60)))
			}
			u, err := url.Parse(d.value)
			if err != nil || !u.IsAbs() || (u.Host == "" && u.Opaque == "") {
				return invalid(fmt.Sprintf("report-uri value %q is not an absolute URI", clip(d.value, 60)))
			}
			p.ReportURI = d.value
		}
	}
	switch {
	case reportOnly:
		p.Status = HPKPUnmatched
		if p.ReportURI == "" {
			p.note("no report-uri: a Report-Only policy without one has no effect")
		}
	case !haveMaxAge:
		return invalid("max-age directive missing")
	case p.MaxAge == 0:
		p.Status = HPKPDisabled
	default:
		p.Status = HPKPUnmatched
	}
	return p
}

func (p *HPKPPolicy) note(s string) {
	if len(p.PadlockNotes) < maxHPKPNotes {
		p.PadlockNotes = append(p.PadlockNotes, s)
	}
}

// Match compares the pins with the keys of the certificate chain a client
// validates: chainPins holds the SHA-256 of each SubjectPublicKeyInfo in
// it, leaf to root (pki.Cert.PinSHA256; base64, or 64 hex digits, either
// optionally prefixed "sha256/"; entries that are neither are skipped).
// Include the root: pinning a CA's key is how most sites pinned.
//
// Match sets MatchedPins and the final status, with SSL Labs' meanings:
// HPKPValid when a pin is a key of the chain and another pin is not (the
// backup pin RFC 7469 §2.5 requires; without one browsers ignored the
// header), else HPKPIncomplete ("present and syntactically correct,
// incorrectly used"), with PadlockProblem HPKPProblemNoMatch or
// HPKPProblemNoBackup and Error saying which.
//
// Only a policy that parsed (HPKPUnmatched, or already matched) changes;
// an unknown, absent, invalid or disabled one is left as it is. Match may
// be called again with another chain. An empty chain leaves the policy
// HPKPUnmatched.
func (p *HPKPPolicy) Match(chainPins []string) {
	p.MatchPaths([][]string{chainPins})
}

// MatchPaths is Match for a server whose certificates lead to more than
// one certification path (a cross-signed intermediate, or two
// certificates): each element holds the keys of one path. A path is
// pinned when a pin is one of its keys, and has a backup when a pin is
// not. The status is HPKPValid when every path is pinned with a backup,
// HPKPPartial ("not all paths pinned", PadlockProblem
// HPKPProblemUnpinnedPath) when only some are, and HPKPIncomplete when
// none is, or when a pinned path has no backup. MatchedPins are the pins
// matching any path. Paths with no usable key are dropped.
func (p *HPKPPolicy) MatchPaths(paths [][]string) {
	switch p.Status {
	case HPKPUnmatched, HPKPValid, HPKPPartial, HPKPIncomplete:
	default:
		return
	}
	p.MatchedPins, p.Error, p.PadlockProblem = nil, "", ""
	var sets []map[[sha256.Size]byte]bool
	for _, path := range paths {
		set := map[[sha256.Size]byte]bool{}
		for _, s := range path {
			if k, ok := pinKey(s); ok {
				set[k] = true
			}
		}
		if len(set) > 0 {
			sets = append(sets, set)
		}
	}
	if len(sets) == 0 {
		p.Status = HPKPUnmatched
		return
	}
	keys := make([][sha256.Size]byte, len(p.Pins))
	usable := make([]bool, len(p.Pins))
	for i, pin := range p.Pins {
		keys[i], usable[i] = pinKey(pin.Value)
	}
	matched := make([]bool, len(p.Pins))
	pinnedPaths, noBackup := 0, 0
	for _, set := range sets {
		hit, backup := false, false
		for i := range keys {
			if !usable[i] {
				continue
			}
			if set[keys[i]] {
				hit, matched[i] = true, true
			} else {
				backup = true
			}
		}
		if hit {
			pinnedPaths++
			if !backup {
				noBackup++
			}
		}
	}
	for i, pin := range p.Pins {
		if matched[i] {
			p.MatchedPins = append(p.MatchedPins, pin)
		}
	}
	chain := "the certificate chain"
	if len(sets) > 1 {
		chain = "any certification path"
	}
	switch {
	case len(p.Pins) == 0:
		p.Status, p.PadlockProblem = HPKPIncomplete, HPKPProblemNoMatch
		p.Error = "no pin-sha256 pins: nothing can match " + chain
	case pinnedPaths == 0:
		p.Status, p.PadlockProblem = HPKPIncomplete, HPKPProblemNoMatch
		p.Error = "no pin matches a public key in " + chain
	case noBackup > 0:
		p.Status, p.PadlockProblem = HPKPIncomplete, HPKPProblemNoBackup
		p.Error = "no backup pin: every pin is a public key in the certificate chain (RFC 7469 §2.5 requires one that is not)"
	case pinnedPaths < len(sets):
		p.Status, p.PadlockProblem = HPKPPartial, HPKPProblemUnpinnedPath
		p.Error = fmt.Sprintf("pins match %d of %d certification paths", pinnedPaths, len(sets))
	default:
		p.Status = HPKPValid
	}
}

// pinKey decodes an SPKI SHA-256 written as base64 (standard, padded) or
// hex, optionally prefixed "sha256/".
func pinKey(s string) ([sha256.Size]byte, bool) {
	var k [sha256.Size]byte
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "sha256/") {
		s = s[7:]
	}
	var raw []byte
	var err error
	if len(s) == 2*sha256.Size {
		raw, err = hex.DecodeString(s)
	} else {
		raw, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(raw) != sha256.Size {
		return k, false
	}
	copy(k[:], raw)
	return k, true
}

// hpkpFromResponses builds a host's Public-Key-Pins (or, with reportOnly,
// Public-Key-Pins-Report-Only) policy from that header's fields in each
// of its HTTPS responses, in the order received: as for HSTS, the last
// response carrying the header sets the policy. A response with more
// than one field of the header makes the policy invalid (docs/grading.md rule
// F5); the first is parsed as evidence. none says why the status is
// unknown when there was no HTTPS response ("" if there was one).
func hpkpFromResponses(resps []stsResponse, none string, reportOnly bool) HPKPPolicy {
	if len(resps) == 0 {
		if none == "" {
			none = "no HTTPS response"
		}
		return HPKPPolicy{Status: HPKPUnknown, Error: none, PadlockReportOnly: reportOnly}
	}
	name := hpkpHeader
	if reportOnly {
		name = hpkpROHeader
	}
	for i := len(resps) - 1; i >= 0; i-- {
		r := resps[i]
		if len(r.values) == 0 {
			continue
		}
		p := parseHPKP(r.values[0], reportOnly)
		p.PadlockURL = r.url
		if n := len(r.values); n > 1 {
			msg := fmt.Sprintf("%d %s header fields in one response: only one is allowed, and browsers used only the first (RFC 7469 §2.3.1)", n, name)
			if p.Status == HPKPInvalid {
				msg += "; the first is invalid too: " + p.Error
			}
			p.Status, p.Error, p.PadlockProblem, p.PadlockHeaderCount = HPKPInvalid, msg, HPKPProblemMultipleHeaders, n
			p.MaxAge, p.IncludeSubDomains, p.ReportURI, p.Pins = 0, false, "", nil
		}
		return p
	}
	return HPKPPolicy{Status: HPKPAbsent, PadlockURL: resps[len(resps)-1].url, PadlockReportOnly: reportOnly}
}
