package grade

import (
	"slices"
	"testing"
)

func TestGradeOrder(t *testing.T) {
	order := []string{"A+", "A", "A-", "B", "C", "D", "E", "F", "T", "M", "U"}
	for i := 1; i < len(order); i++ {
		a, b := Of(order[i-1]), Of(order[i])
		if a.Rank() <= b.Rank() || a.Compare(b) != 1 || b.Compare(a) != -1 {
			t.Errorf("%s (rank %d) not above %s (rank %d)", a, a.Rank(), b, b.Rank())
		}
		if b.Rank() <= 0 || !b.Valid() {
			t.Errorf("Rank(%s) = %d", b, b.Rank())
		}
	}
	if got := All(); len(got) != len(order) || string(got[0]) != order[0] || string(got[len(got)-1]) != "U" {
		t.Errorf("All() = %v", got)
	}
	for _, g := range []string{"", "?", "a", "A++", "X", "inconclusive"} {
		if _, ok := Parse(g); ok || Grade(g).Rank() != 0 || Of(g) != "" {
			t.Errorf("%q parsed as a grade", g)
		}
	}
	if Of("F*") != F || Of(" B ") != B {
		t.Error("Parse does not ignore * and spaces")
	}
	if got := Worst(A, "", C, Of("B*"), "?"); got != C {
		t.Errorf("Worst = %q", got)
	}
	if got := Worst(F, T, A); got != T {
		t.Errorf("Worst(F, T, A) = %q", got)
	}
	if got := Worst("", "?"); got != "" {
		t.Errorf("Worst of no grades = %q", got)
	}
	for in, want := range map[[2]string]string{{"F", "*"}: "F*", {"U", "*"}: "U*", {"B", ""}: "B", {"", "*"}: "", {"B*", ""}: "B"} {
		if got := Of(in[0]).Display(in[1] == "*"); got != want {
			t.Errorf("Display(%q, %v) = %q, want %q", in[0], in[1] == "*", got, want)
		}
	}
}

func TestBands(t *testing.T) {
	want := map[Band][]Grade{
		BandHighest:                    {APlus, A},
		BandRoomForImprovement:         {AMinus},
		BandSignificantRoom:            {B, C, D, E},
		BandSignificantVulnerabilities: {F, T, M},
		BandNoSecureConnection:         {U},
	}
	var all []Grade
	for _, b := range Bands() {
		if !slices.Equal(b.Grades(), want[b]) {
			t.Errorf("band %s: %v, want %v", b, b.Grades(), want[b])
		}
		for _, g := range b.Grades() {
			if g.Band() != b {
				t.Errorf("%s.Band() = %s, want %s", g, g.Band(), b)
			}
		}
		all = append(all, b.Grades()...)
	}
	// The bands cover every grade once, in order.
	if !slices.Equal(all, All()) {
		t.Errorf("bands hold %v, want %v", all, All())
	}
	if Grade("").Band() != "" {
		t.Error("no grade has a band")
	}
}
