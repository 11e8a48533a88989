package web

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// normalizeHost lower-cases a host name, drops a final dot and IPv6
// brackets.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimSuffix(h, ".")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return h
}

// registrableDomain returns the host's registrable domain (eTLD+1 by the
// public suffix list, private suffixes included), or the host itself for
// IP addresses and names that have none (localhost, a bare suffix).
func registrableDomain(host string) string {
	host = normalizeHost(host)
	if net.ParseIP(host) != nil {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// SameSite reports whether two hosts belong to the same site: the same
// registrable domain (so www.example.org and example.org, or
// report.force.police.uk and force.police.uk, are one site, while two
// forces under the public suffix police.uk are not), or, for names without
// one, the same name once a leading "www." is dropped.
func SameSite(a, b string) bool {
	a, b = normalizeHost(a), normalizeHost(b)
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	if net.ParseIP(a) != nil || net.ParseIP(b) != nil {
		return false
	}
	if strings.TrimPrefix(a, "www.") == strings.TrimPrefix(b, "www.") {
		return true
	}
	// A name without a registrable domain (a public suffix, localhost) is
	// its own "domain" here, so it only matches itself and its www twin.
	return registrableDomain(a) == registrableDomain(b)
}

// hostPort joins a host and port for a URL, leaving out the scheme's
// default port.
func hostPort(scheme, host string, port uint16) string {
	h := host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) || port == 0 {
		return h
	}
	return h + ":" + strconv.Itoa(int(port))
}

// canonicalURL is the form of a URL used to tell pages apart: lower-case
// scheme and host, no default port, no fragment, "/" for an empty path.
func canonicalURL(u *url.URL) string {
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	host := strings.ToLower(c.Hostname())
	port := c.Port()
	if (c.Scheme == "http" && port == "80") || (c.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	c.Host = host
	c.Fragment, c.RawFragment = "", ""
	c.User = nil
	if c.Path == "" && c.RawPath == "" {
		c.Path = "/"
	}
	return c.String()
}

// portOf returns the URL's port, or the scheme's default.
func portOf(u *url.URL) uint16 {
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err == nil {
			return uint16(n)
		}
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}
