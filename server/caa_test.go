package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"padlock/lab/peer"
)

// caaRR is dnsmasq's --dns-rr argument for one CAA record.
func caaRR(name string, flags byte, tag, value string) string {
	b := append([]byte{flags, byte(len(tag))}, tag...)
	return fmt.Sprintf("--dns-rr=%s,257,%s", name, hex.EncodeToString(append(b, value...)))
}

// startDNSMasq runs dnsmasq on loopback as an authoritative-only server
// for the .test and localhost names with the given CAA records, and
// returns its address.
func startDNSMasq(t *testing.T, rrs ...string) string {
	t.Helper()
	bin := peer.Require(t, "dnsmasq")
	port := peer.FreePort(t)
	args := append([]string{"--no-daemon", fmt.Sprintf("--port=%d", port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/", "--local=/localhost/", "--pid-file="}, rrs...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := queryCAA(context.Background(), addr, "ready.test"); err == nil {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatal("dnsmasq did not answer")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLookupCAA(t *testing.T) {
	dns := startDNSMasq(t,
		caaRR("example.test", 0, "issue", "letsencrypt.org"),
		caaRR("example.test", 128, "iodef", "mailto:ops@example.test"),
		caaRR("own.example.test", 0, "issue", ";"),
	)
	for _, c := range []struct {
		name, at string
		records  int
	}{
		{"example.test", "example.test", 2},
		{"www.sub.example.test", "example.test", 2}, // climbs to the parent
		{"www.own.example.test", "own.example.test", 1},
		{"nothing.test", "", 0},
	} {
		p, err := lookupCAA(context.Background(), dns, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.PolicyHostname != c.at || len(p.Records) != c.records {
			t.Errorf("%s: %+v", c.name, p)
		}
	}
	p, _ := lookupCAA(context.Background(), dns, "example.test")
	got := fmt.Sprint(p.Records)
	if !strings.Contains(got, "{issue letsencrypt.org 0}") || !strings.Contains(got, "{iodef mailto:ops@example.test 128}") {
		t.Errorf("records %s", got)
	}
}

func TestParseCAA(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"\x00\x05issueca.example", true},
		{"\x00\x05issue", true}, // empty value
		{"\x00\x00", false},
		{"\x00\x09issue", false},
		{"\x00\x05iss-eca.example", false},
		{"\x00\x05issueca\x00example", false},
		{"\x00", false},
	} {
		if _, err := parseCAA([]byte(c.in)); (err == nil) != c.ok {
			t.Errorf("%q: %v", c.in, err)
		}
	}
}

func FuzzParseCAA(f *testing.F) {
	f.Add([]byte("\x00\x05issueletsencrypt.org"))
	f.Add([]byte("\x80\x05iodefmailto:a@b.test"))
	f.Add([]byte("\x00\xffissue"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseCAA(b)
		if err != nil {
			return
		}
		if len(r.Tag) == 0 || len(r.Tag)+len(r.Value)+2 != len(b) {
			t.Fatalf("%q → %+v", b, r)
		}
	})
}
