package server

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/vuln"
	"padlock/web"
)

// The objects and fields of SSL Labs' API v3 documentation
// (ssllabs-api-docs-v3.md), each with its documented JSON type, written
// from the documentation:
//
//	s string, i integer, b boolean, o object, a array, m object used as a
//	map (hstsPolicy.directives, statusDetails)
//
// A trailing "?" marks a field the documentation allows to be null; a
// leading "-" a field it allows to be absent (set only in some
// situations: "not present if ...", "available only if ...").
var documented = map[string]map[string]string{
	"Info": {"engineVersion": "s", "criteriaVersion": "s", "maxAssessments": "i", "currentAssessments": "i",
		"newAssessmentCoolOff": "i", "messages": "a"},
	"Host": {"host": "s", "port": "i", "protocol": "s", "isPublic": "b", "status": "s", "statusMessage": "-s",
		"startTime": "i", "testTime": "i", "engineVersion": "s", "criteriaVersion": "s", "cacheExpiryTime": "-i",
		"certHostnames": "-a", "endpoints": "a", "certs": "a"},
	"Endpoint": {"ipAddress": "s", "serverName": "-s", "statusMessage": "s", "statusDetails": "-s",
		"statusDetailsMessage": "-s", "grade": "-s", "gradeTrustIgnored": "-s", "futureGrade": "s?", "hasWarnings": "b",
		"isExceptional": "b", "progress": "i", "duration": "i", "eta": "i", "delegation": "i", "details": "o"},
	"EndpointDetails": {"hostStartTime": "i", "certChains": "a", "protocols": "a", "suites": "a", "noSniSuites": "-o",
		"namedGroups": "-o", "serverSignature": "-s", "prefixDelegation": "b?", "nonPrefixDelegation": "b?",
		"vulnBeast": "b?", "renegSupport": "i", "sessionResumption": "i?", "compressionMethods": "i",
		"supportsNpn": "b?", "npnProtocols": "s?", "supportsAlpn": "b", "alpnProtocols": "s", "sessionTickets": "i",
		"ocspStapling": "b", "staplingRevocationStatus": "i", "staplingRevocationErrorMessage": "-s",
		"sniRequired": "b", "httpStatusCode": "-i", "httpForwarding": "-s", "supportsRc4": "b", "rc4WithModern": "b?",
		"rc4Only": "b", "forwardSecrecy": "i", "supportsAead": "b", "supportsCBC": "b", "protocolIntolerance": "i",
		"miscIntolerance": "i?", "sims": "o", "heartbleed": "b?", "heartbeat": "b", "openSslCcs": "i",
		"openSSLLuckyMinus20": "i", "ticketbleed": "i", "bleichenbacher": "i", "zombiePoodle": "i",
		"goldenDoodle": "i", "zeroLengthPaddingOracle": "i", "sleepingPoodle": "i", "poodle": "b?", "poodleTls": "i",
		"fallbackScsv": "-b", "freak": "b?", "hasSct": "i", "dhPrimes": "-a", "dhUsesKnownPrimes": "-i",
		"dhYsReuse": "-b?", "ecdhParameterReuse": "b?", "logjam": "b?", "chaCha20Preference": "b?",
		"hstsPolicy": "o", "hstsPreloads": "a", "hpkpPolicy": "o", "hpkpRoPolicy": "o", "staticPkpPolicy": "o",
		"httpTransactions": "a", "drownHosts": "a", "drownErrors": "b", "drownVulnerable": "b?",
		"implementsTLS13MandatoryCS": "b?", "zeroRTTEnabled": "i"},
	"CertificateChain": {"id": "s", "certIds": "a", "trustPaths": "a", "issues": "i", "noSni": "b"},
	// The documentation spells "mactchedPins"; SSL Labs and its clients
	// use matchedPins.
	"TrustPath":      {"certIds": "a", "trust": "a", "isPinned": "b", "matchedPins": "i", "unmatchedPins": "i"},
	"Trust":          {"rootStore": "s", "isTrusted": "b", "trustErrorMessage": "s?"},
	"Protocol":       {"id": "i", "name": "s", "version": "s", "v2SuitesDisabled": "-b", "q": "i?"},
	"ProtocolSuites": {"protocol": "i", "list": "a", "preference": "b?", "chaCha20Preference": "b?"},
	"Suite": {"id": "i", "name": "s", "cipherStrength": "i", "kxType": "-s", "kxStrength": "i", "dhP": "-i",
		"dhG": "-i", "dhYs": "-i", "namedGroupBits": "-i", "namedGroupId": "-i", "namedGroupName": "-s", "q": "-i"},
	"NamedGroups": {"list": "a", "preference": "b?"},
	"NamedGroup":  {"id": "i", "name": "s", "bits": "i"},
	"SimDetails":  {"results": "a"},
	"Simulation": {"client": "o", "errorCode": "i", "errorMessage": "-s", "attempts": "i", "certChainId": "-s",
		"protocolId": "-i", "suiteId": "-i", "suiteName": "-s", "kxType": "-s", "kxStrength": "-i", "dhBits": "-i",
		"dhP": "-i", "dhG": "-i", "dhYs": "-i", "namedGroupBits": "-i", "namedGroupId": "-i", "namedGroupName": "-s",
		"keyAlg": "-s", "keySize": "-i", "sigAlg": "-s"},
	"SimClient": {"id": "i", "name": "s", "platform": "-s", "version": "s", "isReference": "b"},
	"HstsPolicy": {"LONG_MAX_AGE": "i", "header": "-s", "status": "s", "error": "-s", "maxAge": "-i",
		"includeSubDomains": "-b", "preload": "-b", "directives": "m"},
	"HstsPreload": {"source": "s", "hostname": "s", "status": "s", "error": "-s", "sourceTime": "i"},
	"HpkpPolicy": {"header": "-s", "status": "s", "error": "-s", "maxAge": "i", "includeSubDomains": "b",
		"reportUri": "-s", "pins": "a", "matchedPins": "a", "directives": "a"},
	"StaticPkpPolicy": {"status": "s", "error": "-s", "includeSubDomains": "b", "reportUri": "-s", "pins": "a",
		"matchedPins": "a", "forbiddenPins": "a", "matchedForbiddenPins": "a"},
	"HttpTransaction": {"requestUrl": "s", "statusCode": "i", "requestLine": "s", "requestHeaders": "a",
		"responseLine": "s", "responseHeadersRaw": "a", "responseHeaders": "a", "fragileServer": "b"},
	"DrownHost": {"ip": "s", "export": "b", "port": "i", "special": "b", "sslv2": "b", "status": "s"},
	"Cert": {"id": "s", "subject": "s", "serialNumber": "s", "commonNames": "a", "altNames": "a", "notBefore": "i",
		"notAfter": "i", "issuerSubject": "s", "sigAlg": "s", "revocationInfo": "i", "crlURIs": "a", "ocspURIs": "a",
		"revocationStatus": "i", "crlRevocationStatus": "i", "ocspRevocationStatus": "i", "dnsCaa": "b?",
		"caaPolicy": "o?", "mustStaple": "b", "sgc": "i", "validationType": "-s", "issues": "i", "sct": "b",
		"sha1Hash": "s", "sha256Hash": "s", "pinSha256": "s", "keyAlg": "s", "keySize": "i", "keyStrength": "i",
		"keyKnownDebianInsecure": "b", "raw": "s"},
	"CaaPolicy":   {"policyHostname": "s", "caaRecords": "a"},
	"CaaRecord":   {"tag": "s", "value": "s", "flags": "i"},
	"StatusCodes": {"statusDetails": "m"},
}

// children names the objects found under a field of an object.
var children = map[string]map[string]string{
	"Host":             {"endpoints": "Endpoint", "certs": "Cert"},
	"Endpoint":         {"details": "EndpointDetails"},
	"EndpointDetails":  {"certChains": "CertificateChain", "protocols": "Protocol", "suites": "ProtocolSuites", "noSniSuites": "ProtocolSuites", "namedGroups": "NamedGroups", "sims": "SimDetails", "hstsPolicy": "HstsPolicy", "hstsPreloads": "HstsPreload", "hpkpPolicy": "HpkpPolicy", "hpkpRoPolicy": "HpkpPolicy", "staticPkpPolicy": "StaticPkpPolicy", "httpTransactions": "HttpTransaction", "drownHosts": "DrownHost"},
	"CertificateChain": {"trustPaths": "TrustPath"},
	"TrustPath":        {"trust": "Trust"},
	"ProtocolSuites":   {"list": "Suite"},
	"NamedGroups":      {"list": "NamedGroup"},
	"SimDetails":       {"results": "Simulation"},
	"Simulation":       {"client": "SimClient"},
	"Cert":             {"caaPolicy": "CaaPolicy"},
	"CaaPolicy":        {"caaRecords": "CaaRecord"},
}

// fieldCheck accumulates what was seen of each documented field.
type fieldCheck struct {
	t    *testing.T
	seen map[string]bool // "Object.field" seen with its documented type, not null
	null map[string]bool // seen as null (documented nullable)
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "s"
	case bool:
		return "b"
	case float64:
		if x == float64(int64(x)) {
			return "i"
		}
		return "number"
	case []any:
		return "a"
	case map[string]any:
		return "o"
	}
	return fmt.Sprintf("%T", v)
}

// check verifies one object against the documentation and walks into its
// children.
func (fc *fieldCheck) check(path, object string, m map[string]any) {
	fc.t.Helper()
	spec := documented[object]
	for name, want := range spec {
		optional := strings.HasPrefix(want, "-")
		nullable := strings.HasSuffix(want, "?")
		kind := strings.Trim(want, "-?")
		key := object + "." + name
		v, ok := m[name]
		if !ok {
			if !optional {
				fc.t.Errorf("%s: documented field %s is missing", path, name)
			}
			continue
		}
		got := jsonKind(v)
		switch {
		case got == "null" && nullable:
			fc.null[key] = true
			continue
		case got == "null":
			fc.t.Errorf("%s.%s is null; the documentation gives type %s", path, name, kind)
			continue
		case kind == "m" && got == "o":
			for k, e := range v.(map[string]any) {
				if jsonKind(e) != "s" {
					fc.t.Errorf("%s.%s[%q] is %s, want string", path, name, k, jsonKind(e))
				}
			}
		case got != kind:
			fc.t.Errorf("%s.%s is %s (%v); the documentation gives %s", path, name, got, v, kind)
			continue
		}
		fc.seen[key] = true
		child, ok := children[object][name]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			fc.check(path+"."+name, child, x)
		case []any:
			for i, e := range x {
				o, ok := e.(map[string]any)
				if !ok {
					fc.t.Errorf("%s.%s[%d] is %s, want object", path, name, i, jsonKind(e))
					continue
				}
				fc.check(fmt.Sprintf("%s.%s[%d]", path, name, i), child, o)
			}
		}
	}
}

// TestLabsAPIDocumentedFields assesses real lab servers (nginx with
// TLS 1.0–1.3, DHE, tickets and a session cache; a Go crypto/tls server;
// a plain-HTTP server without TLS) through the SSL Labs API and checks
// every object of the answers against the documentation: every field
// present (unless documented as conditional) with its documented JSON
// type. It reports how many documented fields were seen with a value of
// the right type.
func TestLabsAPIDocumentedFields(t *testing.T) {
	if testing.Short() {
		t.Skip("assesses lab servers")
	}
	dh := peer.DHParamsFile(t, 2048)
	ngx := peer.Nginx(t, peer.NginxOptions{
		Protocols:      "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
		Ciphers:        "ECDHE+AESGCM:DHE+AESGCM:ECDHE+AES:DHE+AES:AES128-SHA:@SECLEVEL=0",
		DHParam:        dh,
		SessionTickets: true,
		ECDHCurve:      "X25519:prime256v1",
		Extra:          []string{"ssl_session_cache shared:padlocktest:1m", "add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains; preload\""},
	})
	goLab, ca := labServer(t)
	plain := plainHTTPServer(t)
	// A self-signed certificate for another name: untrusted, mismatched.
	other, err := lab.SelfSigned(lab.LeafOptions{DNSNames: []string{"other.example"}})
	if err != nil {
		t.Fatal(err)
	}
	ossl := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: other, Www: true, MaxProtocol: "TLSv1.2"})

	cfg := Config{AllowPrivate: true, Store: openStore(t), Resolver: lab.Names{"localhost": {"127.0.0.1"}},
		caaServer: startDNSMasq(t, caaRR("localhost", 0, "issue", "ca.example.test"))}
	cfg.AssessOptions.PKI.ExtraRoots = append(cfg.AssessOptions.PKI.ExtraRoots, ca.Root().Cert, ngx.CA.Root().Cert)
	cfg.AssessOptions.Probe.Timeout = 5 * time.Second
	cfg.AssessOptions.Vuln = &vuln.Options{Wait: 2 * time.Second}
	cfg.AssessOptions.Web = &web.Options{Timeout: 3 * time.Second}
	ts, _ := newTestServer(t, cfg)

	fc := &fieldCheck{t: t, seen: map[string]bool{}, null: map[string]bool{}}
	fc.check("info", "Info", do(t, "GET", ts.URL+"/api/v3/info", "", nil).json(t))
	fc.check("statusCodes", "StatusCodes", do(t, "GET", ts.URL+"/api/v3/getStatusCodes", "", nil).json(t))

	results := map[string]map[string]any{}
	for _, target := range []struct{ name, host string }{
		{"nginx", "localhost:" + fmt.Sprint(ngx.Port)},
		{"go", goLab.Addr},
		{"no-tls", plain},
		{"mismatch", "localhost:" + fmt.Sprint(ossl.Port)},
	} {
		host := url.QueryEscape(target.host)
		r := do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&startNew=on&all=done", testToken, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", target.name, r.status, r.body)
		}
		var m map[string]any
		waitFor(t, 4*time.Minute, 100*time.Millisecond, target.name+" READY", func() bool {
			m = do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&all=done", "", nil).json(t)
			return m["status"] == "READY" || m["status"] == "ERROR"
		})
		results[target.name] = m
		fc.check(target.name, "Host", m)
		for _, e := range m["endpoints"].([]any) {
			ip := e.(map[string]any)["ipAddress"].(string)
			r := do(t, "GET", ts.URL+"/api/v3/getEndpointData?host="+host+"&s="+url.QueryEscape(ip), "", nil)
			if r.status != 200 {
				t.Errorf("%s getEndpointData %s: %d %s", target.name, ip, r.status, r.body)
				continue
			}
			fc.check(target.name+" getEndpointData "+ip, "Endpoint", r.json(t))
		}
	}

	// What the measurements say, checked against the servers' setup.
	ep := func(name string) map[string]any {
		return results[name]["endpoints"].([]any)[0].(map[string]any)
	}
	nd := ep("nginx")["details"].(map[string]any)
	if nd["sessionResumption"] != 2.0 {
		t.Errorf("nginx with a session cache: sessionResumption %v, want 2", nd["sessionResumption"])
	}
	if nd["dhYsReuse"] != false || nd["ecdhParameterReuse"] != false {
		t.Errorf("nginx makes fresh keys: dhYsReuse %v ecdhParameterReuse %v", nd["dhYsReuse"], nd["ecdhParameterReuse"])
	}
	if nd["httpStatusCode"] != 200.0 || !strings.HasPrefix(fmt.Sprint(nd["serverSignature"]), "nginx") {
		t.Errorf("nginx GET /: httpStatusCode %v serverSignature %v", nd["httpStatusCode"], nd["serverSignature"])
	}
	// nginx's ALPN callback accepts http/1.1 and http/1.0 (no h2 here).
	if a := nd["alpnProtocols"]; !strings.HasPrefix(fmt.Sprint(a), "http/1.1 http/1.0") {
		t.Errorf("nginx alpnProtocols %q, want the whole list", a)
	}
	if fs := nd["forwardSecrecy"]; fs != 1.0 && fs != 2.0 && fs != 4.0 {
		t.Errorf("forwardSecrecy %v: SSL Labs sends one of 1, 2, 4", fs)
	}
	for _, s := range nd["sims"].(map[string]any)["results"].([]any) {
		if id := s.(map[string]any)["client"].(map[string]any)["id"]; jsonKind(id) != "i" {
			t.Errorf("sim client id %v", id)
		}
	}
	for _, g := range nd["namedGroups"].(map[string]any)["list"].([]any) {
		if g := g.(map[string]any); g["name"] == "x25519" && g["bits"] != 256.0 {
			t.Errorf("x25519 bits %v, want 256 as SSL Labs", g["bits"])
		}
	}
	if names := results["mismatch"]["certHostnames"]; fmt.Sprint(names) != "[other.example]" {
		t.Errorf("mismatch: certHostnames %v", names)
	}
	caa := false
	for _, c := range results["nginx"]["certs"].([]any) {
		c := c.(map[string]any)
		if c["dnsCaa"] == true {
			p := c["caaPolicy"].(map[string]any)
			caa = p["policyHostname"] == "localhost" && len(p["caaRecords"].([]any)) == 1
		}
	}
	if !caa {
		t.Error("the nginx leaf has no CAA policy from dnsmasq")
	}
	noTLS := ep("no-tls")
	if _, ok := noTLS["grade"]; ok {
		t.Errorf("no-TLS endpoint has a grade: %v", noTLS["grade"])
	}
	if g := noTLS["padlockGrade"]; noTLS["statusMessage"] == "Ready" || (g != nil && g != "U") {
		t.Errorf("no-TLS endpoint: statusMessage %v padlockGrade %v", noTLS["statusMessage"], noTLS["padlockGrade"])
	}

	// The coverage figure.
	total, good := 0, 0
	var missing []string
	for object, fields := range documented {
		for name := range fields {
			total++
			key := object + "." + name
			if fc.seen[key] {
				good++
			} else {
				missing = append(missing, key)
			}
		}
	}
	sort.Strings(missing)
	nulls := make([]string, 0, len(fc.null))
	for k := range fc.null {
		if !fc.seen[k] {
			nulls = append(nulls, k)
		}
	}
	slices.Sort(nulls)
	t.Logf("%d of %d documented fields seen with a value of the documented type", good, total)
	t.Logf("null only (not measured, documented nullable): %v", nulls)
	t.Logf("never seen (conditional, or objects these servers do not produce): %v", missing)
}

// plainHTTPServer starts a server that speaks plain HTTP only and returns
// its address.
func plainHTTPServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("plain\n"))
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
