package vuln

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"padlock/lab/peer"
	"padlock/probe"
	"padlock/vuln/internal/handshake"
)

// TestHeartbeatAfterHandshakeGnuTLS runs the heartbeat probe over a
// completed (encrypted) handshake with a real server that answers
// heartbeats: the over-long request must be ignored and the well-formed
// one echoed.
func TestHeartbeatAfterHandshakeGnuTLS(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{Priority: "NORMAL:-VERS-TLS1.3", Echo: true, Extra: []string{"--heartbeat"}})
	ap := netip.MustParseAddrPort(s.Addr)
	ep := probe.Endpoint{IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
	r := &run{target: &target{d: probe.NewDialer(ep, probe.Options{Timeout: 5 * time.Second}), opts: Options{Wait: 2 * time.Second}.withDefaults(), ep: ep}}
	c, pc, err := r.handshake(context.Background(), handshake.Config{Version: handshake.VersionTLS12, Suites: []uint16{0xc02f, 0x009c}, Heartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	f, answered := heartbeatProbe(c, r.opts.Wait, "after the handshake")
	if !answered || f.State != NotVulnerable {
		t.Fatalf("answered %v: %v %v", answered, f, f.Evidence)
	}
	t.Logf("%v %v", f, f.Evidence)
}
