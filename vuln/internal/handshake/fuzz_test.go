package handshake

import (
	"bytes"
	"crypto/rsa"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/tlswire"
)

// Fuzz targets for everything this package parses from a peer: protected
// records, NewSessionTicket, and whole handshake flights (as client and
// as server). Seeds are in testdata/fuzz; TestWriteFuzzCorpus regenerates
// them from real exchanges (PADLOCK_WRITE_CORPUS=1).

// fuzzStates are record protection states with fixed keys, one per kind.
func fuzzStates(t testing.TB) []*State {
	var out []*State
	for _, c := range []struct {
		v  uint16
		id uint16
	}{{VersionTLS10, 0x002f}, {VersionTLS12, 0x003c}, {VersionTLS11, 0x000a}, {VersionTLS12, 0x0005}, {VersionTLS12, 0x009c}} {
		s, _ := SuiteByID(c.id)
		k := Keys(c.v, s, []byte("fuzz master secret"), [32]byte{1}, [32]byte{2})
		st, err := s.newState(c.v, k.ClientMAC, k.ClientKey, k.ClientIV)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

func FuzzOpenRecord(f *testing.F) {
	for i, st := range fuzzStates(f) {
		f.Add(byte(i), byte(23), st.Seal(tlswire.TypeApplicationData, []byte("GET / HTTP/1.1\r\n\r\n"))[5:])
	}
	f.Add(byte(0), byte(21), []byte{})
	f.Fuzz(func(t *testing.T, which, typ byte, payload []byte) {
		states := fuzzStates(t)
		st := states[int(which)%len(states)]
		rec := tlswire.Record{Type: tlswire.ContentType(typ), Version: st.Version, Payload: payload}
		if p, err := st.Open(rec); err == nil && len(p) > len(payload) {
			t.Fatalf("plaintext longer than the record")
		}
		if st.Suite.Kind == KindCBC {
			st2 := fuzzStates(t)[int(which)%len(states)]
			if plain, seq, err := st2.OpenRaw(rec); err == nil {
				st2.CheckCBC(seq, rec.Type, plain)
			}
		}
	})
}

func FuzzParseNewSessionTicket(f *testing.F) {
	f.Add([]byte{0, 0, 0x1c, 0x20, 0, 3, 'a', 'b', 'c'})
	f.Add([]byte{0, 0, 0, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, body []byte) {
		if tk, err := ParseNewSessionTicket(body); err == nil && len(tk) != len(body)-6 {
			t.Fatalf("ticket of %d bytes from a %d-byte body", len(tk), len(body))
		}
	})
}

// scripted is a net.Conn that reads a fixed script and discards writes.
type scripted struct{ r *bytes.Reader }

func newScripted(b []byte) *scripted                 { return &scripted{r: bytes.NewReader(b)} }
func (s *scripted) Read(p []byte) (int, error)       { return s.r.Read(p) }
func (s *scripted) Write(p []byte) (int, error)      { return len(p), nil }
func (s *scripted) Close() error                     { return nil }
func (s *scripted) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (s *scripted) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (s *scripted) SetDeadline(time.Time) error      { return nil }
func (s *scripted) SetReadDeadline(time.Time) error  { return nil }
func (s *scripted) SetWriteDeadline(time.Time) error { return nil }

// FuzzClientHandshake feeds arbitrary server bytes to a full client
// handshake: it must end in an error or a handshake, never a panic.
func FuzzClientHandshake(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 14, 0, 0, 0})
	f.Fuzz(func(t *testing.T, server []byte) {
		c := Client(newScripted(server), Config{Suites: []uint16{0x002f, 0xc02f, 0x0033, 0x009c}, OfferTicket: true})
		if err := c.Handshake(); err == nil {
			_, _ = c.ReadRecord()
		}
	})
}

var (
	fuzzKeyOnce sync.Once
	fuzzLeaf    *lab.Leaf
)

func fuzzServerConfig(t testing.TB) *ServerConfig {
	fuzzKeyOnce.Do(func() {
		ca, err := lab.NewCA("fuzz")
		if err == nil {
			fuzzLeaf, _ = ca.Issue(lab.LeafOptions{KeyType: lab.KeyRSA1024})
		}
	})
	if fuzzLeaf == nil {
		t.Fatal("no fuzz leaf")
	}
	return &ServerConfig{Certificates: fuzzLeaf.Chain, Key: fuzzLeaf.Key.(*rsa.PrivateKey), Suites: []uint16{0x002f, 0x0035}, Ticket: []byte("t")}
}

// FuzzServerHandshake feeds arbitrary client bytes to the emulators'
// server.
func FuzzServerHandshake(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 5, 1, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, client []byte) {
		s := Server(newScripted(client))
		_ = s.ServerHandshake(fuzzServerConfig(t))
	})
}

// TestWriteFuzzCorpus records real exchanges between this package's
// client and server as seeds.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("PADLOCK_WRITE_CORPUS") == "" {
		t.Skip("set PADLOCK_WRITE_CORPUS=1 to regenerate testdata/fuzz")
	}
	cfg := fuzzServerConfig(t)
	for i, v := range []uint16{VersionTLS10, VersionTLS12} {
		cc, sc := net.Pipe()
		var toClient, toServer bytes.Buffer
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv := Server(tee{sc, &toServer})
			_ = srv.ServerHandshake(cfg)
			_ = srv.WriteRecord(tlswire.TypeApplicationData, []byte("hello"))
			sc.Close()
		}()
		c := Client(tee{cc, &toClient}, Config{Version: v, Suites: []uint16{0x002f}, OfferTicket: true})
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		_, _ = c.ReadRecord()
		cc.Close()
		<-done
		writeSeed(t, "FuzzClientHandshake", "seed-"+strconv.Itoa(i), toClient.Bytes())
		writeSeed(t, "FuzzServerHandshake", "seed-"+strconv.Itoa(i), toServer.Bytes())
	}
	for i, st := range fuzzStates(t) {
		rec := st.Seal(tlswire.TypeApplicationData, []byte("GET / HTTP/1.1\r\n\r\n"))
		writeSeedArgs(t, "FuzzOpenRecord", "seed-"+strconv.Itoa(i), "byte("+strconv.Itoa(i)+")", "byte(23)", goBytes(rec[5:]))
	}
	writeSeed(t, "FuzzParseNewSessionTicket", "seed-0", []byte{0, 0, 0x1c, 0x20, 0, 7, 't', 'i', 'c', 'k', 'e', 't', '!'})
}

// tee copies what is read from the connection.
type tee struct {
	net.Conn
	w *bytes.Buffer
}

func (t tee) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.w.Write(p[:n])
	return n, err
}

func goBytes(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")" }

func writeSeed(t *testing.T, target, name string, b []byte) {
	writeSeedArgs(t, target, name, goBytes(b))
}

func writeSeedArgs(t *testing.T, target, name string, args ...string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "go test fuzz v1\n"
	for _, a := range args {
		body += a + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
