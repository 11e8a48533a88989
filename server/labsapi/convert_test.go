package labsapi

import (
	"encoding/json"
	"strings"
	"testing"

	"padlock/assess"
	"padlock/grade"
	"padlock/registry"
)

func TestLabsGrade(t *testing.T) {
	for _, c := range []struct {
		name          string
		ep            assess.Endpoint
		grade, gradeT string
	}{
		{"graded", assess.Endpoint{Grade: "A+", GradeTrustIgnored: "A+"}, "A+", "A+"},
		{"trust", assess.Endpoint{Grade: "T", GradeTrustIgnored: "B"}, "T", "B"},
		{"no TLS", assess.Endpoint{Grade: "U", GradeTrustIgnored: "U", PadlockGrade: &grade.Result{Grade: "U"}}, "", ""},
		{"redirects to HTTP", assess.Endpoint{Grade: "U", GradeTrustIgnored: "U", PadlockGrade: &grade.Result{Grade: "U", TLSGrade: "A"}}, "A", "A"},
		{"inconclusive", assess.Endpoint{}, "", ""},
	} {
		g, gt := labsGrade(&c.ep)
		if g != c.grade || gt != c.gradeT {
			t.Errorf("%s: %q %q, want %q %q", c.name, g, gt, c.grade, c.gradeT)
		}
	}
	// U never reaches grade; it stays in padlockGrade.
	h := &assess.Host{Host: "plain.example", Port: 443, Status: assess.StatusReady, Endpoints: []assess.Endpoint{{IPAddress: "192.0.2.1", StatusMessage: assess.MsgNoSecureProtocol, Grade: "U"}}}
	b, _ := json.Marshal(FromHost(h, true, 0))
	if strings.Contains(string(b), `"grade":"U"`) || !strings.Contains(string(b), `"padlockGrade":"U"`) {
		t.Errorf("no-TLS endpoint: %s", b)
	}
}

func sim(client string, ref bool, suite uint16, proto registry.Protocol) assess.Sim {
	return assess.Sim{Client: assess.SimClient{ID: client, Name: client, IsReference: ref}, ProtocolID: int(proto), SuiteID: int(suite), Attempts: 1}
}

// TestForwardSecrecy: one of SSL Labs' values, from the simulations.
func TestForwardSecrecy(t *testing.T) {
	const ecdhe, rsa, tls13 = 0xc02f, 0x009c, 0x1301
	for _, c := range []struct {
		name string
		sims []assess.Sim
		want int
	}{
		{"every client FS", []assess.Sim{sim("a", true, ecdhe, registry.TLS12), sim("b", false, tls13, registry.TLS13)}, 4},
		{"modern clients FS", []assess.Sim{sim("a", true, ecdhe, registry.TLS12), sim("old", false, rsa, registry.TLS12)}, 2},
		{"some FS", []assess.Sim{sim("a", true, rsa, registry.TLS12), sim("b", false, ecdhe, registry.TLS12)}, 1},
		{"none", []assess.Sim{sim("a", true, rsa, registry.TLS12)}, 0},
		{"failures do not count", []assess.Sim{sim("a", true, ecdhe, registry.TLS12), {Client: assess.SimClient{ID: "x"}, ErrorCode: 1}}, 4},
	} {
		d := &assess.EndpointDetails{Sims: &assess.Sims{Results: c.sims}}
		sims, fs, _ := fromSims(&assess.Host{}, d, nil)
		if fs != c.want {
			t.Errorf("%s: forwardSecrecy %d, want %d", c.name, fs, c.want)
		}
		for _, s := range sims.Results {
			if s.Client.ID <= 0 || s.Client.PadlockClientID == "" {
				t.Errorf("%s: client %+v", c.name, s.Client)
			}
		}
	}
	// The id of a profile is fixed: FNV-1a of its name, 31 bits.
	if got := simClientID("chrome-137-win11"); got != 1053152770 || simClientID("a") == simClientID("b") {
		t.Errorf("client ids are not stable and distinct: %d", got)
	}
	// Without simulations, from the suites: 5 (some and all) is 4.
	if _, fs, rc4 := fromSims(&assess.Host{}, &assess.EndpointDetails{ForwardSecrecy: 5}, nil); fs != 4 || rc4 != nil {
		t.Errorf("from suites: %d %v", fs, rc4)
	}
}

func TestSuiteQ(t *testing.T) {
	q := func(p registry.Protocol, id uint32, kx string, kxs int) string {
		s := fromSuite(p, assess.Suite{ID: id, KxType: kx, KxStrength: kxs})
		if s.Q == nil {
			return "good"
		}
		return map[int]string{0: "insecure", 1: "weak"}[*s.Q]
	}
	for _, c := range []struct {
		p    registry.Protocol
		id   uint32
		kx   string
		kxs  int
		want string
	}{
		{registry.TLS13, 0x1301, "ECDH", 3072, "good"},
		{registry.TLS12, 0xc02f, "ECDH", 3072, "good"},
		{registry.TLS12, 0xc013, "ECDH", 3072, "weak"},    // CBC
		{registry.TLS12, 0x009c, "RSA", 2048, "weak"},     // no forward secrecy
		{registry.TLS12, 0x009e, "DH", 1024, "weak"},      // DH under 2048 bits
		{registry.TLS12, 0x000a, "RSA", 2048, "weak"},     // 3DES
		{registry.TLS12, 0x0005, "RSA", 2048, "insecure"}, // RC4
		{registry.TLS10, 0x0003, "RSA", 512, "insecure"},  // export
		{registry.TLS12, 0x0034, "DH", 2048, "insecure"},  // anonymous
	} {
		if got := q(c.p, c.id, c.kx, c.kxs); got != c.want {
			t.Errorf("0x%04x: %s, want %s", c.id, got, c.want)
		}
	}
	if b := groupBits(0x001d, 255); b != 256 {
		t.Errorf("x25519: %d bits", b)
	}
}

func TestFutureGradeCarried(t *testing.T) {
	for _, tc := range []struct {
		name, future string
		want         *string
	}{
		{"none", "", nil},
		{"distrust ahead", "T", ptr("T")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &assess.Host{}
			ep := &assess.Endpoint{Grade: "A", GradeTrustIgnored: "A", FutureGrade: tc.future}
			got := FromEndpoint(h, ep, false).FutureGrade
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Fatalf("futureGrade = %v, want %v", got, tc.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
