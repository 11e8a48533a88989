package fleet

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"padlock/assess"
	"padlock/grade"
	"padlock/store"
)

// ResultSchema names the version of Result's JSON.
const ResultSchema = "padlock.fleet/1"

// Result is what a scan stores for one target (store.Assessment.Result):
// the target, its assessment and what the fleet learned across targets.
type Result struct {
	Schema string `json:"schema"`
	Target Target `json:"target"`
	// Host is the assessment (with the plain-HTTP side in
	// Host.PadlockWeb when it was checked). Targets of one scan with the
	// same host, ports and pinned addresses share one assessment: each
	// stores a copy.
	Host *assess.Host `json:"host,omitempty"`
	// Attempts is how many times the target was assessed (retries of
	// inconclusive results included); 0 when its result was reused from
	// another target of the scan.
	Attempts int `json:"attempts"`
	// SharedWith lists the lines of the other targets of the scan that
	// shared this assessment.
	SharedWith []int `json:"sharedWith,omitempty"`
	// Error is why the target could not be assessed at all (a stored URL
	// that no longer parses); Host is then nil.
	Error string `json:"error,omitempty"`
	// PadlockDROWN lists the endpoints whose certificate key is also used
	// by another endpoint of the scan that accepts SSL 2.0 (rule E5,
	// fleet-wide); set after the scan by MarkDROWN.
	PadlockDROWN []DROWN `json:"padlockDrown,omitempty"`
}

// Site returns the site verdict: Host's, or an inconclusive one.
func (r *Result) Site() assess.Site {
	if r.Host == nil {
		why := r.Error
		if why == "" {
			why = "not assessed"
		}
		return assess.Site{Inconclusive: why}
	}
	s := r.Host.PadlockSite
	if s.Grade == "" && s.Inconclusive == "" {
		s.Inconclusive = r.Host.StatusMessage
		if s.Inconclusive == "" {
			s.Inconclusive = "no grade"
		}
	}
	return s
}

// DecodeResult reads back a result fleet stored, as fleet's own type (to
// resume a scan or add the DROWN lookup). Everything else reads stored
// results with package stored.
func DecodeResult(raw []byte) (*Result, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("no result stored")
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("stored result: %v", err)
	}
	return &r, nil
}

// assessment maps a result onto the store's typed columns.
func (r *Result) assessment(scan store.ScanID, target int64, started time.Time) (store.Assessment, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return store.Assessment{}, err
	}
	site := r.Site()
	a := store.Assessment{
		ScanID:       scan,
		TargetID:     target,
		Started:      started,
		Finished:     time.Now(),
		Grade:        site.Grade,
		Star:         site.Star,
		Inconclusive: site.Inconclusive,
		Provisional:  site.Provisional,
		Result:       raw,
	}
	if eps := drownInfo(r); len(eps) > 0 {
		if a.Lookup, err = json.Marshal(eps); err != nil {
			return store.Assessment{}, err
		}
	}
	if site.SecureByDefault != nil {
		sbd := *site.SecureByDefault
		a.SecureByDefault = &sbd
	}
	if site.Grade == "" && a.Inconclusive == "" {
		a.Inconclusive = "no grade"
	}
	h := r.Host
	if h == nil {
		return a, nil
	}
	a.Criteria = h.CriteriaVersion
	a.Endpoints = len(h.Endpoints)
	if h.TestTime > 0 {
		a.Finished = time.UnixMilli(h.TestTime)
	}
	if w := h.PadlockWeb; w != nil {
		a.HSTS = w.HSTSPolicy.Status
	}
	var trustIgnored []grade.Grade
	protos := map[int]string{}
	var notAfter int64
	for _, ep := range h.Endpoints {
		trustIgnored = append(trustIgnored, grade.Of(ep.GradeTrustIgnored))
		if ep.Details == nil {
			continue
		}
		for _, p := range ep.Details.Protocols {
			protos[p.ID] = p.Name + " " + p.Version
		}
		for _, ch := range ep.Details.CertChains {
			if len(ch.CertIDs) == 0 {
				continue
			}
			if c, ok := h.Cert(ch.CertIDs[0]); ok && c.NotAfter > 0 && (notAfter == 0 || c.NotAfter < notAfter) {
				notAfter = c.NotAfter
			}
		}
	}
	a.GradeTrustIgnored = string(grade.Worst(trustIgnored...))
	ids := make([]int, 0, len(protos))
	for id := range protos {
		ids = append(ids, id)
	}
	slices.Sort(ids) // 512 (SSL 2.0) sorts before 768 (SSL 3.0) and the TLS ids
	var names []string
	for _, id := range ids {
		names = append(names, protos[id])
	}
	a.Protocols = strings.Join(names, ",")
	if len(names) > 0 {
		a.BestProtocol = names[len(names)-1]
	}
	if notAfter > 0 {
		a.CertNotAfter = time.UnixMilli(notAfter)
	}
	return a, nil
}
