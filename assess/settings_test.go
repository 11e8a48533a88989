package assess

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultSettings(t *testing.T) {
	s := DefaultSettings()
	if !s.FetchIssuers || !s.Vuln || !s.Web || s.InternalTargets {
		t.Errorf("defaults: AIA, vuln and web on, internal targets refused; got %+v", s)
	}
	o, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	if o.PKI.FetchIssuer == nil || o.Vuln == nil || o.Web == nil {
		t.Errorf("options of the defaults: AIA fetcher %v, vuln %v, web %v", o.PKI.FetchIssuer != nil, o.Vuln, o.Web)
	}
	if o.Budget != DefaultBudget || o.Probe.Budget != DefaultBudget || o.Probe.Timeout != DefaultTimeout || o.Probe.Concurrency != DefaultConnections || o.Web.Timeout != DefaultTimeout {
		t.Errorf("bounds: %+v, web timeout %v", o.Probe, o.Web.Timeout)
	}
	s.FetchIssuers, s.Vuln, s.Web = false, false, false
	if o, _ = s.Options(); o.PKI.FetchIssuer != nil || o.Vuln != nil || o.Web != nil {
		t.Error("switched off, still set")
	}
}

func TestSettingsJSON(t *testing.T) {
	s := Settings{Timeout: 3 * time.Second, Budget: 2 * time.Minute, Connections: 2, FetchIssuers: true, CAFile: "/x/ca.pem", Web: true}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	// Durations as duration strings, as scans have always recorded them.
	if !strings.Contains(string(b), `"timeout":"3s"`) || !strings.Contains(string(b), `"budget":"2m0s"`) {
		t.Errorf("JSON: %s", b)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back != s {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, s)
	}
	// A scan recorded before AIA fetching was a setting ran without it.
	if err := json.Unmarshal([]byte(`{"timeout":"10s","budget":"5m0s","web":true,"vuln":true}`), &back); err != nil || back.FetchIssuers || back.Budget != 5*time.Minute {
		t.Errorf("old settings: %+v, %v", back, err)
	}
}

func TestReadCAFile(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, body string
		n          int
		err        string
	}{
		{"bundle.pem", "# a comment, as ca-bundle files have\n" + cert + cert, 2, ""},
		{"empty.pem", "nothing here\n", 0, "no PEM certificate"},
		{"key.pem", cert + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0, "block 2 is a PRIVATE KEY"},
		{"bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0, "certificate 1"},
	} {
		certs, err := ReadCAFile(write(c.name, c.body))
		if c.err == "" {
			if err != nil || len(certs) != c.n {
				t.Errorf("%s: %d certificates, %v; want %d", c.name, len(certs), err, c.n)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrCAFile) || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v; want ErrCAFile with %q", c.name, err, c.err)
		}
	}
	if _, err := ReadCAFile(filepath.Join(dir, "missing.pem")); !errors.Is(err, ErrCAFile) {
		t.Errorf("missing file: %v", err)
	}
	s := DefaultSettings()
	s.CAFile = filepath.Join(dir, "missing.pem")
	if _, err := s.Options(); !errors.Is(err, ErrCAFile) {
		t.Errorf("Options with a missing CA file: %v", err)
	}
}
