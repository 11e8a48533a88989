package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// LoopFleet is a fleet of HTTPS sites on loopback for fleet scans (tests
// and benchmarks): each site is a listener of its own at an address and
// port on 127.0.0.0/8, serving *.fleet.test from the fleet's CA in one of
// a few TLS configurations. The fleet counts, per IP address and at the
// server side, the connections accepted, how many were open at once and
// when each arrived: what a site behind that address would see.
type LoopFleet struct {
	CA    *CA
	Sites []LoopSite

	srvs []*http.Server
	lns  []net.Listener

	mu    sync.Mutex
	addrs map[netip.Addr]*AddrCount
}

// LoopSite is one site of a LoopFleet.
type LoopSite struct {
	// Name is siteN.fleet.test.
	Name string
	// Addr is where it listens.
	Addr netip.AddrPort
	// Config names its TLS configuration (LoopConfigs).
	Config string
}

// LoopConfigs are the TLS configurations a LoopFleet's sites cycle
// through: TLS 1.2–1.3 with ECDHE and AEAD on ECDSA (an A), TLS 1.3 only
// (an A), and TLS 1.0–1.2 with CBC and RSA key exchange (capped at B by
// TLS 1.0/1.1).
var LoopConfigs = []string{"modern", "tls13", "legacy"}

// AddrCount is what one IP address saw.
type AddrCount struct {
	mu      sync.Mutex
	open    int
	peak    int
	accepts []time.Time
}

// Peak is the most connections that were open at once (a connection
// counts until the server has read the client's end of stream).
func (c *AddrCount) Peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak
}

// Accepts returns when each connection was accepted, in order.
func (c *AddrCount) Accepts() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]time.Time(nil), c.accepts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// MaxInWindow is the most connections accepted within any window of d.
func (c *AddrCount) MaxInWindow(d time.Duration) int { return MaxInWindow(c.Accepts(), d) }

// MaxInWindow is the most of the times ts (in order) that fall within any
// window of d: what a server saw of a rate limit.
func MaxInWindow(ts []time.Time, d time.Duration) int {
	most, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// CountingListener counts on c the connections ln accepts: when each
// arrived, and how many are open at once (until the server reads the
// client's end of stream or closes the connection).
func CountingListener(ln net.Listener, c *AddrCount) net.Listener { return countListener{ln, c} }

// StartLoopFleet starts n sites; addr gives site i's address (each must
// be on loopback). Close stops them.
func StartLoopFleet(ctx context.Context, n int, addr func(i int) netip.AddrPort) (*LoopFleet, error) {
	ca, err := NewCA("padlock loop fleet CA")
	if err != nil {
		return nil, err
	}
	ecdsa, err := ca.Issue(LeafOptions{DNSNames: []string{"*.fleet.test"}, KeyType: KeyP256})
	if err != nil {
		return nil, err
	}
	rsa, err := ca.Issue(LeafOptions{DNSNames: []string{"*.fleet.test"}, KeyType: KeyRSA2048})
	if err != nil {
		return nil, err
	}
	cfgs := map[string]*tls.Config{
		"modern": {MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13, CipherSuites: ecdheAEADECDSA,
			Certificates: []tls.Certificate{ecdsa.TLSCertificate()}},
		"tls13": {MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
			Certificates: []tls.Certificate{ecdsa.TLSCertificate()}},
		"legacy": {MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA},
			Certificates: []tls.Certificate{rsa.TLSCertificate()}},
	}
	f := &LoopFleet{CA: ca, addrs: map[netip.Addr]*AddrCount{}}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "padlock loop fleet\n")
	})
	for i := range n {
		a := addr(i)
		if !a.Addr().IsLoopback() {
			f.Close()
			return nil, fmt.Errorf("lab: loop fleet address %s is not loopback", a)
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", a.String())
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lab: loop fleet: %w", err)
		}
		name := LoopConfigs[i%len(LoopConfigs)]
		f.Sites = append(f.Sites, LoopSite{Name: fmt.Sprintf("site%d.fleet.test", i), Addr: netip.MustParseAddrPort(ln.Addr().String()), Config: name})
		srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		f.srvs = append(f.srvs, srv)
		f.lns = append(f.lns, ln)
		go srv.Serve(tls.NewListener(countListener{ln, f.count(a.Addr())}, cfgs[name]))
	}
	return f, nil
}

func (f *LoopFleet) count(a netip.Addr) *AddrCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.addrs[a]
	if c == nil {
		c = &AddrCount{}
		f.addrs[a] = c
	}
	return c
}

// Addr returns what address a saw (nil if nothing listens there).
func (f *LoopFleet) Addr(a netip.Addr) *AddrCount {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addrs[a]
}

// TargetsCSV writes a targets file naming every site, pinned to its
// address, and the CA's root as PEM beside it; it returns both paths.
func (f *LoopFleet) TargetsCSV(dir string) (targets, caFile string, err error) {
	var b strings.Builder
	b.WriteString("organisation,url,group,ip\n")
	for i, s := range f.Sites {
		fmt.Fprintf(&b, "Org %d,https://%s:%d/,%s,%s\n", i, s.Name, s.Addr.Port(), s.Config, s.Addr.Addr())
	}
	targets = filepath.Join(dir, "targets.csv")
	if err := os.WriteFile(targets, []byte(b.String()), 0o644); err != nil {
		return "", "", err
	}
	caFile, err = f.CA.WriteRootPEM(dir, "fleet-ca")
	return targets, caFile, err
}

// Close stops every site.
func (f *LoopFleet) Close() error {
	for _, s := range f.srvs {
		s.Close()
	}
	for _, ln := range f.lns {
		ln.Close()
	}
	return nil
}

type countListener struct {
	net.Listener
	c *AddrCount
}

func (l countListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := l.c
	c.mu.Lock()
	c.open++
	c.peak = max(c.peak, c.open)
	c.accepts = append(c.accepts, time.Now())
	c.mu.Unlock()
	return &countConn{Conn: conn, c: c}, nil
}

// countConn counts as open until the client's end of stream is read or
// the server closes it.
type countConn struct {
	net.Conn
	c    *AddrCount
	once sync.Once
}

func (c *countConn) done() {
	c.once.Do(func() {
		c.c.mu.Lock()
		c.c.open--
		c.c.mu.Unlock()
	})
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.done()
	}
	return n, err
}

func (c *countConn) Close() error {
	c.done()
	return c.Conn.Close()
}
