package peer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"padlock/lab"
)

// NginxOptions configures an nginx HTTPS server. Empty fields leave nginx's
// own defaults in force (nginx 1.22: ssl_protocols TLSv1 TLSv1.1 TLSv1.2
// TLSv1.3, ssl_ciphers HIGH:!aNULL:!MD5, server order off), except where
// noted.
type NginxOptions struct {
	// Leaf is served by the default server block (with its chain); default
	// as for OpenSSL.
	Leaf *lab.Leaf
	// ServerName of the default block; default "localhost".
	ServerName string
	// Protocols is the ssl_protocols value, e.g. "TLSv1 TLSv1.1 TLSv1.2".
	Protocols string
	// Ciphers is the ssl_ciphers value (OpenSSL syntax; add @SECLEVEL=0 for
	// TLS 1.0/1.1 or weak keys).
	Ciphers string
	// Ciphersuites sets the TLS 1.3 suites (ssl_conf_command Ciphersuites).
	Ciphersuites string
	// PreferServerCiphers sets ssl_prefer_server_ciphers on.
	PreferServerCiphers bool
	// ECDHCurve is the ssl_ecdh_curve value, e.g. "X25519:prime256v1".
	ECDHCurve string
	// DHParam is a PEM DH parameters file (ssl_dhparam); see DHParamsFile.
	DHParam string
	// SessionTickets turns ssl_session_tickets on (off by default here).
	SessionTickets bool
	// VHosts are extra server blocks on the same port, chosen by SNI, each
	// with its own certificate and the same TLS settings.
	VHosts []NginxVHost
	// HTTP adds a plain-HTTP listener on 127.0.0.1:Server.HTTPPort.
	HTTP bool
	// MasterProcess runs nginx as a master with one worker instead of as a
	// single process (the default here). As root the worker then also runs
	// as root ("user root;"), so it can use the test's private directory.
	MasterProcess bool
	// Extra are directives (without the trailing ';') added to the default
	// TLS server block, e.g. "add_header Strict-Transport-Security max-age=300".
	Extra []string
	// HTTPExtra are directives added to the http block.
	HTTPExtra []string
}

// NginxVHost is an additional name-based virtual host.
type NginxVHost struct {
	ServerName string
	// Leaf defaults to a fresh RSA-2048 leaf for ServerName from RootCA.
	Leaf  *lab.Leaf
	Extra []string
}

// q quotes a value for nginx.conf.
func q(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Nginx starts nginx with a configuration written to the test's temporary
// directory: no daemon, pid, lock, logs and temp paths all inside that
// directory, listening on 127.0.0.1 only. Every location answers
// "padlock lab: nginx <server_name>".
func Nginx(t testing.TB, opts NginxOptions) *Server {
	t.Helper()
	bin := Require(t, "nginx")
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	if opts.ServerName == "" {
		opts.ServerName = "localhost"
	}
	type block struct {
		name          string
		cert, key     string
		extra         []string
		defaultServer bool
	}
	certFile, keyFile, _ := writeLeaf(t, leaf, dir, "server")
	blocks := []block{{name: opts.ServerName, cert: certFile, key: keyFile, extra: opts.Extra, defaultServer: true}}
	for i, vh := range opts.VHosts {
		vl := vh.Leaf
		if vl == nil {
			var err error
			vl, err = RootCA(t).Issue(lab.LeafOptions{DNSNames: []string{vh.ServerName}})
			if err != nil {
				t.Fatalf("nginx vhost leaf: %v", err)
			}
		}
		c, k, _ := writeLeaf(t, vl, dir, "vhost"+strconv.Itoa(i))
		blocks = append(blocks, block{name: vh.ServerName, cert: c, key: k, extra: vh.Extra})
	}

	return start(t, "nginx", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		if opts.HTTP {
			s.HTTPPort = FreePort(t)
		}
		var b strings.Builder
		p := func(indent int, format string, args ...any) {
			b.WriteString(strings.Repeat("    ", indent))
			fmt.Fprintf(&b, format, args...)
			b.WriteString("\n")
		}
		path := func(name string) string { return q(filepath.Join(dir, name)) }
		if opts.MasterProcess {
			p(0, "master_process on;")
			p(0, "worker_processes 1;")
			if os.Geteuid() == 0 {
				p(0, "user root;")
			}
		} else {
			p(0, "master_process off;")
		}
		p(0, "pid %s;", path("nginx.pid"))
		p(0, "lock_file %s;", path("nginx.lock"))
		p(0, "error_log stderr notice;")
		p(0, "events { worker_connections 256; }")
		p(0, "http {")
		p(1, "access_log %s;", path("access.log"))
		p(1, "client_body_temp_path %s;", path("client_body"))
		p(1, "proxy_temp_path %s;", path("proxy"))
		p(1, "fastcgi_temp_path %s;", path("fastcgi"))
		p(1, "uwsgi_temp_path %s;", path("uwsgi"))
		p(1, "scgi_temp_path %s;", path("scgi"))
		p(1, "default_type text/plain;")
		for _, d := range opts.HTTPExtra {
			p(1, "%s;", d)
		}
		for _, bl := range blocks {
			p(1, "server {")
			def := ""
			if bl.defaultServer {
				def = " default_server"
			}
			p(2, "listen %s ssl%s;", s.Addr, def)
			p(2, "server_name %s;", q(bl.name))
			p(2, "ssl_certificate %s;", q(bl.cert))
			p(2, "ssl_certificate_key %s;", q(bl.key))
			if opts.Protocols != "" {
				p(2, "ssl_protocols %s;", opts.Protocols)
			}
			if opts.Ciphers != "" {
				p(2, "ssl_ciphers %s;", q(opts.Ciphers))
			}
			if opts.Ciphersuites != "" {
				p(2, "ssl_conf_command Ciphersuites %s;", q(opts.Ciphersuites))
			}
			if opts.PreferServerCiphers {
				p(2, "ssl_prefer_server_ciphers on;")
			} else {
				p(2, "ssl_prefer_server_ciphers off;")
			}
			if opts.ECDHCurve != "" {
				p(2, "ssl_ecdh_curve %s;", q(opts.ECDHCurve))
			}
			if opts.DHParam != "" {
				p(2, "ssl_dhparam %s;", q(opts.DHParam))
			}
			if opts.SessionTickets {
				p(2, "ssl_session_tickets on;")
			} else {
				p(2, "ssl_session_tickets off;")
			}
			p(2, "ssl_stapling off;")
			for _, d := range bl.extra {
				p(2, "%s;", d)
			}
			p(2, "location / { return 200 %s; }", q("padlock lab: nginx "+bl.name+"\n"))
			p(1, "}")
		}
		if opts.HTTP {
			p(1, "server {")
			p(2, "listen 127.0.0.1:%d default_server;", s.HTTPPort)
			p(2, "server_name %s;", q(opts.ServerName))
			p(2, "location / { return 200 %s; }", q("padlock lab: nginx http\n"))
			p(1, "}")
		}
		p(0, "}")
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
		return exec.Command(bin, "-p", dir+"/", "-c", conf, "-e", "stderr", "-g", "daemon off;"), nil
	})
}
