package stored

import (
	"strings"
	"testing"

	"padlock/change"
	"padlock/store"
)

func TestDecodeShapes(t *testing.T) {
	for name, raw := range map[string]string{
		"wrapper":      `{"schema":"padlock.fleet/1","host":{"host":"a.example","padlockSchema":"padlock.host/1","endpoints":[]}}`,
		"bare":         `{"host":"a.example","padlockSchema":"padlock.host/1","endpoints":[]}`,
		"wrapper-only": `{"schema":"padlock.fleet/1","error":"the stored target cannot be read"}`,
		"empty":        ``,
	} {
		s, err := Decode([]byte(raw))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (name == "wrapper" || name == "bare") && (s.Host == nil || s.Host.Host != "a.example") {
			t.Errorf("%s: host %+v", name, s.Host)
		}
		if name == "wrapper-only" && s.Error == "" {
			t.Errorf("%s: error lost", name)
		}
	}
	if _, err := Decode([]byte(`{"host":42}`)); err == nil {
		t.Error("a result without a Host decoded")
	}
	if _, err := Decode([]byte(`{`)); err == nil {
		t.Error("invalid JSON decoded")
	}
}

// TestDROWNFinding: the fleet-wide DROWN lookup's record becomes one E5
// finding naming every SSL 2.0 endpoint once, for every reader.
func TestDROWNFinding(t *testing.T) {
	raw := `{"schema":"padlock.fleet/1","host":{"host":"a.example","padlockSchema":"padlock.host/1","endpoints":[]},` +
		`"padlockDrown":[{"endpoint":"192.0.2.1:443","keyPin":"x","via":["mail.example.org:465 (192.0.2.2)","old.example.org:443 (192.0.2.3)"]},` +
		`{"endpoint":"[2001:db8::1]:443","keyPin":"x","via":["mail.example.org:465 (192.0.2.2)"]}]}`
	r, err := Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	site := ChangeSite(store.Assessment{Site: "a.example", Grade: "F", Result: []byte(raw)})
	for _, fs := range [][]string{findingTexts(r), findingTexts2(site.Findings)} {
		if len(fs) != 1 || fs[0] != "E5 f DROWN: the certificate key is also used with SSL 2.0 on mail.example.org:465 (192.0.2.2), old.example.org:443 (192.0.2.3)" {
			t.Errorf("findings %q", fs)
		}
	}
	if site.Key != "a.example" || site.Grade != "F" {
		t.Errorf("site %+v", site)
	}
	if len(ChangeSites([]store.Assessment{{Result: []byte("{")}})[0].Findings) != 0 {
		t.Error("an unreadable result has findings")
	}
}

func findingTexts(r Result) []string { return findingTexts2(r.Findings()) }

func findingTexts2(fs []change.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, strings.Join([]string{f.Rule, f.Effect, f.Reason}, " ")+": "+f.Detail)
	}
	return out
}

// FuzzDecode: any stored bytes decode or fail cleanly, never panic, and a
// decoded Host comes with its JSON.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schema":"padlock.fleet/1","host":{"host":"a.example","padlockSchema":"padlock.host/1","endpoints":[]},"padlockDrown":[{"endpoint":"192.0.2.1:443","via":["b:443"]}]}`))
	f.Add([]byte(`{"host":"a.example","padlockSchema":"padlock.host/1","endpoints":[{"ipAddress":"192.0.2.1","grade":"A"}]}`))
	f.Add([]byte(`{"schema":"padlock.fleet/1","error":"x"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Decode(raw)
		if err != nil {
			return
		}
		if r.Host != nil && len(r.HostJSON) == 0 {
			t.Errorf("a Host without its JSON from %q", raw)
		}
		_ = r.Findings()
		_ = ChangeSite(store.Assessment{Result: raw})
	})
}
