package pki

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"padlock/lab"
	"padlock/netguard"
)

// pkcs7 builds a DER certs-only SignedData bundle, as CAs serve .p7c files.
func pkcs7(ders ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, d := range ders {
						b.AddBytes(d)
					}
				})
				b.AddASN1(cbasn1.SET, func(*cryptobyte.Builder) {})
			})
		})
	})
	return b.BytesOrPanic()
}

// issuerServer serves files on 127.0.0.1 and counts requests per path.
type issuerServer struct {
	*httptest.Server
	hits  atomic.Int32
	files map[string][]byte
}

func newIssuerServer(t *testing.T, files map[string][]byte) *issuerServer {
	t.Helper()
	s := &issuerServer{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestAIACompletion(t *testing.T) {
	p := sharedPKI(t)
	pemInter := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.inter.DER})
	srv := newIssuerServer(t, map[string][]byte{
		"/inter.der": p.inter.DER,
		"/inter.p7c": pkcs7(p.other.DER, p.inter.DER),
		"/inter.pem": pemInter,
	})
	for _, path := range []string{"/inter.der", "/inter.p7c", "/inter.pem"} {
		t.Run(path, func(t *testing.T) {
			leaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) {
				c.IssuingCertificateURL = []string{"ldap://ldap.example.test/cn=x", srv.URL + path}
			})
			r := analyze(t, testHost, Options{FetchIssuer: HTTPIssuerFetcher(srv.Client(), 0, 0)}, chainOf(leaf))
			wantFacts(t, r.Facts, func(f Facts) bool {
				return f.Trusted && f.IncompleteChain && !f.TrustProblem()
			}, "trusted after AIA, incomplete chain")
			c := r.Chains[0]
			if c.Issues != ChainIncomplete || !slices.Equal(c.AIAFetched, []string{certID(p.inter.DER)}) {
				t.Errorf("chain issues %v fetched %v errors %v", c.IssueNames, c.AIAFetched, c.AIAErrors)
			}
			if len(c.AIAErrors) != 1 || !strings.Contains(c.AIAErrors[0], "scheme \"ldap\" refused") {
				t.Errorf("AIA errors %v, want the ldap URL refused", c.AIAErrors)
			}
			want := []string{certID(leaf), certID(p.inter.DER), certID(p.root.DER)}
			if len(c.TrustPaths) != 1 || !slices.Equal(c.TrustPaths[0].CertIDs, want) {
				t.Errorf("trust paths %+v", c.TrustPaths)
			}
			if ic := r.Cert(certID(p.inter.DER)); ic == nil || ic.Source != SourceAIA {
				t.Errorf("fetched intermediate %+v", ic)
			}
		})
	}
}

func TestAIATwoLevels(t *testing.T) {
	p := sharedPKI(t)
	srv := newIssuerServer(t, map[string][]byte{"/inter.der": p.inter.DER})
	inter2 := customCA(t, p.inter, "padlock pki AIA intermediate", func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{srv.URL + "/inter.der"}
	})
	srv.files["/inter2.der"] = inter2.DER
	leaf := customLeaf(t, inter2, nil, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{srv.URL + "/inter2.der"} })

	fetch := HTTPIssuerFetcher(srv.Client(), 0, 0)
	r := analyze(t, testHost, Options{FetchIssuer: fetch}, chainOf(leaf), chainOf(leaf, inter2.DER))
	for i, c := range r.Chains {
		if !c.Trusted || c.Issues != ChainIncomplete {
			t.Errorf("chain %d: trusted %v issues %v errors %v", i, c.Trusted, c.IssueNames, c.AIAErrors)
		}
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("%d requests, want 2 (each URL fetched once)", got)
	}

	// A budget of one fetch leaves the chain incomplete and untrusted.
	r = analyze(t, testHost, Options{FetchIssuer: fetch, MaxFetches: 1}, chainOf(leaf))
	c := r.Chains[0]
	if c.Trusted || r.Facts.IncompleteChain || c.Issues != ChainIncomplete || len(c.AIAErrors) == 0 {
		t.Errorf("budget 1: trusted %v issues %v errors %v", c.Trusted, c.IssueNames, c.AIAErrors)
	}
}

func TestAIAUnreachable(t *testing.T) {
	p := sharedPKI(t)
	srv := newIssuerServer(t, nil)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	for name, url := range map[string]string{"404": srv.URL + "/missing.der", "closed port": goneURL + "/inter.der"} {
		t.Run(name, func(t *testing.T) {
			leaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{url} })
			r := analyze(t, testHost, Options{FetchIssuer: HTTPIssuerFetcher(allowPrivateClient(), 0, 2*time.Second)}, chainOf(leaf))
			wantFacts(t, r.Facts, func(f Facts) bool {
				return !f.Trusted && !f.IncompleteChain && len(f.TrustErrors) == 2 && strings.Contains(f.TrustErrors[1], "could not be fetched")
			}, "untrusted, fetch failure explained")
			if c := r.Chains[0]; c.Issues != 0 || len(c.AIAErrors) != 1 {
				t.Errorf("chain issues %v errors %v", c.IssueNames, c.AIAErrors)
			}
		})
	}
}

// allowPrivateClient may reach loopback: the tests' AIA servers run there,
// and say so explicitly.
func allowPrivateClient() *http.Client {
	return &http.Client{Transport: (&netguard.Guard{Policy: netguard.AllowPrivate}).Transport()}
}

// TestAIAPrivateAddressesRefused: caIssuers URLs come from the scanned
// server, so by default they never reach a non-public address, directly,
// through a name, or through a redirect; the refusal comes before any
// connection.
func TestAIAPrivateAddressesRefused(t *testing.T) {
	p := sharedPKI(t)
	srv := newIssuerServer(t, map[string][]byte{"/inter.der": p.inter.DER})
	var redirected atomic.Int32
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		redirected.Add(1)
		http.Redirect(w, r, "http://"+strings.TrimPrefix(r.URL.Path, "/to/")+"/latest/meta-data/", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	run := func(fetch IssuerFetcher, url string) *ChainReport {
		leaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{url} })
		r := analyze(t, testHost, Options{FetchIssuer: fetch}, chainOf(leaf))
		c := r.Chains[0]
		if c.Trusted || len(c.AIAFetched) != 0 || len(c.AIAErrors) != 1 || !strings.Contains(c.AIAErrors[0], "not a public address") {
			t.Errorf("%s: trusted %v fetched %v errors %v", url, c.Trusted, c.AIAFetched, c.AIAErrors)
		}
		return c
	}

	// The default client: the loopback server is never reached.
	run(HTTPIssuerFetcher(nil, 0, 2*time.Second), srv.URL+"/inter.der")
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("the default fetcher reached loopback (%d requests)", n)
	}

	// Names that resolve to private addresses, and redirects from a
	// "public" AIA server to private ones. The guard's dialer stands in for
	// the network: aia.example (resolved to a public address) is carried
	// to the loopback redirector; anything else dialled fails the test
	// (Next sees addresses the guard allowed, never a refused one).
	var dials atomic.Int32
	g := &netguard.Guard{
		Resolver: lab.Names{"aia.example": {"8.8.8.8"}, "meta.example": {"169.254.169.254"}, "intranet.example": {"10.0.0.1"}, "ula.example": {"fd00::1"}},
		Next: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			if addr != "8.8.8.8:80" {
				t.Errorf("dialled %s", addr)
				return nil, errors.New("test: refused")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, redirector.Listener.Addr().String())
		},
	}
	fetch := HTTPIssuerFetcher(&http.Client{Transport: g.Transport()}, 0, 2*time.Second)
	for _, u := range []string{"http://meta.example/x.der", "http://intranet.example/x.der", "http://ula.example/x.der", "http://169.254.169.254/x.der", "http://[fd00::1]/x.der"} {
		run(fetch, u)
	}
	if n := dials.Load(); n != 0 {
		t.Errorf("%d dials for names and addresses refused", n)
	}
	for _, to := range []string{"169.254.169.254", "10.0.0.1", "[fd00::1]", "100.64.0.1", "127.0.0.1", "meta.example"} {
		redirected.Store(0)
		run(fetch, "http://aia.example/to/"+to)
		if n := redirected.Load(); n != 1 {
			t.Errorf("redirect to %s: the redirector answered %d times, want once", to, n)
		}
	}
}

func TestAIANoFetchWhenComplete(t *testing.T) {
	p := sharedPKI(t)
	srv := newIssuerServer(t, map[string][]byte{"/inter.der": p.inter.DER})
	leaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{srv.URL + "/inter.der"} })
	fetch := HTTPIssuerFetcher(srv.Client(), 0, 0)
	// Complete and trusted; and untrusted only because it is expired.
	analyze(t, testHost, Options{FetchIssuer: fetch}, chainOf(leaf, p.inter.DER))
	analyze(t, testHost, Options{FetchIssuer: fetch, Now: time.Now().AddDate(1, 0, 0)}, chainOf(leaf, p.inter.DER))
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("%d fetches for complete chains", n)
	}
}

func TestHTTPIssuerFetcher(t *testing.T) {
	p := sharedPKI(t)
	big := make([]byte, 100<<10)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(p.inter.DER) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(big) })
	mux.HandleFunc("/chunked-big", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 10; i++ {
			_, _ = w.Write(big[:10<<10])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/err", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusInternalServerError) })
	mux.HandleFunc("/redirect/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/redirect/"), "%d", &n)
		if n == 0 {
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/redirect/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://127.0.0.1/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	fetch := HTTPIssuerFetcher(allowPrivateClient(), 64<<10, 500*time.Millisecond)
	ctx := context.Background()
	for _, tc := range []struct {
		url     string
		wantErr string
	}{
		{srv.URL + "/ok", ""},
		{srv.URL + "/redirect/2", ""}, // three redirects in all
		{srv.URL + "/redirect/3", "redirects"},
		{srv.URL + "/to-ftp", "scheme \"ftp\" refused"},
		{srv.URL + "/big", "exceeds"},
		{srv.URL + "/chunked-big", "exceeds"},
		{srv.URL + "/slow", "deadline"},
		{srv.URL + "/err", "500"},
		{"ldap://ldap.example.test/cn=ca", "scheme \"ldap\" refused"},
		{"file:///etc/passwd", "scheme \"file\" refused"},
		{"http:///nohost", "no host"},
		{"://bad", "bad issuer URL"},
	} {
		b, err := fetch(ctx, tc.url)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case tc.wantErr == "" && string(b) != string(p.inter.DER):
			t.Errorf("%s: wrong body", tc.url)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.url, err, tc.wantErr)
		}
	}
}

func TestParseIssuerCerts(t *testing.T) {
	p := sharedPKI(t)
	two := append(append([]byte{}, p.inter.DER...), p.root.DER...)
	pemTwo := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.inter.DER}),
		pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: pkcs7(p.root.DER)})...)
	for name, tc := range map[string]struct {
		in   []byte
		want int
	}{
		"DER":          {p.inter.DER, 1},
		"PKCS#7":       {pkcs7(p.inter.DER, p.root.DER), 2},
		"empty PKCS#7": {pkcs7(), 0},
		"DER sequence": {two, 2},
		"PEM":          {pemTwo, 2},
		"garbage":      {[]byte("hello"), 0},
		"empty":        {nil, 0},
	} {
		certs, err := ParseIssuerCerts(tc.in)
		if len(certs) != tc.want || (tc.want == 0) != (err != nil) {
			t.Errorf("%s: %d certs, %v; want %d", name, len(certs), err, tc.want)
		}
	}
}

// FuzzParsePKCS7Certs checks the hand-written PKCS#7 reader: no panic, and
// every certificate it returns is a DER SEQUENCE element of the input.
func FuzzParsePKCS7Certs(f *testing.F) {
	p := sharedPKI(f)
	f.Add(pkcs7(p.inter.DER))
	f.Add(pkcs7())
	f.Add(pkcs7([]byte{0x30, 0x00}, []byte{0xa1, 0x00}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ders, err := ParsePKCS7Certs(b)
		if err != nil {
			return
		}
		for _, d := range ders {
			if len(d) < 2 || d[0] != 0x30 || !strings.Contains(string(b), string(d)) {
				t.Fatalf("bad element %x", d)
			}
		}
		_, _ = ParseIssuerCerts(b)
	})
}
