package pki

import (
	"sort"
	"sync"

	zx509 "github.com/zmap/zcrypto/x509"
	"github.com/zmap/zlint/v3"
	"github.com/zmap/zlint/v3/lint"
)

// Lint is what zlint (v3) found in a certificate: information only, it
// plays no part in the grade.
type Lint struct {
	Errors   int `json:"errors"` // error and fatal findings
	Warnings int `json:"warnings"`
	Notices  int `json:"notices"`
	// Findings lists every lint that did not pass, errors first.
	Findings []LintFinding `json:"findings,omitempty"`
	// Error is set when zlint's parser could not read the certificate.
	Error string `json:"error,omitempty"`
}

// LintFinding is one lint that reported a problem.
type LintFinding struct {
	Name        string `json:"name"`   // e.g. "e_sub_cert_aia_missing"
	Status      string `json:"status"` // "error", "fatal", "warn" or "notice"
	Source      string `json:"source"` // "CABF_BR", "RFC5280", "Mozilla" …
	Description string `json:"description,omitempty"`
	Citation    string `json:"citation,omitempty"`
	Details     string `json:"details,omitempty"`
}

// lintRegistry leaves out the S/MIME and code-signing requirements, which
// never concern a TLS server's chain.
var lintRegistry = sync.OnceValues(func() (lint.Registry, error) {
	return lint.GlobalRegistry().Filter(lint.FilterOptions{
		ExcludeSources: lint.SourceList{lint.CABFSMIMEBaselineRequirements, lint.CABFCSBaselineRequirements},
	})
})

// lintCertificate runs zlint over one DER certificate.
func lintCertificate(der []byte) *Lint {
	out := &Lint{}
	c, err := zx509.ParseCertificate(der)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	reg, err := lintRegistry()
	if err != nil {
		out.Error = err.Error()
		return out
	}
	rs := zlint.LintCertificateEx(c, reg)
	for name, r := range rs.Results {
		var status string
		switch r.Status {
		case lint.Fatal:
			status = "fatal"
			out.Errors++
		case lint.Error:
			status = "error"
			out.Errors++
		case lint.Warn:
			status = "warn"
			out.Warnings++
		case lint.Notice:
			status = "notice"
			out.Notices++
		default:
			continue
		}
		out.Findings = append(out.Findings, LintFinding{
			Name:        name,
			Status:      status,
			Source:      string(r.LintMetadata.Source),
			Description: r.LintMetadata.Description,
			Citation:    r.LintMetadata.Citation,
			Details:     r.Details,
		})
	}
	rank := map[string]int{"fatal": 0, "error": 1, "warn": 2, "notice": 3}
	sort.Slice(out.Findings, func(i, j int) bool {
		a, b := out.Findings[i], out.Findings[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] < rank[b.Status]
		}
		return a.Name < b.Name
	})
	return out
}
