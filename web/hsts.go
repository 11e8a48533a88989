package web

import (
	"fmt"
	"math"
	"strings"
)

// LongMaxAge is the HSTS max-age, in seconds, that SSL Labs calls long
// (180 days): at least this much is needed for A+ (docs/grading.md rule F1).
const LongMaxAge = 15552000

// HSTS policy statuses, as SSL Labs' hstsPolicy.status.
const (
	HSTSUnknown  = "unknown"  // not checked, or HTTPS did not answer
	HSTSAbsent   = "absent"   // HTTPS answered without the header
	HSTSPresent  = "present"  // a valid header with max-age > 0
	HSTSInvalid  = "invalid"  // a header that RFC 6797 says to ignore
	HSTSDisabled = "disabled" // a valid header with max-age=0
)

// maxHSTSDirectives bounds how many directives a policy keeps in
// Directives; parsing goes on past it.
const maxHSTSDirectives = 32

// HSTSPolicy is a Strict-Transport-Security policy in the shape of SSL Labs'
// hstsPolicy object, plus padlock's own fields (prefixed padlock).
type HSTSPolicy struct {
	LongMaxAge int64 `json:"LONG_MAX_AGE"`
	// Header is the header value the policy was read from.
	Header string `json:"header,omitempty"`
	// Status is one of HSTSUnknown, HSTSAbsent, HSTSPresent, HSTSInvalid,
	// HSTSDisabled.
	Status string `json:"status"`
	// Error says why the header is invalid, or why the status is unknown.
	Error             string `json:"error,omitempty"`
	MaxAge            int64  `json:"maxAge"`
	IncludeSubDomains bool   `json:"includeSubDomains"`
	Preload           bool   `json:"preload"`
	// Directives holds every directive parsed, by lower-case name, with its
	// value (unquoted); valueless directives map to "".
	Directives map[string]string `json:"directives,omitempty"`

	// PadlockURL is the HTTPS URL whose response carried Header.
	PadlockURL string `json:"padlockUrl,omitempty"`
	// PadlockHeaderCount is how many Strict-Transport-Security fields that
	// response had when there was more than one: only the first counts
	// (RFC 6797 §8.1).
	PadlockHeaderCount int `json:"padlockHeaderCount,omitempty"`
}

// Long reports whether the policy is valid, enabled and at least
// LongMaxAge long.
func (p HSTSPolicy) Long() bool {
	return p.Status == HSTSPresent && p.MaxAge >= LongMaxAge
}

// ParseHSTS parses one Strict-Transport-Security header value strictly as
// RFC 6797 §6.1 defines it:
//
//	Strict-Transport-Security = [ directive ] *( ";" [ directive ] )
//	directive                 = directive-name [ "=" directive-value ]
//	directive-name            = token
//	directive-value           = token / quoted-string
//
// Directive names are case-insensitive and may each appear once; max-age is
// required and its value is 1*DIGIT (quoted or not); includeSubDomains has
// no value. Anything else that breaks the grammar makes the whole header
// invalid, as a browser would ignore it. Unknown directives are kept in
// Directives and otherwise ignored; "preload" (not in the RFC, but what the
// preload lists ask for) sets Preload when it has no value.
//
// max-age values too large for int64 are clamped to math.MaxInt64.
func ParseHSTS(value string) HSTSPolicy {
	p := HSTSPolicy{LongMaxAge: LongMaxAge, Header: value, Status: HSTSInvalid}
	invalid := func(msg string) HSTSPolicy {
		// A browser ignores the whole header: keep what was read as
		// evidence, but no policy.
		p.Error = msg
		p.MaxAge, p.IncludeSubDomains, p.Preload = 0, false, false
		return p
	}
	dirs, err := parseHSTSDirectives(value)
	if err != nil {
		return invalid(err.Error())
	}
	seen := map[string]bool{}
	haveMaxAge := false
	for _, d := range dirs {
		if len(p.Directives) < maxHSTSDirectives && !seen[d.name] {
			if p.Directives == nil {
				p.Directives = map[string]string{}
			}
			p.Directives[d.name] = d.value
		}
		if seen[d.name] {
			return invalid(fmt.Sprintf("duplicate directive %q", d.name))
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
			p.MaxAge = n
			haveMaxAge = true
		case "includesubdomains":
			if d.hasValue {
				return invalid("includeSubDomains takes no value")
			}
			p.IncludeSubDomains = true
		case "preload":
			p.Preload = !d.hasValue
		}
	}
	if !haveMaxAge {
		return invalid("max-age directive missing")
	}
	if p.MaxAge == 0 {
		p.Status = HSTSDisabled
	} else {
		p.Status = HSTSPresent
	}
	return p
}

type hstsDirective struct {
	name     string // lower case
	value    string // unquoted
	hasValue bool
	quoted   bool // the value was a quoted-string
}

// parseHSTSDirectives splits a header value into directives, checking the
// grammar. Public-Key-Pins (RFC 7469 §2.1) shares it.
func parseHSTSDirectives(s string) ([]hstsDirective, error) {
	var out []hstsDirective
	i := 0
	skipOWS := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	for {
		skipOWS()
		if i >= len(s) {
			return out, nil
		}
		if s[i] == ';' {
			i++
			continue
		}
		start := i
		for i < len(s) && isTChar(s[i]) {
			i++
		}
		if i == start {
			return nil, fmt.Errorf("unexpected character %q at offset %d", s[i], i)
		}
		d := hstsDirective{name: strings.ToLower(s[start:i])}
		skipOWS()
		if i < len(s) && s[i] == '=' {
			i++
			skipOWS()
			d.hasValue = true
			switch {
			case i < len(s) && s[i] == '"':
				v, n, err := readQuoted(s[i:])
				if err != nil {
					return nil, fmt.Errorf("directive %q: %v", d.name, err)
				}
				d.value, d.quoted = v, true
				i += n
			default:
				vs := i
				for i < len(s) && isTChar(s[i]) {
					i++
				}
				if i == vs {
					return nil, fmt.Errorf("directive %q has an empty value", d.name)
				}
				d.value = s[vs:i]
			}
			skipOWS()
		}
		if i < len(s) && s[i] != ';' {
			return nil, fmt.Errorf("unexpected character %q at offset %d after directive %q", s[i], i, d.name)
		}
		out = append(out, d)
	}
}

// readQuoted reads an RFC 7230 quoted-string at the start of s and returns
// its unescaped content and the number of bytes consumed.
func readQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated quoted-pair")
			}
			i++
			c = s[i]
			if c != '\t' && (c < 0x20 || c == 0x7f) {
				return "", 0, fmt.Errorf("control character in quoted-pair")
			}
			b.WriteByte(c)
		case c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80:
			b.WriteByte(c)
		default:
			return "", 0, fmt.Errorf("control character %q in quoted string", c)
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted string")
}

// isTChar reports whether c is an RFC 7230 token character.
func isTChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// parseDeltaSeconds parses 1*DIGIT, clamping at math.MaxInt64.
func parseDeltaSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + d
	}
	return n, true
}

// hstsFromResponses builds the policy for a host from the
// Strict-Transport-Security fields of its HTTPS responses, in the order
// they were received: like a browser, the last response that carried the
// header sets the policy. none says why the status is unknown when there
// was no HTTPS response at all ("" if there was one).
func hstsFromResponses(resps []stsResponse, none string) HSTSPolicy {
	if len(resps) == 0 {
		if none == "" {
			none = "no HTTPS response"
		}
		return HSTSPolicy{LongMaxAge: LongMaxAge, Status: HSTSUnknown, Error: none}
	}
	for i := len(resps) - 1; i >= 0; i-- {
		r := resps[i]
		if len(r.values) == 0 {
			continue
		}
		p := ParseHSTS(r.values[0])
		p.PadlockURL = r.url
		if len(r.values) > 1 {
			p.PadlockHeaderCount = len(r.values)
		}
		return p
	}
	return HSTSPolicy{LongMaxAge: LongMaxAge, Status: HSTSAbsent, PadlockURL: resps[len(resps)-1].url}
}

// stsResponse is one HTTPS response from the target host and the fields of
// one header (Strict-Transport-Security, or a Public-Key-Pins header).
type stsResponse struct {
	url    string
	values []string
}

// clip shortens s to at most n bytes (on a rune boundary), adding "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut < len(s) && s[cut]&0xc0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
