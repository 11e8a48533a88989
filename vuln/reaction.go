package vuln

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// A reaction is what the server did after a probe: the records it sent
// (decrypted when the keys are known) and how the connection ended.
type reaction struct {
	Records []seenRecord
	End     end
	Detail  string // the error that ended reading, for end == endError
	// Latency is how long the first record (or the end) took; the whole
	// wait for a silence.
	Latency time.Duration
}

type seenRecord struct {
	Type  tlswire.ContentType
	Len   int            // payload length on the wire
	Alert *tlswire.Alert // the alert, when readable
	Data  []byte         // decrypted payload (application data, handshake), bounded
	// Opaque: protected and not decryptable with the keys at hand.
	Opaque bool
}

type end uint8

const (
	endTimeout end = iota // nothing more within the wait: the connection stays open
	endClosed             // orderly close (FIN)
	endReset              // connection reset
	endError              // garbage, or a local failure
)

func (e end) String() string {
	return [...]string{"no answer (connection left open)", "connection closed", "connection reset", "error"}[e]
}

// maxRecordsSeen bounds a reaction.
const maxRecordsSeen = 8

// maxDataKept bounds the decrypted bytes kept per record.
const maxDataKept = 256

// readReaction reads until the connection ends, the wait runs out, or
// maxRecordsSeen records came. After data it waits a shorter while for
// the close; after a readable alert only a moment (afterAlert): what
// follows an alert is no part of the reaction's key, so waiting for it
// would only cost time. in may be nil (nothing decrypted).
func readReaction(c *handshake.Conn, wait time.Duration) reaction {
	return readReactionQuiet(c, wait, wait)
}

// afterAlert is how long a reaction is read past its first alert record,
// for the close that usually comes with it (evidence only).
const afterAlert = 100 * time.Millisecond

// readReactionQuiet is readReaction with a shorter wait, quiet, for the
// first sign of an answer: a caller that already knows how fast this
// server reacts reads a silence as soon as it is one (see silenceAfter).
func readReactionQuiet(c *handshake.Conn, wait, quiet time.Duration) reaction {
	var r reaction
	start := time.Now()
	end := start.Add(wait)
	deadline := start.Add(min(quiet, wait))
	after := min(wait/2, 2*time.Second)
	for len(r.Records) < maxRecordsSeen {
		_ = c.Raw().SetReadDeadline(deadline)
		rec, err := c.ReadRawRecord()
		if err != nil {
			r.End, r.Detail = classifyEnd(err)
			if len(r.Records) == 0 {
				r.Latency = time.Since(start)
			}
			return r
		}
		if len(r.Records) == 0 {
			r.Latency = time.Since(start)
			deadline = end
		}
		s := seenRecord{Type: rec.Type, Len: len(rec.Payload)}
		payload := rec.Payload
		if in := c.In(); in != nil && rec.Type != tlswire.TypeChangeCipherSpec {
			p, err := in.Open(rec)
			if err != nil {
				s.Opaque = true
				payload = nil
			} else {
				payload = p
			}
		}
		if payload != nil {
			if rec.Type == tlswire.TypeAlert {
				if a, err := tlswire.ParseAlert(payload); err == nil {
					s.Alert = &a
				}
			}
			s.Data = payload[:min(len(payload), maxDataKept)]
		}
		r.Records = append(r.Records, s)
		switch {
		case s.Alert != nil:
			// A readable alert; an undecryptable one is waited past as
			// before, since checks then judge by how the connection ends.
			if t := time.Now().Add(afterAlert); t.Before(deadline) {
				deadline = t
			}
		case rec.Type == tlswire.TypeApplicationData || s.Opaque:
			deadline = time.Now().Add(after)
		}
	}
	r.End = endError
	r.Detail = fmt.Sprintf("more than %d records", maxRecordsSeen)
	return r
}

// silenceAfter is how long a probe must stay unanswered to be silence,
// given the slowest answer the server gave to the same kind of probe
// (slowest; 0 or a silence among them: unknown): eight times that, at
// least minSilence, at most wait. A server that rejects a message does so
// when it has processed it, which its answers to the sibling probes have
// timed; waiting the full wait learns nothing more.
func silenceAfter(slowest, wait time.Duration) time.Duration {
	if slowest <= 0 || slowest >= wait {
		return wait
	}
	return min(wait, max(minSilence, 8*slowest))
}

// minSilence is the shortest wait that reads as silence.
const minSilence = 300 * time.Millisecond

func classifyEnd(err error) (end, string) {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return endClosed, ""
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return endReset, ""
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return endTimeout, ""
	}
	return endError, err.Error()
}

// silent reports whether nothing came and the connection stayed open.
func (r reaction) silent() bool { return len(r.Records) == 0 && r.End == endTimeout }

// alert returns the first alert, if one was read.
func (r reaction) alert() (tlswire.Alert, bool) {
	for _, s := range r.Records {
		if s.Alert != nil {
			return *s.Alert, true
		}
	}
	return tlswire.Alert{}, false
}

// dataLen is the decrypted application data received before the first
// alert record. What the TLS layer said first decides: a server whose TLS
// stack rejected the record with an alert (Mbed TLS's fatal
// bad_record_mac) has not processed it, even if the application then
// writes its response on the dead connection anyway.
func (r reaction) dataLen() int {
	n := 0
	for _, s := range r.Records {
		if s.Type == tlswire.TypeAlert {
			break
		}
		if s.Type == tlswire.TypeApplicationData && !s.Opaque {
			n += len(s.Data)
		}
	}
	return n
}

// String describes the reaction, e.g. "fatal alert bad_record_mac
// (encrypted, 26 bytes), then connection closed".
func (r reaction) String() string {
	var parts []string
	for _, s := range r.Records {
		var p string
		switch {
		case s.Alert != nil:
			p = s.Alert.String()
		case s.Opaque:
			p = fmt.Sprintf("undecryptable %v record", s.Type)
		case s.Type == tlswire.TypeApplicationData:
			p = "application data"
		default:
			p = s.Type.String() + " record"
		}
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", p, s.Len))
	}
	e := r.End.String()
	if r.Detail != "" {
		e += ": " + r.Detail
	}
	if len(parts) == 0 {
		return e
	}
	return strings.Join(parts, ", ") + ", then " + e
}

// key identifies the reaction with everything padlock can see, alert
// descriptions included. An alert ends the TLS connection: what the
// socket does after it (closed at once or later) is timing, left out.
func (r reaction) key() string {
	var b strings.Builder
	for i, s := range r.Records {
		switch {
		case s.Alert != nil:
			fmt.Fprintf(&b, "A%d.%d", s.Alert.Level, s.Alert.Description)
			return b.String()
		case s.Type == tlswire.TypeAlert:
			fmt.Fprintf(&b, "A?%d", s.Len)
			return b.String()
		case s.Type == tlswire.TypeApplicationData:
			// Consecutive data records count as one: how a response is
			// split varies.
			if i == 0 || r.Records[i-1].Type != tlswire.TypeApplicationData {
				b.WriteString("D/")
			}
		default:
			fmt.Fprintf(&b, "%d:%d/", s.Type, s.Len)
		}
	}
	fmt.Fprintf(&b, "%d", r.End)
	return b.String()
}

// wireKey identifies the reaction with what an attacker on the path sees
// without the keys: record types and lengths and how the connection
// ended (up to the first alert record, as for key). Application data
// lengths are not compared (they vary with the content), only its
// presence.
func (r reaction) wireKey() string {
	var b strings.Builder
	for i, s := range r.Records {
		switch s.Type {
		case tlswire.TypeApplicationData:
			if i == 0 || r.Records[i-1].Type != tlswire.TypeApplicationData {
				b.WriteString("D/")
			}
			continue
		case tlswire.TypeAlert:
			fmt.Fprintf(&b, "A:%d", s.Len)
			return b.String()
		}
		fmt.Fprintf(&b, "%d:%d/", s.Type, s.Len)
	}
	fmt.Fprintf(&b, "%d", r.End)
	return b.String()
}

// reactionEvidence is the evidence for one reaction.
func reactionEvidence(label string, r reaction) Evidence { return note(label, "%s", r) }

// newClient dials and wraps the connection in a handshake client. The
// caller closes the returned conn.
func (r *run) newClient(ctx context.Context, cfg handshake.Config) (*handshake.Conn, *conn, error) {
	pc, err := r.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.sni()
	}
	return handshake.Client(pc.NetConn(), cfg), pc, nil
}

// handshake dials and completes a full handshake.
func (r *run) handshake(ctx context.Context, cfg handshake.Config) (*handshake.Conn, *conn, error) {
	c, pc, err := r.newClient(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Handshake(); err != nil {
		pc.Close()
		return nil, nil, fmt.Errorf("handshake with %s: %w", suiteNames(cfg.Suites), err)
	}
	return c, pc, nil
}

// flight dials, sends the hello and reads the server's first flight.
func (r *run) flight(ctx context.Context, cfg handshake.Config) (*handshake.Conn, *conn, error) {
	c, pc, err := r.newClient(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	err = c.SendHello()
	if err == nil {
		err = c.ReadServerHello()
	}
	if err == nil {
		err = c.ReadFlight()
	}
	if err != nil {
		pc.Close()
		return nil, nil, err
	}
	return c, pc, nil
}

func suiteNames(ids []uint16) string {
	var out []string
	for _, id := range ids {
		if s, ok := handshake.SuiteByID(id); ok {
			out = append(out, s.Name)
		} else {
			out = append(out, fmt.Sprintf("0x%04x", id))
		}
	}
	if len(out) > 3 {
		return strings.Join(out[:3], ", ") + fmt.Sprintf(" and %d more", len(out)-3)
	}
	return strings.Join(out, ", ")
}

// describeErr turns a connection error into evidence text, naming alerts.
func describeErr(err error) string {
	var ae *handshake.AlertError
	if errors.As(err, &ae) {
		return ae.Alert.String()
	}
	if e, _ := classifyEnd(err); e != endError {
		return e.String()
	}
	return err.Error()
}
