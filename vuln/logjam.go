package vuln

import (
	"context"
	"strconv"

	"padlock/registry"
)

// Logjam (CVE-2015-4000): finite-field DH with a group below 1024 bits
// (DHE_EXPORT included) can be broken, and a server accepting DHE_EXPORT
// can be downgraded to it. SSL Labs' logjam field is "DH parameters
// weaker than 1024 bits". Decided from the groups the server sent in its
// ServerKeyExchange during the prober's enumeration.
func checkLogjam(_ context.Context, r *run) Finding {
	dhe := suites(r.res, func(u suiteUse) bool { return u.Suite.Kx == registry.KxDHE })
	var small, export []suiteUse
	for _, u := range dhe {
		switch {
		case u.Accepted.DH != nil && u.Accepted.DH.Bits < 1024:
			small = append(small, u)
		case u.Suite.Export:
			export = append(export, u)
		}
	}
	bits := func(u suiteUse) string {
		if u.Accepted.DH == nil {
			return "unknown"
		}
		return strconv.Itoa(u.Accepted.DH.Bits)
	}
	if len(small) > 0 {
		f := finding(CheckLogjam, Vulnerable, "%d DHE suite(s) use a group below 1024 bits", len(small))
		f.Severity = SeverityExploitable
		for i, u := range small {
			if i == 4 {
				break
			}
			f.add(note("weak DHE group", "%s: %s bits", u, bits(u)))
		}
		return f
	}
	if len(export) > 0 {
		// The downgrade needs a weak export group; with a strong one the
		// export suite is a flaw, not the Logjam break (SSL Labs' logjam
		// field is false here).
		f := finding(CheckLogjam, Vulnerable, "%d DHE_EXPORT suite(s) accepted, but with a group of 1024 bits or more", len(export))
		f.Severity = SeverityNotExploitable
		f.Variant = VariantNotExploitable
		for i, u := range export {
			if i == 4 {
				break
			}
			f.add(note("DHE export suite", "%s: %s-bit group", u, bits(u)))
		}
		return f
	}
	if len(dhe) == 0 {
		f := noSuiteFinding(CheckLogjam, r, "")
		if f.State == NotVulnerable {
			return finding(CheckLogjam, NotApplicable, "no DHE suite is accepted")
		}
		return f
	}
	f := finding(CheckLogjam, NotVulnerable, "every DHE suite uses a group of 1024 bits or more")
	seen := map[int]bool{}
	for _, u := range dhe {
		if u.Accepted.DH != nil && !seen[u.Accepted.DH.Bits] {
			seen[u.Accepted.DH.Bits] = true
			f.add(note("DHE group", "%d bits (%s)", u.Accepted.DH.Bits, u))
		}
	}
	return f
}
