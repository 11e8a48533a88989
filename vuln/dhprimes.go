package vuln

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"padlock/probe"
	"padlock/registry"
)

// dhPrimesData lists well-known DH primes beyond the RFC groups package
// probe derives, each with its source; see the file's header.
//
//go:embed data/dhprimes.txt
var dhPrimesData string

// knownPrime is one entry of the list.
type knownPrime struct {
	Name, Source string
	P            *big.Int
}

var knownPrimes = sync.OnceValues(func() ([]knownPrime, error) { return parseDHPrimes(dhPrimesData) })

// parseDHPrimes reads the data format: "name:", "source:", hex lines;
// blank lines between entries; "#" comments.
func parseDHPrimes(data string) ([]knownPrime, error) {
	var out []knownPrime
	var cur knownPrime
	var hex strings.Builder
	flush := func() error {
		if cur.Name == "" && hex.Len() == 0 {
			return nil
		}
		p, ok := new(big.Int).SetString(hex.String(), 16)
		if cur.Name == "" || cur.Source == "" || !ok {
			return fmt.Errorf("vuln: bad DH prime entry %q", cur.Name)
		}
		cur.P = p
		out = append(out, cur)
		cur = knownPrime{}
		hex.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
		case line == "":
			if err := flush(); err != nil {
				return nil, err
			}
		case strings.HasPrefix(line, "name:"):
			cur.Name = strings.TrimSpace(strings.TrimPrefix(line, "name:"))
		case strings.HasPrefix(line, "source:"):
			cur.Source = strings.TrimSpace(strings.TrimPrefix(line, "source:"))
		default:
			hex.WriteString(line)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// KnownDHPrime names the well-known group whose prime is p (RFC 2409,
// 3526, 5114, 7919, and the server defaults of data/dhprimes.txt), or "".
func KnownDHPrime(p *big.Int) string {
	if n := probe.KnownDHGroup(p); n != "" {
		return n
	}
	list, err := knownPrimes()
	if err != nil {
		return ""
	}
	for _, k := range list {
		if k.P.Cmp(p) == 0 {
			return k.Name
		}
	}
	return ""
}

// weakKnownBits: a known prime this small can be precomputed against.
const weakKnownBits = 1024

// Well-known DH primes: a server using a prime shared by many others is
// exposed to a one-time precomputation (the Logjam paper's argument),
// decisively so at 1024 bits or less. Decided from the DHE groups the
// server sent during the prober's enumeration.
func checkDHPrimes(_ context.Context, r *run) Finding {
	if _, err := knownPrimes(); err != nil {
		return inconclusive(CheckDHPrimes, err, "loading the list of known primes")
	}
	dhe := suites(r.res, func(u suiteUse) bool { return u.Suite.Kx == registry.KxDHE && u.Accepted.DH != nil })
	if len(dhe) == 0 {
		f := noSuiteFinding(CheckDHPrimes, r, "")
		if f.State == NotVulnerable {
			return finding(CheckDHPrimes, NotApplicable, "no DHE suite is accepted")
		}
		return f
	}
	type group struct {
		bits  int
		known string
		where suiteUse
	}
	var groups []group
	seen := map[string]bool{}
	for _, u := range dhe {
		k := string(u.Accepted.DH.Prime)
		if seen[k] {
			continue
		}
		seen[k] = true
		p := new(big.Int).SetBytes(u.Accepted.DH.Prime)
		groups = append(groups, group{bits: p.BitLen(), known: KnownDHPrime(p), where: u})
	}
	var known []group
	weak := false
	for _, g := range groups {
		if g.known != "" {
			known = append(known, g)
			weak = weak || g.bits <= weakKnownBits
		}
	}
	if len(known) == 0 {
		f := finding(CheckDHPrimes, NotVulnerable, "the server's %d DH prime(s) are not in the list of well-known primes", len(groups))
		for _, g := range groups {
			f.add(note("DH prime", "%d bits, unlisted (%s)", g.bits, g.where))
		}
		return f
	}
	f := finding(CheckDHPrimes, Vulnerable, "the server uses %d well-known DH prime(s)", len(known))
	f.Severity = SeverityInfo
	if weak {
		f.Variant = VariantWeakPrime
		f.Severity = SeverityExploitable
		f.Reason += ", one of 1024 bits or less (open to precomputation)"
	}
	for _, g := range known {
		f.add(note("well-known DH prime", "%s, %d bits (%s)", g.known, g.bits, g.where))
	}
	return f
}
