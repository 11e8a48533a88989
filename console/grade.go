package console

import (
	"fmt"
	"strings"

	"padlock/assess"
	"padlock/grade"
)

// gradeStyle colours a grade the way league tables do: A green, B and C
// amber, the rest red.
func gradeStyle(g string) style {
	switch {
	case strings.HasPrefix(g, "A"):
		return green
	case g == "B" || g == "C":
		return yellow
	case g == "":
		return dim
	}
	return redB
}

// grade prints the grade, the three category scores as bars, and every
// rule that cost a point with its evidence and remedy.
func (r *renderer) grade(ep *assess.Endpoint) {
	g := ep.PadlockGrade
	if g == nil {
		return
	}
	r.section("Grade", g.Criteria)
	if g.Grade == "" {
		r.line("    %s  %s", r.p.paint(dim, "no grade"), g.Inconclusive)
		return
	}
	head := r.p.paint(gradeStyle(g.Grade), "  "+g.Grade+"  ")
	if g.GradeTrustIgnored != "" && g.GradeTrustIgnored != g.Grade {
		head += "  (" + g.GradeTrustIgnored + " if trust issues are ignored)"
	}
	if g.Provisional {
		head += r.p.paint(dim, "  provisional: some checks have not run")
	}
	r.line("    %s", head)
	if g.Scores.Total > 0 || g.Scores.Letter != "" {
		for _, s := range []struct {
			name  string
			score float64
		}{
			{"Protocol support", g.Scores.Protocol},
			{"Key exchange", g.Scores.KeyExchange},
			{"Cipher strength", g.Scores.Cipher},
		} {
			n := int(s.score/5 + 0.5)
			r.line("    %-17s %s%s %3.0f", s.name, r.p.paint(bold, repeat("█", n)), r.p.paint(dim, repeat("░", 20-n)), s.score)
		}
		r.line("    %-17s %.1f (%s)", "Score", g.Scores.Total, g.Scores.Letter)
	}

	var costs []grade.Finding
	for _, f := range g.Findings {
		if f.Effect != grade.EffectInfo && f.Effect != grade.EffectScore {
			costs = append(costs, f)
		}
	}
	if len(costs) == 0 && len(g.WhyNotAPlus) == 0 {
		return
	}
	r.blank()
	title := "Why not A+"
	if g.IsExceptional {
		title = "Findings"
	}
	r.line("    %s", r.p.paint(bold, title))
	seen := map[grade.RuleID]bool{}
	for _, f := range append(costs, g.WhyNotAPlus...) {
		if seen[f.Rule] {
			continue
		}
		seen[f.Rule] = true
		r.line("    %s %s  %s", r.p.paint(gradeStyle(effectGrade(f.Effect)), fmt.Sprintf("%-3s", f.Rule)), r.p.paint(bold, fmt.Sprintf("%-12s", f.Effect.Label())), f.Reason)
		if f.Evidence.Text != "" {
			r.line("        %s", r.p.paint(dim, f.Evidence.Text))
		}
		if f.Remedy.Summary != "" {
			r.line("        fix: %s", f.Remedy.Summary)
		}
		for _, c := range []struct{ server, conf string }{
			{"nginx:  ", f.Remedy.Nginx}, {"Apache: ", f.Remedy.Apache}, {"IIS:    ", f.Remedy.IIS},
		} {
			for i, l := range strings.Split(c.conf, "\n") {
				if l == "" {
					continue
				}
				if i == 0 {
					r.line("          %s%s", c.server, l)
				} else {
					r.line("                  %s", l)
				}
			}
		}
	}
	if n := len(g.NotEvaluated); n > 0 && r.verbose {
		r.blank()
		r.line("    %s", r.p.paint(bold, "Not evaluated"))
		for _, p := range g.NotEvaluated {
			kind := "pending"
			if p.Limitation {
				kind = "limitation"
			}
			r.line("    %-3s  %-10s  %s", p.Rule, kind, p.Reason)
		}
	}
}

// effectGrade is the grade an effect points at, for colouring.
func effectGrade(e grade.Effect) string {
	switch e {
	case grade.EffectCapB:
		return "B"
	case grade.EffectCapC:
		return "C"
	case grade.EffectWarning, grade.EffectNoAPlus, grade.EffectCapA:
		return "A"
	}
	return "F"
}
