package web

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		status    string
		maxAge    int64
		subs      bool
		preload   bool
		errSubstr string
	}{
		{name: "one year", header: "max-age=31536000", status: HSTSPresent, maxAge: 31536000},
		{name: "everything", header: "max-age=63072000; includeSubDomains; preload", status: HSTSPresent, maxAge: 63072000, subs: true, preload: true},
		{name: "case-insensitive names", header: "Max-Age=300;INCLUDESUBDOMAINS", status: HSTSPresent, maxAge: 300, subs: true},
		{name: "directives in any order", header: "includeSubDomains; max-age=15552000", status: HSTSPresent, maxAge: 15552000, subs: true},
		{name: "whitespace", header: "  max-age = 600 ;\tincludeSubDomains  ", status: HSTSPresent, maxAge: 600, subs: true},
		{name: "empty directives", header: ";;max-age=600;;", status: HSTSPresent, maxAge: 600},
		{name: "quoted max-age", header: `max-age="31536000"`, status: HSTSPresent, maxAge: 31536000},
		{name: "quoted with escape", header: `max-age="3\1"`, status: HSTSPresent, maxAge: 31},
		{name: "unknown directive ignored", header: `max-age=10; report-uri="https://r.example/"; foo`, status: HSTSPresent, maxAge: 10},
		{name: "preload with value is not preload", header: "max-age=10; preload=yes", status: HSTSPresent, maxAge: 10},
		{name: "max-age=0 disables", header: "max-age=0", status: HSTSDisabled, maxAge: 0},
		{name: "max-age=0 with includeSubDomains", header: "max-age=0; includeSubDomains", status: HSTSDisabled, subs: true},
		{name: "leading zeros", header: "max-age=000", status: HSTSDisabled},
		{name: "huge max-age clamps", header: "max-age=99999999999999999999999", status: HSTSPresent, maxAge: math.MaxInt64},

		{name: "empty header", header: "", status: HSTSInvalid, errSubstr: "max-age directive missing"},
		{name: "no max-age", header: "includeSubDomains; preload", status: HSTSInvalid, errSubstr: "max-age directive missing"},
		{name: "duplicate max-age", header: "max-age=10; max-age=20", status: HSTSInvalid, errSubstr: "duplicate"},
		{name: "duplicate differing case", header: "max-age=10; includeSubDomains; IncludeSubdomains", status: HSTSInvalid, errSubstr: "duplicate"},
		{name: "duplicate unknown directive", header: "max-age=10; foo; foo=1", status: HSTSInvalid, errSubstr: "duplicate"},
		{name: "max-age without value", header: "max-age", status: HSTSInvalid, errSubstr: "no value"},
		{name: "max-age empty value", header: "max-age=", status: HSTSInvalid, errSubstr: "empty value"},
		{name: "negative max-age", header: "max-age=-1", status: HSTSInvalid, errSubstr: "not a number"},
		{name: "fractional max-age", header: "max-age=1.5", status: HSTSInvalid, errSubstr: "not a number"},
		{name: "max-age with units", header: "max-age=31536000s", status: HSTSInvalid, errSubstr: "not a number"},
		{name: "quoted empty max-age", header: `max-age=""`, status: HSTSInvalid, errSubstr: "not a number"},
		{name: "unterminated quote", header: `max-age="10`, status: HSTSInvalid, errSubstr: "unterminated"},
		{name: "comma separated (two headers joined)", header: "max-age=10, max-age=20", status: HSTSInvalid, errSubstr: "unexpected character"},
		{name: "colon instead of equals", header: "max-age:10", status: HSTSInvalid, errSubstr: "unexpected character"},
		{name: "space inside value", header: "max-age=10 20", status: HSTSInvalid, errSubstr: "unexpected character"},
		{name: "includeSubDomains with value", header: "max-age=10; includeSubDomains=true", status: HSTSInvalid, errSubstr: "takes no value"},
		{name: "non-ASCII", header: "max-age=10; ïncludeSubDomains", status: HSTSInvalid, errSubstr: "unexpected character"},
		{name: "missing semicolon", header: "max-age=10 includeSubDomains", status: HSTSInvalid, errSubstr: "unexpected character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseHSTS(tc.header)
			if p.Status != tc.status {
				t.Fatalf("status %q (error %q), want %q", p.Status, p.Error, tc.status)
			}
			if p.Header != tc.header || p.LongMaxAge != LongMaxAge {
				t.Errorf("header %q LONG_MAX_AGE %d", p.Header, p.LongMaxAge)
			}
			if p.MaxAge != tc.maxAge || p.IncludeSubDomains != tc.subs || p.Preload != tc.preload {
				t.Errorf("maxAge %d subs %v preload %v, want %d %v %v", p.MaxAge, p.IncludeSubDomains, p.Preload, tc.maxAge, tc.subs, tc.preload)
			}
			if tc.errSubstr == "" && p.Error != "" {
				t.Errorf("unexpected error %q", p.Error)
			}
			if tc.errSubstr != "" && !strings.Contains(p.Error, tc.errSubstr) {
				t.Errorf("error %q does not mention %q", p.Error, tc.errSubstr)
			}
		})
	}
}

func TestHSTSDirectivesAndJSON(t *testing.T) {
	p := ParseHSTS(`max-age="63072000"; includeSubDomains; Preload`)
	want := map[string]string{"max-age": "63072000", "includesubdomains": "", "preload": ""}
	if len(p.Directives) != len(want) {
		t.Fatalf("directives %v", p.Directives)
	}
	for k, v := range want {
		if p.Directives[k] != v {
			t.Errorf("directive %q = %q, want %q", k, p.Directives[k], v)
		}
	}
	if !p.Long() {
		t.Error("two years is long")
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"LONG_MAX_AGE", "header", "status", "maxAge", "includeSubDomains", "preload", "directives"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks SSL Labs field %q: %s", k, b)
		}
	}
	if m["LONG_MAX_AGE"].(float64) != 15552000 {
		t.Errorf("LONG_MAX_AGE %v", m["LONG_MAX_AGE"])
	}
	if ParseHSTS("max-age=15551999").Long() || !ParseHSTS("max-age=15552000").Long() {
		t.Error("Long threshold is 15552000")
	}
}

func TestHSTSFromResponses(t *testing.T) {
	p := hstsFromResponses(nil, "HTTPS did not answer: refused")
	if p.Status != HSTSUnknown || !strings.Contains(p.Error, "refused") {
		t.Errorf("no response: %+v", p)
	}
	p = hstsFromResponses([]stsResponse{{url: "https://a/"}}, "")
	if p.Status != HSTSAbsent {
		t.Errorf("no header: %+v", p)
	}
	// The last response with the header counts; a later response without
	// it does not clear the policy.
	p = hstsFromResponses([]stsResponse{
		{url: "https://a/", values: []string{"max-age=10"}},
		{url: "https://a/en/", values: []string{"max-age=31536000", "max-age=0"}},
		{url: "https://a/en/home"},
	}, "")
	if p.Status != HSTSPresent || p.MaxAge != 31536000 || p.PadlockURL != "https://a/en/" || p.PadlockHeaderCount != 2 {
		t.Errorf("several: %+v", p)
	}
}
