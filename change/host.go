package change

import (
	"padlock/assess"
	"padlock/grade"
)

// FindingsFromHost collects the grading findings of every endpoint of h
// (Endpoint.PadlockGrade), once each, in the order they first appear. A
// finding's Reason is its rule's title made short ("certificate expired"),
// which stays the same from one scan to the next; the numeric-score finding
// becomes "numeric score gives C". Detail keeps the grading's own reason.
func FindingsFromHost(h *assess.Host) []Finding {
	if h == nil {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	for i := range h.Endpoints {
		r := h.Endpoints[i].PadlockGrade
		if r == nil {
			continue
		}
		for _, f := range r.Findings {
			if f.NotEvaluated {
				continue
			}
			c := Finding{Rule: string(f.Rule), Effect: f.Effect.String(), Detail: f.Reason}
			switch {
			case f.Rule == grade.RuleScore && r.Scores.Letter != "":
				c.Reason = "numeric score gives " + r.Scores.Letter
			case f.Title != "":
				c.Reason = ShortReason(f.Title)
			default:
				c.Reason = f.Reason
			}
			if k := key(c); !seen[k] {
				seen[k] = true
				out = append(out, c)
			}
		}
	}
	return out
}
