package assess

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// DefaultPort is the port a target without one is assessed on.
const DefaultPort = 443

// maxNameLen is the longest DNS name (RFC 1035 §2.3.4, without the final
// dot).
const maxNameLen = 253

// Target is what to assess: a host name or IP address and a port.
type Target struct {
	Host string // DNS name (lower case, no final dot) or IP literal (no brackets)
	Port uint16 // 0 means DefaultPort
	// SNI is the server_name to send. Empty means Host, unless Host is an
	// IP literal, in which case no server_name is sent.
	SNI string
	// Pin lists addresses to use instead of resolving Host (as curl's
	// --resolve). Empty means resolve; ignored when Host is an IP literal.
	Pin []netip.Addr
	// HTTPPort is where plain HTTP is checked; 0 means 80.
	HTTPPort uint16
}

// sni returns the server_name to send for t.
func (t Target) sni() string {
	if t.SNI != "" {
		return t.SNI
	}
	if _, err := netip.ParseAddr(t.Host); err == nil {
		return ""
	}
	return t.Host
}

func (t Target) port() uint16 {
	if t.Port == 0 {
		return DefaultPort
	}
	return t.Port
}

// String returns "host:port", with brackets around an IPv6 address.
func (t Target) String() string {
	h := t.Host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(int(t.port()))
}

// ParseTarget reads a target as a user types it: "host", "host:port",
// "[v6]:port", a bare IPv6 address, or "https://host[:port][/path]" (the
// path is ignored). The port defaults to 443. Other URL schemes, empty and
// over-long names, and names with characters DNS does not allow are
// rejected; internationalised names must be given in their xn-- form.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, errors.New("empty target")
	}
	var hostport string
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := strings.ToLower(s[:i])
		if scheme != "https" {
			return Target{}, fmt.Errorf("unsupported scheme %q in %q: padlock checks https:// targets (give host[:port] for other TLS services)", s[:i], s)
		}
		u, err := url.Parse(s)
		if err != nil {
			return Target{}, fmt.Errorf("bad URL %q: %v", s, err)
		}
		if u.User != nil {
			return Target{}, fmt.Errorf("bad URL %q: credentials are not accepted in targets", s)
		}
		hostport = u.Host
	} else {
		hostport, _, _ = strings.Cut(s, "/")
	}
	if hostport == "" {
		return Target{}, fmt.Errorf("no host in %q", s)
	}

	host, portStr, err := splitHostPort(hostport)
	if err != nil {
		return Target{}, fmt.Errorf("bad target %q: %v", s, err)
	}
	t := Target{Host: host, Port: DefaultPort}
	if portStr != "" {
		p, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil || p == 0 {
			return Target{}, fmt.Errorf("bad port %q in %q: want 1-65535", portStr, s)
		}
		t.Port = uint16(p)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return Target{}, fmt.Errorf("bad target %q: scoped IPv6 addresses are not supported", s)
		}
		t.Host = a.Unmap().String()
		return t, nil
	}
	name, err := checkName(host)
	if err != nil {
		return Target{}, fmt.Errorf("bad host name in %q: %v", s, err)
	}
	t.Host = name
	return t, nil
}

// splitHostPort splits "host", "host:port", "[v6]", "[v6]:port" and a bare
// IPv6 address.
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", errors.New("missing ']'")
		}
		host, rest := s[1:end], s[end+1:]
		if _, err := netip.ParseAddr(host); err != nil || !strings.Contains(host, ":") {
			return "", "", fmt.Errorf("%q in brackets is not an IPv6 address", host)
		}
		switch {
		case rest == "":
			return host, "", nil
		case strings.HasPrefix(rest, ":"):
			return host, rest[1:], nil
		}
		return "", "", fmt.Errorf("unexpected %q after ']'", rest)
	}
	if strings.Count(s, ":") > 1 {
		// A bare IPv6 address: its colons are not a port separator.
		if _, err := netip.ParseAddr(s); err != nil {
			return "", "", errors.New("IPv6 addresses with a port need brackets: [addr]:port")
		}
		return s, "", nil
	}
	host, port, _ = strings.Cut(s, ":")
	if strings.Contains(s, ":") && port == "" {
		return "", "", errors.New("empty port")
	}
	return host, port, nil
}

// checkName validates a DNS host name and returns it in lower case without
// a final dot.
func checkName(s string) (string, error) {
	name := strings.TrimSuffix(strings.ToLower(s), ".")
	switch {
	case name == "":
		return "", errors.New("empty name")
	case len(name) > maxNameLen:
		return "", fmt.Errorf("name is %d characters long, longer than DNS allows (%d)", len(name), maxNameLen)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return "", errors.New("empty label")
		}
		if len(label) > 63 {
			return "", fmt.Errorf("label %.20q... is longer than 63 characters", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("label %q starts or ends with '-'", label)
		}
		for _, r := range label {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			case r > 0x7f:
				return "", fmt.Errorf("%q is not ASCII: give internationalised names in their xn-- form", s)
			default:
				return "", fmt.Errorf("character %q is not allowed in a host name", r)
			}
		}
	}
	return name, nil
}
