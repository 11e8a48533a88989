package vuln

import (
	"bufio"
	"context"
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

// mbedTLSServer compiles testdata/mbedtls/server.c against Debian's
// libmbedtls-dev (Mbed TLS 2.28, MBEDTLS_SSL_PRESET_DEFAULT) and starts it
// on a free loopback port with TLS versions minVer..maxVer (1 = TLS 1.0 ..
// 3 = TLS 1.2). The server answers every request with an HTTP response
// even when the TLS read failed, as the one in issue 12 did. It returns
// the address and the server's log (one line per connection: what the
// read returned).
func mbedTLSServer(t *testing.T, minVer, maxVer int) (addr string, log func() string) {
	t.Helper()
	gcc := peer.Require(t, "gcc")
	if _, err := os.Stat("/usr/include/mbedtls/ssl.h"); err != nil {
		missing.Peer(t, "libmbedtls-dev is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "mbedtls-http")
	src, err := filepath.Abs("testdata/mbedtls/server.c")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O1", "-o", bin, src, "-lmbedtls", "-lmbedx509", "-lmbedcrypto").CombinedOutput(); err != nil {
		t.Fatalf("compiling the Mbed TLS server: %v\n%s", err, out)
	}
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := leaf.WritePEM(dir, "leaf")
	if err != nil {
		t.Fatal(err)
	}
	port := peer.FreePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, strconv.Itoa(port), certFile, keyFile, strconv.Itoa(minVer), strconv.Itoa(maxVer))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the Mbed TLS server: %v", err)
	}
	var mu sync.Mutex
	var lines []string
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			if sc.Text() == "ready" {
				once.Do(func() { close(ready) })
				continue
			}
			mu.Lock()
			if len(lines) < 10000 {
				lines = append(lines, sc.Text())
			}
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		// The children serve one connection each and exit on their own.
	})
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("the Mbed TLS server did not start: %v", lines)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(lines, "\n")
	}
}

// TestMbedTLSRejectsBadPadding is issue 12 item 1: Mbed TLS 2.28 answers
// every malformed CBC record with a fatal bad_record_mac alert, and the
// application then still writes its response on that connection. The
// alert came first: the record was rejected (the server's log says
// MBEDTLS_ERR_SSL_INVALID_MAC, -0x7180), so no padding oracle and no
// POODLE TLS (testssl.sh 3.2 says the same of this server).
func TestMbedTLSRejectsBadPadding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		minVer, maxVer int
	}{
		{"TLS1.2", 3, 3},
		{"TLS1.0-1.2", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, log := mbedTLSServer(t, tc.minVer, tc.maxVer)
			padding := []string{CheckPoodleTLS, CheckLuckyMinus20, CheckZombiePoodle, CheckGoldenDoodle, CheckZeroLength, CheckSleepingPoodle}
			_, rep := scanAddr(t, addr, scanOpts{checks: padding})
			wants := map[string]want{}
			for _, id := range padding {
				wants[id] = nv
			}
			expect(t, rep, wants)
			if rep.PoodleTLS != 1 || rep.ZombiePoodle != 1 || rep.GoldenDoodle != 1 ||
				rep.ZeroLengthPaddingOracle != 1 || rep.SleepingPoodle != 1 || rep.OpenSSLLuckyMinus20 != 1 {
				t.Errorf("SSL Labs fields: %+v", rep)
			}
			// The server's own account: it rejected the records.
			if l := log(); !strings.Contains(l, "read -0x7180") {
				t.Errorf("the server's log shows no MBEDTLS_ERR_SSL_INVALID_MAC:\n%s", l)
			}
		})
	}
}
