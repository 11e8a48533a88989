package assess

import (
	"padlock/grade"
	"padlock/web"
)

// Site is the verdict on the whole target, as a league table shows it: the
// worst endpoint's grade, the personal-data flag and secure by default.
type Site struct {
	// Grade is the worst endpoint grade (A+ … F, T, M, U); "" when no
	// endpoint could be graded (Inconclusive then says why).
	Grade string `json:"grade"`
	// Star is docs/grading.md decision 2: personal data over plain text.
	Star bool `json:"star"`
	// Display is the grade as published: Grade followed by "*" when Star.
	Display string `json:"display"`
	// SecureByDefault is decision 3: plain HTTP redirects to HTTPS of the
	// same site. nil when the HTTP side was not checked.
	SecureByDefault *bool `json:"secureByDefault,omitempty"`
	// Inconclusive says why there is no grade.
	Inconclusive string `json:"inconclusive,omitempty"`
	// Provisional is set when any endpoint's grade is provisional.
	Provisional bool `json:"provisional,omitempty"`
}

// summarize computes the site verdict from the endpoints and the web result.
func summarize(h *Host, w *web.Result) Site {
	var s Site
	var graded []grade.Grade
	for _, ep := range h.Endpoints {
		g, ok := grade.Parse(ep.Grade)
		if !ok {
			continue
		}
		graded = append(graded, g)
		if ep.PadlockGrade != nil && ep.PadlockGrade.Provisional {
			s.Provisional = true
		}
	}
	// The site's grade is its worst endpoint's.
	s.Grade = string(grade.Worst(graded...))
	if s.Grade == "" {
		s.Inconclusive = h.StatusMessage
		for _, ep := range h.Endpoints {
			if ep.PadlockGrade != nil && ep.PadlockGrade.Inconclusive != "" {
				s.Inconclusive = ep.PadlockGrade.Inconclusive
				break
			}
		}
		if s.Inconclusive == "" {
			s.Inconclusive = "no endpoint could be graded"
		}
	}
	if w != nil {
		s.Star = w.PersonalDataOverPlainText
		if w.SecureByDefaultReason != web.ReasonInconclusive {
			sbd := w.SecureByDefault
			s.SecureByDefault = &sbd
		}
	}
	s.Display = grade.Of(s.Grade).Display(s.Star)
	return s
}
