package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"padlock/tlswire"
)

// maxFlightBytes bounds what one connection may read from the server: the
// whole first flight (ServerHello to ServerHelloDone) including a large
// certificate chain fits well inside it.
const maxFlightBytes = 512 << 10

// dialer opens bounded connections to one endpoint and counts them.
type dialer struct {
	endpoint Endpoint
	timeout  time.Duration // per connection: dial, write and read together
	sem      chan struct{} // per-endpoint concurrency cap
	count    atomic.Int64
	netDial  func(ctx context.Context, network, addr string) (net.Conn, error)
}

func newDialer(ep Endpoint, timeout time.Duration, concurrency int) *dialer {
	if concurrency < 1 {
		concurrency = 1
	}
	d := &net.Dialer{}
	return &dialer{
		endpoint: ep,
		timeout:  timeout,
		sem:      make(chan struct{}, concurrency),
		netDial:  d.DialContext,
	}
}

// conn is one bounded connection. Its deadline covers the whole exchange and
// its reads stop at maxFlightBytes.
type conn struct {
	c      net.Conn
	buf    []byte
	read   int // bytes read so far, bounded by maxFlightBytes
	cancel func()
	d      *dialer

	closeOnce sync.Once
}

// dial waits for a slot under the endpoint's concurrency cap and connects.
// The slot is held until Close.
func (d *dialer) dial(ctx context.Context) (*conn, error) {
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	d.count.Add(1)
	c, err := d.netDial(ctx, "tcp", d.endpoint.Address())
	if err != nil {
		cancel()
		<-d.sem
		return nil, &dialError{err: err}
	}
	deadline, _ := ctx.Deadline()
	_ = c.SetDeadline(deadline)
	// Closing the socket when the context ends unblocks a pending read.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	return &conn{
		c: c,
		cancel: func() {
			stop()
			cancel()
		},
		d: d,
	}, nil
}

// Close closes the connection and frees its slot; later calls do nothing.
func (c *conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		err = c.c.Close()
		c.cancel()
		<-c.d.sem
	})
	return err
}

func (c *conn) write(b []byte) error {
	if _, err := c.c.Write(b); err != nil {
		return fmt.Errorf("sending hello: %w", classify(err))
	}
	return nil
}

// fill reads at least one more byte into the buffer.
func (c *conn) fill() error {
	if c.read >= maxFlightBytes {
		return errTooMuch
	}
	var tmp [16 << 10]byte
	want := min(len(tmp), maxFlightBytes-c.read)
	n, err := c.c.Read(tmp[:want])
	c.read += n
	c.buf = append(c.buf, tmp[:n]...)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return classify(err)
}

// readRecord returns the next TLS record.
func (c *conn) readRecord() (tlswire.Record, error) {
	for {
		rec, n, err := tlswire.ParseRecord(c.buf)
		if err == nil {
			c.buf = c.buf[n:]
			return rec, nil
		}
		if !errors.Is(err, tlswire.ErrIncomplete) {
			return rec, err
		}
		if err := c.fill(); err != nil {
			if len(c.buf) > 0 && errors.Is(err, errClosed) {
				// A broken answer, not a refusal: errClosed is not wrapped.
				return rec, fmt.Errorf("connection closed inside a record (%v)", err)
			}
			return rec, err
		}
	}
}

// readSSLv2 returns the next SSLv2 message.
func (c *conn) readSSLv2() ([]byte, error) {
	for {
		if len(c.buf) > 0 && !tlswire.LooksLikeSSLv2(c.buf) {
			return nil, errNotSSLv2
		}
		msg, n, err := tlswire.ParseSSLv2Record(c.buf)
		if err == nil {
			c.buf = c.buf[n:]
			return msg, nil
		}
		if !errors.Is(err, tlswire.ErrIncomplete) {
			return nil, err
		}
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
}

var (
	// errClosed: the server closed or reset the connection. After a hello
	// this is how many servers say no, so it counts as a refusal once the
	// server is known to speak TLS (see errReset).
	errClosed = errors.New("connection closed by server")
	// errReset: the connection was reset (RST) rather than closed. Every
	// reset also wraps errClosed. A reset before any reply is how servers
	// such as SChannel refuse a disabled version, but also how overloaded
	// servers, rate limiters and dead backends behind a balancer drop a
	// connection, and it can come before the server read the hello at
	// all: alone it proves nothing (see versionProbe.reset).
	errReset = errors.New("connection reset by server")
	// errTimeout: no answer within the time allowed. Never a refusal.
	errTimeout  = errors.New("timed out waiting for the server")
	errNotSSLv2 = errors.New("answer is not SSLv2")
	errTooMuch  = fmt.Errorf("server sent more than %d bytes without finishing its first flight", maxFlightBytes)
)

// dialError is a failure to connect at all.
type dialError struct{ err error }

func (e *dialError) Error() string { return "connecting: " + classify(e.err).Error() }
func (e *dialError) Unwrap() error { return e.err }

// classify maps low-level I/O errors to the few outcomes the prober acts on.
func classify(err error) error {
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w: %w (%v)", errClosed, errReset, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed):
		return fmt.Errorf("%w (%v)", errClosed, err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w (%v)", errTimeout, err)
	}
	return err
}
