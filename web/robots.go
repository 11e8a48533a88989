package web

import (
	"bytes"
	"io"
	"strings"
)

// Bounds of the robots.txt parser.
const (
	// MaxRobotsBytes is how much of a robots.txt is read (RFC 9309 §2.5
	// asks crawlers to parse at least 500 KiB).
	MaxRobotsBytes = 512 << 10
	// maxRobotsRules bounds the rules kept from one file.
	maxRobotsRules = 10000
	// maxRobotsPattern bounds the length of one rule's path pattern;
	// longer rules are dropped.
	maxRobotsPattern = 2048
	// maxRobotsPath bounds the length of the path a rule is matched
	// against; a longer path is cut.
	maxRobotsPath = 8192
)

// Robots is a parsed robots.txt (RFC 9309): groups of user-agent lines,
// each with its allow and disallow rules. The zero value and nil allow
// everything.
type Robots struct {
	groups []robotsGroup
	// DisallowAll marks a robots.txt that could not be fetched because of
	// a server or network error: RFC 9309 §2.3.1.4 says to crawl nothing.
	DisallowAll bool
}

type robotsGroup struct {
	agents []string // product tokens, lower case; "*" for any
	rules  []robotsRule
}

type robotsRule struct {
	allow    bool
	pattern  string   // as written, percent-encoding normalised
	segments []string // pattern split at '*', without a final '$'
	anchored bool     // pattern ends with '$'
}

// ParseRobots reads at most MaxRobotsBytes of a robots.txt and parses it.
// It accepts any bytes: lines it does not understand are skipped.
func ParseRobots(r io.Reader) *Robots {
	data, _ := io.ReadAll(io.LimitReader(r, MaxRobotsBytes))
	return parseRobots(data)
}

func parseRobots(data []byte) *Robots {
	rb := &Robots{}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	var cur *robotsGroup
	lastWasAgent := false
	nrules := 0
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(string(line[:colon])))
		value := strings.TrimSpace(string(line[colon+1:]))
		switch key {
		case "user-agent", "useragent", "user agent":
			if !lastWasAgent || cur == nil {
				rb.groups = append(rb.groups, robotsGroup{})
				cur = &rb.groups[len(rb.groups)-1]
			}
			cur.agents = append(cur.agents, agentToken(value))
			lastWasAgent = true
		case "allow", "disallow":
			lastWasAgent = false
			if cur == nil || nrules >= maxRobotsRules {
				continue
			}
			if value == "" {
				// "Disallow:" with no path allows everything; an empty
				// Allow means nothing either.
				continue
			}
			if len(value) > maxRobotsPattern {
				continue
			}
			cur.rules = append(cur.rules, newRobotsRule(key == "allow", value))
			nrules++
		default:
			// sitemap, crawl-delay, host... do not end a group's agent list
			// in RFC 9309, but do end the run of user-agent lines.
			if key != "" {
				lastWasAgent = false
			}
		}
	}
	return rb
}

func newRobotsRule(allow bool, pattern string) robotsRule {
	p := normalizeRobotsPath(pattern)
	r := robotsRule{allow: allow, pattern: p}
	if strings.HasSuffix(p, "$") {
		r.anchored = true
		p = p[:len(p)-1]
	}
	// Collapse runs of '*': they mean the same as one.
	for strings.Contains(p, "**") {
		p = strings.ReplaceAll(p, "**", "*")
	}
	r.segments = strings.Split(p, "*")
	return r
}

// agentToken reduces a user-agent value to its product token: the leading
// run of letters, '-' and '_', lower case ("*" stays "*").
func agentToken(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "*") {
		return "*"
	}
	i := 0
	for i < len(v) {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			break
		}
		i++
	}
	return strings.ToLower(v[:i])
}

// normalizeRobotsPath percent-encodes bytes outside printable ASCII and
// upper-cases the hex digits of existing escapes, so that patterns and
// paths compare octet for octet (RFC 9309 §2.2.2).
func normalizeRobotsPath(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte('%')
			b.WriteByte(upperHex(s[i+1]))
			b.WriteByte(upperHex(s[i+2]))
			i += 2
		case c <= 0x20 || c >= 0x7f:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// match reports whether the rule matches path (which starts with '/'):
// the pattern matches a prefix of the path, '*' matches any run of bytes
// and a final '$' anchors the end. Segments are found left-most first,
// which is exact for patterns whose only wildcard is '*'.
func (r robotsRule) match(path string) bool {
	segs := r.segments
	if !strings.HasPrefix(path, segs[0]) {
		return false
	}
	if len(segs) == 1 {
		return !r.anchored || len(path) == len(segs[0])
	}
	rest := path[len(segs[0]):]
	for _, m := range segs[1 : len(segs)-1] {
		i := strings.Index(rest, m)
		if i < 0 {
			return false
		}
		rest = rest[i+len(m):]
	}
	last := segs[len(segs)-1]
	if r.anchored {
		return strings.HasSuffix(rest, last)
	}
	return strings.Contains(rest, last)
}

// Allowed reports whether a crawler whose product token is agent (e.g.
// "padlock") may fetch path, the URL's path and query as sent ("/a/b?c").
// The groups naming agent are combined; if there are none, the "*" groups
// apply. The longest matching rule wins, allow winning ties;
// "/robots.txt" itself is always allowed.
func (rb *Robots) Allowed(agent, path string) bool {
	if rb == nil {
		return true
	}
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	if path == "/robots.txt" {
		return true
	}
	if rb.DisallowAll {
		return false
	}
	if len(path) > maxRobotsPath {
		path = path[:maxRobotsPath]
	}
	path = normalizeRobotsPath(path)
	agent = agentToken(agent)
	var groups []*robotsGroup
	for _, want := range []string{agent, "*"} {
		if want == "" {
			continue
		}
		for i := range rb.groups {
			for _, a := range rb.groups[i].agents {
				if a == want {
					groups = append(groups, &rb.groups[i])
					break
				}
			}
		}
		if len(groups) > 0 {
			break
		}
	}
	best, allowed := -1, true
	for _, g := range groups {
		for _, r := range g.rules {
			if len(r.pattern) < best || !r.match(path) {
				continue
			}
			if len(r.pattern) > best {
				best, allowed = len(r.pattern), r.allow
			} else if r.allow {
				allowed = true
			}
		}
	}
	return allowed
}
