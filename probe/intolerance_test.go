package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"padlock/lab"
	"padlock/registry"
)

// versionIntolerance is what a hostile mock does with a ClientHello whose
// version field is above TLS 1.2 and that has no supported_versions
// extension (the hellos of the version intolerance tests).
type versionIntolerance int

const (
	tolerant      versionIntolerance = iota // relays it untouched
	closeAbove12                            // closes without a word (old middleboxes)
	alertAbove12                            // sends a protocol_version alert
	closeAbove13                            // takes 0x0304, closes on 0x0398 and 0x0498
	downgradeTo10                           // relays it as a TLS 1.0 hello: the server answers TLS 1.0
)

// versionIntolerant is a hostile mock in front of a real Go TLS server
// that mishandles version numbers above TLS 1.2 (or TLS 1.3) offered
// without supported_versions, as servers of the SSL Labs era did; every
// other hello goes through untouched.
func versionIntolerant(t *testing.T, backend string, how versionIntolerance) Endpoint {
	return mockServer(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		buf, ok := readFirstRecord(c)
		if !ok {
			return
		}
		version, hasSV, ok := helloVersion(buf[5 : 5+(int(buf[3])<<8|int(buf[4]))])
		if !ok {
			return
		}
		odd := !hasSV && version > 0x0303
		switch {
		case !odd || how == tolerant || how == closeAbove13 && version == 0x0304:
		case how == alertAbove12:
			_, _ = c.Write([]byte{21, 3, 1, 0, 2, 2, 70})
			return
		case how == downgradeTo10:
			buf[5+4], buf[5+5] = 3, 1
		default:
			return // the intolerance: close without a word
		}
		_ = c.SetDeadline(time.Time{})
		relay(c, backend, buf)
	})
}

// helloVersion reads a ClientHello handshake message (one record's
// payload): its version field and whether it has supported_versions.
func helloVersion(msg []byte) (version uint16, hasSV, ok bool) {
	s := cryptobyte.String(msg)
	var body, sid, suites, comp, exts cryptobyte.String
	var typ uint8
	if !s.ReadUint8(&typ) || typ != 1 || !s.ReadUint24LengthPrefixed(&body) ||
		!body.ReadUint16(&version) || !body.Skip(32) || !body.ReadUint8LengthPrefixed(&sid) ||
		!body.ReadUint16LengthPrefixed(&suites) || !body.ReadUint8LengthPrefixed(&comp) {
		return 0, false, false
	}
	if body.Empty() {
		return version, false, true
	}
	if !body.ReadUint16LengthPrefixed(&exts) {
		return 0, false, false
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return 0, false, false
		}
		hasSV = hasSV || typ == 43
	}
	return version, hasSV, true
}

// TestVersionIntolerance: the intolerance tests find the same on tolerant
// and intolerant servers whether they ride on suite enumeration's hellos
// or not, and the enumeration is never changed by them: its suites are
// those of the server alone, in the same order.
func TestVersionIntolerance(t *testing.T) {
	t.Parallel()
	leaf, err := lab.SelfSigned(lab.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	goServer := func(suites []uint16) string {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
			Certificates: []tls.Certificate{leaf.TLSCertificate()},
			MinVersion:   tls.VersionTLS10,
			MaxVersion:   tls.VersionTLS13,
			CipherSuites: suites,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(5 * time.Second))
					_ = c.(*tls.Conn).Handshake()
				}()
			}
		}()
		return ln.Addr().String()
	}
	many := goServer([]uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	})
	one := goServer([]uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA})
	closed := func(v uint16, label string) Intolerance {
		return Intolerance{Version: registry.Protocol(v), Label: label, Reason: "connection closed by server (EOF)"}
	}
	alert := func(v uint16, label string) Intolerance {
		return Intolerance{Version: registry.Protocol(v), Label: label, Reason: "server sent alert fatal alert protocol_version"}
	}
	down := func(v uint16, label string) Intolerance {
		return Intolerance{Version: registry.Protocol(v), Label: label, Reason: "negotiated TLS 1.0 instead of TLS 1.2"}
	}
	for _, c := range []struct {
		name string
		how  versionIntolerance
		want []Intolerance
	}{
		{"tolerant", tolerant, nil},
		{"closes", closeAbove12, []Intolerance{closed(0x0304, "TLS 1.3"), closed(0x0398, "TLS 1.152"), closed(0x0498, "TLS 2.152")}},
		{"alert", alertAbove12, []Intolerance{alert(0x0304, "TLS 1.3"), alert(0x0398, "TLS 1.152"), alert(0x0498, "TLS 2.152")}},
		{"closes above TLS 1.3", closeAbove13, []Intolerance{closed(0x0398, "TLS 1.152"), closed(0x0498, "TLS 2.152")}},
		{"negotiates TLS 1.0", downgradeTo10, []Intolerance{down(0x0304, "TLS 1.3"), down(0x0398, "TLS 1.152"), down(0x0498, "TLS 2.152")}},
	} {
		for _, backend := range []struct{ name, addr string }{{"five suites", many}, {"one suite", one}} {
			t.Run(c.name+", "+backend.name, func(t *testing.T) {
				t.Parallel()
				opts := Options{Timeout: 3 * time.Second, SkipSimulation: true}
				ap := netip.MustParseAddrPort(backend.addr)
				direct, err := Run(context.Background(), Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}, opts)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Run(context.Background(), versionIntolerant(t, backend.addr, c.how), opts)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.Intolerance, c.want) {
					t.Errorf("intolerance\n%+v, want\n%+v", res.Intolerance, c.want)
				}
				if !reflect.DeepEqual(res.Protocols, direct.Protocols) || !reflect.DeepEqual(res.Suites, direct.Suites) {
					t.Errorf("enumeration changed by the intolerance:\n%+v\n%+v\nwithout the mock:\n%+v\n%+v", res.Protocols, res.Suites, direct.Protocols, direct.Suites)
				}
				if len(res.Errors) > 0 {
					t.Errorf("errors: %q", res.Errors)
				}
				t.Logf("%d connections, %d without the mock", res.Connections, direct.Connections)
			})
		}
	}
}
