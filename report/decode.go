package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// rawEndpoint is an endpoint's details as stored, by JSON key: the
// vulnerability fields (heartbleed, poodle, openSslCcs …) are read from
// here, so that whatever the assessment carries is shown.
type rawEndpoint struct {
	ip      string
	details map[string]json.RawMessage
}

func decodeRawEndpoints(hostJSON json.RawMessage) []rawEndpoint {
	if len(hostJSON) == 0 {
		return nil
	}
	var h struct {
		Endpoints []struct {
			IPAddress string                     `json:"ipAddress"`
			Details   map[string]json.RawMessage `json:"details"`
		} `json:"endpoints"`
	}
	if json.Unmarshal(hostJSON, &h) != nil {
		return nil
	}
	out := make([]rawEndpoint, len(h.Endpoints))
	for i, e := range h.Endpoints {
		out[i] = rawEndpoint{ip: e.IPAddress, details: e.Details}
	}
	return out
}

// Verdict classes of a vulnerability row (CSS classes too).
const (
	verdictGood    = "good"
	verdictBad     = "bad"
	verdictInfo    = "info"
	verdictUnknown = "unknown"
)

// VulnRow is one vulnerability test result of an endpoint, read from its
// stored details under SSL Labs' field names.
type VulnRow struct {
	Field   string // the JSON key: "heartbleed"
	Name    string // "Heartbleed (CVE-2014-0160)"
	Value   string // in words: "not vulnerable", "vulnerable (strong oracle)"
	Verdict string // "good", "bad", "info" or "unknown"
}

// VulnFinding is one of padlock's vulnerability findings with its
// evidence (a padlockFindings entry of the stored details).
type VulnFinding struct {
	Check    string `json:"check"`
	Name     string `json:"name"`
	State    string `json:"state"`
	Severity string `json:"severity"`
	Variant  string `json:"variant"`
	Reason   string `json:"reason"`
	Evidence []struct {
		Label string `json:"label"`
		Value string `json:"value"`
		Hex   string `json:"hex"`
		Bytes int    `json:"bytes"`
	} `json:"evidence"`
}

// Verdict is the finding's CSS class.
func (v VulnFinding) Verdict() string {
	switch v.State {
	case "vulnerable":
		if v.Severity == "info" {
			return verdictInfo
		}
		return verdictBad
	case "not vulnerable", "not applicable":
		return verdictGood
	}
	return verdictUnknown
}

// vulnField describes how to read one SSL Labs vulnerability field.
type vulnField struct {
	key, name string
	read      func(json.RawMessage) (string, string, bool)
}

// boolVuln reads a field where true is bad.
func boolVuln(yes, no string) func(json.RawMessage) (string, string, bool) {
	return func(v json.RawMessage) (string, string, bool) {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return "", "", false
		}
		if b {
			return yes, verdictBad, true
		}
		return no, verdictGood, true
	}
}

// boolInfo reads a field reported for information only.
func boolInfo(yes, no string) func(json.RawMessage) (string, string, bool) {
	return func(v json.RawMessage) (string, string, bool) {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return "", "", false
		}
		if b {
			return yes, verdictInfo, true
		}
		return no, verdictGood, true
	}
}

// enumVuln reads an SSL Labs integer field: -1 test failed, 0 unknown, 1
// not vulnerable, and the codes given for the rest.
func enumVuln(codes map[int]string) func(json.RawMessage) (string, string, bool) {
	return func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		if s, ok := codes[n]; ok {
			return s, verdictBad, true
		}
		switch n {
		case 1:
			return "not vulnerable", verdictGood, true
		case 0:
			return "not tested", verdictUnknown, true
		case -1:
			return "test failed", verdictUnknown, true
		}
		return fmt.Sprintf("code %d", n), verdictUnknown, true
	}
}

var vulnFields = []vulnField{
	{"heartbleed", "Heartbleed (CVE-2014-0160)", boolVuln("vulnerable", "not vulnerable")},
	{"openSslCcs", "OpenSSL CCS injection (CVE-2014-0224)", enumVuln(map[int]string{2: "possibly vulnerable, not exploitable", 3: "vulnerable and exploitable"})},
	{"poodle", "POODLE (SSL 3.0)", boolVuln("vulnerable", "not vulnerable")},
	{"poodleTls", "POODLE against TLS", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		switch n {
		case -3:
			return "test timed out", verdictUnknown, true
		case -2:
			return "TLS not supported", verdictGood, true
		}
		return enumVuln(map[int]string{2: "vulnerable"})(v)
	}},
	{"bleichenbacher", "ROBOT (Bleichenbacher oracle)", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		if n == 4 {
			return "inconsistent results", verdictUnknown, true
		}
		return enumVuln(map[int]string{2: "vulnerable (weak oracle)", 3: "vulnerable (strong oracle)"})(v)
	}},
	{"ticketbleed", "Ticketbleed (CVE-2016-9244)", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		if n == 3 {
			return "not vulnerable, but a similar bug", verdictInfo, true
		}
		return enumVuln(map[int]string{2: "vulnerable"})(v)
	}},
	{"openSSLLuckyMinus20", "OpenSSL padding oracle (CVE-2016-2107)", enumVuln(map[int]string{2: "vulnerable"})},
	{"zombiePoodle", "Zombie POODLE", enumVuln(map[int]string{2: "vulnerable", 3: "vulnerable and exploitable"})},
	{"goldenDoodle", "GOLDENDOODLE", enumVuln(map[int]string{4: "vulnerable", 5: "vulnerable and exploitable"})},
	{"zeroLengthPaddingOracle", "OpenSSL 0-length padding oracle (CVE-2019-1559)", enumVuln(map[int]string{6: "vulnerable", 7: "vulnerable and exploitable"})},
	{"sleepingPoodle", "Sleeping POODLE", enumVuln(map[int]string{10: "vulnerable", 11: "vulnerable and exploitable"})},
	{"freak", "FREAK (export RSA)", boolVuln("vulnerable", "not vulnerable")},
	{"logjam", "Logjam (DH below 1024 bits)", boolVuln("vulnerable", "not vulnerable")},
	{"drownVulnerable", "DROWN", boolVuln("vulnerable", "not vulnerable")},
	{"compressionMethods", "TLS compression (CRIME)", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		if n&1 != 0 {
			return "DEFLATE accepted (vulnerable)", verdictBad, true
		}
		return "no compression", verdictGood, true
	}},
	{"renegSupport", "Renegotiation", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		var parts []string
		verdict := verdictGood
		if n&1 != 0 {
			parts = append(parts, "insecure client-initiated renegotiation")
			verdict = verdictBad
		}
		if n&2 != 0 {
			parts = append(parts, "secure renegotiation (RFC 5746) supported")
		} else {
			parts = append(parts, "secure renegotiation (RFC 5746) not supported")
			if verdict == verdictGood {
				verdict = verdictBad
			}
		}
		if n&4 != 0 {
			parts = append(parts, "secure client-initiated renegotiation")
		}
		return strings.Join(parts, "; "), verdict, true
	}},
	{"fallbackScsv", "Downgrade protection (TLS_FALLBACK_SCSV)", func(v json.RawMessage) (string, string, bool) {
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return "", "", false
		}
		if b {
			return "supported", verdictGood, true
		}
		return "not supported (no grade effect since 2009r)", verdictInfo, true
	}},
	{"vulnBeast", "BEAST (information only)", boolInfo("CBC suites at SSL 3.0 / TLS 1.0 (mitigated by clients)", "not vulnerable")},
	{"supportsRc4", "RC4", boolVuln("RC4 suites accepted", "no RC4")},
	{"rc4Only", "RC4 only", boolVuln("every suite is RC4", "no")},
	{"heartbeat", "Heartbeat extension", boolInfo("enabled (information)", "not enabled")},
	{"zeroRTTEnabled", "TLS 1.3 early data (0-RTT)", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		switch n {
		case 1:
			return "enabled (information)", verdictInfo, true
		case 0:
			return "not enabled", verdictGood, true
		case -1:
			return "not tested (no TLS 1.3)", verdictUnknown, true
		}
		return "test failed", verdictUnknown, true
	}},
	{"dhUsesKnownPrimes", "Well-known DH primes", func(v json.RawMessage) (string, string, bool) {
		var n int
		if json.Unmarshal(v, &n) != nil {
			return "", "", false
		}
		switch n {
		case 0:
			return "no", verdictGood, true
		case 1:
			return "yes, 2048 bits or more (information)", verdictInfo, true
		case 2:
			return "yes, and weak (below 2048 bits)", verdictBad, true
		}
		return fmt.Sprintf("code %d", n), verdictUnknown, true
	}},
}

// vulnRows reads the vulnerability fields an endpoint's details carry, in
// a fixed order; fields that are absent are left out (absent is not
// false).
func vulnRows(d map[string]json.RawMessage) []VulnRow {
	var out []VulnRow
	for _, f := range vulnFields {
		v, ok := d[f.key]
		if !ok {
			continue
		}
		val, verdict, ok := f.read(v)
		if !ok {
			continue
		}
		out = append(out, VulnRow{Field: f.key, Name: f.name, Value: val, Verdict: verdict})
	}
	return out
}

// vulnFindings reads padlock's vulnerability findings from an endpoint's
// details: a "padlockFindings" list there, or in any object under it.
func vulnFindings(d map[string]json.RawMessage) []VulnFinding {
	var out []VulnFinding
	read := func(raw json.RawMessage) {
		var fs []VulnFinding
		if json.Unmarshal(raw, &fs) == nil {
			for _, f := range fs {
				if f.Check != "" || f.Name != "" {
					out = append(out, f)
				}
			}
		}
	}
	if v, ok := d["padlockFindings"]; ok {
		read(v)
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := bytes.TrimSpace(d[k])
		if len(v) == 0 || v[0] != '{' {
			continue
		}
		var sub map[string]json.RawMessage
		if json.Unmarshal(v, &sub) == nil {
			if f, ok := sub["padlockFindings"]; ok {
				read(f)
			}
		}
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }
