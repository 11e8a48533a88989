package report

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"padlock/assess"
	"padlock/grade"
	"padlock/pki"
	"padlock/store"
	"padlock/vuln"
	"padlock/web"
)

// The fixture: two scans of a small fleet modelled on the 2016 study,
// with hand-built assessments covering every band and flag:
//
//	scan 1 (July)                 scan 2 (September)
//	CNC              A+           A+
//	Dorset           A            A        (stored as a bare assess.Host)
//	Bedfordshire     B            A-       improved
//	City of London   B            B
//	Metropolitan     C            C
//	Cheshire         C            F        deteriorated: + POODLE against TLS, + SSL 3.0 supported
//	Essex            A            T        deteriorated: + certificate expired
//	Lancashire       M            M
//	College          U            U
//	Sussex           U            U*       deteriorated: + personal data over plain text
//	NPAS             A            (none)   inconclusive: DNS lookup failed
//	ActionFraud      -            A        new
//	Old Site         C            -        gone

var (
	scan1Start = time.Date(2016, 7, 14, 9, 0, 0, 0, time.UTC)
	scan1End   = time.Date(2016, 7, 14, 11, 30, 0, 0, time.UTC)
	scan2Start = time.Date(2016, 9, 20, 9, 0, 0, 0, time.UTC)
	scan2End   = time.Date(2016, 9, 20, 10, 45, 0, 0, time.UTC)
)

// fx describes one target's assessment in one scan.
type fx struct {
	org, url, group string
	grade           string // "" inconclusive
	star            bool
	sbd             *bool
	findings        []grade.Finding
	bare            bool // store a bare assess.Host rather than fleet's wrapper
	drown           bool
	hsts            int64 // HSTS max-age; -1 absent
	inconclusive    string

	// hostile strings for the XSS test
	title, formLabel, certSubject, formAction, hostile string
}

func bp(b bool) *bool { return &b }

func finding(rule grade.RuleID, effect grade.Effect, reason, evidence string) grade.Finding {
	spec, _ := grade.RuleByID(rule)
	return grade.Finding{
		Rule: rule, Effect: effect, Title: spec.Title, Reason: reason, Since: spec.Since,
		Evidence: grade.Evidence{Text: evidence},
		Remedy:   grade.RemedyFor(rule),
	}
}

var (
	fB5     = finding(grade.RuleB5, grade.EffectCapB, "TLS 1.0 and TLS 1.1 are supported: grade capped at B", "TLS 1.0 and TLS 1.1 accepted")
	fB6     = finding(grade.RuleB6, grade.EffectWarning, "TLS 1.3 is not supported: A-", "no TLS 1.3 ServerHello")
	fF4     = finding(grade.RuleF4, grade.EffectNoAPlus, "no Strict-Transport-Security header: no A+", "HTTPS response without the header")
	fB4     = finding(grade.RuleB4, grade.EffectCapC, "neither TLS 1.2 nor TLS 1.3: grade capped at C", "best protocol TLS 1.0")
	fB2     = finding(grade.RuleB2, grade.EffectCapB, "SSL 3.0 is supported: grade capped at B", "SSLv3 ServerHello")
	fE4     = finding(grade.RuleE4, grade.EffectF, "vulnerable to POODLE against TLS: F", "bad padding accepted at TLS 1.0")
	fA4     = finding(grade.RuleA4, grade.EffectT, "the certificate expired on 2016-08-01: T", "notAfter 2016-08-01")
	fA1     = finding(grade.RuleA1, grade.EffectM, "the certificate is for another name: M", "subjectAltName www.other.example")
	fU      = finding(grade.RuleU, grade.EffectU, "no TLS handshake completes on port 443: U", "connection refused")
	fScoreC = grade.Finding{Rule: grade.RuleScore, Effect: grade.EffectScore, Title: "Numeric score", Reason: "the numeric score 62.5 gives C"}
)

func scan1() []fx {
	return []fx{
		{org: "Civil Nuclear Constabulary (CNC)", url: "https://www.cnc.example/", group: "national", grade: "A+", sbd: bp(true), hsts: 31536000},
		{org: "Dorset Police", url: "https://www.dorset.example/", group: "territorial", grade: "A", sbd: bp(true), findings: []grade.Finding{fF4}, hsts: -1},
		{org: "Bedfordshire Police", url: "https://www.beds.example/", group: "territorial", grade: "B", sbd: bp(true), findings: []grade.Finding{fB5, fF4}, hsts: -1},
		{org: "City of London Police", url: "https://www.city.example/", group: "territorial", grade: "B", sbd: bp(false), findings: []grade.Finding{fB5, fF4}, hsts: -1},
		{org: "Metropolitan Police", url: "https://www.met.example/", group: "territorial", grade: "C", sbd: bp(true), findings: []grade.Finding{fB4, fF4}, hsts: -1},
		{org: "Cheshire Constabulary", url: "https://www.cheshire.example/", group: "territorial", grade: "C", sbd: bp(true), findings: []grade.Finding{fB4, fF4}, hsts: -1},
		{org: "Essex Police", url: "https://www.essex.example/", group: "territorial", grade: "A", sbd: bp(true), findings: []grade.Finding{fF4}, hsts: -1},
		{org: "Lancashire Constabulary", url: "https://www.lancs.example/", group: "territorial", grade: "M", sbd: bp(true), findings: []grade.Finding{fA1, fF4}, hsts: -1},
		{org: "College of Policing", url: "https://www.college.example/", group: "national", grade: "U", sbd: bp(false), findings: []grade.Finding{fU}},
		{org: "Sussex Police", url: "https://www.sussex.example/", group: "territorial", grade: "U", sbd: bp(false), findings: []grade.Finding{fU}},
		{org: "National Police Air Service", url: "https://www.npas.example/", group: "national", grade: "A", sbd: bp(true), findings: []grade.Finding{fF4}, hsts: -1},
		{org: "Old Site Police", url: "https://www.old.example/", group: "territorial", grade: "C", sbd: bp(true), findings: []grade.Finding{fScoreC, fF4}, hsts: -1},
	}
}

func scan2() []fx {
	return []fx{
		{org: "Civil Nuclear Constabulary (CNC)", url: "https://www.cnc.example/", group: "national", grade: "A+", sbd: bp(true), hsts: 31536000},
		{org: "Dorset Police", url: "https://www.dorset.example/", group: "territorial", grade: "A", sbd: bp(true), findings: []grade.Finding{fF4}, hsts: -1, bare: true},
		{org: "Bedfordshire Police", url: "https://www.beds.example/", group: "territorial", grade: "A-", sbd: bp(true), findings: []grade.Finding{fB6, fF4}, hsts: -1},
		{org: "City of London Police", url: "https://www.city.example/", group: "territorial", grade: "B", sbd: bp(false), findings: []grade.Finding{fB5, fF4}, hsts: -1},
		{org: "Metropolitan Police", url: "https://www.met.example/", group: "territorial", grade: "C", sbd: bp(true), findings: []grade.Finding{fB4, fF4}, hsts: -1},
		{org: "Cheshire Constabulary", url: "https://www.cheshire.example/", group: "territorial", grade: "F", sbd: bp(true), findings: []grade.Finding{fB2, fB4, fE4, fF4}, hsts: -1, drown: true},
		{org: "Essex Police", url: "https://www.essex.example/", group: "territorial", grade: "T", sbd: bp(true), findings: []grade.Finding{fA4, fF4}, hsts: -1},
		{org: "Lancashire Constabulary", url: "https://www.lancs.example/", group: "territorial", grade: "M", sbd: bp(true), findings: []grade.Finding{fA1, fF4}, hsts: -1},
		{org: "College of Policing", url: "https://www.college.example/", group: "national", grade: "U", sbd: bp(false), findings: []grade.Finding{fU}},
		{org: "Sussex Police", url: "https://www.sussex.example/", group: "territorial", grade: "U", star: true, sbd: bp(false), findings: []grade.Finding{fU}},
		{org: "National Police Air Service", url: "https://www.npas.example/", group: "national", inconclusive: assess.MsgResolveFailed},
		{org: "ActionFraud", url: "https://www.actionfraud.example/", group: "national", grade: "A", sbd: bp(true), findings: []grade.Finding{fF4}, hsts: -1},
	}
}

// newStore makes a store holding the two scans.
func newStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	addScan(t, st, "July survey", scan1Start, scan1End, scan1())
	addScan(t, st, "September survey", scan2Start, scan2End, scan2())
	return st
}

func addScan(t *testing.T, st store.Store, name string, start, end time.Time, sites []fx) store.ScanID {
	t.Helper()
	ctx := context.Background()
	targets := make([]store.Target, len(sites))
	for i, s := range sites {
		targets[i] = store.Target{Organisation: s.org, URL: s.url, Group: s.group, Line: i + 2}
	}
	id, err := st.CreateScan(ctx, store.Scan{Name: name, TargetsFile: "police.csv", Started: start}, targets)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sites {
		h := hostFor(s, i, end)
		var raw []byte
		if s.bare {
			raw, err = json.Marshal(h)
		} else {
			wrap := map[string]any{"schema": "padlock.fleet/1", "target": map[string]any{"organisation": s.org, "url": s.url}, "host": h, "attempts": 1}
			if s.drown {
				wrap["padlockDrown"] = []DROWN{{Endpoint: "192.0.2.6:443", Via: []string{"legacy.cheshire.example:443 (192.0.2.99)"}}}
			}
			raw, err = json.Marshal(wrap)
		}
		if err != nil {
			t.Fatal(err)
		}
		a := store.Assessment{
			ScanID: id, TargetID: targets[i].ID, Finished: end.Add(-time.Duration(len(sites)-i) * time.Minute),
			Grade: s.grade, Star: s.star, SecureByDefault: s.sbd, Inconclusive: s.inconclusive,
			Criteria: assess.CriteriaVersion, Result: raw, Endpoints: len(h.Endpoints),
		}
		if s.grade != "" && s.grade != "U" {
			a.Protocols = "TLS 1.2,TLS 1.3"
			a.BestProtocol = "TLS 1.3"
			if s.grade == "B" || s.grade == "F" {
				a.Protocols = "TLS 1.0,TLS 1.1,TLS 1.2"
			}
		}
		if h.PadlockWeb != nil {
			a.HSTS = h.PadlockWeb.HSTSPolicy.Status
		}
		if err := st.SaveAssessment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetScanStatus(ctx, id, store.StatusFinished, end); err != nil {
		t.Fatal(err)
	}
	return id
}

// hostFor builds the assess.Host a scan would have stored.
func hostFor(s fx, i int, when time.Time) *assess.Host {
	hostName := store.SiteKey(s.url)
	h := &assess.Host{
		Host: hostName, Port: 443, Protocol: "http", Status: assess.StatusReady,
		StartTime: when.Add(-time.Minute).UnixMilli(), TestTime: when.UnixMilli(),
		EngineVersion: "padlock-test", CriteriaVersion: assess.CriteriaVersion, PadlockSchema: assess.Schema,
		Endpoints: []assess.Endpoint{}, Certs: []assess.Cert{},
	}
	if s.inconclusive != "" {
		h.Status, h.StatusMessage = assess.StatusError, s.inconclusive
		h.PadlockSite = assess.Site{Inconclusive: s.inconclusive}
		return h
	}
	ip := fmt.Sprintf("192.0.2.%d", i+1)
	ep := assess.Endpoint{IPAddress: ip, StatusMessage: assess.MsgReady, Grade: s.grade, GradeTrustIgnored: s.grade, Progress: 100}
	r := &grade.Result{Criteria: assess.CriteriaVersion, Grade: s.grade, GradeTrustIgnored: s.grade, Findings: s.findings}
	switch s.grade {
	case "U":
		ep.StatusMessage, ep.PadlockFailure = assess.MsgUnreachable, assess.FailUnreachable
	case "T", "M":
		ep.GradeTrustIgnored, r.GradeTrustIgnored = "A", "A"
	}
	if s.grade != "U" {
		r.Scores = grade.Scores{Protocol: 100, KeyExchange: 90, Cipher: 90, Total: 93, Letter: "A",
			ProtocolBasis: "best TLS 1.3 (100), worst TLS 1.2 (100)", KeyExchangeBasis: "RSA 2048-bit key (90)", CipherBasis: "strongest 256 bits (100), weakest 128 bits (80)"}
		subject := "CN=" + hostName
		if s.certSubject != "" {
			subject = s.certSubject
		}
		leaf := pki.Cert{ID: fmt.Sprintf("%064x", i+1), Subject: subject, IssuerSubject: "CN=Example Issuing CA, O=Example Trust", SigAlg: "SHA256withRSA",
			NotBefore: when.AddDate(0, -2, 0).UnixMilli(), NotAfter: when.AddDate(0, 10, 0).UnixMilli(), DaysLeft: 300,
			KeyAlg: "RSA", KeySize: 2048, KeyStrength: 2048, AltNames: []string{hostName}, SHA256Hash: fmt.Sprintf("%064x", i+1), Source: pki.SourceSent}
		if s.grade == "T" {
			leaf.NotAfter, leaf.DaysLeft = when.AddDate(0, -1, 0).UnixMilli(), -50
			leaf.IssueNames = []string{"expired"}
		}
		inter := pki.Cert{ID: fmt.Sprintf("%064x", 1000), Subject: "CN=Example Issuing CA, O=Example Trust", IssuerSubject: "CN=Example Root", SigAlg: "SHA256withRSA",
			NotBefore: when.AddDate(-2, 0, 0).UnixMilli(), NotAfter: when.AddDate(5, 0, 0).UnixMilli(), DaysLeft: 1800,
			KeyAlg: "RSA", KeySize: 4096, KeyStrength: 4096, SHA256Hash: fmt.Sprintf("%064x", 1000), Source: pki.SourceSent, IsCA: true}
		h.Certs = []assess.Cert{leaf, inter}
		protos := []assess.Protocol{{ID: 771, Name: "TLS", Version: "1.2"}, {ID: 772, Name: "TLS", Version: "1.3"}}
		if s.grade == "B" || s.grade == "F" {
			protos = []assess.Protocol{{ID: 769, Name: "TLS", Version: "1.0"}, {ID: 770, Name: "TLS", Version: "1.1"}, {ID: 771, Name: "TLS", Version: "1.2"}}
		}
		var tests []assess.ProtocolTest
		for _, id := range []int{768, 769, 770, 771, 772} {
			sup := false
			for _, p := range protos {
				sup = sup || p.ID == id
			}
			tests = append(tests, assess.ProtocolTest{Protocol: id, Supported: sup})
		}
		var suites []assess.ProtocolSuites
		for _, p := range protos {
			ps := assess.ProtocolSuites{Protocol: p.ID, Preference: bp(true)}
			if p.ID == 772 {
				ps.List = []assess.Suite{{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "ECDH", KxStrength: 3072, NamedGroupName: "x25519", NamedGroupBits: 253}}
			} else {
				ps.List = []assess.Suite{
					{ID: 0xc02f, Name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "ECDH", KxStrength: 3072, NamedGroupName: "x25519"},
					{ID: 0x002f, Name: "TLS_RSA_WITH_AES_128_CBC_SHA", CipherStrength: 128, KxType: "RSA", KxStrength: 2048},
				}
			}
			suites = append(suites, ps)
		}
		ep.Details = &assess.EndpointDetails{
			Protocols: protos, Suites: suites, PadlockProtocolTests: tests,
			CertChains:     []assess.CertChain{{ID: "chain", CertIDs: []string{leaf.ID, inter.ID}, Trusted: s.grade != "T", NameMatch: s.grade != "M", Protocol: 0x0304, SNI: hostName}},
			ForwardSecrecy: 1, SupportsAEAD: true, SupportsCBC: true, RenegSupport: 2,
		}
	}
	if s.drown && ep.Details != nil {
		// The vulnerability checks' fields, as assess stores them.
		ep.Details.Report = &vuln.Report{
			OpenSSLCCS: 1, PoodleTLS: 2, Bleichenbacher: 3, Ticketbleed: 1, ZeroRTTEnabled: -1,
			PadlockFindings: []vuln.Finding{{Check: vuln.CheckROBOT, Name: "ROBOT", State: vuln.Vulnerable, Severity: vuln.SeverityExploitable,
				Variant: vuln.VariantStrongOracle, Reason: "the server answers differently to each malformed padding",
				Evidence: []vuln.Evidence{{Label: "reaction to 0x00 0x02 … wrong", Value: "alert bad_record_mac (20)"}}}},
		}
	}
	ep.PadlockGrade = r
	h.Endpoints = []assess.Endpoint{ep}
	h.PadlockSite = assess.Site{Grade: s.grade, Star: s.star, SecureByDefault: s.sbd, Display: s.grade}
	if s.star {
		h.PadlockSite.Display += "*"
	}

	w := &web.Result{Host: hostName, HTTPPort: 80, HTTPSPort: 443, Pages: []web.Page{}, Forms: []web.Form{}, HTTPRedirects: []web.Hop{}, HTTPSRedirects: []web.Hop{}}
	if s.sbd != nil {
		w.SecureByDefault = *s.sbd
	}
	if w.SecureByDefault {
		w.SecureByDefaultReason = web.ReasonRedirectsToHTTPS
		w.HTTPRedirects = []web.Hop{{URL: "http://" + hostName + "/", Status: 301, Location: "https://" + hostName + "/"}, {URL: "https://" + hostName + "/", Secure: true, Status: 200}}
	} else {
		w.SecureByDefaultReason = web.ReasonNoRedirect
		w.HTTPRedirects = []web.Hop{{URL: "http://" + hostName + "/", Status: 200}}
	}
	switch {
	case s.grade == "U":
		w.HSTSPolicy = web.HSTSPolicy{LongMaxAge: web.LongMaxAge, Status: web.HSTSUnknown, Error: "HTTPS did not answer"}
	case s.hsts > 0:
		w.HSTSPolicy = web.HSTSPolicy{LongMaxAge: web.LongMaxAge, Status: web.HSTSPresent, MaxAge: s.hsts, Header: fmt.Sprintf("max-age=%d", s.hsts)}
	default:
		w.HSTSPolicy = web.HSTSPolicy{LongMaxAge: web.LongMaxAge, Status: web.HSTSAbsent}
	}
	title := s.org + " home"
	if s.title != "" {
		title = s.title
	}
	scheme := "https"
	if s.grade == "U" {
		scheme = "http"
	}
	home := scheme + "://" + hostName + "/"
	w.Pages = append(w.Pages, web.Page{URL: home, Scheme: scheme, Status: 200, Title: title, Found: "home", Forms: 1})
	label := "Your name"
	if s.formLabel != "" {
		label = s.formLabel
	}
	action := home + "contact"
	if s.formAction != "" {
		action = s.formAction
	}
	form := web.Form{PageURL: home + "contact", Action: action, Method: "POST", Kind: web.FormPersonalData, Severity: web.SeverityMedium, PersonalData: true,
		Categories: []web.Category{web.CategoryName, web.CategoryEmail}, PageOverHTTP: scheme == "http",
		Fields: []web.Field{{Tag: "input", Type: "text", Name: "name", Label: label, Category: web.CategoryName, Reason: `label "` + label + `"`}, {Tag: "input", Type: "email", Name: "email", Label: "Email", Category: web.CategoryEmail, Reason: "input type=email"}}}
	w.Forms = append(w.Forms, form)
	if s.star {
		w.PersonalDataOverPlainText = true
		w.Evidence = []web.Evidence{{Kind: web.EvidencePlainHTTPPage, PageURL: form.PageURL, ActionURL: form.Action, Method: "POST", Severity: web.SeverityMedium,
			Categories: form.Categories, Summary: "Plain-HTTP form at " + form.PageURL + " collects: name, email address"}}
	}
	if s.hostile != "" {
		x := s.hostile
		w.Errors = append(w.Errors, x)
		w.HTTPRedirects = append(w.HTTPRedirects, web.Hop{URL: "http://" + hostName + "/" + x, Status: 302, Location: "javascript:alert(1)", Error: x})
		w.MixedContent = []web.MixedContent{{PageURL: home, Kind: "script", URL: "javascript:alert(1)"}}
		w.HSTSPolicy.Header = x
		w.Evidence = append(w.Evidence, web.Evidence{Kind: web.EvidenceHTTPAction, PageURL: "javascript:alert(1)", ActionURL: "javascript:alert(1)", Summary: x})
		w.Pages = append(w.Pages, web.Page{URL: "javascript:alert(1)", Scheme: "http", Title: x, Error: x})
		for i := range h.Endpoints {
			ep := &h.Endpoints[i]
			if ep.Details != nil {
				ep.Details.PadlockErrors = []string{x}
				ep.Details.Suites[0].List[0].Name = x
			}
			if ep.PadlockGrade != nil {
				for j := range ep.PadlockGrade.Findings {
					ep.PadlockGrade.Findings[j].Evidence.Detail = x
					ep.PadlockGrade.Findings[j].Evidence.Certificate = x
				}
				ep.PadlockGrade.Caveats = []string{x}
			}
		}
		for i := range h.Certs {
			h.Certs[i].AltNames = append(h.Certs[i].AltNames, x)
			h.Certs[i].IssuerSubject = x
		}
	}
	h.PadlockWeb = w
	if ep.Details != nil {
		hsts := w.HSTSPolicy
		h.Endpoints[0].Details.HSTSPolicy = &hsts
	}
	return h
}
