package registry

import (
	"strings"
	"testing"
	"time"
)

func TestMaxLifetimeDays(t *testing.T) {
	cases := []struct {
		issued time.Time
		want   int
	}{
		{time.Date(2020, 9, 1, 0, 0, 0, 0, time.UTC), 398},
		{time.Date(2026, 3, 14, 23, 59, 59, 0, time.UTC), 398},
		{time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 200},
		{time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC), 200},
		{time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), 100},
		{time.Date(2029, 3, 15, 0, 0, 0, 0, time.UTC), 47},
		{time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), 47},
	}
	for _, c := range cases {
		if got := MaxLifetimeDays(c.issued); got != c.want {
			t.Errorf("MaxLifetimeDays(%s) = %d, want %d", c.issued, got, c.want)
		}
	}
}

// TestLifetimeDays counts as the Baseline Requirements do: notAfter
// inclusive, any part of a day a whole day.
func TestLifetimeDays(t *testing.T) {
	nb := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		na   time.Time
		want int
	}{
		{nb.Add(90*24*time.Hour - time.Second), 90}, // Let's Encrypt's 90 days
		{nb.Add(90 * 24 * time.Hour), 91},           // one second more is a day more
		{nb.Add(200*24*time.Hour - time.Second), 200},
		{nb, 1},
	}
	for _, c := range cases {
		if got := LifetimeDays(nb, c.na); got != c.want {
			t.Errorf("LifetimeDays(.., %s) = %d, want %d", c.na, got, c.want)
		}
	}
}

func TestDistrustCovers(t *testing.T) {
	var chrome, mozilla Distrust
	for _, d := range DistrustsOf(CAEntrust) {
		switch d.Browser {
		case Chrome:
			chrome = d
		case Mozilla:
			mozilla = d
		}
	}
	cut := time.Date(2024, 11, 11, 23, 59, 59, 0, time.UTC)
	nb := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	if ok, _ := chrome.Covers(nb, cut); ok {
		t.Error("an SCT at the last second of 2024-11-11 is covered")
	}
	if ok, b := chrome.Covers(nb, cut.Add(time.Second)); !ok || !b.Equal(cut.Add(time.Second)) {
		t.Error("an SCT of 2024-11-12 is not covered, or not judged by the SCT")
	}
	// No SCT: notBefore stands in, and the reason says so.
	late := time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC)
	ok, b := chrome.Covers(late, time.Time{})
	if !ok || !b.Equal(late) || !strings.Contains(chrome.Reason(b, false), "no SCT was seen") {
		t.Errorf("no SCT: covered %v basis %s reason %q", ok, b, chrome.Reason(b, false))
	}
	// Mozilla judges by notBefore whatever the SCTs say.
	if ok, _ := mozilla.Covers(time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC), late); ok {
		t.Error("Mozilla judged by the SCT")
	}
	if ok, _ := mozilla.Covers(late, time.Time{}); !ok {
		t.Error("Mozilla: notBefore 2024-12-02 not covered")
	}
	if !mozilla.InForce(mozilla.From) || mozilla.InForce(mozilla.From.Add(-time.Second)) {
		t.Error("InForce boundary")
	}
}

// TestDistrustTable: every rule names a known browser, a CA and a release,
// and says what it covers.
func TestDistrustTable(t *testing.T) {
	for _, d := range Distrusts {
		if (d.Browser != Chrome && d.Browser != Mozilla) || d.CA == "" || d.Release == "" || d.From.IsZero() {
			t.Errorf("incomplete rule %+v", d)
		}
		if r := d.Reason(d.From, true); !strings.HasPrefix(r, string(d.Browser)+" distrusts ") || !strings.Contains(r, d.CA) {
			t.Errorf("reason %q", r)
		}
	}
}
