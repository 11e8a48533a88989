package vuln

// Sleeping POODLE: the residual CBC oracle class of Young's 2019 research
// (padcheck reports an oracle that is neither GOLDENDOODLE nor Zombie
// POODLE as "POODLE or 'sleeping' POODLE"). padlock's reading: two
// malformed records (padding_oracle.go) answered differently that none
// of the named oracles found on this server separates — typically a
// server that goes silent on some malformed records and alerts on others.
func judgeSleepingPoodle(p *padResults, where string, poodle, lucky, zombie, golden, zero Finding) Finding {
	validPadding := map[padVector]bool{padBadMAC: true, padAllPadding: true, padZeroBadMAC: true}
	separated := func(a, b padVector) bool {
		switch {
		case golden.State == Vulnerable && validPadding[a] != validPadding[b]:
			return true
		case (zombie.State == Vulnerable || poodle.State == Vulnerable) && (a == padPoodle || b == padPoodle):
			return true
		case lucky.State == Vulnerable && (a == padAllPadding || b == padAllPadding):
			return true
		case zero.State == Vulnerable && (a == padZeroBadMAC || b == padZeroBadMAC || a == padZeroBadPad || b == padZeroBadPad):
			return true
		}
		return false
	}
	var pairs [][2]padVector
	for a := padBadMAC; a < padVectors; a++ {
		for b := a + 1; b < padVectors; b++ {
			if p.differ(a, b) && !separated(a, b) {
				pairs = append(pairs, [2]padVector{a, b})
			}
		}
	}
	if len(pairs) == 0 {
		f := finding(CheckSleepingPoodle, NotVulnerable, "no other pair of malformed records is answered differently (%s)", where)
		p.evidence(&f, padBadMAC, pad255)
		return f
	}
	a, b := pairs[0][0], pairs[0][1]
	f := finding(CheckSleepingPoodle, Vulnerable, "%q and %q records draw different answers that no named oracle explains (%s)", a, b, where)
	f.Severity = SeverityNotExploitable
	for _, pr := range pairs {
		if p.onWire(pr[0], pr[1]) {
			f.Severity = SeverityExploitable
		}
	}
	if f.Severity == SeverityExploitable {
		f.Reason += ", visible on the wire"
	}
	p.evidence(&f, a, b)
	return f
}
