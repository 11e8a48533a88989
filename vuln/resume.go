package vuln

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"padlock/probe"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// Session resumption values, as SSL Labs' EndpointDetails.sessionResumption
// numbers them.
const (
	ResumptionNone      = 0 // the server sends empty session IDs
	ResumptionNotReused = 1 // the server sends session IDs but does not resume them
	ResumptionYes       = 2 // a session ID offered again is resumed
)

// Resumption is how a server resumes TLS 1.0–1.2 sessions, measured with
// padlock's own handshakes: a full handshake, then a new connection
// offering what it gave (its session ID; separately its ticket).
type Resumption struct {
	// Tested is false when no answer could be had (Reason says why); the
	// other fields are then meaningless.
	Tested bool `json:"tested"`
	// ByID is one of the Resumption* values.
	ByID int `json:"byId"`
	// TicketTested is set when the server issued a ticket and it was
	// offered back; ByTicket then says whether the session was resumed.
	TicketTested bool `json:"ticketTested"`
	ByTicket     bool `json:"byTicket"`
	// Reason explains an untested or partly tested answer.
	Reason      string `json:"reason,omitempty"`
	Connections int    `json:"connections"`
}

// SessionResumption measures session resumption by session ID and by
// ticket (RFC 5246 §7.4.1.2, RFC 5077 §3.4) on the endpoint of d, with the
// protocol and suites the prober found (res). It opens at most four
// connections, each bounded by opts.Wait: three when the server gives a
// session ID and does tickets (the connection offering the ID again asks
// for a ticket and yields the one the ticket test offers back), one fewer
// when opts.Session hands it the full handshake a check completed (it
// waits for that at most opts.Wait).
func SessionResumption(ctx context.Context, d *probe.Dialer, res *probe.Result, opts Options) (out Resumption) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, 5*opts.Wait+time.Second)
	defer cancel()
	if res == nil {
		return Resumption{Reason: "no probe result"}
	}
	r := &run{target: &target{d: d, res: res, opts: opts, ep: d.Endpoint()}}
	defer func() { out.Connections = int(r.conns.Load()) }()
	ver, ids := handshakeTarget(res, nil)
	if ver == 0 {
		out.Reason = "no TLS 1.0–1.2 suite padlock can complete a handshake with"
		return out
	}

	// By session ID: a full handshake without a ticket (or the one a
	// check completed cleanly with the same hello, opts.Session), then
	// its ID again.
	full := handshake.Config{Version: ver, Suites: ids}
	sid := opts.Session.take(ctx, full, opts.Wait)
	if sid == nil {
		first, pc, err := r.handshake(ctx, full)
		if err != nil {
			out.Reason = "full handshake: " + describeErr(err)
			return out
		}
		closeNotify(first)
		pc.Close()
		sid = first.ServerHello.SessionID
	}
	var ticket []byte
	if len(sid) == 0 {
		out.Tested, out.ByID = true, ResumptionNone
	} else {
		// When the server does tickets, the hello offering the ID again
		// also asks for one, and its connection yields one: in the
		// resumed handshake before the ChangeCipherSpec, in a full one
		// (not resumed) at its end.
		resumed, t, err := r.offerID(ctx, handshake.Config{Version: ver, Suites: ids, SessionID: sid, OfferTicket: res.Extensions.SessionTicket}, sid)
		if err != nil {
			out.Reason = "offering the session ID again: " + describeErr(err)
			return out
		}
		out.Tested, out.ByID = true, ResumptionNotReused
		if resumed {
			out.ByID = ResumptionYes
		}
		ticket = t
	}

	// By ticket: a full handshake asking for one unless the ID test got
	// one, then the ticket with a fresh session ID, which a resuming
	// server echoes.
	if !res.Extensions.SessionTicket {
		return out
	}
	if len(ticket) == 0 {
		withTicket, pc, err := r.handshake(ctx, handshake.Config{Version: ver, Suites: ids, OfferTicket: true})
		if err != nil {
			out.Reason = "full handshake asking for a ticket: " + describeErr(err)
			return out
		}
		closeNotify(withTicket)
		pc.Close()
		ticket = withTicket.Ticket
	}
	if len(ticket) == 0 {
		out.Reason = "the server acknowledged session_ticket but sent no ticket"
		return out
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	resumed, err := r.offerAgain(ctx, handshake.Config{Version: ver, Suites: ids, OfferTicket: true, Ticket: ticket, SessionID: fresh}, fresh)
	if err != nil {
		out.Reason = "offering the ticket: " + describeErr(err)
		return out
	}
	out.TicketTested, out.ByTicket = true, resumed
	return out
}

// offerID is offerAgain for a session ID. With cfg.OfferTicket it also
// returns the ticket the connection yields, if any: the NewSessionTicket
// of a resumed handshake, or that of the full handshake the server starts
// instead, which is then completed. A failure to get the ticket is no
// failure of the ID test: the ticket test then makes its own handshake.
func (r *run) offerID(ctx context.Context, cfg handshake.Config, sid []byte) (resumed bool, ticket []byte, err error) {
	c, pc, err := r.newClient(ctx, cfg)
	if err != nil {
		return false, nil, err
	}
	defer pc.Close()
	_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
	if resumed, err = r.readAgain(c, sid); err != nil || !cfg.OfferTicket {
		return resumed, nil, err
	}
	if resumed {
		if c.ReadResumedTicket() == nil {
			ticket = c.Ticket
		}
		return true, ticket, nil
	}
	if c.FinishFull() == nil {
		closeNotify(c)
		ticket = c.Ticket
	}
	return false, ticket, nil
}

// offerAgain sends a hello carrying cfg's session ID (and ticket) and
// reports whether the ServerHello echoes want, which is how a server says
// it resumes.
func (r *run) offerAgain(ctx context.Context, cfg handshake.Config, want []byte) (bool, error) {
	c, pc, err := r.newClient(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer pc.Close()
	_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
	return r.readAgain(c, want)
}

// readAgain sends c's hello and reads the ServerHello: whether it echoes
// want.
func (r *run) readAgain(c *handshake.Conn, want []byte) (bool, error) {
	if err := c.SendHello(); err != nil {
		return false, err
	}
	if err := c.ReadServerHello(); err != nil {
		var ae *handshake.AlertError
		if errors.As(err, &ae) {
			return false, fmt.Errorf("the server refused the hello: %w", err)
		}
		return false, err
	}
	return bytes.Equal(c.ServerHello.SessionID, want), nil
}

// closeNotify ends a session cleanly: servers such as OpenSSL drop a
// session from their cache when the connection is closed without a
// close_notify alert (RFC 5246 §7.2.1), which would read as "not resumed".
func closeNotify(c *handshake.Conn) {
	_ = c.Raw().SetWriteDeadline(time.Now().Add(time.Second))
	_ = c.WriteRecord(tlswire.TypeAlert, []byte{1, 0}) // warning, close_notify
}
