package console

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Much of what the console prints came from the scanned server or site:
// certificate names, URLs, form labels, error messages quoting its bytes.
// A hostile site could put terminal escape sequences there (moving the
// cursor, retitling the window, hiding text). Every line is therefore
// cleaned on its way out: control characters, bidirectional overrides and
// invalid UTF-8 become U+FFFD, and the only escape sequences kept are the
// console's own colour codes, and only when colour is on.

// ownSGR are the Select Graphic Rendition codes the console itself emits.
var ownSGR = map[string]bool{"0": true, "1": true, "2": true, "31": true, "32": true, "33": true, "1;31": true}

// safeLine returns l fit for a terminal.
func safeLine(l string, color bool) string {
	var b strings.Builder
	for i := 0; i < len(l); {
		if l[i] == 0x1b {
			if n := sgrLen(l[i:]); n > 0 && color {
				b.WriteString(l[i : i+n])
				i += n
				continue
			}
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(l[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), isBidiControl(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(l[i : i+size])
		}
		i += size
	}
	return b.String()
}

// sgrLen is the length of one of the console's own colour sequences at the
// start of s, or 0.
func sgrLen(s string) int {
	if !strings.HasPrefix(s, "\x1b[") {
		return 0
	}
	end := strings.IndexByte(s, 'm')
	if end < 0 || end > 8 || !ownSGR[s[2:end]] {
		return 0
	}
	return end + 1
}

// isBidiControl reports the Unicode bidirectional formatting characters,
// which can make a terminal show text in another order than it is.
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}
