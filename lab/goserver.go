package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// GoServer is an HTTPS server run in-process with crypto/tls on 127.0.0.1.
type GoServer struct {
	// Addr is "127.0.0.1:port".
	Addr string
	Host string // "127.0.0.1"
	Port int
	// Name is the name given to StartGo; the server answers every request
	// with "padlock lab: <Name>".
	Name string
	// Description says what is deliberately right or wrong (demo servers).
	Description string
	// Config is the configuration in use (a clone of the one passed to
	// StartGo). Do not modify it while the server runs.
	Config *tls.Config
	// CA is the root that verifies the server's chain, when known (demo
	// servers set it; StartGo leaves it nil).
	CA *CA

	srv       *http.Server
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error

	mu      sync.Mutex
	stopCtx func() bool
}

// StartGo listens on 127.0.0.1 with an ephemeral port and serves HTTPS with
// cfg until Close is called or ctx is done. cfg must carry at least one
// certificate (or GetCertificate / GetConfigForClient). Handshake and HTTP
// errors are discarded: scanners provoke a lot of them.
func StartGo(ctx context.Context, name string, cfg *tls.Config) (*GoServer, error) {
	if cfg == nil {
		return nil, errors.New("lab: StartGo needs a tls.Config")
	}
	cfg = cfg.Clone()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: listen: %w", err)
	}
	tcpAddr := ln.Addr().(*net.TCPAddr)
	body := "padlock lab: " + name + "\n"
	s := &GoServer{
		Addr:   ln.Addr().String(),
		Host:   tcpAddr.IP.String(),
		Port:   tcpAddr.Port,
		Name:   name,
		Config: cfg,
		done:   make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			io.WriteString(w, body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(tls.NewListener(ln, cfg))
	}()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Lock()
	s.stopCtx = stop
	s.mu.Unlock()
	return s, nil
}

// URL returns "https://127.0.0.1:port/".
func (s *GoServer) URL() string { return "https://" + s.Addr + "/" }

// Close stops the server, closing its listener and all connections, and waits
// (at most five seconds) for the serving goroutine to end. It may be called
// more than once.
func (s *GoServer) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		stop := s.stopCtx
		s.mu.Unlock()
		if stop != nil {
			stop()
		}
		s.closeErr = s.srv.Close()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			if s.closeErr == nil {
				s.closeErr = errors.New("lab: server did not stop within 5s")
			}
		}
	})
	return s.closeErr
}
