package assess

import "padlock/web"

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

// gradeRank orders grades from best to worst for "the site's grade is its
// worst endpoint": A+ A A- B C D E F, then T and M (trust), then U.
var gradeRank = map[string]int{
	"A+": 0, "A": 1, "A-": 2, "B": 3, "C": 4, "D": 5, "E": 6, "F": 7, "T": 8, "M": 9, "U": 10,
}

// summarize computes the site verdict from the endpoints and the web result.
func summarize(h *Host, w *web.Result) Site {
	var s Site
	worst := -1
	for _, ep := range h.Endpoints {
		r, ok := gradeRank[ep.Grade]
		if !ok {
			continue
		}
		if r > worst {
			worst, s.Grade = r, ep.Grade
		}
		if ep.PadlockGrade != nil && ep.PadlockGrade.Provisional {
			s.Provisional = true
		}
	}
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
	s.Display = s.Grade
	if s.Star && s.Grade != "" {
		s.Display += "*"
	}
	return s
}
