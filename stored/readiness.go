package stored

import (
	"bytes"
	"encoding/json"
	"time"

	"padlock/assess"
	"padlock/grade"
)

// slimResult is the part of a stored result Readiness reads, in either
// shape a result is stored in: a bare assess.Host, or fleet's
// wrapper holding it under "host".
type slimResult struct {
	slimHost
	// Host is the wrapper's host object (a bare Host's "host" is its name).
	Host json.RawMessage `json:"host"`
}

type slimHost struct {
	Endpoints []struct {
		StatusMessage string `json:"statusMessage"`
		Grade         string `json:"grade"`
		Details       *struct {
			Protocols            []assess.Protocol   `json:"protocols"`
			NamedGroups          *assess.NamedGroups `json:"namedGroups"`
			Sims                 *assess.Sims        `json:"sims"`
			PadlockExtensionsVia int                 `json:"padlockExtensionsVia"`
			PadlockExtensions    []uint16            `json:"padlockExtensions"`
		} `json:"details"`
		PadlockFacts *struct {
			Now  time.Time `json:"now"`
			Cert *struct {
				NotBefore time.Time `json:"notBefore"`
				NotAfter  time.Time `json:"notAfter"`
			} `json:"cert"`
		} `json:"padlockFacts"`
		PadlockGrade *struct {
			FutureGrade     string    `json:"futureGrade"`
			FutureGradeFrom time.Time `json:"futureGradeFrom"`
		} `json:"padlockGrade"`
	} `json:"endpoints"`
}

// Readiness reads a stored result's site readiness (assess.Readiness),
// decoding only the fields it needs, which makes it several times cheaper
// than Decode for readers of many stored scans (the report's trend). nil
// when the result holds no assessment or does not read. siteGrade is the
// site's stored grade, against which the future grade is told.
func Readiness(raw []byte, siteGrade string) *assess.Readiness {
	var res slimResult
	if len(raw) == 0 || json.Unmarshal(raw, &res) != nil {
		return nil
	}
	sh := &res.slimHost
	if h := bytes.TrimSpace(res.Host); len(sh.Endpoints) == 0 && len(h) > 0 && h[0] == '{' {
		sh = &slimHost{}
		if json.Unmarshal(h, sh) != nil {
			return nil
		}
	}
	h := &assess.Host{PadlockSite: assess.Site{Grade: siteGrade}}
	for _, e := range sh.Endpoints {
		ep := assess.Endpoint{StatusMessage: e.StatusMessage, Grade: e.Grade}
		if d := e.Details; d != nil {
			ep.Details = &assess.EndpointDetails{Protocols: d.Protocols, NamedGroups: d.NamedGroups, Sims: d.Sims,
				PadlockExtensionsVia: d.PadlockExtensionsVia, PadlockExtensions: d.PadlockExtensions}
		}
		if f := e.PadlockFacts; f != nil && f.Cert != nil {
			ep.PadlockFacts = &grade.Facts{Now: f.Now, Cert: &grade.CertFacts{NotBefore: f.Cert.NotBefore, NotAfter: f.Cert.NotAfter}}
		}
		if g := e.PadlockGrade; g != nil {
			ep.PadlockGrade = &grade.Result{FutureGrade: g.FutureGrade, FutureGradeFrom: g.FutureGradeFrom}
		}
		h.Endpoints = append(h.Endpoints, ep)
	}
	r, ok := h.Readiness()
	if !ok {
		return nil
	}
	return &r
}
