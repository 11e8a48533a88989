package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"padlock/change"
)

// WriteMarkdown writes a summary for a briefing paper: the headline
// figures, the organisations by band and grade (as the 2016 study listed
// them, `*` included), the inconclusive sites and the changes since the
// previous scan. Text that came from the targets file or a scanned site is
// escaped so that it reads as text in any Markdown renderer.
func WriteMarkdown(w io.Writer, f *Fleet) error {
	b := bufio.NewWriter(w)
	h := f.Headline
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# %s\n\n", mdEscape(reportTitle(f)))
	p("Data from %s. Grades follow padlock's criteria `%s`.\n\n", mdEscape(scanRef(f.Scan)), mdCode(criteriaOf(f)))

	p("## Our findings\n\n")
	for _, s := range findingSentences(f) {
		p("- %s\n", mdEscape(s))
	}
	p("\n")

	p("## Headline figures\n\n")
	p("| Figure | Sites | Share |\n|---|---:|---:|\n")
	p("| Sites scanned | %d | |\n", h.Sites)
	p("| Graded | %d | |\n", h.Graded)
	p("| Inconclusive (not counted below) | %d | |\n", h.Inconclusive)
	for i, bc := range h.PerBand {
		p("| %s (%s) | %d | %s |\n", BandName(bc.Band), strings.Join(bandDefs[i].Grades, ", "), bc.Count, pctText(bc.Percent))
	}
	p("| … of which take personal data over plain text (U\\*) | %d | %s of U |\n", h.NoSecureTakingPersonalData, pctText(h.NoSecureTakingPersonalDataPercent))
	p("| Secure by default | %d of %d checked | %s |\n", h.SecureByDefault, h.SecureByDefaultKnown, pctText(h.SecureByDefaultPercent))
	if r := h.Readiness; r.Known > 0 {
		p("| Hybrid post-quantum key exchange accepted | %d of %d read | %s |\n", r.PQ, r.Known, pctText(r.PQPercent))
		p("| … chosen for browsers that offer it | %d of %d | %s |\n", r.PQFirstChoice, r.PQ, pctText(r.PQFirstChoicePercent))
		p("| TLS 1.3 | %d of %d read | %s |\n", r.TLS13, r.Known, pctText(r.TLS13Percent))
		p("| Extended master secret | %d of %d with TLS 1.2 | %s |\n", r.EMS, r.EMSKnown, pctText(r.EMSPercent))
		p("| Certificates expiring within 30 days | %d | |\n", r.Expiring)
		p("| Grades a dated rule will change | %d | |\n", r.FutureChanges)
	}
	if f.Previous != nil {
		p("| Improved since the previous scan | %d of %d | %s |\n", h.Improved, h.Compared, pctText(h.ImprovedPercent))
		p("| Deteriorated since the previous scan | %d of %d | %s |\n", h.Deteriorated, h.Compared, pctText(h.DeterioratedPercent))
	}
	p("\nShares are of the %d graded sites unless stated; inconclusive sites are in no band or percentage.\n\n", h.Graded)

	p("## Grades\n\n")
	p("| Grade |")
	for _, g := range h.PerGrade {
		p(" %s |", g.Grade)
	}
	p("\n|---|")
	for range h.PerGrade {
		p("---:|")
	}
	p("\n| Sites |")
	for _, g := range h.PerGrade {
		p(" %d |", g.Count)
	}
	p("\n\n")

	p("## Results by band\n\n")
	for _, band := range f.Bands {
		p("### %s\n\n", mdEscape(band.Title))
		if len(band.Sites) == 0 {
			p("None.\n\n")
			continue
		}
		if band.ID == BandNoSecureConnection {
			p("Organisations accepting personal data over plain text are marked with an asterisk.\n\n")
		}
		for _, g := range band.Grades {
			var names []string
			for _, s := range band.Sites {
				if s.Grade == g {
					names = append(names, mdSiteName(s))
				}
			}
			if len(names) == 0 {
				continue
			}
			p("Grading: %s\n\n", mdEscape(g))
			for _, n := range names {
				p("- %s\n", n)
			}
			p("\n")
		}
	}

	if len(f.Inconclusive) > 0 {
		p("## Inconclusive\n\n")
		for _, s := range f.Inconclusive {
			p("- %s: %s\n", mdEscape(orKey(s)), mdEscape(s.Inconclusive))
		}
		p("\n")
	}

	p("## Changes since the previous scan\n\n")
	if f.Previous == nil {
		p("This is the first finished scan: there is nothing to compare it with yet.\n")
		return b.Flush()
	}
	p("From %s to %s.\n\n", mdEscape(scanRef(*f.Previous)), mdEscape(scanRef(f.Scan)))
	any := false
	for _, ct := range changeTitles {
		var list []change.Change
		for _, c := range f.Changes {
			if c.Kind == ct.kind {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			continue
		}
		any = true
		p("### %s (%d)\n\n", mdEscape(ct.title), len(list))
		for _, c := range list {
			name := c.Organisation
			if name == "" {
				name = c.Site
			}
			p("- %s: %s\n", mdEscape(name), mdEscape(c.String()))
		}
		p("\n")
	}
	if !any {
		p("No site changed.\n")
	}
	return b.Flush()
}

func criteriaOf(f *Fleet) string {
	if f.Criteria != "" {
		return f.Criteria
	}
	return "padlock-2009r"
}

func orKey(s *Site) string {
	if s.Organisation != "" {
		return s.Organisation
	}
	return s.SiteKey
}

// mdSiteName is an organisation as the band lists show it: its name, `*`
// when it takes personal data over plain text, and its change arrow.
func mdSiteName(s *Site) string {
	t := mdEscape(orKey(s))
	if s.Star {
		t += "\\*"
	}
	switch s.Change.Kind {
	case change.Improved, change.Deteriorated:
		t += fmt.Sprintf(" (%s %s, was %s)", s.Change.Arrow, s.Change.Kind, mdEscape(s.Change.From))
	case change.New:
		t += " (new)"
	}
	return t
}

// mdEscape makes text safe in a Markdown paragraph, list item or table
// cell: line breaks become spaces; every character that means something
// inside a line (emphasis, code, links, raw HTML, entities, table pipes,
// strikethrough) is backslash-escaped, and so is a leading character that
// would start a list or a heading.
func mdEscape(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\n', '\r', '\t':
			b.WriteByte(' ')
			continue
		case '\\', '`', '*', '_', '{', '}', '[', ']', '<', '>', '|', '~', '&':
			b.WriteByte('\\')
		case '-', '+', '#', '=':
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			if i > 0 && isDigits(s[:i]) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// mdCode is text for inside a code span: no backticks or line breaks.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
}
