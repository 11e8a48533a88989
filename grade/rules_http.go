package grade

import "strconv"

// httpRules evaluates F1-F5 (docs/grading.md §2.F).
func (e *evaluator) httpRules() {
	h := e.f.HTTP
	if h == nil || h.HSTS == HSTSUnknown {
		why := "the HTTP headers have not been fetched"
		if h != nil {
			why = "the HSTS header could not be read"
		}
		for _, id := range []RuleID{RuleF1, RuleF2, RuleF3, RuleF4} {
			e.pend(id, SourceWeb, why)
		}
	} else {
		hdr := Evidence{Text: "Strict-Transport-Security: " + h.HSTSHeader, Detail: h.HSTSHeader}
		switch {
		case h.HSTS == HSTSAbsent:
			e.fire(RuleF4, "no Strict-Transport-Security header: A+ needs HSTS", Evidence{Text: "no Strict-Transport-Security header"})
		case h.HSTS == HSTSInvalid:
			if h.HSTSError != "" {
				hdr.Text += " (" + h.HSTSError + ")"
			}
			e.fire(RuleF2, "the Strict-Transport-Security header is invalid", hdr)
		case h.HSTS == HSTSDisabled || h.HSTSMaxAge <= 0:
			e.fire(RuleF2, "HSTS is disabled (max-age=0)", hdr)
		case h.HSTSMaxAge < hstsLongMaxAge:
			e.fire(RuleF3, formatAge(h.HSTSMaxAge)+"; A+ needs at least 15552000 (180 days)", hdr)
		default:
			e.hstsLong = true
		}
	}

	switch {
	case h == nil || h.HPKP == HPKPUnknown:
		e.pend(RuleF5, SourceWeb, "the HTTP headers have not been fetched")
	case h.HPKP == HPKPInvalid || h.HPKP == HPKPNoMatch || h.HPKP == HPKPNoBackup:
		what := map[HPKPStatus]string{
			HPKPInvalid:  "is invalid",
			HPKPNoMatch:  "pins no key of the served chain",
			HPKPNoBackup: "has no backup pin",
		}[h.HPKP]
		e.fire(RuleF5, "the Public-Key-Pins header "+what,
			Evidence{Text: "HPKP " + h.HPKP.String() + optional(": ", h.HPKPError), Detail: h.HPKPError})
	}
}

func optional(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

func formatAge(sec int64) string {
	return "HSTS max-age is " + itoa(sec) + " seconds (" + itoa(sec/86400) + " days)"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
