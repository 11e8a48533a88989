package console

import "testing"

func TestSafeLine(t *testing.T) {
	tests := []struct {
		in    string
		color bool
		want  string
	}{
		{"plain text", false, "plain text"},
		{"\x1b[1mbold\x1b[0m", true, "\x1b[1mbold\x1b[0m"},
		{"\x1b[1mbold\x1b[0m", false, "\ufffd[1mbold\ufffd[0m"},
		{"title \x1b]0;pwned\x07 here", true, "title \ufffd]0;pwned\ufffd here"},
		{"hide \x1b[8mme", true, "hide \ufffd[8mme"},
		{"cursor \x1b[2Jclear", true, "cursor \ufffd[2Jclear"},
		{"bidi \u202eevil", false, "bidi \ufffdevil"},
		{"bad \xff utf8", false, "bad \ufffd utf8"},
		{"tab\there", false, "tab here"},
		{"new\nline", false, "new\ufffdline"},
	}
	for _, tt := range tests {
		if got := safeLine(tt.in, tt.color); got != tt.want {
			t.Errorf("safeLine(%q, %v) = %q, want %q", tt.in, tt.color, got, tt.want)
		}
	}
}
