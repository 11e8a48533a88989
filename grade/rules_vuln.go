package grade

import (
	"slices"

	"padlock/registry"
)

// vulnRules evaluates E1-E12 (docs/grading.md §2.E).
func (e *evaluator) vulnRules() {
	legacy := e.legacy()
	cbcTLS := len(e.filter(func(a accepted) bool {
		return !a.v2 && a.cipher.CBC() && a.proto >= registry.TLS10 && a.proto <= registry.TLS12
	})) > 0
	aesCBC := len(e.filter(func(a accepted) bool {
		return !a.v2 && (a.cipher == registry.AES128 || a.cipher == registry.AES256) && a.proto >= registry.TLS10 && a.proto <= registry.TLS12
	})) > 0
	rsaKx := len(e.filter(func(a accepted) bool { return !a.v2 && a.suite.Kx == registry.KxRSA })) > 0

	const (
		noLegacy = "TLS 1.3 only: the flaw concerns older protocol versions"
		noCBC    = "no CBC suite is accepted with TLS 1.0-1.2"
	)
	type vuln struct {
		id      RuleID
		applies bool
		why     string // when it does not apply
		check   func(*VulnFacts) Check
		reason  string
	}
	list := []vuln{
		{RuleE1, legacy, noLegacy, func(v *VulnFacts) Check { return v.Heartbleed },
			"the server leaks memory through heartbeat requests (Heartbleed)"},
		{RuleE2, legacy, noLegacy, func(v *VulnFacts) Check { return v.CCSInjection },
			"the server accepts an early ChangeCipherSpec (CVE-2014-0224)"},
		{RuleE4, cbcTLS, noCBC, func(v *VulnFacts) Check { return v.POODLETLS },
			"the server accepts invalid CBC padding in TLS (POODLE against TLS)"},
		{RuleE6, aesCBC, "no AES-CBC suite is accepted with TLS 1.0-1.2", func(v *VulnFacts) Check { return v.LuckyMinus20 },
			"the server is a padding oracle through OpenSSL's AES-NI CBC bug (CVE-2016-2107)"},
		{RuleE7, legacy, noLegacy, func(v *VulnFacts) Check { return v.Ticketbleed },
			"the server leaks memory through session-ticket session IDs (Ticketbleed)"},
		{RuleE8, rsaKx, "no RSA key-exchange suite is accepted", func(v *VulnFacts) Check { return v.ROBOT },
			"the server is a Bleichenbacher oracle on RSA key exchange (ROBOT)"},
		{RuleE9, cbcTLS, noCBC, func(v *VulnFacts) Check { return v.ZombiePOODLE },
			"the server is a CBC padding oracle (Zombie POODLE)"},
		{RuleE10, cbcTLS, noCBC, func(v *VulnFacts) Check { return v.GOLDENDOODLE },
			"the server is a CBC padding oracle (GOLDENDOODLE)"},
		{RuleE11, cbcTLS, noCBC, func(v *VulnFacts) Check { return v.ZeroLength },
			"the server is a padding oracle on zero-length records (CVE-2019-1559)"},
		{RuleE12, cbcTLS, noCBC, func(v *VulnFacts) Check { return v.SleepingPOODLE },
			"the server is a CBC padding oracle (Sleeping POODLE)"},
	}
	for _, v := range list {
		switch {
		case !v.applies:
			e.na(v.id, v.why)
		case e.f.Vulns == nil:
			e.pend(v.id, SourceVuln, "vulnerability checks have not run")
		default:
			e.check(v.id, v.check(e.f.Vulns), SourceVuln, v.reason, Evidence{})
		}
	}

	// E3 POODLE follows from the suites: SSL 3.0 with a CBC suite.
	if cbc3 := e.filter(func(a accepted) bool { return a.proto == registry.SSLv3 && a.cipher.CBC() }); len(cbc3) > 0 {
		e.fire(RuleE3, "CBC suites are accepted with SSL 3.0 (POODLE)", suiteEvidence("accepted", cbc3))
	}

	// E5 DROWN: this server speaks SSL 2.0, or another one with the same
	// RSA key (or name) does.
	var ev Evidence
	var here bool
	if e.has[registry.SSLv2] {
		here = true
		ev.Text = "this server accepts SSL 2.0"
		ev.Protocols = []string{registry.SSLv2.String()}
	}
	var hosts []string
	if d := e.f.DROWN; d != nil {
		hosts = slices.Clone(d.Hosts)
		slices.Sort(hosts)
		hosts = slices.Compact(hosts)
	}
	if len(hosts) > 0 {
		ev.Hosts = hosts
		t := "SSL 2.0 on " + joinAnd(hosts) + ", which share" + plural(len(hosts), "s", "") + " this certificate's key or name"
		if ev.Text != "" {
			ev.Text += "; " + t
		} else {
			ev.Text = t
		}
	}
	switch {
	case here || len(hosts) > 0:
		e.fire(RuleE5, "the server's key is exposed through SSL 2.0 (DROWN)", ev)
	case e.f.LeafKey != nil && e.f.LeafKey.Alg != KeyRSA && e.f.LeafKey.Alg != KeyUnknown:
		e.na(RuleE5, "the certificate key is not RSA and this server has no SSL 2.0")
	case e.f.DROWN == nil:
		e.limit(RuleE5, SourceFleet, "other servers sharing the key are looked up only in a fleet scan")
	}
}
