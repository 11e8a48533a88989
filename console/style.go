package console

import (
	"strings"
	"unicode/utf8"
)

// style is an ANSI SGR attribute; the zero style is plain text.
type style string

const (
	plain  style = ""
	bold   style = "1"
	dim    style = "2"
	red    style = "31"
	green  style = "32"
	yellow style = "33"
	redB   style = "1;31"
)

// painter applies styles when colour is on.
type painter struct{ color bool }

func (p painter) paint(s style, text string) string {
	if !p.color || s == plain || text == "" {
		return text
	}
	return "\x1b[" + string(s) + "m" + text + "\x1b[0m"
}

// cell is one table cell: its text and how to show it.
type cell struct {
	text  string
	style style
}

func c(text string) cell            { return cell{text: text} }
func cs(s style, text string) cell  { return cell{text: text, style: s} }
func width(s string) int            { return utf8.RuneCountInString(s) }
func pad(s string, w int) string    { return s + strings.Repeat(" ", max(0, w-width(s))) }
func repeat(s string, n int) string { return strings.Repeat(s, max(0, n)) }
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// table renders rows with columns aligned on the visible text (colour codes
// are added after padding, so they never upset the alignment). The last
// column is not padded.
func (p painter) table(indent string, rows [][]cell) []string {
	var widths []int
	for _, r := range rows {
		for i, cl := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(cl.text))
		}
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cl := range r {
			text := cl.text
			if i < len(r)-1 {
				text = pad(text, widths[i])
			}
			// Paint the text, not the padding.
			trimmed := strings.TrimRight(text, " ")
			b.WriteString(p.paint(cl.style, trimmed))
			b.WriteString(text[len(trimmed):])
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}
