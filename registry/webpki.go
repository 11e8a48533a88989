package registry

import (
	"fmt"
	"slices"
	"time"
)

// Web PKI policy facts with dates: which browser stops trusting which CA for
// which certificates from when, and the longest certificate lifetime the
// CA/Browser Forum's Baseline Requirements allow for a given issue date.
// Certificate analysis (pki) applies them at scan time; grading applies
// them again from stored facts, so that an old scan can be re-graded at any
// date and a rule whose date is still ahead gives a "future grade".
//
// Which certificates belong to a CA is pki's job (it recognises the roots
// by key and name); the rules here name the CA only.

// Browser is a browser whose root programme padlock models.
type Browser string

// Browsers padlock models.
const (
	Chrome  Browser = "Chrome"
	Mozilla Browser = "Mozilla"
)

// DistrustBasis is the date of a certificate a distrust rule looks at.
type DistrustBasis uint8

// Distrust bases.
const (
	// ByNotBefore: the certificate's notBefore (Mozilla's distrust-after,
	// and both browsers' Symantec rules).
	ByNotBefore DistrustBasis = iota
	// ByEarliestSCT: the earliest timestamp among the certificate's SCTs
	// (Chrome since 2024). Without any SCT, notBefore stands in for it
	// and the finding says so: Chrome requires CT anyway, so such a
	// certificate is not trusted by Chrome for that reason either.
	ByEarliestSCT
)

func (b DistrustBasis) String() string {
	if b == ByEarliestSCT {
		return "earliest SCT"
	}
	return "notBefore"
}

// Distrust is one dated distrust rule: Browser stops trusting the
// certificates of CA whose Basis date is after IssuedAfter (when set) and
// before IssuedBefore (when set), from From on.
type Distrust struct {
	CA           string
	Browser      Browser
	Basis        DistrustBasis
	IssuedAfter  time.Time
	IssuedBefore time.Time
	From         time.Time
	// Release names the browser releases that brought the rule in.
	Release string
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// endOf is the last second of a day (the announcements' "after <day>
// 11:59:59 PM UTC").
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 0, time.UTC)
}

// CA names of the dated distrusts.
const (
	CAEntrust  = "Entrust" // Entrust and its AffirmTrust roots
	CAChunghwa = "Chunghwa Telecom"
	CANetLock  = "NetLock"
	CASymantec = "Symantec" // the legacy Symantec PKI (VeriSign, Thawte, GeoTrust, RapidSSL...)
)

// Distrusts is the one table of dated CA distrusts.
//
// Symantec (security.googleblog.com/2017/09/chromes-plan-to-distrust-symantec.html;
// Mozilla followed with the same steps): certificates issued before
// 2016-06-01, then all of them. The From dates are the ones padlock has
// always used for both browsers (SSL Labs' T from 2018-03-01; Chrome 70
// stable on 2018-10-16), so that grades of stored scans do not move.
//
// Entrust (Chrome Root Program, June 2024; Mozilla, dev-security-policy,
// 31 July 2024): Chrome by earliest SCT after 2024-11-11, Mozilla by
// notBefore after 2024-11-30; both cover the AffirmTrust roots.
//
// Chunghwa Telecom and NetLock (Chrome Root Program, May 2025): Chrome by
// earliest SCT after 2025-07-31. Mozilla has no dated distrust of them.
var Distrusts = []Distrust{
	{CA: CASymantec, Browser: Chrome, Basis: ByNotBefore, IssuedBefore: day(2016, time.June, 1), From: day(2018, time.March, 1), Release: "Chrome 66"},
	{CA: CASymantec, Browser: Chrome, Basis: ByNotBefore, From: day(2018, time.October, 16), Release: "Chrome 70"},
	{CA: CASymantec, Browser: Mozilla, Basis: ByNotBefore, IssuedBefore: day(2016, time.June, 1), From: day(2018, time.March, 1), Release: "Firefox 60"},
	{CA: CASymantec, Browser: Mozilla, Basis: ByNotBefore, From: day(2018, time.October, 16), Release: "Firefox 63"},
	{CA: CAEntrust, Browser: Chrome, Basis: ByEarliestSCT, IssuedAfter: endOf(2024, time.November, 11), From: day(2024, time.November, 12), Release: "Chrome 131"},
	{CA: CAEntrust, Browser: Mozilla, Basis: ByNotBefore, IssuedAfter: endOf(2024, time.November, 30), From: day(2024, time.December, 1), Release: "Firefox's root store of 2024-12"},
	{CA: CAChunghwa, Browser: Chrome, Basis: ByEarliestSCT, IssuedAfter: endOf(2025, time.July, 31), From: day(2025, time.August, 1), Release: "Chrome 139"},
	{CA: CANetLock, Browser: Chrome, Basis: ByEarliestSCT, IssuedAfter: endOf(2025, time.July, 31), From: day(2025, time.August, 1), Release: "Chrome 139"},
}

// Covers reports whether the rule covers a certificate with these dates
// (a zero earliestSCT is "no SCT seen"), and the date it was judged by.
func (d Distrust) Covers(notBefore, earliestSCT time.Time) (covered bool, basis time.Time) {
	basis = notBefore
	if d.Basis == ByEarliestSCT && !earliestSCT.IsZero() {
		basis = earliestSCT
	}
	if basis.IsZero() {
		return false, basis
	}
	if !d.IssuedAfter.IsZero() && !basis.After(d.IssuedAfter) {
		return false, basis
	}
	if !d.IssuedBefore.IsZero() && !basis.Before(d.IssuedBefore) {
		return false, basis
	}
	return true, basis
}

// InForce reports whether the rule is enforced at t.
func (d Distrust) InForce(t time.Time) bool { return !t.Before(d.From) }

// DistrustsOf returns the rules of one CA, in table order.
func DistrustsOf(ca string) []Distrust {
	var out []Distrust
	for _, d := range Distrusts {
		if d.CA == ca {
			out = append(out, d)
		}
	}
	return out
}

// DistrustedBy applies the dated rules of a CA at t to a certificate with
// these dates (a zero earliestSCT: none seen): the browsers that distrust
// it, each once, in table order, and why.
func DistrustedBy(ca string, notBefore, earliestSCT, t time.Time) (browsers []Browser, reasons []string) {
	for _, d := range DistrustsOf(ca) {
		covered, basis := d.Covers(notBefore, earliestSCT)
		if !covered || !d.InForce(t) || slices.Contains(browsers, d.Browser) {
			continue
		}
		browsers = append(browsers, d.Browser)
		reasons = append(reasons, d.Reason(basis, !earliestSCT.IsZero()))
	}
	return browsers, reasons
}

// lifetimeSteps is the CA/Browser Forum's schedule of maximum certificate
// lifetimes (Baseline Requirements §6.3.2, ballot SC-081), by issue date.
var lifetimeSteps = []struct {
	from time.Time
	days int
}{
	{day(2029, time.March, 15), 47},
	{day(2027, time.March, 15), 100},
	{day(2026, time.March, 15), 200},
	{time.Time{}, 398},
}

// MaxLifetimeDays is the longest lifetime, in days, the Baseline
// Requirements allow a TLS server certificate issued at t.
func MaxLifetimeDays(issued time.Time) int {
	for _, s := range lifetimeSteps {
		if !issued.Before(s.from) {
			return s.days
		}
	}
	return lifetimeSteps[len(lifetimeSteps)-1].days
}

// LifetimeDays is a certificate's validity period as the Baseline
// Requirements count it: notBefore to notAfter inclusive (RFC 5280), in
// days of 86,400 seconds, any part of a day counting as a whole one.
func LifetimeDays(notBefore, notAfter time.Time) int {
	d := notAfter.Sub(notBefore) + time.Second
	days := int(d / (24 * time.Hour))
	if d%(24*time.Hour) != 0 {
		days++
	}
	return days
}

// Reason says in one line what the rule does and why it covers a
// certificate whose date it was judged by is basis; sctSeen is false when a
// rule by earliest SCT had to fall back on notBefore.
func (d Distrust) Reason(basis time.Time, sctSeen bool) string {
	const dateOnly = "2006-01-02"
	var which string
	switch {
	case !d.IssuedAfter.IsZero() && !d.IssuedBefore.IsZero():
		which = fmt.Sprintf("%s certificates whose %s is between %s and %s", d.CA, d.Basis, d.IssuedAfter.Format(dateOnly), d.IssuedBefore.Format(dateOnly))
	case !d.IssuedAfter.IsZero():
		which = fmt.Sprintf("%s certificates whose %s is after %s", d.CA, d.Basis, d.IssuedAfter.Format(dateOnly))
	case !d.IssuedBefore.IsZero():
		which = fmt.Sprintf("%s certificates whose %s is before %s", d.CA, d.Basis, d.IssuedBefore.Format(dateOnly))
	default:
		return fmt.Sprintf("%s distrusts every %s certificate (%s, from %s)", d.Browser, d.CA, d.Release, d.From.Format(dateOnly))
	}
	s := fmt.Sprintf("%s distrusts %s (%s, from %s)", d.Browser, which, d.Release, d.From.Format(dateOnly))
	if d.Basis == ByEarliestSCT && !sctSeen {
		return s + "; no SCT was seen, so its notBefore (" + basis.Format(dateOnly) + ") stands in"
	}
	return s + "; this certificate's is " + basis.Format(dateOnly)
}
