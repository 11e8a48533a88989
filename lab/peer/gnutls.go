package peer

import (
	"os/exec"
	"strconv"
	"testing"

	"padlock/lab"
)

// GnuTLSOptions configures `gnutls-serv`.
type GnuTLSOptions struct {
	// Leaf is served (with its chain); default as for OpenSSL.
	Leaf *lab.Leaf
	// Priority is a GnuTLS priority string (--priority), e.g.
	// "NORMAL:-VERS-ALL:+VERS-TLS1.0:+ARCFOUR-128:+3DES-CBC" or
	// "NORMAL:%DISABLE_SAFE_RENEGOTIATION". Default: GnuTLS's "NORMAL".
	Priority string
	// DHParams is a PEM DH parameters file (--dhparams); see DHParamsFile.
	DHParams string
	// Echo makes the server echo what it receives (--echo) instead of
	// answering HTTP requests (--http, the default here).
	Echo bool
	// RequestClientCert makes the server ask for an (optional) client
	// certificate, which gnutls-serv does unless told otherwise; by default
	// the helper passes --disable-client-cert.
	RequestClientCert bool
	// NoTicket disables session tickets (--noticket).
	NoTicket bool
	// Extra are further arguments, appended last.
	Extra []string
}

// GnuTLS starts `gnutls-serv`.
//
// gnutls-serv has no option to choose its listening address: it listens on
// every interface (0.0.0.0 and [::]) at the chosen port. Only 127.0.0.1 is
// ever connected to, and the port is ephemeral and lives only as long as
// the test.
func GnuTLS(t testing.TB, opts GnuTLSOptions) *Server {
	t.Helper()
	bin := Require(t, "gnutls-serv")
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	certFile, keyFile, _ := writeLeaf(t, leaf, dir, "server")
	return start(t, "gnutls-serv", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		args := []string{
			"--port", strconv.Itoa(s.Port),
			"--x509certfile", certFile,
			"--x509keyfile", keyFile,
		}
		if opts.Echo {
			args = append(args, "--echo")
		} else {
			args = append(args, "--http")
		}
		if !opts.RequestClientCert {
			args = append(args, "--disable-client-cert")
		}
		if opts.Priority != "" {
			args = append(args, "--priority", opts.Priority)
		}
		if opts.DHParams != "" {
			args = append(args, "--dhparams", opts.DHParams)
		}
		if opts.NoTicket {
			args = append(args, "--noticket")
		}
		args = append(args, opts.Extra...)
		return exec.Command(bin, args...), nil
	})
}
