package report

import (
	"padlock/assess"
	"padlock/grade"
	"padlock/store"
	"padlock/stored"
)

// Readiness is a fleet's standing on what the web of 2026 expects beyond
// the grade (assess.Readiness): hybrid post-quantum key exchange, TLS 1.3,
// the extended master secret, certificates about to expire or longer than
// the CA/Browser Forum allows, and the grades the dated rules will give.
//
// Every count is of Known, the graded sites whose stored result could be
// read, and every percentage of Known unless its comment says otherwise:
// like the grades, inconclusive sites are never counted.
type Readiness struct {
	Known int
	// PQ: sites where every endpoint accepts a hybrid post-quantum group.
	PQ        int
	PQPercent float64
	// PQFirstChoice: sites that give a browser offering a hybrid group
	// one; its percentage is of PQ.
	PQFirstChoice        int
	PQFirstChoicePercent float64
	// PQGroups counts the sites accepting each hybrid group, by IANA name.
	PQGroups     map[string]int
	TLS13        int
	TLS13Percent float64
	// EMS: sites whose TLS 1.2-or-older handshake agrees to the extended
	// master secret; its percentage is of EMSKnown, the sites with such a
	// handshake (TLS 1.3-only sites have the protection built in).
	EMS        int
	EMSKnown   int
	EMSPercent float64
	// Expiring: certificates with fewer than grade.ExpiryWarningDays whole
	// days left at the scan (expired ones excluded: they are T).
	Expiring int
	// LongLived: certificates valid for longer than the CA/Browser Forum
	// allowed on their issue date.
	LongLived int
	// FutureChanges: sites whose grade a dated rule will change (a CA
	// distrust whose date is ahead). Future is the grade distribution once
	// those rules apply (each site's future grade, else its grade), in
	// grade order; its percentages are of Known.
	FutureChanges int
	Future        []GradeCount
}

// readinessOf sums up the graded sites' readiness. sites holds each graded
// site's grade and its readiness (nil when its result could not be read).
func readinessOf(sites []siteReadiness) Readiness {
	var r Readiness
	future := map[string]int{}
	for _, s := range sites {
		if s.r == nil {
			continue
		}
		x := s.r
		r.Known++
		if x.PQ() {
			r.PQ++
			if r.PQGroups == nil {
				r.PQGroups = map[string]int{}
			}
			for _, g := range x.PQGroups {
				r.PQGroups[g]++
			}
			if x.PQFirstChoice != nil && *x.PQFirstChoice {
				r.PQFirstChoice++
			}
		}
		if x.TLS13 {
			r.TLS13++
		}
		if x.EMS != nil {
			r.EMSKnown++
			if *x.EMS {
				r.EMS++
			}
		}
		if x.ExpiringWithin(grade.ExpiryWarningDays) {
			r.Expiring++
		}
		if x.CertLifetime > x.CertLifetimeMax && x.CertLifetimeMax > 0 {
			r.LongLived++
		}
		g := s.grade
		if x.FutureGrade != "" {
			r.FutureChanges++
			g = x.FutureGrade
		}
		future[g]++
	}
	r.PQPercent = percent(r.PQ, r.Known)
	r.PQFirstChoicePercent = percent(r.PQFirstChoice, r.PQ)
	r.TLS13Percent = percent(r.TLS13, r.Known)
	r.EMSPercent = percent(r.EMS, r.EMSKnown)
	r.Future = gradeCounts(future, r.Known)
	return r
}

// siteReadiness is one graded site's input to readinessOf.
type siteReadiness struct {
	grade string
	r     *assess.Readiness
}

// hostReadiness is a stored host's site readiness, or nil.
func hostReadiness(h *assess.Host) *assess.Readiness {
	if h == nil {
		return nil
	}
	r, ok := h.Readiness()
	if !ok {
		return nil
	}
	return &r
}

// sitesReadiness sums up the graded sites of a report.
func sitesReadiness(sites []Site) Readiness {
	in := make([]siteReadiness, 0, len(sites))
	for i := range sites {
		if sites[i].Grade != "" {
			in = append(in, siteReadiness{grade: sites[i].Grade, r: sites[i].Readiness})
		}
	}
	return readinessOf(in)
}

// storedReadiness sums up the graded assessments of one stored scan, each
// read from its stored result (for the trend) by stored.Readiness, which
// decodes only what readiness needs: the trend reads every stored scan.
func storedReadiness(as []store.Assessment) Readiness {
	in := make([]siteReadiness, 0, len(as))
	for _, a := range as {
		if grade.Of(a.Grade).Rank() == 0 {
			continue
		}
		in = append(in, siteReadiness{grade: a.Grade, r: stored.Readiness(a.Result, a.Grade)})
	}
	return readinessOf(in)
}
