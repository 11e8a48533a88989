package assess

import (
	"slices"
	"strings"
	"time"

	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
)

// Readiness is where an endpoint, or a whole site, stands on what the web
// of 2026 expects beyond the grade: hybrid post-quantum key exchange, TLS
// 1.3, the extended master secret, and a certificate within the CA/Browser
// Forum's lifetime and not about to expire. It is read from the stored
// result alone (details, simulations, grade facts), so results stored
// before it existed have it too.
type Readiness struct {
	// TLS13: TLS 1.3 is supported.
	TLS13 bool `json:"tls13"`
	// PQGroups are the post-quantum hybrid groups the server accepts (IANA
	// names, e.g. "X25519MLKEM768"), in the order of the named groups.
	PQGroups []string `json:"pqGroups,omitempty"`
	// PQFirstChoice says whether the server picks a hybrid group for a
	// client that offers one: every reference browser profile that offers
	// one and connected got one (handshake simulation), or, without such
	// a simulation, the server's own group order puts a hybrid first. nil
	// when neither tells, or when no hybrid group is accepted.
	PQFirstChoice *bool `json:"pqFirstChoice,omitempty"`
	// EMS: the server agreed to the extended master secret (RFC 7627) in
	// its TLS 1.2-or-older handshake. nil when there was no such handshake
	// (a TLS 1.3-only server, whose key schedule has that protection built
	// in) or it was not recorded.
	EMS *bool `json:"ems,omitempty"`
	// CertDaysLeft is the number of whole days the certificate had left at
	// the scan (negative once expired); nil without certificate facts.
	// CertLifetime is its validity in days as the Baseline Requirements
	// count it, CertLifetimeMax the most they allowed on its issue date.
	CertDaysLeft    *int `json:"certDaysLeft,omitempty"`
	CertLifetime    int  `json:"certLifetime,omitempty"`
	CertLifetimeMax int  `json:"certLifetimeMax,omitempty"`
	// FutureGrade is the grade a dated rule will give from FutureGradeFrom
	// on (see grade.Result.FutureGrade); empty when none changes it.
	FutureGrade     string    `json:"futureGrade,omitempty"`
	FutureGradeFrom time.Time `json:"futureGradeFrom,omitzero"`
}

// extEMS is the extended_master_secret extension (RFC 7627).
const extEMS = 23

// PQ reports whether a hybrid post-quantum group is accepted.
func (r Readiness) PQ() bool { return len(r.PQGroups) > 0 }

// ExpiringWithin reports whether the certificate had fewer than days
// whole days left at the scan and had not expired.
func (r Readiness) ExpiringWithin(days int) bool {
	return r.CertDaysLeft != nil && *r.CertDaysLeft >= 0 && *r.CertDaysLeft < days
}

// Readiness reads an endpoint's readiness from its result. ok is false
// when the endpoint has no details to read it from (not reached, no TLS).
func (e *Endpoint) Readiness() (r Readiness, ok bool) {
	d := e.Details
	if d == nil || len(d.Protocols) == 0 {
		return r, false
	}
	for _, p := range d.Protocols {
		if ProtocolFromID(p.ID) == registry.TLS13 {
			r.TLS13 = true
		}
	}
	var firstHybrid *bool
	if ng := d.NamedGroups; ng != nil {
		for i, g := range ng.List {
			rg, known := registry.GroupByID(uint16(g.ID))
			if !known || rg.Kind != registry.GroupHybrid {
				continue
			}
			r.PQGroups = append(r.PQGroups, rg.Name)
			if i == 0 && ng.Preference != nil && *ng.Preference {
				firstHybrid = boolPtr(true)
			}
		}
		if len(r.PQGroups) > 0 && firstHybrid == nil && ng.Preference != nil && *ng.Preference {
			firstHybrid = boolPtr(false)
		}
	}
	if r.PQ() {
		r.PQFirstChoice = pqBySimulation(d.Sims)
		if r.PQFirstChoice == nil {
			r.PQFirstChoice = firstHybrid
		}
	}
	if d.PadlockExtensionsVia != 0 && ProtocolFromID(d.PadlockExtensionsVia) != registry.TLS13 {
		r.EMS = boolPtr(slices.Contains(d.PadlockExtensions, extEMS))
	}
	if f := e.PadlockFacts; f != nil && f.Cert != nil && !f.Cert.NotAfter.IsZero() {
		c := f.Cert
		if !f.Now.IsZero() {
			left := int(c.NotAfter.Sub(f.Now) / (24 * time.Hour))
			if c.NotAfter.Before(f.Now) {
				left = -int(f.Now.Sub(c.NotAfter)/(24*time.Hour)) - 1
			}
			r.CertDaysLeft = &left
		}
		if !c.NotBefore.IsZero() {
			r.CertLifetime = registry.LifetimeDays(c.NotBefore, c.NotAfter)
			r.CertLifetimeMax = registry.MaxLifetimeDays(c.NotBefore)
		}
	}
	if g := e.PadlockGrade; g != nil {
		r.FutureGrade, r.FutureGradeFrom = g.FutureGrade, g.FutureGradeFrom
	}
	return r, true
}

// pqBySimulation: did every reference client that offers a hybrid group,
// and connected with TLS 1.3, get one? nil when no such client was
// simulated.
func pqBySimulation(s *Sims) *bool {
	if s == nil {
		return nil
	}
	var out *bool
	for _, sim := range s.Results {
		if !sim.Client.IsReference || sim.ErrorCode != 0 || sim.PadlockInconclusive || ProtocolFromID(sim.ProtocolID) != registry.TLS13 {
			continue
		}
		groups, ok := registry.ClientGroups(sim.Client.ID)
		if !ok || !slices.ContainsFunc(groups, isHybrid) {
			continue
		}
		got := isHybrid(uint16(sim.NamedGroupID))
		if out == nil {
			out = boolPtr(got)
		} else if !got {
			*out = false
		}
	}
	return out
}

func isHybrid(id uint16) bool {
	g, ok := registry.GroupByID(id)
	return ok && g.Kind == registry.GroupHybrid
}

// Readiness sums up a site's endpoints as a league table shows it, each
// figure at the endpoint that does worst: TLS 1.3, hybrid groups (those
// every endpoint accepts) and EMS only when every endpoint has them, the
// fewest days left, and the worst future grade. ok is false when no
// endpoint could be read.
func (h *Host) Readiness() (r Readiness, ok bool) {
	var futures []grade.Grade
	for i := range h.Endpoints {
		ep := &h.Endpoints[i]
		er, eok := ep.Readiness()
		if !eok {
			continue
		}
		if !ok {
			r, ok = er, true
			r.PQGroups = slices.Clone(er.PQGroups)
		} else {
			r.TLS13 = r.TLS13 && er.TLS13
			r.PQGroups = slices.DeleteFunc(r.PQGroups, func(g string) bool { return !slices.Contains(er.PQGroups, g) })
			r.PQFirstChoice = andBool(r.PQFirstChoice, er.PQFirstChoice)
			r.EMS = andBool(r.EMS, er.EMS)
			if er.CertDaysLeft != nil && (r.CertDaysLeft == nil || *er.CertDaysLeft < *r.CertDaysLeft) {
				r.CertDaysLeft = er.CertDaysLeft
			}
			if er.CertLifetime-er.CertLifetimeMax > r.CertLifetime-r.CertLifetimeMax {
				r.CertLifetime, r.CertLifetimeMax = er.CertLifetime, er.CertLifetimeMax
			}
			if er.FutureGrade != "" && (r.FutureGradeFrom.IsZero() || er.FutureGradeFrom.Before(r.FutureGradeFrom)) {
				r.FutureGradeFrom = er.FutureGradeFrom
			}
		}
		// The site's future grade is its worst endpoint's grade then.
		fg := er.FutureGrade
		if fg == "" {
			fg = ep.Grade
		}
		if g, gok := grade.Parse(fg); gok {
			futures = append(futures, g)
		}
	}
	if !r.PQ() {
		r.PQFirstChoice = nil
	}
	if !r.FutureGradeFrom.IsZero() {
		if w := string(grade.Worst(futures...)); w != h.PadlockSite.Grade {
			r.FutureGrade = w
		} else {
			r.FutureGrade, r.FutureGradeFrom = "", time.Time{}
		}
	}
	return r, ok
}

// andBool is a and b where nil is unknown: false wins, then unknown.
func andBool(a, b *bool) *bool {
	switch {
	case a != nil && !*a, b != nil && !*b:
		return boolPtr(false)
	case a == nil || b == nil:
		return nil
	}
	return boolPtr(true)
}

// PQText says in words which hybrid post-quantum groups are accepted and
// whether a browser that offers one gets it (the terminal, the report).
func (r Readiness) PQText() string {
	if !r.PQ() {
		return "none"
	}
	text := strings.Join(r.PQGroups, ", ")
	switch {
	case r.PQFirstChoice == nil:
		return text + " · whether browsers get it is unknown"
	case *r.PQFirstChoice:
		return text + " · chosen for browsers that offer it"
	}
	return text + " · not chosen for every browser that offers it"
}

// PQShort is PQText for a table cell: "no", "yes", "yes, not preferred"
// or "yes, preference unknown".
func (r Readiness) PQShort() string {
	switch {
	case !r.PQ():
		return "no"
	case r.PQFirstChoice == nil:
		return "yes, preference unknown"
	case *r.PQFirstChoice:
		return "yes"
	}
	return "yes, not preferred"
}

// RecordCA fills, in an endpoint's stored grading facts, the CA the chain
// leads to and its earliest SCT when the result was stored before padlock
// recorded them, reading the stored certificates and SCTs (pki's report
// keeps them), so that Regrade applies the dated distrusts of
// registry.Distrusts to old scans as well:
//
//	assess.Regrade(h, func(ep *assess.Endpoint, f *grade.Facts) { assess.RecordCA(h, ep, f) })
//
// Facts that already name a CA, or have no certificate, are left alone.
func RecordCA(h *Host, ep *Endpoint, f *grade.Facts) {
	if f.Cert == nil || f.Cert.CA != "" || ep.Details == nil || len(ep.Details.CertChains) == 0 {
		return
	}
	cr := &ep.Details.CertChains[0]
	for i := range ep.Details.CertChains {
		if ep.Details.CertChains[i].SNI != "" {
			cr = &ep.Details.CertChains[i]
			break
		}
	}
	ca, byName := pki.StoredChainCA(cr, func(id string) *pki.Cert {
		for i := range h.Certs {
			if h.Certs[i].ID == id {
				return &h.Certs[i]
			}
		}
		return nil
	})
	if ca == "" {
		return
	}
	f.Cert.CA, f.Cert.CAByName = ca, byName
	for _, s := range cr.SCTs {
		if s.Error != "" || s.Timestamp <= 0 {
			continue
		}
		if t := time.UnixMilli(s.Timestamp).UTC(); f.Cert.EarliestSCT.IsZero() || t.Before(f.Cert.EarliestSCT) {
			f.Cert.EarliestSCT = t
		}
	}
	if ca == registry.CASymantec {
		// The old verdict was the Symantec rule itself: the dated rules
		// now give it, naming the browsers.
		f.Cert.Distrusted = grade.Check{State: grade.NotVulnerable}
	}
}
