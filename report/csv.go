package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"padlock/assess"
)

// CSVColumns are WriteCSV's columns, in order (see doc.go and
// docs/exports.md).
var CSVColumns = []string{
	"organisation", "url", "grade", "band", "personal_data", "secure_by_default",
	"hsts", "protocols", "key_findings", "change",
	"post_quantum", "tls13", "ems", "cert_days_left", "future_grade",
}

// WriteCSV writes one row per site of the scan, in league-table order
// (inconclusive sites last), under a header row of CSVColumns. Lists
// within a cell are separated by "; ". A cell that a spreadsheet would
// read as a formula (starting with =, +, -, @, tab or carriage return) is
// prefixed with a single quote.
func WriteCSV(w io.Writer, f *Fleet) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	for i := range f.Sites {
		s := &f.Sites[i]
		band := s.Band
		if band == "" {
			band = "inconclusive"
		}
		row := []string{
			s.Organisation,
			s.URL,
			s.Grade,
			band,
			yesNoBool(s.Star),
			csvBool(s.SecureByDefault),
			s.HSTS,
			strings.Join(s.Protocols, "; "),
			strings.Join(s.KeyFindings, "; "),
			string(s.Change.Kind),
		}
		row = append(row, readinessCells(s.Readiness)...)
		for j := range row {
			row[j] = csvSafe(row[j])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func yesNoBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// csvBool is "yes", "no", or "" when unknown.
func csvBool(b *bool) string {
	if b == nil {
		return ""
	}
	return yesNoBool(*b)
}

// csvSafe defuses formula injection: spreadsheets evaluate a cell that
// starts with =, +, -, @ (or a tab or carriage return before one), and
// organisation names and findings may come from anywhere.
func csvSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// readinessCells are the CSV cells of a site's readiness: hybrid groups
// ("none" without), TLS 1.3 and EMS (yes, no, or empty when unknown), the
// certificate's days left and the future grade; all empty when the stored
// result could not be read.
func readinessCells(r *assess.Readiness) []string {
	if r == nil {
		return make([]string, 5)
	}
	pq := "none"
	if r.PQ() {
		pq = strings.Join(r.PQGroups, "; ")
	}
	days := ""
	if r.CertDaysLeft != nil {
		days = strconv.Itoa(*r.CertDaysLeft)
	}
	return []string{pq, yesNoBool(r.TLS13), csvBool(r.EMS), days, r.FutureGrade}
}
