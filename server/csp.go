package server

import "strings"

// contentSecurityPolicy is the policy of every response: nothing from
// elsewhere, no inline script or style (report's pages carry none: their
// script and stylesheet are assets), no framing, no plugins, no <base>.
func (s *Server) contentSecurityPolicy() (string, error) {
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; "), nil
}
