package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"padlock/assess"
	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
	"padlock/web"
)

// The site page's view of one endpoint: everything the template shows,
// worked out here so that the template only lays it out.
type endpointView struct {
	Anchor            string
	IP                string
	Status            string
	Failure           string
	Ready             bool
	Grade             string
	GradeTrustIgnored string
	TLSGrade          string
	Result            *grade.Result
	Scores            []scoreBar
	Protocols         []protocolRow
	Suites            []suiteTable
	Groups            []groupRow
	GroupsNote        string
	Chains            []chainView
	Features          []featureRow
	Vulns             []VulnRow
	VulnFindings      []VulnFinding
	Sims              []simRow
	Errors            []string
}

type scoreBar struct {
	Name  string
	Score float64
	Basis string
}

// Width is the bar's length out of 100, for the SVG.
func (b scoreBar) Width() string { return num(clamp(b.Score, 0, 100)) }

type protocolRow struct {
	Name, Answer, Note, Class string
}

type suiteTable struct {
	Protocol   string
	Order      string
	Rows       []suiteRow
	Incomplete string
}

type suiteRow struct {
	Name, OpenSSL string
	Bits          int
	Kx            string
	Notes         string
	Class         string
}

type groupRow struct {
	Name, Type string
	Bits       int
}

type chainView struct {
	N          int
	Protocol   string
	SNI        string
	NoSNI      bool
	Trusted    bool
	TrustError string
	NameMatch  bool
	Issues     []string
	OCSP       string
	Certs      []certView
}

type certView struct {
	Role      string
	Subject   string
	Issuer    string
	NotBefore string
	NotAfter  string
	DaysLeft  int
	Expired   bool
	Key       string
	SigAlg    string
	Names     []string
	MoreNames int
	Issues    []string
	Source    string
	SHA256    string
	Missing   bool
}

type featureRow struct {
	Name, Value, Class string
}

type simRow struct {
	Client, Result, Class string
}

// endpointViews builds the site page's view of every endpoint.
func endpointViews(s *Site) []endpointView {
	h := s.Host
	if h == nil {
		return nil
	}
	raw := map[int]rawEndpoint{}
	for i, e := range s.endpoints {
		raw[i] = e
	}
	out := make([]endpointView, 0, len(h.Endpoints))
	for i := range h.Endpoints {
		ep := &h.Endpoints[i]
		v := endpointView{
			Anchor:            "endpoint-" + strconv.Itoa(i+1),
			IP:                ep.IPAddress,
			Status:            ep.StatusMessage,
			Failure:           ep.PadlockFailure,
			Ready:             ep.Ready(),
			Grade:             ep.Grade,
			GradeTrustIgnored: ep.GradeTrustIgnored,
			Result:            ep.PadlockGrade,
		}
		if r := ep.PadlockGrade; r != nil {
			v.TLSGrade = r.TLSGrade
		}
		if r := ep.PadlockGrade; r != nil && r.Scores.Letter != "" {
			// Scores only mean something when a handshake completed.
			v.Scores = []scoreBar{
				{"Protocol support", r.Scores.Protocol, r.Scores.ProtocolBasis},
				{"Key exchange", r.Scores.KeyExchange, r.Scores.KeyExchangeBasis},
				{"Cipher strength", r.Scores.Cipher, r.Scores.CipherBasis},
			}
		}
		if d := ep.Details; d != nil {
			v.Protocols = protocolRows(d)
			v.Suites = suiteTables(d)
			v.Groups, v.GroupsNote = groupRows(d)
			v.Chains = chainViews(h, d)
			v.Features = features(d)
			v.Sims = simRows(d)
			v.Errors = d.PadlockErrors
		}
		if e, ok := raw[i]; ok && e.ip == ep.IPAddress {
			v.Vulns = vulnRows(e.details)
			v.VulnFindings = vulnFindings(e.details)
		}
		out = append(out, v)
	}
	return out
}

func protocolRows(d *assess.EndpointDetails) []protocolRow {
	var rows []protocolRow
	if len(d.PadlockProtocolTests) > 0 {
		tests := append([]assess.ProtocolTest(nil), d.PadlockProtocolTests...)
		// Newest first: what clients get.
		sort.SliceStable(tests, func(i, j int) bool { return tests[i].Protocol > tests[j].Protocol })
		for _, t := range tests {
			p := assess.ProtocolFromID(t.Protocol)
			r := protocolRow{Name: p.String()}
			switch {
			case t.Supported:
				r.Answer = "yes"
				v := assess.ProtocolVerdict(p)
				r.Class, r.Note = levelClass(v.Level), v.String()
			case t.Inconclusive != "":
				r.Answer, r.Class, r.Note = "inconclusive", verdictUnknown, t.Inconclusive
			default:
				r.Answer = "no"
				if t.Negotiated != 0 {
					r.Note = "the server answered with " + assess.ProtocolFromID(t.Negotiated).String()
				}
				if p == registry.TLS13 {
					r.Class = verdictBad
					r.Note = strings.TrimPrefix(r.Note+"; TLS 1.3 is recommended", "; ")
				}
			}
			rows = append(rows, r)
		}
		return rows
	}
	for i := len(d.Protocols) - 1; i >= 0; i-- {
		p := assess.ProtocolFromID(d.Protocols[i].ID)
		r := protocolRow{Name: p.String(), Answer: "yes"}
		v := assess.ProtocolVerdict(p)
		r.Class, r.Note = levelClass(v.Level), v.String()
		rows = append(rows, r)
	}
	return rows
}

// levelClass is the CSS class of a verdict level (assess.Verdict): the
// row classes v-good, v-weak and v-bad.
func levelClass(l assess.Level) string {
	switch l {
	case assess.LevelInsecure:
		return verdictBad
	case assess.LevelWeak:
		return "weak"
	}
	return verdictGood
}

func suiteTables(d *assess.EndpointDetails) []suiteTable {
	var out []suiteTable
	for i := len(d.Suites) - 1; i >= 0; i-- {
		ps := d.Suites[i]
		t := suiteTable{Protocol: assess.ProtocolFromID(ps.Protocol).String(), Incomplete: ps.PadlockInconclusive}
		switch {
		case len(ps.List) < 2:
		case ps.Preference == nil:
			t.Order = "server preference unknown"
		case *ps.Preference:
			t.Order = "in the server's order of preference"
		default:
			t.Order = "the server follows the client's order"
		}
		for _, s := range ps.List {
			t.Rows = append(t.Rows, suiteRowOf(ps.Protocol, s))
		}
		out = append(out, t)
	}
	return out
}

// suiteRowOf describes one accepted suite and judges it
// (assess.SuiteVerdict), to draw the eye; package grade does the rating.
func suiteRowOf(protocol int, s assess.Suite) suiteRow {
	r := suiteRow{Name: s.Name, Bits: s.CipherStrength, Kx: kxDescription(s)}
	switch {
	case assess.ProtocolFromID(protocol) == registry.SSLv2:
		if c, ok := registry.SSLv2CipherByID(s.ID); ok {
			r.OpenSSL = c.OpenSSL
		}
	case s.ID <= 0xffff:
		if rs, ok := registry.SuiteByID(uint16(s.ID)); ok {
			r.OpenSSL = rs.OpenSSL
		}
	}
	v := assess.SuiteVerdict(protocol, s)
	r.Class, r.Notes = levelClass(v.Level), v.Note()
	return r
}

func kxDescription(s assess.Suite) string {
	switch {
	case s.KxType == "DH" && s.NamedGroupName != "":
		return fmt.Sprintf("DH %s (%d bits)", s.NamedGroupName, s.KxStrength)
	case s.KxType == "DH" && s.KxStrength > 0:
		t := fmt.Sprintf("DH %d bits", s.KxStrength)
		if s.PadlockDHGroup != "" {
			t += " (" + s.PadlockDHGroup + ")"
		}
		return t
	case s.NamedGroupName != "":
		t := s.KxType + " " + s.NamedGroupName
		if s.KxStrength > 0 {
			t += fmt.Sprintf(" (eq. %d bits RSA)", s.KxStrength)
		}
		return strings.TrimSpace(t)
	case s.KxType != "" && s.KxStrength > 0:
		return fmt.Sprintf("%s %d bits", s.KxType, s.KxStrength)
	}
	return s.KxType
}

func groupRows(d *assess.EndpointDetails) ([]groupRow, string) {
	if d.NamedGroups == nil {
		return nil, ""
	}
	var rows []groupRow
	for _, g := range d.NamedGroups.List {
		rows = append(rows, groupRow{Name: g.Name, Type: g.NamedGroupType, Bits: g.Bits})
	}
	note := ""
	switch {
	case d.NamedGroups.Preference == nil:
	case *d.NamedGroups.Preference:
		note = "in the server's order of preference"
	default:
		note = "the server follows the client's order"
	}
	if d.NamedGroups.PadlockInconclusive != "" {
		note = strings.TrimPrefix(note+"; incomplete: "+d.NamedGroups.PadlockInconclusive, "; ")
	}
	return rows, note
}

func chainViews(h *assess.Host, d *assess.EndpointDetails) []chainView {
	var out []chainView
	for i, ch := range d.CertChains {
		v := chainView{
			N:          i + 1,
			Protocol:   assess.ProtocolFromID(int(ch.Protocol)).String(),
			SNI:        ch.SNI,
			NoSNI:      ch.NoSNI,
			Trusted:    ch.Trusted,
			TrustError: ch.TrustError,
			NameMatch:  ch.NameMatch,
			Issues:     ch.IssueNames,
		}
		if ch.Protocol == 0 {
			v.Protocol = ""
		}
		if o := ch.OCSP; o != nil {
			v.OCSP = ocspText(o.RevocationStatus, o.Status, o.ErrorMessage)
		}
		for j, id := range ch.CertIDs {
			role := "intermediate"
			if j == 0 {
				role = "leaf"
			}
			c, ok := h.Cert(id)
			if !ok {
				out := certView{Role: role, SHA256: id, Missing: true}
				v.Certs = append(v.Certs, out)
				continue
			}
			if c.SelfSigned && j > 0 {
				role = "root (sent)"
			}
			v.Certs = append(v.Certs, certViewOf(c, role))
		}
		// Trust paths' extra certificates (fetched intermediates, roots).
		sent := map[string]bool{}
		for _, id := range ch.CertIDs {
			sent[id] = true
		}
		for _, tp := range ch.TrustPaths {
			for _, id := range tp.CertIDs {
				if sent[id] {
					continue
				}
				sent[id] = true
				if c, ok := h.Cert(id); ok {
					role := "from the trust store"
					if c.Source == pki.SourceAIA {
						role = "fetched (AIA)"
					}
					v.Certs = append(v.Certs, certViewOf(c, role))
				}
			}
		}
		out = append(out, v)
	}
	return out
}

func ocspText(status int, word, msg string) string {
	switch status {
	case 1:
		return "stapled OCSP response: revoked"
	case 2:
		return "stapled OCSP response: good"
	case 3:
		return strings.TrimSuffix("stapled OCSP response unusable: "+msg, ": ")
	case 4:
		return "stapled OCSP response: status unknown"
	}
	if word != "" {
		return "stapled OCSP response: " + word
	}
	return ""
}

const maxNamesShown = 12

func certViewOf(c assess.Cert, role string) certView {
	v := certView{
		Role:     role,
		Subject:  c.Subject,
		Issuer:   c.IssuerSubject,
		SigAlg:   c.SigAlg,
		DaysLeft: c.DaysLeft,
		Expired:  c.NotAfter > 0 && c.DaysLeft < 0,
		Issues:   c.IssueNames,
		Source:   c.Source,
		SHA256:   c.SHA256Hash,
	}
	if v.SHA256 == "" {
		v.SHA256 = c.ID
	}
	if c.NotBefore > 0 {
		v.NotBefore = msDate(c.NotBefore)
	}
	if c.NotAfter > 0 {
		v.NotAfter = msDate(c.NotAfter)
	}
	switch {
	case c.KeyAlg == "" && c.ParseError != "":
		v.Key = "unreadable: " + c.ParseError
	case c.KeyCurve != "":
		v.Key = fmt.Sprintf("%s %s (eq. %d bits RSA)", c.KeyAlg, c.KeyCurve, c.KeyStrength)
	case c.KeySize > 0:
		v.Key = fmt.Sprintf("%s %d bits", c.KeyAlg, c.KeySize)
	default:
		v.Key = c.KeyAlg
	}
	names := c.AltNames
	if len(names) > maxNamesShown {
		v.MoreNames = len(names) - maxNamesShown
		names = names[:maxNamesShown]
	}
	v.Names = names
	return v
}

func features(d *assess.EndpointDetails) []featureRow {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	rows := []featureRow{
		{"Forward secrecy", fsText(d.ForwardSecrecy), ""},
		{"AEAD suites", yes(d.SupportsAEAD), ""},
		{"OCSP stapling", assess.Stapling(d), ""},
		{"SNI required", yes(d.SNIRequired), ""},
		{"Session tickets", yes(d.SessionTickets&1 != 0), ""},
		{"ALPN", strings.TrimSpace(yes(d.SupportsALPN) + " " + d.ALPNProtocols), ""},
	}
	if d.ForwardSecrecy&4 != 0 {
		rows[0].Class = verdictGood
	} else if d.ForwardSecrecy == 0 {
		rows[0].Class = verdictBad
	}
	if !d.SupportsAEAD {
		rows[1].Class = verdictBad
	}
	if d.HasSCT != 0 {
		var src []string
		if d.HasSCT&1 != 0 {
			src = append(src, "certificate")
		}
		if d.HasSCT&2 != 0 {
			src = append(src, "stapled OCSP")
		}
		if d.HasSCT&4 != 0 {
			src = append(src, "TLS extension")
		}
		rows = append(rows, featureRow{"Certificate Transparency", "SCTs in " + strings.Join(src, ", "), ""})
	}
	if d.ProtocolIntolerance != 0 {
		var names []string
		for _, in := range d.PadlockIntolerance {
			names = append(names, in.Label)
		}
		v := "yes"
		if len(names) > 0 {
			v = strings.Join(names, ", ")
		}
		rows = append(rows, featureRow{"Version intolerance", v, verdictBad})
	}
	if d.PadlockRootStore != nil {
		rs := d.PadlockRootStore
		v := rs.Name
		if rs.Version != "" {
			v += " (" + rs.Module + " " + rs.Version + ")"
		}
		rows = append(rows, featureRow{"Trust store", v, ""})
	}
	return rows
}

func fsText(bits int) string {
	switch {
	case bits&4 != 0:
		return "with every suite"
	case bits&1 != 0:
		return "with some suites"
	}
	return "no"
}

func simRows(d *assess.EndpointDetails) []simRow {
	if d.Sims == nil {
		return nil
	}
	var rows []simRow
	for _, s := range d.Sims.Results {
		name := strings.TrimSpace(s.Client.Name + " " + s.Client.Version)
		if s.Client.Platform != "" {
			name += " / " + s.Client.Platform
		}
		r := simRow{Client: name}
		switch {
		case s.ErrorCode == 0:
			r.Result = assess.ProtocolFromID(s.ProtocolID).String() + " " + s.SuiteName
			if s.NamedGroupName != "" {
				r.Result += " (" + s.NamedGroupName + ")"
			}
			r.Class = verdictGood
		case s.PadlockInconclusive:
			r.Result, r.Class = "inconclusive: "+s.ErrorMessage, verdictUnknown
		default:
			r.Result, r.Class = strings.TrimSuffix("handshake failed: "+s.ErrorMessage, ": "), verdictBad
		}
		rows = append(rows, r)
	}
	return rows
}

// hostProtocols lists the protocols any endpoint supports, oldest first.
func hostProtocols(h *assess.Host) []string {
	ids := map[int]bool{}
	for _, ep := range h.Endpoints {
		if ep.Details == nil {
			continue
		}
		for _, p := range ep.Details.Protocols {
			ids[p.ID] = true
		}
	}
	var list []int
	for id := range ids {
		list = append(list, id)
	}
	sort.Ints(list)
	out := make([]string, len(list))
	for i, id := range list {
		out[i] = assess.ProtocolFromID(id).String()
	}
	return out
}

// webView is the site page's plain-HTTP section.
type webView struct {
	*web.Result
	// Forms are the forms, those asking for personal data first.
	Forms []web.Form
}

func webViewOf(h *assess.Host) *webView {
	if h == nil || h.PadlockWeb == nil {
		return nil
	}
	w := &webView{Result: h.PadlockWeb}
	w.Forms = append([]web.Form(nil), h.PadlockWeb.Forms...)
	sort.SliceStable(w.Forms, func(i, j int) bool {
		a, b := w.Forms[i], w.Forms[j]
		if a.PersonalData != b.PersonalData {
			return a.PersonalData
		}
		return a.Severity.Rank() > b.Severity.Rank()
	})
	return w
}

// SecureByDefaultText explains the secure-by-default verdict.
func (w *webView) SecureByDefaultText() string {
	switch w.SecureByDefaultReason {
	case web.ReasonRedirectsToHTTPS:
		return "yes: plain HTTP redirects to HTTPS"
	case web.ReasonNoRedirect:
		return "no: plain HTTP answers without redirecting to HTTPS"
	case web.ReasonEndsOnHTTP:
		return "no: plain HTTP redirects, but ends on plain HTTP"
	case web.ReasonOffSite:
		return "no: plain HTTP redirects to another site"
	case web.ReasonRedirectLoop:
		return "no: the redirects loop"
	case web.ReasonTooManyRedirects:
		return "no: too many redirects"
	case web.ReasonHTTPUnreachable:
		return "no answer on the plain-HTTP port"
	case web.ReasonHTTPError:
		if n := len(w.HTTPRedirects); n > 0 && w.HTTPRedirects[n-1].Error != "" {
			return "the plain-HTTP answer could not be used: " + w.HTTPRedirects[n-1].Error
		}
		return "the plain-HTTP answer could not be used"
	case web.ReasonInconclusive:
		return "could not be told (cancelled or out of time)"
	}
	if w.SecureByDefault {
		return "yes"
	}
	return "no (" + w.SecureByDefaultReason + ")"
}

// HSTSText describes the HSTS policy in words.
func (w *webView) HSTSText() string {
	p := w.HSTSPolicy
	switch p.Status {
	case web.HSTSPresent:
		t := "present, max-age " + strconv.FormatInt(p.MaxAge, 10) + " s (" + durationWords(p.MaxAge) + ")"
		if p.IncludeSubDomains {
			t += ", includeSubDomains"
		}
		if p.Preload {
			t += ", preload"
		}
		if !p.Long() {
			t += ": shorter than the 180 days A+ needs"
		}
		return t
	case web.HSTSAbsent:
		return "absent: no Strict-Transport-Security header (no A+)"
	case web.HSTSDisabled:
		return "disabled (max-age=0): a warning (A-)"
	case web.HSTSInvalid:
		return strings.TrimSuffix("invalid: "+p.Error, ": ")
	}
	return strings.TrimSuffix("unknown: "+p.Error, ": ")
}

func durationWords(sec int64) string {
	days := sec / 86400
	switch {
	case days >= 365:
		return fmt.Sprintf("%.1f years", float64(sec)/(365*86400))
	case days >= 1:
		return fmt.Sprintf("%d days", days)
	}
	return fmt.Sprintf("%d seconds", sec)
}

// msDate formats milliseconds since 1970 as a UTC date.
func msDate(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02")
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// num formats a coordinate or a score: at most one decimal, no trailing
// zero.
func num(v float64) string {
	return strconv.FormatFloat(float64(int64(v*10+sign(v)*0.5))/10, 'f', -1, 64)
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}
