package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"padlock/grade"
	"padlock/store"
)

// Charts are drawn here as plain shapes and laid out by the templates as
// inline SVG: no script, no external request, the same bytes for the
// same data. Colours come from CSS classes (band-*), so the stylesheet
// owns them, and every mark carries a <title> for a tooltip and for
// screen readers; each chart has a data table beside it.

// Chart is an SVG chart: shapes in a W×H view box, drawn in field order
// (grid lines, bars, paths, points, text).
type Chart struct {
	ID    string // prefix of the SVG's element ids
	Title string
	Desc  string
	W, H  int

	Lines   []ChartLine
	Rects   []ChartRect
	Paths   []ChartPath
	Circles []ChartCircle
	Texts   []ChartText
}

// ChartLine is a grid or axis line.
type ChartLine struct {
	X1, Y1, X2, Y2 string
	Class          string
}

// ChartRect is a bar or a bar segment.
type ChartRect struct {
	X, Y, W, H string
	Class      string
	Title      string
}

// ChartPath is a line.
type ChartPath struct {
	D     string
	Class string
}

// ChartCircle is a point.
type ChartCircle struct {
	CX, CY, R string
	Class     string
	Title     string
}

// ChartText is a label.
type ChartText struct {
	X, Y   string
	Anchor string // start, middle, end
	Class  string
	Text   string
}

// plot is a chart's drawing area inside its margins.
type plot struct {
	w, h                     float64
	left, right, top, bottom float64
}

func (p plot) pw() float64 { return p.w - p.left - p.right }
func (p plot) ph() float64 { return p.h - p.top - p.bottom }

// niceStep picks a tick step of 1, 2 or 5 × 10^k so that max fits in
// about four steps.
func niceStep(max int) int {
	if max <= 4 {
		return 1
	}
	raw := float64(max) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return int(m * mag)
		}
	}
	return int(10 * mag)
}

// GradeChart draws the grade distribution: one bar per grade, A+ to U,
// coloured by band.
func GradeChart(h Headline, id string) *Chart {
	p := plot{w: 640, h: 260, left: 44, right: 12, top: 18, bottom: 44}
	c := &Chart{
		ID:    id,
		Title: "Grade distribution",
		Desc:  fmt.Sprintf("Number of sites per grade, of %d graded sites.", h.Graded),
		W:     int(p.w), H: int(p.h),
	}
	max := 0
	for _, g := range h.PerGrade {
		if g.Count > max {
			max = g.Count
		}
	}
	step := niceStep(max)
	top := step * int(math.Ceil(float64(max)/float64(step)))
	if top == 0 {
		top = step
	}
	base := p.top + p.ph()
	for v := 0; v <= top; v += step {
		y := base - p.ph()*float64(v)/float64(top)
		c.Lines = append(c.Lines, ChartLine{num(p.left), num(y), num(p.w - p.right), num(y), "grid"})
		c.Texts = append(c.Texts, ChartText{num(p.left - 6), num(y + 4), "end", "tick", strconv.Itoa(v)})
	}
	slot := p.pw() / float64(len(h.PerGrade))
	bw := slot * 0.64
	for i, g := range h.PerGrade {
		x := p.left + slot*float64(i) + (slot-bw)/2
		bh := p.ph() * float64(g.Count) / float64(top)
		title := fmt.Sprintf("%s: %d %s (%s of graded sites)", g.Grade, g.Count, plural(g.Count, "site", "sites"), pctText(g.Percent))
		if g.Count > 0 {
			c.Rects = append(c.Rects, ChartRect{num(x), num(base - bh), num(bw), num(bh), "bar band-" + BandOf(g.Grade), title})
		}
		c.Texts = append(c.Texts,
			ChartText{num(x + bw/2), num(base - bh - 5), "middle", "value", strconv.Itoa(g.Count)},
			ChartText{num(x + bw/2), num(base + 18), "middle", "label grade-label", g.Grade},
		)
	}
	c.Lines = append(c.Lines, ChartLine{num(p.left), num(base), num(p.w - p.right), num(base), "axis"})
	c.Texts = append(c.Texts, ChartText{num(p.left + p.pw()/2), num(p.h - 4), "middle", "axis-title", "grade"})
	return c
}

// TrendChart draws the bands over time: one 100% stacked bar per scan,
// the highest band at the bottom.
func TrendChart(points []TrendPoint, id string) *Chart {
	p := plot{w: 640, h: 280, left: 44, right: 12, top: 14, bottom: 48}
	c := &Chart{
		ID:    id,
		Title: "Bands over time",
		Desc:  fmt.Sprintf("Share of graded sites in each band, for each of the %d stored finished %s.", len(points), plural(len(points), "scan", "scans")),
		W:     int(p.w), H: int(p.h),
	}
	base := p.top + p.ph()
	for v := 0; v <= 100; v += 25 {
		y := base - p.ph()*float64(v)/100
		c.Lines = append(c.Lines, ChartLine{num(p.left), num(y), num(p.w - p.right), num(y), "grid"})
		c.Texts = append(c.Texts, ChartText{num(p.left - 6), num(y + 4), "end", "tick", strconv.Itoa(v) + "%"})
	}
	n := len(points)
	if n == 0 {
		return c
	}
	slot := p.pw() / float64(n)
	bw := math.Min(56, slot*0.7)
	every := int(math.Ceil(float64(n) / 8))
	for i, pt := range points {
		x := p.left + slot*float64(i) + (slot-bw)/2
		y := base
		label := scanLabel(pt.ScanID, pt.ScanName, pt.When.UTC().Format("2006-01-02"))
		if pt.Graded == 0 {
			c.Texts = append(c.Texts, ChartText{num(x + bw/2), num(base - 6), "middle", "value", "no grades"})
		}
		for _, b := range pt.Bands {
			if b.Count == 0 {
				continue
			}
			hgt := p.ph() * float64(b.Count) / float64(pt.Graded)
			y -= hgt
			c.Rects = append(c.Rects, ChartRect{num(x), num(y), num(bw), num(hgt), "bar band-" + b.Band,
				fmt.Sprintf("%s: %s %s (%d of %d graded sites)", label, BandName(b.Band), pctText(b.Percent), b.Count, pt.Graded)})
		}
		if i%every == 0 || i == n-1 {
			c.Texts = append(c.Texts,
				ChartText{num(x + bw/2), num(base + 16), "middle", "label", "#" + strconv.FormatInt(int64(pt.ScanID), 10)},
				ChartText{num(x + bw/2), num(base + 30), "middle", "label small", pt.When.UTC().Format("2006-01-02")},
			)
		}
	}
	c.Lines = append(c.Lines, ChartLine{num(p.left), num(base), num(p.w - p.right), num(base), "axis"})
	return c
}

// HistoryChart draws a site's grade over the scans as a step line, A+ at
// the top and U at the bottom; a scan without a grade breaks the line and
// shows as a hollow mark on the axis.
func HistoryChart(points []HistoryPoint, id string) *Chart {
	p := plot{w: 640, h: 250, left: 40, right: 20, top: 12, bottom: 46}
	c := &Chart{
		ID:    id,
		Title: "Grade history",
		Desc:  fmt.Sprintf("The site's grade in each of %d %s, best grade at the top.", len(points), plural(len(points), "scan", "scans")),
		W:     int(p.w), H: int(p.h),
	}
	levels := len(gradeOrder)
	base := p.top + p.ph()
	yOf := func(g string) float64 {
		r := grade.Of(g).Rank() // 11 for A+ … 1 for U
		return p.top + p.ph()*float64(levels-r)/float64(levels-1)
	}
	for _, g := range gradeOrder {
		y := yOf(g)
		c.Lines = append(c.Lines, ChartLine{num(p.left), num(y), num(p.w - p.right), num(y), "grid"})
		c.Texts = append(c.Texts, ChartText{num(p.left - 8), num(y + 4), "end", "tick grade-label", g})
	}
	n := len(points)
	if n == 0 {
		return c
	}
	xOf := func(i int) float64 {
		if n == 1 {
			return p.left + p.pw()/2
		}
		return p.left + 10 + (p.pw()-20)*float64(i)/float64(n-1)
	}
	var d strings.Builder
	drawing := false
	every := int(math.Ceil(float64(n) / 8))
	for i, pt := range points {
		x := xOf(i)
		label := scanLabel(pt.ScanID, pt.ScanName, pt.When.UTC().Format("2006-01-02"))
		if pt.Grade == "" {
			drawing = false
			c.Circles = append(c.Circles, ChartCircle{num(x), num(base + 0), "5", "point missing",
				label + ": inconclusive (" + pt.Inconclusive + ")"})
		} else {
			y := yOf(pt.Grade)
			if !drawing {
				fmt.Fprintf(&d, "M%s %s", num(x), num(y))
				drawing = true
			} else {
				fmt.Fprintf(&d, "H%sV%s", num(x), num(y))
			}
			c.Circles = append(c.Circles, ChartCircle{num(x), num(y), "5", "point band-" + BandOf(pt.Grade), label + ": " + pt.Display})
			if pt.Star {
				c.Texts = append(c.Texts, ChartText{num(x + 7), num(y - 6), "start", "star", "*"})
			}
		}
		if i%every == 0 || i == n-1 {
			c.Texts = append(c.Texts,
				ChartText{num(x), num(base + 20), "middle", "label", "#" + strconv.FormatInt(int64(pt.ScanID), 10)},
				ChartText{num(x), num(base + 34), "middle", "label small", pt.When.UTC().Format("2006-01-02")},
			)
		}
	}
	if d.Len() > 0 {
		c.Paths = append(c.Paths, ChartPath{d.String(), "step"})
	}
	return c
}

func scanLabel(id store.ScanID, name, date string) string {
	s := "Scan " + strconv.FormatInt(int64(id), 10)
	if name != "" {
		s += " (" + name + ")"
	}
	return s + ", " + date
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// pctText rounds a percentage to a whole number, halves away from zero:
// "27%".
func pctText(p float64) string {
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}
