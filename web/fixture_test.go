package web

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/netguard"
)

// siteSpec is a fixture site served by a real nginx on loopback: a
// plain-HTTP server and an HTTPS server, each with its own document root
// and extra directives.
type siteSpec struct {
	// HTTP and HTTPS are the files of each document root (path → content);
	// a nil map leaves that server out (nothing listens on its port). Files
	// may use the placeholders below.
	HTTP, HTTPS map[string]string
	// HTTPConf and HTTPSConf are directives for each server block
	// (locations, return, add_header...).
	HTTPConf, HTTPSConf string
}

// Placeholders in fixture files and directives.
const (
	phHTTP  = "{HTTP}"  // the plain-HTTP port
	phHTTPS = "{HTTPS}" // the HTTPS port
	phDir   = "{DIR}"   // the site's directory (for alias)
	// phLeafPin is the base64 SHA-256 of the HTTPS certificate's public key
	// (SubjectPublicKeyInfo), for Public-Key-Pins.
	phLeafPin = "{LEAFPIN}"
)

// fixtureHost is the site's name; every name resolves to 127.0.0.1 through
// Options.Dial.
const fixtureHost = "police.example"

type fixture struct {
	host                string
	httpPort, httpsPort uint16
	dir                 string
	opts                Options
	srv                 *peer.Server
}

// both returns the same files for both servers.
func both(files map[string]string) (map[string]string, map[string]string) {
	return files, files
}

// startSite writes the site and starts nginx. lab/peer's nginx has one TLS
// server block whose "location /" answers a fixed string, and a plain-HTTP
// block that cannot be configured, with ports chosen inside Nginx; so the
// fixture adds its own two server blocks (on ports it picks) through an
// include file in HTTPExtra, and uses lab/peer for the process, its
// directories and its cleanup.
func startSite(t *testing.T, spec siteSpec) *fixture {
	t.Helper()
	peer.Require(t, "nginx")
	dir := t.TempDir()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{DNSNames: []string{fixtureHost, "www." + fixtureHost}})
	if err != nil {
		t.Fatal(err)
	}
	crt, key, err := leaf.WritePEM(dir, "site")
	if err != nil {
		t.Fatal(err)
	}
	httpPort := peer.FreePort(t)
	httpsPort := peer.FreePort(t)
	for httpsPort == httpPort {
		httpsPort = peer.FreePort(t)
	}
	leafPin := spkiPin(leaf.Cert)
	sub := func(s string) string {
		return strings.NewReplacer(phHTTP, strconv.Itoa(httpPort), phHTTPS, strconv.Itoa(httpsPort), phDir, dir,
			phLeafPin, leafPin).Replace(s)
	}
	writeRoot := func(name string, files map[string]string) string {
		root := filepath.Join(dir, name)
		for p, content := range files {
			f := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(p, "/")))
			if strings.HasSuffix(p, "/") {
				f = filepath.Join(f, "index.html")
			}
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, []byte(sub(content)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	var conf strings.Builder
	conf.WriteString("types { text/html html; text/plain txt; }\n")
	conf.WriteString("charset utf-8;\n")
	if spec.HTTP != nil {
		root := writeRoot("http", spec.HTTP)
		conf.WriteString("server {\n    listen 127.0.0.1:" + strconv.Itoa(httpPort) + ";\n    server_name _;\n")
		conf.WriteString("    root " + strconv.Quote(root) + ";\n")
		conf.WriteString(sub(spec.HTTPConf) + "\n")
		conf.WriteString("    location / { try_files $uri $uri/index.html =404; }\n}\n")
	}
	if spec.HTTPS != nil {
		root := writeRoot("https", spec.HTTPS)
		conf.WriteString("server {\n    listen 127.0.0.1:" + strconv.Itoa(httpsPort) + " ssl;\n    server_name _;\n")
		conf.WriteString("    ssl_certificate " + strconv.Quote(crt) + ";\n    ssl_certificate_key " + strconv.Quote(key) + ";\n")
		conf.WriteString("    root " + strconv.Quote(root) + ";\n")
		conf.WriteString(sub(spec.HTTPSConf) + "\n")
		conf.WriteString("    location / { try_files $uri $uri/index.html =404; }\n}\n")
	}
	confFile := filepath.Join(dir, "site.conf")
	if err := os.WriteFile(confFile, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := peer.Nginx(t, peer.NginxOptions{Leaf: leaf, HTTPExtra: []string{"include " + strconv.Quote(confFile)}})
	// nginx binds every listener before serving any: check ours anyway.
	for _, p := range []struct {
		port int
		up   bool
	}{{httpPort, spec.HTTP != nil}, {httpsPort, spec.HTTPS != nil}} {
		if !p.up {
			continue
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(p.port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("port %d not listening: %v\n%s", p.port, err, srv.LogString())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return &fixture{
		host:      fixtureHost,
		httpPort:  uint16(httpPort),
		httpsPort: uint16(httpsPort),
		dir:       dir,
		srv:       srv,
		opts: Options{
			Timeout:    5 * time.Second,
			SiteBudget: 60 * time.Second,
			RootCAs:    peer.RootCA(t).Pool(),
			Dial:       loopbackDial,
			// Every name goes to loopback: the test says so.
			Policy: netguard.AllowPrivate,
		},
	}
}

// spkiPin is a certificate's pin: the base64 SHA-256 of its
// SubjectPublicKeyInfo (RFC 7469 §2.4).
func spkiPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// loopbackDial sends every connection to 127.0.0.1, on the port asked
// for: the fixture's names never reach DNS or the network.
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	return d.DialContext(ctx, "tcp4", net.JoinHostPort("127.0.0.1", port))
}

// check runs Check against the fixture with a bounded context.
func (f *fixture) check(t *testing.T, opts Options) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res := Check(ctx, f.host, f.httpPort, f.httpsPort, opts)
	if t.Failed() || testing.Verbose() {
		t.Logf("nginx log:\n%s", f.srv.LogString())
	}
	return res
}

func (f *fixture) httpURL(path string) string {
	return "http://" + f.host + ":" + strconv.Itoa(int(f.httpPort)) + path
}

func (f *fixture) httpsURL(host, path string) string {
	if host == "" {
		host = f.host
	}
	return "https://" + host + ":" + strconv.Itoa(int(f.httpsPort)) + path
}
