// Package console renders assessments for a terminal.
//
// Write prints one assess.Host: a title with the target and the overall
// status, then for each endpoint a header (address, server name sent,
// status, time taken, connections opened), the protocol table from SSLv2 to
// TLS 1.3, the cipher suites of each protocol in the server's order (or the
// client's, when the server has no preference) with their key exchange and
// a quick verdict, the key-exchange groups, the handshake features, the
// certificate chains (trust, name match, chain issues, stapled OCSP, SCTs,
// then each certificate with its key, signature, validity, issues and lint
// counts; -v adds the lint findings, SCT logs, names and fingerprints) and
// whatever went wrong. The verdicts (insecure, weak) are the console's own
// rules of thumb to draw the eye; the grade is the grading package's, and
// the certificate verdicts package pki's. Every time shown is in UTC and every "days left" is
// counted from the assessment's end, so the output depends on the Host
// alone.
package console

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"padlock/assess"
	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
	"padlock/tlswire"
)

// Options choose how Write renders.
type Options struct {
	// Color turns on ANSI colours and bold; off, the output is plain text.
	Color bool
	// Verbose adds suite ids, inconclusive reasons, every extension the
	// server sent, the rules not evaluated, certificate fingerprints and
	// names, lint findings, SCT logs and AIA fetch errors, and the details
	// of trust-store roots.
	Verbose bool
}

// Write renders h for a terminal.
func Write(w io.Writer, h *assess.Host, opts Options) error {
	bw := bufio.NewWriter(w)
	r := &renderer{w: bw, p: painter{color: opts.Color}, verbose: opts.Verbose, host: h}
	r.render()
	return bw.Flush()
}

type renderer struct {
	w       *bufio.Writer
	p       painter
	verbose bool
	host    *assess.Host
}

func (r *renderer) line(format string, args ...any) {
	r.w.WriteString(safeLine(fmt.Sprintf(format, args...), r.p.color))
	r.w.WriteByte('\n')
}

func (r *renderer) lines(ls []string) {
	for _, l := range ls {
		r.w.WriteString(safeLine(l, r.p.color))
		r.w.WriteByte('\n')
	}
}

func (r *renderer) blank() { r.w.WriteByte('\n') }

func (r *renderer) section(title string, detail string) {
	r.blank()
	t := "  " + r.p.paint(bold, title)
	if detail != "" {
		t += r.p.paint(dim, " · "+detail)
	}
	r.line("%s", t)
}

func (r *renderer) render() {
	h := r.host
	if h == nil {
		r.line("%s", r.p.paint(redB, "no assessment"))
		return
	}
	target := h.Host
	if strings.Contains(target, ":") {
		target = "[" + target + "]"
	}
	title := fmt.Sprintf("%s:%d", target, h.Port)
	status := r.p.paint(green, h.Status)
	if h.Status != assess.StatusReady {
		status = r.p.paint(redB, h.Status)
	}
	head := r.p.paint(bold, title) + "  " + status
	if h.StatusMessage != "" {
		head += "  " + h.StatusMessage
	}
	r.line("%s", head)

	var meta []string
	if h.PadlockSNI != "" {
		meta = append(meta, "SNI "+h.PadlockSNI)
	} else {
		meta = append(meta, "no SNI")
	}
	if h.TestTime > 0 {
		meta = append(meta, "tested "+formatTime(h.TestTime))
		if h.StartTime > 0 && h.TestTime >= h.StartTime {
			meta = append(meta, "in "+formatDuration(h.TestTime-h.StartTime))
		}
	}
	meta = append(meta, fmt.Sprintf("%d %s", len(h.Endpoints), plural(len(h.Endpoints), "endpoint", "endpoints")))
	meta = append(meta, h.EngineVersion+", criteria "+h.CriteriaVersion)
	r.line("%s", r.p.paint(dim, strings.Join(meta, " · ")))
	r.site(h)

	for i := range h.Endpoints {
		r.endpoint(&h.Endpoints[i])
	}
	r.web(h.PadlockWeb)
}

func formatTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05 UTC")
}

func formatDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02")
}

func formatDuration(ms int64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.1f s", float64(ms)/1000)
	}
	m, s := ms/60_000, (ms%60_000)/1000
	return fmt.Sprintf("%d min %d s", m, s)
}

func (r *renderer) endpoint(ep *assess.Endpoint) {
	r.blank()
	name := ep.IPAddress
	if ep.ServerName != "" {
		name += " (" + ep.ServerName + ")"
	}
	r.line("%s", r.p.paint(bold, "── "+name+" "+repeat("─", 60-width(name))))

	status := r.p.paint(green, ep.StatusMessage)
	if !ep.Ready() {
		status = r.p.paint(redB, ep.StatusMessage)
	}
	facts := []string{status}
	if ep.Grade != "" {
		g := "grade " + ep.Grade
		if ep.GradeTrustIgnored != "" && ep.GradeTrustIgnored != ep.Grade {
			g += " (" + ep.GradeTrustIgnored + " if trust issues are ignored)"
		}
		facts = append(facts, r.p.paint(bold, g))
	}
	facts = append(facts, formatDuration(ep.Duration))
	d := ep.Details
	if d != nil {
		facts = append(facts, fmt.Sprintf("%d %s", d.PadlockConnections, plural(d.PadlockConnections, "connection", "connections")))
	}
	r.line("  %s", strings.Join(facts, " · "))
	if d == nil {
		return
	}
	r.grade(ep)
	if ep.PadlockFailure != assess.FailUnreachable {
		r.protocols(d)
		r.suites(d)
		r.groups(d)
		r.features(d)
		r.readiness(ep)
		r.vulns(d)
		r.chains(d)
	}
	r.problems(d, ep.Ready())
}

// levelStyle is the colour of a verdict level (assess.Verdict).
func levelStyle(l assess.Level) style {
	switch l {
	case assess.LevelInsecure:
		return red
	case assess.LevelWeak:
		return yellow
	}
	return green
}

func (r *renderer) protocols(d *assess.EndpointDetails) {
	if len(d.PadlockProtocolTests) == 0 {
		return
	}
	r.section("Protocols", "")
	rows := [][]cell{}
	for _, t := range d.PadlockProtocolTests {
		p := assess.ProtocolFromID(t.Protocol)
		row := []cell{c(p.String())}
		switch {
		case t.Supported:
			v := assess.ProtocolVerdict(p)
			st := levelStyle(v.Level)
			row = append(row, cs(st, "yes"), cs(st, v.String()))
		case t.Inconclusive != "":
			note := ""
			if r.verbose {
				note = t.Inconclusive
			}
			row = append(row, cs(yellow, "inconclusive"), cs(dim, note))
		default:
			note := ""
			if t.Negotiated != 0 {
				note = "server answered with " + assess.ProtocolFromID(t.Negotiated).String()
			}
			st := plain
			if p == registry.TLS13 {
				note = strings.TrimPrefix(note+"; ", "; ") + "TLS 1.3 recommended"
				st = yellow
			}
			row = append(row, cs(st, "no"), cs(dim, note))
		}
		rows = append(rows, row)
	}
	r.lines(r.p.table("    ", rows))
}

func (r *renderer) suites(d *assess.EndpointDetails) {
	// Newest protocol first: that is what clients get.
	for i := len(d.Suites) - 1; i >= 0; i-- {
		ps := d.Suites[i]
		order := "server order unknown"
		switch {
		case ps.Preference != nil && *ps.Preference:
			order = "server order"
		case ps.Preference != nil:
			order = "client order (the server has no preference)"
		case len(ps.List) < 2:
			order = ""
		}
		r.section("Cipher suites, "+assess.ProtocolFromID(ps.Protocol).String(), order)
		rows := [][]cell{}
		head := []cell{cs(dim, "IANA name"), cs(dim, "OpenSSL name"), cs(dim, "bits"), cs(dim, "key exchange"), cs(dim, "")}
		if r.verbose {
			head = append([]cell{cs(dim, "id")}, head...)
		}
		rows = append(rows, head)
		for _, s := range ps.List {
			in := lookupSuite(ps.Protocol, s)
			v := assess.SuiteVerdict(ps.Protocol, s)
			st := plain
			if v.Level != assess.LevelGood || in.fs && in.aead {
				st = levelStyle(v.Level)
			}
			flags := v.Note()
			openssl := in.openssl
			if openssl == "" {
				openssl = "-"
			}
			row := []cell{cs(st, s.Name), c(openssl), c(fmt.Sprint(s.CipherStrength)), c(kxText(s, in)), cs(st, flags)}
			if r.verbose {
				row = append([]cell{cs(dim, suiteID(ps.Protocol, s.ID))}, row...)
			}
			rows = append(rows, row)
		}
		r.lines(r.p.table("    ", rows))
		if ps.PadlockInconclusive != "" {
			r.line("    %s", r.p.paint(yellow, "incomplete: "+ps.PadlockInconclusive))
		}
	}
}

func suiteID(protocol int, id uint32) string {
	if assess.ProtocolFromID(protocol) == registry.SSLv2 {
		return fmt.Sprintf("0x%06X", id)
	}
	return fmt.Sprintf("0x%04X", id)
}

func (r *renderer) groups(d *assess.EndpointDetails) {
	ng := d.NamedGroups
	if ng == nil {
		return
	}
	var detail []string
	switch {
	case ng.Preference != nil && *ng.Preference:
		detail = append(detail, "server order")
	case ng.Preference != nil:
		detail = append(detail, "client order")
	}
	if d.PadlockGroupsVia != 0 {
		detail = append(detail, "found with "+assess.ProtocolFromID(d.PadlockGroupsVia).String())
	}
	r.section("Key exchange groups", strings.Join(detail, ", "))
	rows := [][]cell{}
	anySeen := slices.ContainsFunc(ng.List, func(g assess.NamedGroup) bool { return len(g.PadlockProtocols) > 0 })
	for _, g := range ng.List {
		bits := "-"
		if g.Bits > 0 {
			bits = fmt.Sprintf("%d bits", g.Bits)
		}
		eq, st, note := "", plain, ""
		if rg, ok := registry.GroupByID(uint16(g.ID)); ok {
			if rg.RSAEquivalent > 0 {
				eq = fmt.Sprintf("eq. %d bits RSA", rg.RSAEquivalent)
			}
			switch {
			case rg.RSAEquivalent > 0 && rg.RSAEquivalent < 2048:
				st, note = red, "insecure"
			case rg.Deprecated:
				st, note = yellow, "deprecated"
			case rg.Kind == registry.GroupHybrid || rg.Kind == registry.GroupPQ:
				st, note = green, "post-quantum"
			}
		}
		var at []string
		for _, id := range g.PadlockProtocols {
			at = append(at, assess.ProtocolFromID(id).String())
		}
		seen := ""
		if len(at) > 0 {
			seen = "seen at " + strings.Join(at, ", ")
		}
		row := []cell{cs(st, g.Name), c(g.NamedGroupType), c(bits), c(eq)}
		if anySeen {
			row = append(row, c(seen))
		}
		rows = append(rows, append(row, cs(st, note)))
	}
	r.lines(r.p.table("    ", rows))
	if ng.PadlockInconclusive != "" {
		r.line("    %s", r.p.paint(yellow, "incomplete: "+ng.PadlockInconclusive))
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (r *renderer) features(d *assess.EndpointDetails) {
	if len(d.Protocols) == 0 {
		return
	}
	rows := [][]cell{}
	if d.PadlockExtensionsVia != 0 {
		seen := func(t tlswire.ExtensionType) bool { return slices.Contains(d.PadlockExtensions, uint16(t)) }
		judged := func(name string, on, good bool) {
			st := yellow
			if on == good {
				st = green
			}
			rows = append(rows, []cell{c(name), cs(st, yesNo(on))})
		}
		judged("Secure renegotiation", d.RenegSupport&2 != 0, true)
		comp := cs(green, "no")
		if d.CompressionMethods&1 != 0 {
			comp = cs(red, "DEFLATE (CRIME)")
		}
		rows = append(rows, []cell{c("TLS compression"), comp})
		rows = append(rows, []cell{c("Session tickets"), c(yesNo(d.SessionTickets&1 != 0))})
		rows = append(rows, []cell{c("OCSP stapling"), c(assess.Stapling(d))})
		alpn := cs(plain, "no")
		if d.SupportsALPN {
			alpn = c(d.ALPNProtocols)
		}
		rows = append(rows, []cell{c("ALPN"), alpn})
		judged("Extended master secret", seen(tlswire.ExtExtendedMasterSecret), true)
		rows = append(rows, []cell{c("Encrypt-then-MAC"), c(yesNo(seen(tlswire.ExtEncryptThenMAC)))})
		hb := cs(plain, "no")
		if d.Heartbeat {
			hb = cs(yellow, "yes")
		}
		rows = append(rows, []cell{c("Heartbeat"), hb})
	} else {
		rows = append(rows, []cell{c("Extensions"), cs(dim, "no TLS 1.2 or older handshake to read them from")})
	}
	sni := cs(plain, "no")
	if d.SNIRequired {
		sni = c("yes")
	}
	rows = append(rows, []cell{c("SNI required"), sni})
	if len(d.PadlockIntolerance) == 0 {
		rows = append(rows, []cell{c("Version intolerance"), cs(green, "none")})
	} else {
		var labels []string
		for _, in := range d.PadlockIntolerance {
			l := in.Label
			if r.verbose {
				l += " (" + in.Reason + ")"
			}
			labels = append(labels, l)
		}
		rows = append(rows, []cell{c("Version intolerance"), cs(yellow, strings.Join(labels, ", "))})
	}
	detail := ""
	if d.PadlockExtensionsVia != 0 {
		detail = "seen in the " + assess.ProtocolFromID(d.PadlockExtensionsVia).String() + " handshake"
	}
	r.section("Handshake", detail)
	r.lines(r.p.table("    ", rows))
	if r.verbose && len(d.PadlockExtensions) > 0 {
		var names []string
		for _, x := range d.PadlockExtensions {
			name := tlswire.ExtensionType(x).String()
			if !strings.Contains(name, "(") {
				name += fmt.Sprintf(" (%d)", x)
			}
			names = append(names, name)
		}
		r.line("    %s", r.p.paint(dim, "ServerHello extensions: "+strings.Join(names, ", ")))
	}
}

func (r *renderer) chains(d *assess.EndpointDetails) {
	if len(d.CertChains) == 0 {
		return
	}
	detail := "as sent, not validated"
	if rs := d.PadlockRootStore; rs != nil {
		detail = "judged against the " + rs.Name + " root store"
		if rs.Name == pki.StoreMozilla && rs.Roots > 0 {
			detail += fmt.Sprintf(" (%d roots)", rs.Roots)
		}
	}
	r.section("Certificates", detail)
	for i := range d.CertChains {
		ch := &d.CertChains[i]
		how := "sent with SNI " + ch.SNI
		if ch.SNI == "" {
			how = "sent without SNI"
		}
		if ch.NoSNI {
			how += " (differs from the one sent with SNI)"
		}
		if ch.Protocol != 0 {
			how += ", " + assess.ProtocolFromID(int(ch.Protocol)).String()
		}
		r.line("    %s %s", r.p.paint(bold, fmt.Sprintf("#%d", i+1)), r.p.paint(dim, how))
		r.lines(r.p.table("       ", r.chainRows(ch)))
		for j, id := range ch.CertIDs {
			r.cert(fmt.Sprint(j), id, "")
		}
		// What completes the path: intermediates fetched through AIA and
		// the root that anchors it.
		if len(ch.TrustPaths) > 0 {
			tp := ch.TrustPaths[0]
			rootNote := "in the root store"
			if len(tp.Trust) > 0 && tp.Trust[0].RootStore == pki.StoreCustom {
				rootNote = "a custom root"
			}
			for _, id := range tp.CertIDs {
				if slices.Contains(ch.CertIDs, id) {
					continue
				}
				note := "not sent"
				if c, ok := r.host.Cert(id); ok {
					switch c.Source {
					case pki.SourceAIA:
						note = "fetched from the issuer's AIA URL"
					case pki.SourceRoot:
						note = rootNote
					}
				}
				r.cert("+", id, note)
			}
		}
	}
}

// chainRows are a chain's verdicts: trust, name, issues, stapled OCSP and
// SCTs.
func (r *renderer) chainRows(ch *assess.CertChain) [][]cell {
	var rows [][]cell
	f := ch.Facts
	switch {
	case ch.Trusted && !f.Distrusted:
		store := ""
		if len(ch.TrustPaths) > 0 && len(ch.TrustPaths[0].Trust) > 0 {
			switch ch.TrustPaths[0].Trust[0].RootStore {
			case pki.StoreMozilla:
				store = " (Mozilla root store)"
			case pki.StoreCustom:
				store = " (custom root)"
			}
		}
		rows = append(rows, []cell{cs(dim, "trust"), cs(green, "trusted"+store)})
	default:
		why := f.TrustErrors
		if len(why) == 0 && ch.TrustError != "" {
			why = []string{ch.TrustError}
		}
		head := "not trusted"
		if ch.Trusted {
			head = "distrusted"
		}
		if len(why) > 0 {
			head += ": " + why[0]
		}
		rows = append(rows, []cell{cs(dim, "trust"), cs(red, head)})
		for _, w := range why[min(1, len(why)):] {
			rows = append(rows, []cell{c(""), cs(red, w)})
		}
	}
	name := r.host.PadlockSNI
	if name == "" {
		name = r.host.Host
	}
	if ch.NameMatch {
		rows = append(rows, []cell{cs(dim, "name"), cs(green, "matches "+name)})
	} else if !f.NoCertificate {
		rows = append(rows, []cell{cs(dim, "name"), cs(red, "does not match "+name)})
	}
	if len(ch.IssueNames) > 0 {
		st := yellow
		if ch.Issues&pki.ChainCouldNotValidate != 0 {
			st = red
		}
		rows = append(rows, []cell{cs(dim, "issues"), cs(st, strings.Join(ch.IssueNames, ", "))})
	}
	if n := len(ch.AIAFetched); n > 0 {
		rows = append(rows, []cell{cs(dim, "AIA"), cs(yellow, fmt.Sprintf("%d %s fetched: the server does not send %s",
			n, plural(n, "certificate", "certificates"), plural(n, "it", "them")))})
	}
	if r.verbose {
		for _, e := range ch.AIAErrors {
			rows = append(rows, []cell{cs(dim, "AIA"), cs(yellow, e)})
		}
	}
	rows = append(rows, []cell{cs(dim, "OCSP"), stapleCell(ch.OCSP)})
	rows = append(rows, []cell{cs(dim, "SCTs"), sctCell(ch.SCTs)})
	if r.verbose {
		for _, sc := range ch.SCTs {
			log := sc.LogName
			if log == "" {
				log = "log " + sc.LogID
			}
			text := log + " (" + sctSource(sc.Source) + ")"
			if sc.Timestamp > 0 {
				text += ", " + formatTime(sc.Timestamp)
			}
			if sc.Error != "" {
				text += ": " + sc.Error
			}
			rows = append(rows, []cell{c(""), cs(dim, text)})
		}
	}
	for _, row := range rows {
		row[0].text = pad(row[0].text, chainLabelWidth)
	}
	return rows
}

// chainLabelWidth aligns the verdicts of every chain.
const chainLabelWidth = 6

// stapleCell describes the stapled OCSP response.
func stapleCell(s *pki.Staple) cell {
	if s == nil {
		return c("not stapled")
	}
	switch s.RevocationStatus {
	case pki.RevocationNotRevoked:
		return cs(green, "stapled, good")
	case pki.RevocationRevoked:
		return cs(red, "stapled, REVOKED")
	case pki.RevocationNoInformation:
		return cs(yellow, "stapled, status unknown to the responder")
	}
	msg := "stapled, unusable"
	if s.ErrorMessage != "" {
		msg += ": " + s.ErrorMessage
	}
	return cs(yellow, msg)
}

// sctCell counts the SCTs by where they came from.
func sctCell(scts []pki.SCT) cell {
	if len(scts) == 0 {
		return c("none")
	}
	var order []string
	count := map[string]int{}
	for _, sc := range scts {
		src := sctSource(sc.Source)
		if count[src] == 0 {
			order = append(order, src)
		}
		count[src]++
	}
	var parts []string
	for _, src := range order {
		parts = append(parts, fmt.Sprintf("%d in the %s", count[src], src))
	}
	return c(strings.Join(parts, ", "))
}

func sctSource(s string) string {
	switch s {
	case pki.SCTFromCertificate:
		return "certificate"
	case pki.SCTFromTLS:
		return "TLS extension"
	case pki.SCTFromOCSP:
		return "OCSP response"
	}
	return s
}

// cert prints one certificate of a chain: idx is its position ("0", "1" …,
// or "+" for one the server did not send), note says where it came from.
// A root of the trust store gets its subject line only, unless verbose.
func (r *renderer) cert(idx, id, note string) {
	cert, ok := r.host.Cert(id)
	if !ok {
		r.line("      %s  %s", idx, "certificate "+id)
		return
	}
	if cert.ParseError != "" {
		r.line("      %s  %s", idx, r.p.paint(red, "unparsable certificate: "+cert.ParseError))
		r.line("         %s", r.p.paint(dim, "sha256 "+cert.SHA256Hash))
		return
	}
	head := "      " + idx + "  " + r.p.paint(bold, cert.Subject)
	if note != "" {
		head += r.p.paint(dim, " · "+note)
	}
	r.line("%s", head)
	if cert.Source == pki.SourceRoot && !r.verbose {
		return
	}
	rows := [][]cell{}
	issuer := cert.IssuerSubject
	if cert.SelfSigned {
		issuer += " (self-signed)"
	} else if issuer == cert.Subject {
		issuer += " (self-issued)"
	}
	rows = append(rows, []cell{cs(dim, "issuer"), c(issuer)})

	key := fmt.Sprintf("%s %d bits", cert.KeyAlg, cert.KeySize)
	switch {
	case cert.KeyCurve != "" && cert.KeyAlg == "EC":
		key = fmt.Sprintf("EC %s (eq. %d bits RSA)", cert.KeyCurve, cert.KeyStrength)
	case cert.KeyAlg != "RSA" && cert.KeyAlg != "DSA" && cert.KeyStrength > 0:
		key += fmt.Sprintf(" (eq. %d bits RSA)", cert.KeyStrength)
	}
	if cert.KeyAlg == "RSA" && cert.RSAExponent != 0 && cert.RSAExponent != 65537 {
		key += fmt.Sprintf(", exponent %d", cert.RSAExponent)
	}
	kst := plain
	switch {
	case cert.Issues&pki.CertInsecureKey != 0 || (cert.KeyStrength > 0 && cert.KeyStrength < 1024):
		kst = red
	case cert.KeyStrength > 0 && cert.KeyStrength < 2048:
		kst = yellow
	}
	sig := cert.SigAlg
	sst := plain
	switch cert.SigHash {
	case "MD2", "MD4", "MD5", "SHA1":
		if cert.Source != pki.SourceRoot {
			sst = red // a root's own signature is never checked
		}
	}
	rows = append(rows, []cell{cs(dim, "key"), cs(kst, key)})
	rows = append(rows, []cell{cs(dim, "signature"), cs(sst, sig)})

	validity := formatDate(cert.NotBefore) + " to " + formatDate(cert.NotAfter)
	vst := plain
	if r.host.TestTime > 0 {
		left := time.UnixMilli(cert.NotAfter).Sub(time.UnixMilli(r.host.TestTime))
		days := int(left.Hours() / 24)
		switch {
		case cert.NotBefore > r.host.TestTime:
			validity += " (not valid yet)"
			vst = red
		case left < 0:
			validity += fmt.Sprintf(" (expired %d days ago)", -days)
			vst = red
		default:
			validity += fmt.Sprintf(" (%d days left)", days)
			if days < 30 {
				vst = yellow
			}
		}
	}
	rows = append(rows, []cell{cs(dim, "valid"), cs(vst, validity)})
	if len(cert.IssueNames) > 0 {
		rows = append(rows, []cell{cs(dim, "issues"), cs(red, strings.Join(cert.IssueNames, ", "))})
	}
	rows = append(rows, r.lintRows(cert.Lint)...)
	if r.verbose {
		if len(cert.AltNames) > 0 {
			rows = append(rows, []cell{cs(dim, "names"), c(strings.Join(cert.AltNames, ", "))})
		}
		var extra []string
		if cert.PolicyType != "" {
			extra = append(extra, cert.PolicyType)
		}
		if cert.MustStaple {
			extra = append(extra, "must staple")
		}
		if n := len(cert.EmbeddedSCTs); n > 0 {
			extra = append(extra, fmt.Sprintf("%d embedded %s", n, plural(n, "SCT", "SCTs")))
		}
		if len(extra) > 0 {
			rows = append(rows, []cell{cs(dim, "features"), c(strings.Join(extra, ", "))})
		}
		rows = append(rows, []cell{cs(dim, "sha256"), c(cert.SHA256Hash)})
	}
	r.lines(r.p.table("         ", rows))
}

// lintRows summarise zlint's findings (errors and warnings; every finding
// but notices with -v). Nothing when lint did not run.
func (r *renderer) lintRows(l *pki.Lint) [][]cell {
	if l == nil {
		return nil
	}
	if l.Error != "" {
		return [][]cell{{cs(dim, "lint"), cs(yellow, "not linted: "+l.Error)}}
	}
	var parts []string
	if l.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", l.Errors, plural(l.Errors, "error", "errors")))
	}
	if l.Warnings > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", l.Warnings, plural(l.Warnings, "warning", "warnings")))
	}
	if r.verbose && l.Notices > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", l.Notices, plural(l.Notices, "notice", "notices")))
	}
	if len(parts) == 0 {
		return [][]cell{{cs(dim, "lint"), cs(green, "no errors or warnings")}}
	}
	st := plain
	if l.Errors > 0 {
		st = yellow
	}
	rows := [][]cell{{cs(dim, "lint"), cs(st, strings.Join(parts, ", ")+" (zlint)")}}
	if r.verbose {
		for _, f := range l.Findings {
			if f.Status == "notice" {
				continue
			}
			text := f.Status + " " + f.Name
			if f.Description != "" {
				text += ": " + f.Description
			}
			if f.Details != "" {
				text += " (" + f.Details + ")"
			}
			rows = append(rows, []cell{c(""), cs(dim, text)})
		}
	}
	return rows
}

func (r *renderer) problems(d *assess.EndpointDetails, ready bool) {
	if len(d.PadlockErrors) == 0 {
		return
	}
	detail := ""
	if ready {
		detail = "parts of the result may be incomplete"
	}
	r.section("Problems", detail)
	for _, e := range d.PadlockErrors {
		r.line("    %s %s", r.p.paint(yellow, "!"), e)
	}
}

// readiness is the endpoint's standing on the web of 2026 beyond the
// grade (assess.Readiness): hybrid post-quantum key exchange, the
// certificate's lifetime and days left, and the future grade.
func (r *renderer) readiness(ep *assess.Endpoint) {
	x, ok := ep.Readiness()
	if !ok {
		return
	}
	r.section("2026 readiness", "")
	pq := cs(green, x.PQText())
	if !x.PQ() || (x.PQFirstChoice != nil && !*x.PQFirstChoice) {
		pq = cs(yellow, x.PQText())
	}
	rows := [][]cell{{c("Post-quantum key exchange"), pq}}
	// TLS 1.3 and EMS are in the Protocols and Handshake sections.
	if x.CertDaysLeft != nil {
		st := plain
		text := fmt.Sprintf("%d %s left", *x.CertDaysLeft, plural(*x.CertDaysLeft, "day", "days"))
		switch {
		case *x.CertDaysLeft < 0:
			st, text = red, "expired"
		case x.ExpiringWithin(grade.ExpiryWarningDays):
			st = yellow
		}
		if x.CertLifetimeMax > 0 {
			text += fmt.Sprintf(" · valid for %d days (the CA/Browser Forum allowed %d on its issue date)", x.CertLifetime, x.CertLifetimeMax)
			if x.CertLifetime > x.CertLifetimeMax && st == plain {
				st = yellow
			}
		}
		rows = append(rows, []cell{c("Certificate"), cs(st, text)})
	}
	if x.FutureGrade != "" {
		rows = append(rows, []cell{c("Future grade"), cs(yellow, x.FutureGrade+" from "+x.FutureGradeFrom.UTC().Format(time.DateOnly))})
	}
	r.lines(r.p.table("    ", rows))
}
