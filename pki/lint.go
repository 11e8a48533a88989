package pki

import (
	"crypto/sha256"
	"slices"
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

// lintCacheSize bounds how many certificates' lint results a process
// keeps (a few KiB each).
const lintCacheSize = 2048

// lintCache keeps zlint's results per certificate (SHA-256 of the DER):
// zlint judges the certificate alone, and across a fleet the same
// intermediates, and often the same leaves (wildcards, one certificate
// for many names), come back again and again. When full it starts over.
var lintCache = struct {
	sync.Mutex
	m map[[32]byte]*lintEntry
}{m: map[[32]byte]*lintEntry{}}

type lintEntry struct {
	once sync.Once
	out  *Lint
}

// lintCertificate runs zlint over one DER certificate, once per
// certificate in a while (lintCache); the result is the caller's own.
func lintCertificate(der []byte) *Lint {
	k := sha256.Sum256(der)
	lintCache.Lock()
	e := lintCache.m[k]
	if e == nil {
		if len(lintCache.m) >= lintCacheSize {
			clear(lintCache.m)
		}
		e = &lintEntry{}
		lintCache.m[k] = e
	}
	lintCache.Unlock()
	e.once.Do(func() { e.out = lintDER(der) })
	out := *e.out
	out.Findings = slices.Clone(e.out.Findings)
	return &out
}

// lintDER runs zlint over one DER certificate.
func lintDER(der []byte) *Lint {
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
