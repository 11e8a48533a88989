package grade

import "strings"

// Grade is a grade as padlock publishes it: A+ … F, T, M or U, without the
// `*` of personal data over plain text. The zero value "" is no grade (an
// inconclusive assessment). Grade is the one place the order of grades and
// their bands are written down; every package compares, sorts and bands
// grades through it.
//
// From best to worst:
//
//	A+ > A > A- > B > C > D > E > F > T > M > U
//
// SSL Labs keeps T (not trusted) and M (name mismatch) outside its letter
// order; padlock needs every pair of grades ordered to say whether a site
// got better or worse, so it puts them below F: a browser shows a warning
// page for T and M, while an F site still connects. M ranks below T because
// it wins when both apply (docs/grading.md decision 4). U (no secure
// connection at all, decision 1) is the worst.
type Grade string

// The grades.
const (
	APlus  Grade = "A+"
	A      Grade = "A"
	AMinus Grade = "A-"
	B      Grade = "B"
	C      Grade = "C"
	D      Grade = "D"
	E      Grade = "E"
	F      Grade = "F"
	T      Grade = "T"
	M      Grade = "M"
	U      Grade = "U"
)

// order is every grade, best first.
var order = [...]Grade{APlus, A, AMinus, B, C, D, E, F, T, M, U}

// All returns every grade, best first.
func All() []Grade { return append([]Grade(nil), order[:]...) }

// Parse reads a grade as stored or shown: surrounding space and a trailing
// `*` are ignored. ok is false for anything that is not a grade, "" (no
// grade) included; the Grade is then "".
func Parse(s string) (g Grade, ok bool) {
	g = Grade(strings.TrimSuffix(strings.TrimSpace(s), "*"))
	if g.Rank() == 0 {
		return "", false
	}
	return g, true
}

// Of is Parse without ok: "" for anything that is not a grade.
func Of(s string) Grade {
	g, _ := Parse(s)
	return g
}

// Valid reports whether g is a grade ("" is not).
func (g Grade) Valid() bool { return g.Rank() > 0 }

// Rank orders grades: higher is better, from 11 for A+ down to 1 for U.
// Anything that is not a grade, "" included, is 0.
func (g Grade) Rank() int {
	for i, x := range order {
		if x == g {
			return len(order) - i
		}
	}
	return 0
}

// Compare returns -1 when g is worse than h, +1 when better, 0 when equal;
// a grade is better than no grade.
func (g Grade) Compare(h Grade) int {
	switch rg, rh := g.Rank(), h.Rank(); {
	case rg < rh:
		return -1
	case rg > rh:
		return 1
	}
	return 0
}

// Worst returns the worst of gs, ignoring what is not a grade; "" when none
// is. A site's grade is its endpoints' Worst.
func Worst(gs ...Grade) Grade {
	var worst Grade
	for _, g := range gs {
		if g.Valid() && (worst == "" || g.Compare(worst) < 0) {
			worst = g
		}
	}
	return worst
}

// Display is g as shown: followed by `*` when star is set ("F*", "U*"); ""
// when g is not a grade.
func (g Grade) Display(star bool) string {
	if !g.Valid() {
		return ""
	}
	if star {
		return string(g) + "*"
	}
	return string(g)
}

// Band is one of the seed study's bands of a league table.
type Band string

// The bands, best first. D and E (which the study never saw) sit with B
// and C; T and M sit with F: a browser refuses the site or warns.
const (
	BandHighest                    Band = "highest"
	BandRoomForImprovement         Band = "room-for-improvement"
	BandSignificantRoom            Band = "significant-room-for-improvement"
	BandSignificantVulnerabilities Band = "significant-vulnerabilities"
	BandNoSecureConnection         Band = "no-secure-connection"
)

// bands are the bands, best first, with their grades.
var bands = [...]struct {
	band   Band
	grades []Grade
}{
	{BandHighest, []Grade{APlus, A}},
	{BandRoomForImprovement, []Grade{AMinus}},
	{BandSignificantRoom, []Grade{B, C, D, E}},
	{BandSignificantVulnerabilities, []Grade{F, T, M}},
	{BandNoSecureConnection, []Grade{U}},
}

// Bands returns every band, best first.
func Bands() []Band {
	out := make([]Band, len(bands))
	for i, b := range bands {
		out[i] = b.band
	}
	return out
}

// Grades returns the grades of band b, best first.
func (b Band) Grades() []Grade {
	for _, x := range bands {
		if x.band == b {
			return append([]Grade(nil), x.grades...)
		}
	}
	return nil
}

// Band returns the band g falls in; "" when g is not a grade.
func (g Grade) Band() Band {
	for _, b := range bands {
		for _, x := range b.grades {
			if x == g {
				return b.band
			}
		}
	}
	return ""
}
