package assess

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"padlock/lab/missing"
	"padlock/lab/peer"
	"padlock/pki"
)

// inNetns runs the calling test again in a new network namespace that has
// only a loopback interface (unshare -rn, then ip link set lo up), so that
// nothing it sends can leave the machine even if padlock's guard failed.
// It reports whether the caller is that inner run (and should do the
// work); the outer run waits for it and fails with its output.
func inNetns(t *testing.T) bool {
	t.Helper()
	const env = "PADLOCK_TEST_IN_NETNS"
	if os.Getenv(env) == "1" {
		return true
	}
	unshare := peer.Require(t, "unshare")
	ip := peer.Require(t, "ip")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"-rn", "sh", "-c", `"$0" link set lo up && exec "$@"`, ip,
		os.Args[0], "-test.run=^" + t.Name() + "$", "-test.count=1", "-test.v"}
	cmd := exec.CommandContext(ctx, unshare, args...)
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "unshare failed") {
			missing.Peer(t, "no network namespace here: %s", out)
		}
		t.Fatalf("in a network namespace: %v\n%s", err, out)
	}
	t.Logf("in a network namespace without routes:\n%s", out)
	return false
}

// TestAIAToPrivateAddressesInNetns: openssl s_server sends a leaf without
// its intermediate; the leaf's AIA URLs point at cloud metadata, RFC 1918,
// ULA and CGNAT addresses. With the settings check and scan use, padlock
// refuses each before connecting (the errors say "not a public address",
// not "network is unreachable", which a dial in this namespace would give)
// and judges the chain untrusted, saying why. With
// --allow-internal-fetches, a loopback AIA server completes the chain.
func TestAIAToPrivateAddressesInNetns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts openssl s_server in a network namespace")
	}
	if !inNetns(t) {
		return
	}
	inter, err := peer.RootCA(t).Intermediate("padlock assess netns AIA intermediate")
	if err != nil {
		t.Fatal(err)
	}
	private := []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/ca.der", "http://[fd00::1]/ca.der", "http://100.64.0.1/ca.der"}
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: aiaLeaf(t, inter, private...)})
	target := Target{Host: "localhost", Port: uint16(s.Port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}

	settings := DefaultSettings()
	settings.Vuln, settings.Web = false, false
	opts, err := settings.Options()
	if err != nil {
		t.Fatal(err)
	}
	opts.Probe = testProbeOptions()
	opts.PKI.ExtraRoots = testRoots(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := Assess(ctx, target, opts)
	if len(h.Endpoints) != 1 || h.Endpoints[0].Details == nil || len(h.Endpoints[0].Details.CertChains) == 0 {
		t.Fatalf("host %s %q", h.Status, h.StatusMessage)
	}
	ch := h.Endpoints[0].Details.CertChains[0]
	if ch.Trusted || len(ch.AIAFetched) != 0 || len(ch.AIAErrors) != len(private) {
		t.Errorf("chain trusted %v fetched %v errors %v", ch.Trusted, ch.AIAFetched, ch.AIAErrors)
	}
	for _, e := range ch.AIAErrors {
		if !strings.Contains(e, "not a public address") {
			t.Errorf("AIA error %q is not the guard's refusal", e)
		}
	}
	if te := strings.Join(ch.Facts.TrustErrors, "; "); !strings.Contains(te, "could not be fetched") {
		t.Errorf("trust errors %q", te)
	}

	// Allowed explicitly, a loopback AIA server completes the chain.
	var hits atomic.Int32
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(inter.DER)
	}))
	defer aia.Close()
	s2 := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: aiaLeaf(t, inter, aia.URL+"/ca.der")})
	settings.InternalFetches = true
	if opts, err = settings.Options(); err != nil {
		t.Fatal(err)
	}
	opts.Probe = testProbeOptions()
	opts.PKI.ExtraRoots = testRoots(t)
	h = Assess(ctx, Target{Host: "localhost", Port: uint16(s2.Port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, opts)
	if len(h.Endpoints) != 1 || h.Endpoints[0].Details == nil || len(h.Endpoints[0].Details.CertChains) == 0 {
		t.Fatalf("allowed: host %s %q", h.Status, h.StatusMessage)
	}
	if ch := h.Endpoints[0].Details.CertChains[0]; !ch.Trusted || ch.Issues&pki.ChainIncomplete == 0 || hits.Load() == 0 {
		t.Errorf("allowed: trusted %v issues %v errors %v, %d fetches", ch.Trusted, ch.IssueNames, ch.AIAErrors, hits.Load())
	}
}
