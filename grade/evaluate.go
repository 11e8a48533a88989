package grade

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"padlock/registry"
)

// accepted is one accepted cipher suite (or SSL 2.0 cipher spec) with the
// registry facts the rules need.
type accepted struct {
	proto  registry.Protocol
	id     uint32
	name   string
	cipher registry.Cipher
	bits   int // as the registry gives it (3DES 112)
	export bool
	suite  registry.Suite // zero for SSL 2.0 cipher specs
	v2     bool
}

func (a accepted) ref() SuiteRef {
	return SuiteRef{Protocol: a.proto.String(), ID: a.id, Name: a.name}
}

// evaluator holds the state of one Evaluate call.
type evaluator struct {
	f Facts
	// at is the date the dated rules (CA distrusts) are applied at: Now,
	// or a later date when Evaluate looks for the future grade.
	at time.Time

	protos []registry.Protocol // supported, known, oldest first
	has    map[registry.Protocol]bool
	suites []accepted // SSL 3.0 and later, in Facts order
	v2     []accepted // SSL 2.0 cipher specs

	scores      Scores
	kxKnown     bool
	cipherKnown bool

	// negotiation view (decision 9)
	judged Judgement
	negos  []negotiated

	hstsLong bool // F1 met

	findings      []Finding
	pending       []Pending
	notApplicable []NotApplicableRule
	caveats       []string
}

// Evaluate grades one endpoint. It is deterministic and does no I/O.
func Evaluate(f Facts) Result {
	r := evaluate(f, f.Now)
	futureGrade(f, &r)
	return r
}

// futureGrade sets the grade a dated rule whose date is still ahead of
// f.Now will give (GRADING.md, padlock's future grade): the first such
// date, in order, at which the grade changes.
func futureGrade(f Facts, r *Result) {
	if f.Cert == nil || f.Cert.CA == "" || f.Now.IsZero() || r.Grade == "" {
		return
	}
	var dates []time.Time
	for _, d := range registry.DistrustsOf(f.Cert.CA) {
		if covered, _ := d.Covers(f.Cert.NotBefore, f.Cert.EarliestSCT); covered && d.From.After(f.Now) {
			dates = append(dates, d.From)
		}
	}
	slices.SortFunc(dates, time.Time.Compare)
	for _, d := range dates {
		later := evaluate(f, d)
		if later.Grade == r.Grade {
			continue
		}
		r.FutureGrade, r.FutureGradeFrom = later.Grade, d
		if fd, ok := findingOf(later, RuleA7); ok {
			r.FutureReason = fd.Evidence.Text
		}
		return
	}
}

func findingOf(r Result, id RuleID) (Finding, bool) {
	for _, fd := range r.Findings {
		if fd.Rule == id {
			return fd, true
		}
	}
	return Finding{}, false
}

// evaluate grades f with the dated rules applied at at.
func evaluate(f Facts, at time.Time) Result {
	r := Result{Criteria: Criteria, Findings: []Finding{}}
	r.NotApplicable = []NotApplicableRule{{RuleG1, "STARTTLS does not apply: padlock grades HTTPS endpoints, which speak TLS directly"}}
	r.Caveats = slices.Clone(f.Incomplete)

	if f.Inconclusive != "" {
		r.Inconclusive = f.Inconclusive
		return r
	}
	if f.NoTLS {
		why := f.NoTLSReason
		if why == "" {
			why = "no handshake completed"
		}
		fd := newFinding(RuleU, EffectU,
			"no TLS handshake completes on the HTTPS port, so there is no secure connection",
			Evidence{Text: why})
		r.Findings = append(r.Findings, fd)
		r.WhyNotAPlus = []Finding{fd}
		r.Grade, r.GradeTrustIgnored = gradeU, gradeU
		return r
	}

	e := newEvaluator(f)
	e.at = at
	e.caveats = append(slices.Clone(f.Incomplete), e.caveats...)
	if len(e.protos) == 0 {
		r.Inconclusive = "no supported protocol was recorded, and no-TLS was not established either"
		return r
	}
	e.score()
	e.negotiationView()
	e.certRules()
	e.keyRules()
	e.protocolRules()
	e.kxRules()
	e.cipherRules()
	e.vulnRules()
	e.httpRules()
	return e.result(r)
}

func newEvaluator(f Facts) *evaluator {
	e := &evaluator{f: f, has: map[registry.Protocol]bool{}}
	add := func(p registry.Protocol) {
		if _, ok := protocolScore(p); ok {
			e.has[p] = true
		}
	}
	for _, p := range f.Protocols {
		add(p)
	}
	for _, ps := range f.Suites {
		if ps.Protocol == registry.SSLv2 {
			continue // SSL 2.0 specs come in SSLv2Ciphers
		}
		for _, id := range ps.Suites {
			s, ok := registry.SuiteByID(id)
			if !ok || s.SCSV {
				e.caveats = append(e.caveats, fmt.Sprintf("unknown cipher suite 0x%04x at %s ignored", id, ps.Protocol))
				continue
			}
			add(ps.Protocol)
			e.suites = append(e.suites, accepted{
				proto: ps.Protocol, id: uint32(id), name: s.Name, cipher: s.Cipher,
				bits: s.Bits, export: s.Export, suite: s,
			})
		}
	}
	for _, id := range f.SSLv2Ciphers {
		c, ok := registry.SSLv2CipherByID(id)
		if !ok {
			e.caveats = append(e.caveats, fmt.Sprintf("unknown SSL 2.0 cipher spec 0x%06x ignored", id))
			continue
		}
		add(registry.SSLv2)
		e.v2 = append(e.v2, accepted{
			proto: registry.SSLv2, id: id, name: c.Name, cipher: c.Cipher,
			bits: c.Bits, export: c.Export, v2: true,
		})
	}
	for _, p := range registry.Protocols {
		if e.has[p] {
			e.protos = append(e.protos, p)
		}
	}
	return e
}

// all returns every accepted suite and SSL 2.0 cipher spec.
func (e *evaluator) all() []accepted {
	out := make([]accepted, 0, len(e.suites)+len(e.v2))
	out = append(out, e.v2...)
	return append(out, e.suites...)
}

func (e *evaluator) best() registry.Protocol  { return e.protos[len(e.protos)-1] }
func (e *evaluator) worst() registry.Protocol { return e.protos[0] }

// legacy reports whether a protocol older than TLS 1.3 (SSL 3.0 ... TLS
// 1.2) is supported: renegotiation, compression and most implementation
// bugs exist only there.
func (e *evaluator) legacy() bool {
	return e.has[registry.SSLv3] || e.has[registry.TLS10] || e.has[registry.TLS11] || e.has[registry.TLS12]
}

func newFinding(id RuleID, eff Effect, reason string, ev Evidence) Finding {
	spec, _ := RuleByID(id)
	return Finding{
		Rule: id, Effect: eff, Title: spec.Title, Reason: reason,
		Evidence: ev, Remedy: RemedyFor(id), Since: spec.Since,
	}
}

// fire records a finding with the rule's own effect.
func (e *evaluator) fire(id RuleID, reason string, ev Evidence) {
	spec, _ := RuleByID(id)
	e.fireAs(id, spec.Effect, reason, ev)
}

// fireAs records a finding with the given effect (for rules whose effect
// depends on severity, like C5).
func (e *evaluator) fireAs(id RuleID, eff Effect, reason string, ev Evidence) {
	e.findings = append(e.findings, newFinding(id, eff, reason, ev))
}

func (e *evaluator) fired(id RuleID) bool {
	for _, f := range e.findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// pend records a rule that could not be evaluated.
func (e *evaluator) pend(id RuleID, src Source, reason string) {
	spec, _ := RuleByID(id)
	e.pending = append(e.pending, Pending{Rule: id, Effect: spec.Effect, WaitsFor: src, Reason: reason})
}

// limit records a rule padlock does not evaluate by design (see
// Pending.Limitation).
func (e *evaluator) limit(id RuleID, src Source, reason string) {
	spec, _ := RuleByID(id)
	e.pending = append(e.pending, Pending{Rule: id, Effect: spec.Effect, WaitsFor: src, Reason: reason, Limitation: true})
}

// na records a rule that cannot apply to this server.
func (e *evaluator) na(id RuleID, reason string) {
	e.notApplicable = append(e.notApplicable, NotApplicableRule{Rule: id, Reason: reason})
}

// check fires, pends or skips a rule from a Check.
func (e *evaluator) check(id RuleID, c Check, src Source, reason string, ev Evidence) {
	switch c.State {
	case Vulnerable:
		if ev.Detail == "" {
			ev.Detail = c.Detail
		}
		if ev.Text == "" {
			ev.Text = c.Detail
		}
		if ev.Text == "" {
			ev.Text = "the check found the condition present"
		}
		e.fire(id, reason, ev)
	case Unknown:
		e.pend(id, src, "not checked")
	case Inconclusive:
		why := "the check was inconclusive"
		if c.Detail != "" {
			why += ": " + c.Detail
		}
		e.pend(id, src, why)
	}
}

// result combines scores and findings into the grade (docs/grading.md §0 steps
// 4-6 and §1.8).
func (e *evaluator) result(r Result) Result {
	r.Scores = e.scores
	r.Caveats = e.caveats

	if !e.kxKnown || !e.cipherKnown {
		// A category could not be scored: only a rule that sets F (or T,
		// M) can still give a grade.
		if !e.firedAny(EffectF, EffectT, EffectM) {
			var miss []string
			if !e.kxKnown {
				miss = append(miss, "key exchange (no certificate key and no ephemeral parameters)")
			}
			if !e.cipherKnown {
				miss = append(miss, "cipher strength (no accepted suite recorded)")
			}
			r.Inconclusive = "cannot score " + strings.Join(miss, " or ")
			r.Findings = e.sortedFindings()
			r.NotEvaluated = e.sortedPending()
			r.NotApplicable = e.sortedNotApplicable(r.NotApplicable)
			return r
		}
	}

	numeric := letterF
	if e.kxKnown && e.cipherKnown {
		numeric = letterFor(e.scores.Total)
		e.scores.Letter = numeric.String()
		r.Scores = e.scores
		if numeric < letterA {
			e.scoreFinding(numeric)
		}
	}

	g := numeric
	var capA, warned, noAPlus bool
	for _, fd := range e.findings {
		switch fd.Effect {
		case EffectCapA:
			capA = true
		case EffectCapB:
			g = min(g, letterB)
		case EffectCapC:
			g = min(g, letterC)
		case EffectF:
			g = letterF
		case EffectWarning:
			warned = true
		case EffectNoAPlus:
			noAPlus = true
		}
	}
	if g == letterA && !capA {
		switch {
		case warned:
			g = letterAMinus
		case !noAPlus && e.hstsLong:
			g = letterAPlus
		}
	}

	r.GradeTrustIgnored = g.String()
	r.Grade = r.GradeTrustIgnored
	// Decision 4: mismatch before trust.
	switch {
	case e.firedAny(EffectM):
		r.Grade = gradeM
	case e.firedAny(EffectT):
		r.Grade = gradeT
	}
	if e.f.HTTPSRedirectsToHTTP {
		loc := e.f.RedirectLocation
		text := "the HTTPS URL redirects to plain HTTP"
		if loc != "" {
			text += ": " + loc
		}
		e.fire(RuleU, "HTTPS only sends visitors back to plain HTTP, so there is no secure connection", Evidence{Text: text, Detail: loc})
		r.TLSGrade = r.Grade
		r.Grade, r.GradeTrustIgnored = gradeU, gradeU
	}

	r.Findings = e.sortedFindings()
	r.NotEvaluated = e.sortedPending()
	r.NotApplicable = e.sortedNotApplicable(r.NotApplicable)
	r.NegotiationJudgedBy = e.judged
	for _, fd := range r.Findings {
		if fd.Effect == EffectWarning {
			r.HasWarnings = true
			r.Warnings = append(r.Warnings, string(fd.Rule)+": "+fd.Reason)
		}
	}
	r.IsExceptional = r.Grade == letterAPlus.String()

	st := gradeState{grade: r.Grade, tl: g, capA: capA, warned: warned, noAPlus: noAPlus}
	if r.TLSGrade != "" {
		st.grade = r.TLSGrade
	}
	r.Provisional = len(e.caveats) > 0
	for _, p := range r.NotEvaluated {
		if !p.Limitation && st.couldChange(p) {
			r.Provisional = true
		}
	}

	if !r.IsExceptional {
		for _, fd := range r.Findings {
			if fd.Effect != EffectInfo {
				r.WhyNotAPlus = append(r.WhyNotAPlus, fd)
			}
		}
		for _, p := range r.NotEvaluated {
			if p.Rule == RuleF1 {
				fd := newFinding(RuleF1, EffectNoAPlus,
					"A+ needs Strict-Transport-Security with max-age of at least 180 days, and the HTTP headers have not been checked",
					Evidence{Text: "HTTP headers not fetched"})
				fd.NotEvaluated = true
				r.WhyNotAPlus = append(r.WhyNotAPlus, fd)
			}
		}
	}
	return r
}

func (e *evaluator) firedAny(effects ...Effect) bool {
	for _, f := range e.findings {
		if slices.Contains(effects, f.Effect) {
			return true
		}
	}
	return false
}

func (e *evaluator) sortedFindings() []Finding {
	out := slices.Clone(e.findings)
	if out == nil {
		out = []Finding{}
	}
	sort.SliceStable(out, func(i, j int) bool { return ruleIndex[out[i].Rule] < ruleIndex[out[j].Rule] })
	return out
}

func (e *evaluator) sortedPending() []Pending {
	out := slices.Clone(e.pending)
	sort.SliceStable(out, func(i, j int) bool { return ruleIndex[out[i].Rule] < ruleIndex[out[j].Rule] })
	return out
}

func (e *evaluator) sortedNotApplicable(base []NotApplicableRule) []NotApplicableRule {
	out := append(slices.Clone(base), e.notApplicable...)
	sort.SliceStable(out, func(i, j int) bool { return ruleIndex[out[i].Rule] < ruleIndex[out[j].Rule] })
	return out
}

// gradeState is the grade reached, for deciding whether a rule that was
// not evaluated could have changed it.
type gradeState struct {
	grade                 string // displayed (T, M or the letter)
	tl                    letter // with trust ignored
	capA, warned, noAPlus bool
}

// couldChange reports whether the pending rule, had it been evaluated and
// fired (or, for F1, been met), would change the grade or the grade with
// trust ignored.
func (s gradeState) couldChange(p Pending) bool {
	switch p.Effect {
	case EffectM:
		return s.grade != gradeM
	case EffectT:
		return s.grade != gradeM && s.grade != gradeT
	case EffectF:
		return s.tl != letterF
	case EffectCapC:
		return s.tl > letterC
	case EffectCapB:
		return s.tl > letterB
	case EffectCapA:
		return s.tl == letterAPlus || s.tl == letterAMinus
	case EffectWarning:
		return s.tl == letterAPlus || (s.tl == letterA && !s.capA)
	case EffectNoAPlus:
		if p.Rule == RuleF1 {
			// Met, F1 would lift this A to A+.
			return s.tl == letterA && !s.capA && !s.warned && !s.noAPlus
		}
		return s.tl == letterAPlus
	}
	return false
}

// Text helpers.

func protoNames(ps []registry.Protocol) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// suiteEvidence lists suites: all of them structured, the first few in
// the text.
func suiteEvidence(verb string, as []accepted) Evidence {
	const shown = 4
	ev := Evidence{}
	var names []string
	seen := map[string]bool{}
	var protos []registry.Protocol
	for _, a := range as {
		ev.Suites = append(ev.Suites, a.ref())
		if !seen[a.name] {
			seen[a.name] = true
			names = append(names, a.name)
		}
		if !slices.Contains(protos, a.proto) {
			protos = append(protos, a.proto)
		}
	}
	slices.Sort(protos)
	ev.Protocols = protoNames(protos)
	text := strings.Join(names[:min(len(names), shown)], ", ")
	if len(names) > shown {
		text += fmt.Sprintf(" and %d more", len(names)-shown)
	}
	ev.Text = text + " " + verb + " (" + joinAnd(ev.Protocols) + ")"
	return ev
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func formatScore(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
