package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSVColumns are WriteCSV's columns, in order (see doc.go and
// docs/exports.md).
var CSVColumns = []string{
	"organisation", "url", "grade", "band", "personal_data", "secure_by_default",
	"hsts", "protocols", "key_findings", "change",
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
