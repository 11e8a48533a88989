package vuln

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"time"

	"padlock/vuln/internal/handshake"
)

// Ticketbleed (CVE-2016-9244): F5 BIG-IP, resuming a session from a ticket,
// echoed a 32-byte session ID whatever length the client had sent, the
// bytes past the client's own being uninitialised memory.
//
// The probe gets a ticket from a full handshake, then twice offers it with
// a 1-byte session ID. A correct server resuming the session echoes the 1
// byte (RFC 5077 §3.4). A vulnerable one echoes 32 bytes starting with
// ours, the other 31 differing between the two attempts (memory): ticketbleed
// 2. The same 32 bytes both times is padding, not memory: a similar bug
// (ticketbleed 3). A server that never resumes from its ticket leaves the
// question open.
func checkTicketbleed(ctx context.Context, r *run) Finding {
	if r.res.Extensions.Protocol == 0 {
		if bestClassic(r.res) != 0 {
			return finding(CheckTicketbleed, Inconclusive, "no ServerHello extensions recorded")
		}
		return finding(CheckTicketbleed, NotApplicable, "no TLS 1.0-1.2 protocol is accepted")
	}
	if !r.res.Extensions.SessionTicket {
		return finding(CheckTicketbleed, NotApplicable, "the server does not support session tickets")
	}
	ver, ids := handshakeTarget(r.res, nil)
	if ver == 0 {
		return finding(CheckTicketbleed, Inconclusive, "padlock cannot complete a handshake with the server's suites to get a ticket")
	}
	cfg := handshake.Config{Version: ver, Suites: ids, OfferTicket: true}
	c, pc, err := r.handshake(ctx, cfg)
	if err != nil {
		return inconclusive(CheckTicketbleed, err, "getting a session ticket")
	}
	pc.Close()
	if len(c.Ticket) == 0 {
		return finding(CheckTicketbleed, NotApplicable, "the server sent no session ticket in a full handshake")
	}
	ticket := c.Ticket

	var echoes [][]byte
	var ev []Evidence
	resumed := 0
	for try := 0; try < 2; try++ {
		sid := make([]byte, 1)
		_, _ = rand.Read(sid)
		cfg := handshake.Config{Version: ver, Suites: ids, OfferTicket: true, Ticket: ticket, SessionID: sid}
		c, pc, err := r.newClient(ctx, cfg)
		if err != nil {
			return inconclusive(CheckTicketbleed, err, "connecting")
		}
		_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
		if err = c.SendHello(); err == nil {
			err = c.ReadServerHello()
		}
		pc.Close()
		if err != nil {
			return inconclusive(CheckTicketbleed, errors.New(describeErr(err)), "offering the ticket")
		}
		got := c.ServerHello.SessionID
		ev = append(ev, bytesEvidence("session ID echoed for a 1-byte ID and a ticket", got))
		switch {
		case bytes.Equal(got, sid):
			resumed++
		case len(got) > 1 && got[0] == sid[0]:
			echoes = append(echoes, got[1:])
		}
	}
	switch {
	case len(echoes) == 2 && !bytes.Equal(echoes[0], echoes[1]):
		f := finding(CheckTicketbleed, Vulnerable, "resuming from a ticket, the server echoed a %d-byte session ID for a 1-byte one, the extra bytes differing between attempts (memory)", len(echoes[0])+1)
		f.Severity = SeverityExploitable
		f.add(ev...)
		return f
	case len(echoes) == 2:
		f := finding(CheckTicketbleed, Vulnerable, "resuming from a ticket, the server pads a 1-byte session ID to %d bytes, the same both times: a Ticketbleed-like bug without a memory leak", len(echoes[0])+1)
		f.Severity = SeverityNotExploitable
		f.Variant = VariantSimilarBug
		f.add(ev...)
		return f
	case resumed == 2:
		f := finding(CheckTicketbleed, NotVulnerable, "resuming from a ticket, the server echoed the 1-byte session ID exactly")
		f.add(ev...)
		return f
	case len(echoes) == 1:
		f := finding(CheckTicketbleed, Inconclusive, "one of two resumptions echoed an over-long session ID")
		f.add(ev...)
		return f
	}
	f := finding(CheckTicketbleed, Inconclusive, "the server did not resume the session from its own ticket, so the echo was not exercised")
	f.add(ev...)
	return f
}
