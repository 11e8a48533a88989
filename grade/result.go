package grade

import "time"

// Result is the rating of one endpoint.
type Result struct {
	// Criteria names the rules applied: "padlock-2009r".
	Criteria string `json:"criteria"`

	// Grade is what is shown: "A+", "A", "A-", "B", "C", "D", "E", "F",
	// "T", "M" or "U"; "" when no grade can be given (Inconclusive says
	// why).
	Grade string `json:"grade"`
	// GradeTrustIgnored is the grade with T and M set aside (decision 4);
	// equal to Grade when neither applies.
	GradeTrustIgnored string `json:"gradeTrustIgnored"`
	// TLSGrade is the grade the TLS configuration earns when Grade is U
	// only because HTTPS redirects to plain HTTP; empty otherwise.
	TLSGrade string `json:"tlsGrade,omitempty"`
	// Inconclusive says why no grade could be given.
	Inconclusive string `json:"inconclusive,omitempty"`
	// FutureGrade is the grade a dated rule will give from FutureGradeFrom
	// on (SSL Labs' futureGrade): set only when a rule whose date is still
	// ahead of the evaluation time changes the grade, e.g. a browser
	// distrust that takes effect later. FutureReason is that rule's
	// reason.
	FutureGrade     string    `json:"futureGrade,omitempty"`
	FutureGradeFrom time.Time `json:"futureGradeFrom,omitzero"`
	FutureReason    string    `json:"futureReason,omitempty"`

	HasWarnings   bool `json:"hasWarnings"`
	IsExceptional bool `json:"isExceptional"` // A+
	// Provisional: a rule that could still change the grade (or the grade
	// with trust ignored) was not evaluated; see NotEvaluated.
	Provisional bool `json:"provisional"`

	Scores Scores `json:"scores"`

	// Findings are the rules that fired, in rule order (A1 ... F5, then
	// U and the score finding).
	Findings []Finding `json:"findings"`
	// Warnings are the warnings among Findings, as "B6: TLS 1.3 is not
	// supported".
	Warnings []string `json:"warnings,omitempty"`
	// WhyNotAPlus lists what kept the grade below A+: every finding with an
	// effect on the grade, and, marked NotEvaluated, the A+ requirements
	// that could not be checked. Empty for an A+.
	WhyNotAPlus []Finding `json:"whyNotAPlus,omitempty"`
	// NotEvaluated lists the rules whose facts were not gathered.
	NotEvaluated []Pending `json:"notEvaluated,omitempty"`
	// NotApplicable lists the rules that never apply to an HTTPS endpoint
	// (G1).
	NotApplicable []NotApplicableRule `json:"notApplicable,omitempty"`
	// Caveats repeat Facts.Incomplete.
	Caveats []string `json:"caveats,omitempty"`

	// NegotiationJudgedBy says how C6, D4, D6 and D7 were judged
	// (decision 9): "simulation", "modern-hello", or empty when they were
	// not evaluated.
	NegotiationJudgedBy Judgement `json:"negotiationJudgedBy,omitempty"`
}

// Scores are the three category scores (0-100), their weighted total and
// the letter the total alone gives.
type Scores struct {
	Protocol    float64 `json:"protocol"`
	KeyExchange float64 `json:"keyExchange"`
	Cipher      float64 `json:"cipher"`
	// Total is 0.3·Protocol + 0.3·KeyExchange + 0.4·Cipher, exactly
	// (decision 14), or 0 when a category is 0.
	Total float64 `json:"total"`
	// Letter is the letter of Total before any rule: "A" ... "F".
	Letter string `json:"letter"`

	// The *Basis fields explain each score in words.
	ProtocolBasis    string `json:"protocolBasis,omitempty"`
	KeyExchangeBasis string `json:"keyExchangeBasis,omitempty"`
	CipherBasis      string `json:"cipherBasis,omitempty"`
}

// RuleID is a rule's id from docs/grading.md §2 ("A1" ... "G1"), or one of
// padlock's: "U" (decision 1) and "score" (the numeric score).
type RuleID string

// Finding is one rule that fired.
type Finding struct {
	Rule   RuleID `json:"rule"`
	Effect Effect `json:"effect"`
	// Title is the rule's name, e.g. "TLS 1.0 or TLS 1.1 supported".
	Title string `json:"title"`
	// Reason is one line saying what was found and what it costs.
	Reason   string   `json:"reason"`
	Evidence Evidence `json:"evidence"`
	Remedy   Remedy   `json:"remedy"`
	// Since is the rating-guide revision that introduced the rule.
	Since string `json:"since,omitempty"`
	// NotEvaluated marks an entry of Result.WhyNotAPlus that is an A+
	// requirement padlock could not check yet (never set in Findings).
	NotEvaluated bool `json:"notEvaluated,omitempty"`
}

// Evidence is what made a rule fire: a sentence, and the same facts in
// structured form.
type Evidence struct {
	Text string `json:"text"`
	// Protocols are display names: "SSLv3", "TLS 1.0".
	Protocols []string   `json:"protocols,omitempty"`
	Suites    []SuiteRef `json:"suites,omitempty"`
	Groups    []GroupRef `json:"groups,omitempty"`
	// Clients are the simulated clients (or the modern hello) concerned.
	Clients []string `json:"clients,omitempty"`
	// Certificate identifies the leaf: subject and SHA-256.
	Certificate string `json:"certificate,omitempty"`
	// Browsers are the browsers concerned (a CA distrust).
	Browsers []string `json:"browsers,omitempty"`
	// Hosts are other endpoints concerned (DROWN).
	Hosts []string `json:"hosts,omitempty"`
	// Detail is what a check observed (Check.Detail), a header value...
	Detail string `json:"detail,omitempty"`
}

// SuiteRef names one cipher suite at one protocol.
type SuiteRef struct {
	Protocol string `json:"protocol"`
	// ID is the IANA value, or the 3-byte SSL 2.0 cipher spec.
	ID   uint32 `json:"id"`
	Name string `json:"name"`
}

// GroupRef names one key-exchange group or key with its strength.
type GroupRef struct {
	ID   uint16 `json:"id,omitempty"` // named group id; 0 for a DH prime or a certificate key
	Name string `json:"name"`
	Bits int    `json:"bits"`
	// Strength is the RSA-equivalent size.
	Strength int `json:"strength"`
}

// Remedy is how a server administrator fixes a finding: a summary and the
// configuration lines for common servers ("" where nothing applies).
type Remedy struct {
	Summary string `json:"summary"`
	Nginx   string `json:"nginx,omitempty"`
	Apache  string `json:"apache,omitempty"`
	IIS     string `json:"iis,omitempty"`
}

// Pending is a rule that was not evaluated.
type Pending struct {
	Rule RuleID `json:"rule"`
	// Effect is what the rule would do if it fired.
	Effect Effect `json:"effect"`
	// WaitsFor names the part of padlock whose facts are missing.
	WaitsFor Source `json:"waitsFor"`
	Reason   string `json:"reason"`
	// Limitation marks a rule padlock does not evaluate by design (no
	// Debian weak-key list, no certificate blocklist, no live revocation
	// lookups, no cross-server DROWN outside a fleet scan). It is listed
	// so a reader knows, but does not make the grade provisional: no later
	// stage of the same assessment would fill it in.
	Limitation bool `json:"limitation,omitempty"`
}

// NotApplicableRule is a rule that does not apply to this kind of endpoint.
type NotApplicableRule struct {
	Rule   RuleID `json:"rule"`
	Reason string `json:"reason"`
}
