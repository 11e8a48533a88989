package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// oneField wraps markup in a form and returns the classification of its
// first field.
func oneField(t *testing.T, markup string) Field {
	t.Helper()
	forms := ExtractForms("https://www.example.police.uk/contact/", []byte(`<!doctype html><form method="post" action="/send">`+markup+`<button>Send</button></form>`))
	if len(forms) != 1 || len(forms[0].Fields) == 0 {
		t.Fatalf("no field found in %s: %+v", markup, forms)
	}
	return forms[0].Fields[0]
}

func TestClassifyField(t *testing.T) {
	tests := []struct {
		name   string
		markup string
		cat    Category
		reason string // substring
	}{
		// Types and autocomplete tokens.
		{"type email", `<input type="email" name="f1">`, CategoryEmail, "input type=email"},
		{"type tel", `<input type="tel" name="f1">`, CategoryPhone, "input type=tel"},
		{"type password", `<input type="password" name="f1">`, CategoryCredentials, "input type=password"},
		{"autocomplete tel", `<input name="f1" autocomplete="tel">`, CategoryPhone, "autocomplete=tel"},
		{"autocomplete with section and hint", `<input name="f1" autocomplete="section-you shipping tel-national">`, CategoryPhone, "autocomplete=tel-national"},
		{"autocomplete given-name", `<input name="f1" autocomplete="given-name">`, CategoryName, "autocomplete=given-name"},
		{"autocomplete postal-code", `<input name="f1" autocomplete="postal-code">`, CategoryPostcode, "autocomplete=postal-code"},
		{"autocomplete bday-day", `<input name="f1" autocomplete="bday-day">`, CategoryDateOfBirth, "autocomplete=bday-day"},
		{"autocomplete street-address", `<textarea name="f1" autocomplete="street-address"></textarea>`, CategoryAddress, "autocomplete=street-address"},
		{"autocomplete off falls through to name", `<input name="surname" autocomplete="off">`, CategoryName, "name=surname"},

		// Labels: for= before or after, and wrapping.
		{"label for", `<label for="x7">Your phone number</label><input id="x7" name="f1">`, CategoryPhone, `label "Your phone number"`},
		{"label after field", `<input id="x8" name="f1"><label for="x8">Postcode</label>`, CategoryPostcode, `label "Postcode"`},
		{"wrapping label", `<label>Full name <input name="f1"></label>`, CategoryName, `label "Full name"`},
		{"label beats name", `<label for="a">Email address</label><input id="a" name="address">`, CategoryEmail, "label"},
		{"label with markup", `<label for="b"><span class="req">*</span> Date of <b>birth</b></label><input id="b" name="f1">`, CategoryDateOfBirth, "label"},
		{"aria-label", `<input name="f1" aria-label="Vehicle registration number">`, CategoryVehicleReg, "aria-label"},
		{"aria-labelledby", `<h3 id="q4">National Insurance number</h3><input name="f1" aria-labelledby="q4">`, CategoryNINumber, "aria-labelledby"},
		{"placeholder", `<input name="f1" placeholder="e.g. 07700 900123 (mobile)">`, CategoryPhone, "placeholder"},
		{"title", `<input name="f1" title="Your surname">`, CategoryName, "title"},

		// Names and ids.
		{"name postcode", `<input name="postcode">`, CategoryPostcode, "name=postcode"},
		{"camelCase name", `<input name="txtFirstName">`, CategoryName, "name=txtFirstName"},
		{"compact name", `<input name="dateofbirth">`, CategoryDateOfBirth, "name=dateofbirth"},
		{"id only", `<input id="ContactForm_EmailAddress">`, CategoryEmail, "id=ContactForm_EmailAddress"},
		{"address line", `<input name="address_line_1">`, CategoryAddress, "name=address_line_1"},
		{"NI number", `<input name="nino">`, CategoryNINumber, "name=nino"},
		{"vrm", `<input name="vrm">`, CategoryVehicleReg, "name=vrm"},
		{"card", `<input name="card-number">`, CategoryPaymentCard, "name=card-number"},
		{"company name is not a name", `<input name="company_name">`, CategoryNone, ""},
		{"username is not a name", `<input name="username">`, CategoryNone, ""},

		// Context: legend, nearby text.
		{"legend for date parts", `<fieldset><legend>What is your date of birth?</legend><label for="d">Day</label><input id="d" name="f-day"></fieldset>`, CategoryDateOfBirth, "legend"},
		{"nearby text", `<p>Your email</p><input name="f1">`, CategoryEmail, "nearby text"},
		{"incident textarea", `<label for="w">Tell us what happened</label><textarea id="w" name="f1"></textarea>`, CategoryIncident, "label"},
		{"textarea under incident legend", `<fieldset><legend>About the incident</legend><textarea name="f1"></textarea></fieldset>`, CategoryIncident, "legend"},
		{"plain textarea is free text", `<textarea name="f1"></textarea>`, CategoryFreeText, "textarea"},
		{"message textarea", `<label for="m">Your message</label><textarea id="m" name="f1"></textarea>`, CategoryFreeText, "label"},
		{"one-line input under a report heading stays unknown", `<h2>Report a crime</h2><input name="f1">`, CategoryNone, ""},
		{"date of incident", `<label for="dt">When did it happen?</label><input type="date" id="dt" name="f1">`, CategoryDate, ""},
		{"date type", `<input type="date" name="f1">`, CategoryDate, "input type=date"},
		{"date of birth by type and label", `<label for="db">Date of birth</label><input type="date" id="db" name="f1">`, CategoryDateOfBirth, "label"},

		// Radios: the group's question, not each answer.
		{"contact preference radio", `<fieldset><legend>How should we contact you?</legend><label><input type="radio" name="pref" value="email"> Email</label><label><input type="radio" name="pref" value="phone"> Phone</label></fieldset>`, CategoryNone, ""},
		{"gender radio", `<fieldset><legend>Gender</legend><label><input type="radio" name="g" value="f"> Female</label></fieldset>`, CategorySpecial, "legend"},
		{"consent checkbox", `<label><input type="checkbox" name="agree"> I agree to the privacy notice and my email being used</label>`, CategoryNone, ""},

		// Welsh.
		{"Welsh name", `<label for="e">Eich enw</label><input id="e" name="f1">`, CategoryName, "label"},
		{"Welsh surname", `<label for="e">Cyfenw</label><input id="e" name="f1">`, CategoryName, "label"},
		{"Welsh email", `<label for="e">Cyfeiriad e-bost</label><input id="e" name="f1">`, CategoryEmail, "label"},
		{"Welsh phone", `<label for="e">Rhif ffôn</label><input id="e" name="f1">`, CategoryPhone, "label"},
		{"Welsh postcode", `<label for="e">Cod post</label><input id="e" name="f1">`, CategoryPostcode, "label"},
		{"Welsh address", `<label for="e">Cyfeiriad</label><input id="e" name="f1">`, CategoryAddress, "label"},
		{"Welsh date of birth", `<label for="e">Dyddiad geni</label><input id="e" name="f1">`, CategoryDateOfBirth, "label"},
		{"Welsh what happened", `<label for="e">Beth ddigwyddodd?</label><textarea id="e" name="f1"></textarea>`, CategoryIncident, "label"},
		{"Welsh password", `<label for="e">Cyfrinair</label><input id="e" name="f1">`, CategoryCredentials, "label"},

		// Search.
		{"search type", `<input type="search" name="f1">`, CategorySearch, "input type=search"},
		{"search label", `<label for="s">Search by postcode</label><input id="s" name="f1">`, CategorySearch, "label"},
		{"q", `<input name="q">`, CategorySearch, "name=q"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := oneField(t, tc.markup)
			if f.Category != tc.cat {
				t.Fatalf("category %q (reason %q), want %q", f.Category, f.Reason, tc.cat)
			}
			if !strings.Contains(f.Reason, tc.reason) {
				t.Errorf("reason %q lacks %q", f.Reason, tc.reason)
			}
		})
	}
}

func TestFormKinds(t *testing.T) {
	tests := []struct {
		name     string
		page     string
		html     string
		kind     FormKind
		severity Severity
		cats     string
	}{
		{"site search with role", "http://a.example/", `<form role="search" action="/search"><label for="q">Search this site</label><input id="q" name="q"><button>Search</button></form>`, FormSearch, SeverityNone, ""},
		{"search inside role=search div", "http://a.example/", `<div role="search"><form action="/results"><input name="terms"></form></div>`, FormSearch, SeverityNone, ""},
		{"search by action", "http://a.example/", `<form action="/search/node"><input name="keys" placeholder="Keywords"></form>`, FormSearch, SeverityNone, ""},
		{"search by button", "http://a.example/", `<form action="/x"><input name="what"><input type="submit" value="Search"></form>`, FormSearch, SeverityNone, ""},
		{"Welsh search", "http://a.example/", `<form action="/cy/canlyniadau"><label for="c">Chwilio</label><input id="c" name="c"></form>`, FormSearch, SeverityNone, ""},
		{"postcode lookup", "http://a.example/", `<form action="/your-area"><label for="pc">Enter your postcode</label><input id="pc" name="pc"><button>Go</button></form>`, FormLookup, SeverityNone, ""},
		{"newsletter", "http://a.example/", `<form action="/subscribe" method="post"><label for="n">Get our alerts</label><input type="email" id="n" name="n"><label><input type="checkbox" name="ok"> I agree</label><button>Subscribe</button></form>`, FormNewsletter, SeverityLow, "email"},
		{"login", "http://a.example/", `<form action="/login" method="post"><input name="user" autocomplete="username"><input type="password" name="pw"></form>`, FormLogin, SeverityCritical, "credentials"},
		{"contact form", "http://a.example/", `<form method="post"><label for="n">Name</label><input id="n" name="n"><label for="e">Email</label><input id="e" name="e" type="email"><label for="m">Message</label><textarea id="m" name="m"></textarea></form>`, FormPersonalData, SeverityMedium, "name,email,free-text"},
		{"crime report", "http://a.example/", `<form method="post"><input name="first_name"><input name="dob"><textarea name="what_happened"></textarea></form>`, FormPersonalData, SeverityHigh, "name,date-of-birth,incident-details"},
		{"free text only", "http://a.example/", `<form method="post"><label for="c">Was this page useful? Comments</label><textarea id="c" name="c"></textarea></form>`, FormPersonalData, SeverityLow, "free-text"},
		{"nothing personal", "http://a.example/", `<form><select name="lang"><option>English</option><option>Cymraeg</option></select><button>Change</button></form>`, FormOther, SeverityNone, ""},
		{"search role cannot hide a password", "http://a.example/", `<form role="search"><input name="q"><input type="password" name="p"></form>`, FormLogin, SeverityCritical, "search,credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forms := ExtractForms(tc.page, []byte(tc.html))
			if len(forms) != 1 {
				t.Fatalf("%d forms", len(forms))
			}
			f := forms[0]
			var cats []string
			for _, c := range f.Categories {
				cats = append(cats, string(c))
			}
			if tc.kind == FormLogin && f.Kind == FormLogin {
				// Search category does not count as personal: drop it from the
				// expectation.
				tc.cats = strings.TrimPrefix(tc.cats, "search,")
			}
			if f.Kind != tc.kind || f.Severity != tc.severity || strings.Join(cats, ",") != tc.cats {
				t.Errorf("kind %s severity %s categories %v (reason %q), want %s %s %s; fields %+v", f.Kind, f.Severity, cats, f.Reason, tc.kind, tc.severity, tc.cats, f.Fields)
			}
			if f.PersonalData != (tc.severity != SeverityNone) {
				t.Errorf("PersonalData %v", f.PersonalData)
			}
		})
	}
}

func TestFormActionsAndOwners(t *testing.T) {
	page := `<html><head><base href="https://forms.example.police.uk/v2/"></head><body>
<form id="f1" action="submit" method=POST><input type="email" name="e"></form>
<form id="f2" action="http://insecure.example.police.uk/post"><input name="name"><button formaction="http://x.example/alt">Go</button></form>
<input form="f1" name="telephone">
<input name="lonely_email" type="email">
<form action=""><input name="postcode"></form>
</body></html>`
	forms := ExtractForms("https://www.example.police.uk/page?x=1#frag", []byte(page))
	if len(forms) != 4 {
		t.Fatalf("%d forms: %+v", len(forms), forms)
	}
	if forms[0].Action != "https://forms.example.police.uk/v2/submit" || forms[0].Method != "POST" || forms[0].ActionOverHTTP {
		t.Errorf("form 0: %+v", forms[0])
	}
	if len(forms[0].Fields) != 2 || forms[0].Fields[1].Category != CategoryPhone {
		t.Errorf("form= attribute owner: %+v", forms[0].Fields)
	}
	if !forms[1].ActionOverHTTP || len(forms[1].FormActions) != 1 || forms[1].Method != "GET" {
		t.Errorf("form 1: %+v", forms[1])
	}
	if forms[2].Action != "https://www.example.police.uk/page?x=1#frag" && forms[2].Action != "https://www.example.police.uk/page?x=1" {
		t.Errorf("empty action is the page: %q", forms[2].Action)
	}
	if !forms[3].NoFormElement || forms[3].Fields[0].Category != CategoryEmail || forms[3].Action != "" {
		t.Errorf("orphan fields: %+v", forms[3])
	}
	if forms[0].PageOverHTTP {
		t.Error("https page")
	}
}

func TestExtractDocument(t *testing.T) {
	page := `<html><head><title>Contact us | Example Police</title>
<meta http-equiv="refresh" content="30; URL='/contact/new'">
<link rel="stylesheet" href="http://cdn.example/s.css"><script src="http://cdn.example/a.js"></script>
<script>var s = "<form><input type=password></form>";</script>
</head><body>
<a href="/report-a-crime">Report a <b>crime</b> online</a>
<a href="/news">News</a>
<a href="mailto:x@example.org">Email us</a>
<a href="/contact"><img alt="Contact us" src="http://img.example/c.png"></a>
<iframe src="http://forms.example/embed"></iframe>
<noscript><form><input type="password"></form></noscript>
</body></html>`
	doc := parseDocument(mustURL(t, "https://www.example.police.uk/"), []byte(page))
	if doc.title != "Contact us | Example Police" {
		t.Errorf("title %q", doc.title)
	}
	if doc.metaRefresh == nil || doc.metaRefresh.String() != "https://www.example.police.uk/contact/new" {
		t.Errorf("meta refresh %v", doc.metaRefresh)
	}
	if len(doc.forms) != 0 {
		t.Errorf("forms in script or noscript text must not count: %+v", doc.forms)
	}
	var texts []string
	for _, l := range doc.links {
		texts = append(texts, l.text)
	}
	if len(doc.links) != 4 || doc.links[0].text != "Report a crime online" || doc.links[3].text != "Contact us" {
		t.Errorf("links %q", texts)
	}
	kinds := map[string]bool{}
	for _, r := range doc.refs {
		kinds[r.kind] = true
	}
	for _, k := range []string{"stylesheet", "script", "image", "iframe"} {
		if !kinds[k] {
			t.Errorf("mixed content %s missing: %+v", k, doc.refs)
		}
	}
	if len(doc.iframes) != 1 {
		t.Errorf("iframes %v", doc.iframes)
	}
}

func TestExtractHostileMarkup(t *testing.T) {
	var b strings.Builder
	b.WriteString("<form action=/x>")
	for i := 0; i < 100000; i++ {
		b.WriteString("<div><span>")
	}
	b.WriteString(`<label for="e">Email</label><input id="e" name="e">`)
	b.WriteString(`<input name="` + strings.Repeat("A", 1<<20) + `">`)
	b.WriteString("\xff\xfe\x00<input name=\"ph\xf4ne\">")
	for i := 0; i < 100000; i++ {
		b.WriteString("</p></div>")
	}
	forms := ExtractForms("http://a.example/", []byte(b.String()))
	if len(forms) != 1 {
		t.Fatalf("%d forms", len(forms))
	}
	if forms[0].Fields[0].Category != CategoryEmail {
		t.Errorf("deep nesting: %+v", forms[0].Fields[0])
	}
	if len(forms[0].Fields[1].Name) > 200 {
		t.Errorf("huge attribute kept whole: %d bytes", len(forms[0].Fields[1].Name))
	}
	// Many forms and fields are capped.
	b.Reset()
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "<form>")
		for j := 0; j < 300; j++ {
			fmt.Fprintf(&b, `<input name="email%d">`, j)
		}
		fmt.Fprintf(&b, "</form>")
	}
	forms = ExtractForms("http://a.example/", []byte(b.String()))
	if len(forms) != maxForms || len(forms[0].Fields) != maxFields {
		t.Errorf("caps: %d forms, %d fields", len(forms), len(forms[0].Fields))
	}
}

func TestLinkScore(t *testing.T) {
	tests := []struct {
		text, path string
		min, max   int
	}{
		{"Report a crime", "/report-a-crime", 50, 100},
		{"Contact us", "/contact-us", 30, 100},
		{"Cysylltu â ni", "/cy/cysylltu", 30, 100},
		{"Rhoi gwybod am drosedd", "/cy/adrodd", 30, 100},
		{"Make a complaint", "/complaints", 30, 100},
		{"", "/apply/firearms", 1, 30},
		{"News", "/news", 0, 0},
		{"Report a crime (PDF)", "/docs/report.pdf", 0, 0},
		{"Log out", "/account/logout", 0, 0},
	}
	for _, tc := range tests {
		s := linkScore(tc.text, tc.path)
		if s < tc.min || s > tc.max {
			t.Errorf("linkScore(%q, %q) = %d, want %d..%d", tc.text, tc.path, s, tc.min, tc.max)
		}
	}
	if linkScore("Report a crime", "/report") <= linkScore("Careers", "/jobs") {
		t.Error("ranking")
	}
}

func TestNormalizeText(t *testing.T) {
	for in, want := range map[string]string{
		"txtFirstName":        " txt first name ",
		"Rhif ffôn:":          " rhif ffon ",
		"address_line_1":      " address line 1 ",
		"Tel1":                " tel 1 ",
		"  ":                  " ",
		"E-mail\xffaddress":   " e mail address ",
		"DATE OF BIRTH (DOB)": " date of birth dob ",
	} {
		if got := normalizeText(in); got != want {
			t.Errorf("normalizeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSameSite(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"example.police.uk", "www.example.police.uk", true},
		{"www.example.police.uk", "report.example.police.uk", true},
		{"example.police.uk", "other.police.uk", false},
		{"WWW.Example.org.", "example.org", true},
		{"example.org", "example.org.evil.net", false},
		{"a.github.io", "b.github.io", false},
		{"localhost", "www.localhost", true},
		{"localhost", "evil.localhost", false},
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "127.0.0.2", false},
		{"::1", "[::1]", true},
		{"", "", false},
	}
	for _, tc := range tests {
		if got := SameSite(tc.a, tc.b); got != tc.want {
			t.Errorf("SameSite(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
