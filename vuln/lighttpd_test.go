package vuln

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/missing"
	"padlock/lab/peer"
)

// lighttpdServer starts lighttpd (Debian's, with mod_openssl) on a free
// loopback port with the given OpenSSL cipher string for TLS 1.2.
func lighttpdServer(t *testing.T, ciphers string) string {
	t.Helper()
	bin := peer.Require(t, "lighttpd")
	if _, err := os.Stat("/usr/lib/lighttpd/mod_openssl.so"); err != nil {
		missing.Peer(t, "lighttpd-mod-openssl is not installed")
	}
	dir := t.TempDir()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := leaf.WritePEM(dir, "leaf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("padlock\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := peer.FreePort(t)
	conf := fmt.Sprintf(`server.document-root = %q
server.port = %d
server.bind = "127.0.0.1"
server.modules = ("mod_openssl")
server.errorlog = %q
ssl.engine = "enable"
ssl.pemfile = %q
ssl.privkey = %q
ssl.openssl.ssl-conf-cmd = ("CipherString" => %q)
`, dir, port, filepath.Join(dir, "error.log"), certFile, keyFile, ciphers)
	confFile := filepath.Join(dir, "lighttpd.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-D", "-f", confFile)
	out := &boundedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting lighttpd: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("lighttpd did not start: %v\n%s\n%s", err, out, log)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *boundedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.max - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (w *boundedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

// TestLighttpdCamelliaOnly is issue 12 item 2: a server whose only CBC
// suites are Camellia (ECDHE-RSA-CAMELLIA128-SHA256 and
// -CAMELLIA256-SHA384) gets conclusive padding-oracle answers, as does the
// 0-RTT check on its TLS 1.3 side.
func TestLighttpdCamelliaOnly(t *testing.T) {
	t.Parallel()
	addr := lighttpdServer(t, "ECDHE+CAMELLIA")
	padding := []string{CheckPoodleTLS, CheckLuckyMinus20, CheckZombiePoodle, CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle}
	_, rep := scanAddr(t, addr, scanOpts{checks: append(padding, CheckZeroRTT, CheckClientRenegotiation, CheckInsecureRenegotiation)})
	wants := map[string]want{
		CheckZeroRTT:               nv,
		CheckClientRenegotiation:   nv,
		CheckInsecureRenegotiation: nv,
	}
	for _, id := range padding {
		wants[id] = nv
	}
	expect(t, rep, wants)
	f, _ := rep.Finding(CheckPoodleTLS)
	if !containsEvidence(f, "CAMELLIA") {
		t.Errorf("POODLE TLS was not decided with a Camellia suite: %s", f.Reason)
	}
}

func containsEvidence(f Finding, s string) bool {
	if strings.Contains(f.Reason, s) {
		return true
	}
	for _, e := range f.Evidence {
		if strings.Contains(e.Value, s) {
			return true
		}
	}
	return false
}
