package assess

import (
	"context"

	"padlock/grade"
	"padlock/probe"
	"padlock/vuln"
)

// checkVulns runs the vulnerability checks on an endpoint the prober could
// talk to, with the same bounds as the probe.
func checkVulns(ctx context.Context, d *probe.Dialer, res *probe.Result, opts vuln.Options) *vuln.Report {
	if res == nil || !anySupported(res) {
		return nil
	}
	return vuln.Check(ctx, d, res, opts)
}

func anySupported(res *probe.Result) bool {
	for _, p := range res.Protocols {
		if p.Supported {
			return true
		}
	}
	return false
}

// addVulns puts the vulnerability report into the endpoint details. Fields
// both the prober and the checks fill (renegotiation, compression,
// heartbeat, RC4, DH primes) take the checks' values, which know more.
func addVulns(d *EndpointDetails, rep *vuln.Report) {
	if d == nil || rep == nil {
		return
	}
	d.Report = rep
	d.RenegSupport = rep.RenegSupport
	d.CompressionMethods = rep.CompressionMethods
	d.Heartbeat = rep.Heartbeat
	d.SupportsRC4 = rep.SupportsRC4
	d.RC4Only = rep.RC4Only
	if rep.DHUsesKnownPrimes != nil {
		d.DHUsesKnownPrimes = rep.DHUsesKnownPrimes
	}
}

// vulnFacts maps the checks' findings onto the grading facts (E1–E12, B7,
// B8, C2, C3).
func vulnFacts(rep *vuln.Report) *grade.VulnFacts {
	check := func(id string) grade.Check {
		f, ok := rep.Finding(id)
		if !ok {
			return grade.Check{}
		}
		c := grade.Check{Detail: f.Reason}
		switch f.State {
		case vuln.NotVulnerable:
			c.State = grade.NotVulnerable
		case vuln.Vulnerable:
			c.State = grade.Vulnerable
		case vuln.NotApplicable:
			c.State = grade.NotApplicable
		case vuln.Inconclusive:
			c.State = grade.Inconclusive
		}
		if f.Severity != 0 && c.State == grade.Vulnerable {
			c.Detail = f.Severity.String() + ": " + c.Detail
		}
		return c
	}
	return &grade.VulnFacts{
		Heartbleed:            check(vuln.CheckHeartbleed),
		CCSInjection:          check(vuln.CheckCCS),
		POODLETLS:             check(vuln.CheckPoodleTLS),
		LuckyMinus20:          check(vuln.CheckLuckyMinus20),
		Ticketbleed:           check(vuln.CheckTicketbleed),
		ROBOT:                 check(vuln.CheckROBOT),
		ZombiePOODLE:          check(vuln.CheckZombiePoodle),
		GOLDENDOODLE:          check(vuln.CheckGoldenDoodle),
		ZeroLength:            check(vuln.CheckZeroLength),
		SleepingPOODLE:        check(vuln.CheckSleepingPoodle),
		InsecureRenegotiation: check(vuln.CheckInsecureRenegotiation),
		FallbackSCSV:          check(vuln.CheckFallbackSCSV),
		FREAK:                 check(vuln.CheckFREAK),
		Logjam:                check(vuln.CheckLogjam),
	}
}
