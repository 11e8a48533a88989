package console

import (
	"fmt"

	"padlock/assess"
	"padlock/vuln"
)

// vulns prints every vulnerability check with its state: the vulnerable
// ones first, with their evidence, then the rest in one line each.
func (r *renderer) vulns(d *assess.EndpointDetails) {
	if d.Report == nil || len(d.PadlockFindings) == 0 {
		return
	}
	r.section("Vulnerabilities", "")
	order := []vuln.State{vuln.Vulnerable, vuln.Inconclusive, vuln.NotVulnerable, vuln.NotApplicable, vuln.Unknown}
	for _, st := range order {
		for _, f := range d.PadlockFindings {
			if f.State != st {
				continue
			}
			label, s := f.State.String(), dim
			switch f.State {
			case vuln.Vulnerable:
				s = redB
				if f.Severity == vuln.SeverityInfo || f.Severity == vuln.SeverityNotExploitable {
					s = yellow
				}
				if f.Severity != vuln.SeverityNone {
					label += " (" + f.Severity.String() + ")"
				}
			case vuln.NotVulnerable:
				s = green
			case vuln.Inconclusive:
				s = yellow
			}
			r.line("    %-44s %s", f.Name, r.p.paint(s, label))
			if f.State == vuln.Vulnerable || f.State == vuln.Inconclusive || r.verbose {
				if f.Reason != "" {
					r.line("        %s", r.p.paint(dim, f.Reason))
				}
			}
			if r.verbose {
				cost := "no connection of its own"
				if f.Connections > 0 {
					cost = fmt.Sprintf("%.0f ms, %d %s", f.WallMS, f.Connections, plural(f.Connections, "connection", "connections"))
				}
				r.line("        %s", r.p.paint(dim, cost))
				for _, e := range f.Evidence {
					text := e.Label
					if e.Value != "" {
						text += ": " + e.Value
					}
					if e.Hex != "" {
						text += " [" + e.Hex + "]"
					}
					r.line("        %s", r.p.paint(dim, text))
				}
			}
		}
	}
}
