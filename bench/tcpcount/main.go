// Command tcpcount is a counting TCP proxy for the benchmark: it listens on
// 127.0.0.1, forwards every connection it accepts to one target on the
// loopback network, and counts the connections and the bytes each way.
//
// Usage:
//
//	tcpcount -target 127.0.0.1:PORT [-listen 127.0.0.1:0] [-addr-file F]
//	         [-report F] [-idle 10m] [-conn-idle 2m] [-max-conns 100000]
//	tcpcount -free-port
//
// The listening address is printed on the first line of standard output
// and, with -addr-file, written to that file once the listener is open (so
// a script can wait for the file). The counters are printed on SIGTERM or
// SIGINT, and with -report they are also written to that file, replaced
// atomically after every connection that ends and once more on exit, as
// "key=value" lines: connections, refused (over -max-conns), dial_errors,
// bytes_in (client to target), bytes_out (target to client), max_open.
//
// Everything is bounded: the proxy exits after -idle without any open
// connection, closes a connection after -conn-idle without traffic, and
// refuses connections beyond -max-conns. The target must be a loopback
// address. -free-port prints a TCP port that was free on 127.0.0.1 and
// exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type counters struct {
	connections atomic.Int64
	refused     atomic.Int64
	dialErrors  atomic.Int64
	bytesIn     atomic.Int64
	bytesOut    atomic.Int64
	open        atomic.Int64
	maxOpen     atomic.Int64
	lastActive  atomic.Int64 // unix nanoseconds of the last accept or close
}

func (c *counters) String() string {
	return fmt.Sprintf("connections=%d\nrefused=%d\ndial_errors=%d\nbytes_in=%d\nbytes_out=%d\nmax_open=%d\n",
		c.connections.Load(), c.refused.Load(), c.dialErrors.Load(),
		c.bytesIn.Load(), c.bytesOut.Load(), c.maxOpen.Load())
}

type proxy struct {
	target   string
	connIdle time.Duration
	maxConns int64
	report   string

	c        counters
	reportMu sync.Mutex
}

func main() {
	var (
		listen   = flag.String("listen", "127.0.0.1:0", "address to listen on (loopback)")
		target   = flag.String("target", "", "loopback address to forward to, e.g. 127.0.0.1:8443")
		addrFile = flag.String("addr-file", "", "write the listening address to this file once listening")
		report   = flag.String("report", "", "keep the counters in this file (key=value lines)")
		idle     = flag.Duration("idle", 10*time.Minute, "exit after this long without an open connection")
		connIdle = flag.Duration("conn-idle", 2*time.Minute, "close a connection after this long without traffic")
		maxConns = flag.Int64("max-conns", 100000, "refuse connections beyond this many")
		freePort = flag.Bool("free-port", false, "print a free TCP port of 127.0.0.1 and exit")
	)
	flag.Parse()
	if *freePort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fatal(err)
		}
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
		return
	}
	if err := checkLoopback(*target); err != nil {
		fatal(fmt.Errorf("-target: %w", err))
	}
	if err := checkLoopback(*listen); err != nil {
		fatal(fmt.Errorf("-listen: %w", err))
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fatal(err)
	}
	p := &proxy{target: *target, connIdle: *connIdle, maxConns: *maxConns, report: *report}
	p.c.lastActive.Store(time.Now().UnixNano())
	p.writeReport()
	fmt.Println(ln.Addr().String())
	if *addrFile != "" {
		if err := writeAtomic(*addrFile, ln.Addr().String()+"\n"); err != nil {
			fatal(err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go p.serve(ln)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	reason := "signal"
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			last := time.Unix(0, p.c.lastActive.Load())
			if p.c.open.Load() == 0 && time.Since(last) > *idle {
				reason = "idle"
				break loop
			}
		}
	}
	ln.Close()
	p.writeReport()
	fmt.Print(p.c.String())
	if reason == "idle" {
		fmt.Fprintf(os.Stderr, "tcpcount: no connection for %v, exiting\n", *idle)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tcpcount:", err)
	os.Exit(1)
}

// checkLoopback accepts only HOST:PORT where HOST is a loopback IP literal
// or "localhost".
func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address", host)
	}
	return nil
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// EMFILE and the like: back off briefly rather than spin.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		p.c.lastActive.Store(time.Now().UnixNano())
		if p.c.connections.Load() >= p.maxConns {
			p.c.refused.Add(1)
			c.Close()
			continue
		}
		p.c.connections.Add(1)
		n := p.c.open.Add(1)
		for {
			m := p.c.maxOpen.Load()
			if n <= m || p.c.maxOpen.CompareAndSwap(m, n) {
				break
			}
		}
		go p.handle(c)
	}
}

func (p *proxy) handle(client net.Conn) {
	defer func() {
		client.Close()
		p.c.open.Add(-1)
		p.c.lastActive.Store(time.Now().UnixNano())
		p.writeReport()
	}()
	server, err := net.DialTimeout("tcp", p.target, 10*time.Second)
	if err != nil {
		p.c.dialErrors.Add(1)
		return
	}
	defer server.Close()
	var wg sync.WaitGroup
	wg.Go(func() { p.pipe(server, client, &p.c.bytesIn) })
	wg.Go(func() { p.pipe(client, server, &p.c.bytesOut) })
	wg.Wait()
}

// pipe copies src to dst until either side ends or stays silent for
// connIdle, then half-closes dst so the other direction can finish.
func (p *proxy) pipe(dst, src net.Conn, count *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		_ = src.SetReadDeadline(time.Now().Add(p.connIdle))
		n, err := src.Read(buf)
		if n > 0 {
			count.Add(int64(n))
			_ = dst.SetWriteDeadline(time.Now().Add(p.connIdle))
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Silent too long: end both directions.
				_ = src.SetDeadline(time.Now())
				_ = dst.SetDeadline(time.Now())
				return
			}
			if !errors.Is(err, io.EOF) {
				// A reset or another failure: stop the other direction
				// too; both sockets are then closed.
				_ = dst.SetDeadline(time.Now())
			}
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

func (p *proxy) writeReport() {
	if p.report == "" {
		return
	}
	p.reportMu.Lock()
	defer p.reportMu.Unlock()
	if err := writeAtomic(p.report, p.c.String()); err != nil {
		fmt.Fprintln(os.Stderr, "tcpcount: report:", err)
	}
}

// writeAtomic replaces name with data through a temporary file and rename.
func writeAtomic(name, data string) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tcpcount-*")
	if err != nil {
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), name)
}
