package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/dns/dnsmessage"

	"padlock/assess"
)

// typeCAA is the CAA resource record type (RFC 8659).
const typeCAA dnsmessage.Type = 257

// Bounds of a CAA lookup.
const (
	caaTimeout    = 3 * time.Second
	caaMaxAnswer  = 4096
	caaMaxRecords = 32
	caaMaxLabels  = 10
)

// systemNameserver is the first nameserver of /etc/resolv.conf, as
// host:53 ("" when there is none).
func systemNameserver() string {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "nameserver" {
			return net.JoinHostPort(f[1], "53")
		}
	}
	return ""
}

// lookupCAA finds the CAA policy of name as a CA must (RFC 8659 §3): the
// CAA records of name, else of its parent, and so on up to (not
// including) the root. It asks server (host:port) directly over UDP.
func lookupCAA(ctx context.Context, server, name string) (*assess.CAAPolicy, error) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	labels := strings.Split(name, ".")
	for i := 0; i < len(labels) && i < caaMaxLabels; i++ {
		n := strings.Join(labels[i:], ".")
		recs, err := queryCAA(ctx, server, n)
		if err != nil {
			return nil, fmt.Errorf("CAA of %s: %w", n, err)
		}
		if len(recs) > 0 {
			return &assess.CAAPolicy{PolicyHostname: n, Records: recs}, nil
		}
	}
	return &assess.CAAPolicy{Records: []assess.CAARecord{}}, nil
}

// queryCAA asks server for the CAA records of name.
func queryCAA(ctx context.Context, server, name string) ([]assess.CAARecord, error) {
	qn, err := dnsmessage.NewName(name + ".")
	if err != nil {
		return nil, err
	}
	var idb [2]byte
	_, _ = rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	q := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: qn, Type: typeCAA, Class: dnsmessage.ClassINET}},
	}
	packed, err := q.Pack()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, caaTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := c.Write(packed); err != nil {
		return nil, err
	}
	buf := make([]byte, caaMaxAnswer)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, err
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil || h.ID != id || !h.Response {
			continue // not our answer
		}
		switch h.RCode {
		case dnsmessage.RCodeSuccess:
		case dnsmessage.RCodeNameError:
			return nil, nil
		default:
			return nil, fmt.Errorf("the resolver answered %v", h.RCode)
		}
		if h.Truncated {
			return nil, errors.New("the answer was truncated")
		}
		if err := p.SkipAllQuestions(); err != nil {
			return nil, err
		}
		var out []assess.CAARecord
		for {
			rh, err := p.AnswerHeader()
			if errors.Is(err, dnsmessage.ErrSectionDone) {
				return out, nil
			}
			if err != nil {
				return nil, err
			}
			if rh.Type != typeCAA {
				if err := p.SkipAnswer(); err != nil {
					return nil, err
				}
				continue
			}
			r, err := p.UnknownResource()
			if err != nil {
				return nil, err
			}
			rec, err := parseCAA(r.Data)
			if err != nil {
				return nil, err
			}
			if len(out) < caaMaxRecords {
				out = append(out, rec)
			}
		}
	}
}

// parseCAA reads CAA RDATA: flags, tag length, tag, value (RFC 8659
// §4.1). Tags are ASCII letters and digits; the value is kept when it is
// printable UTF-8.
func parseCAA(b []byte) (assess.CAARecord, error) {
	if len(b) < 2 || int(b[1]) == 0 || len(b) < 2+int(b[1]) {
		return assess.CAARecord{}, errors.New("malformed CAA record")
	}
	tag, value := b[2:2+int(b[1])], b[2+int(b[1]):]
	for _, c := range tag {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return assess.CAARecord{}, errors.New("malformed CAA tag")
		}
	}
	if !utf8.Valid(value) {
		return assess.CAARecord{}, errors.New("CAA value is not UTF-8")
	}
	for _, r := range string(value) {
		if r < 0x20 || r == 0x7f {
			return assess.CAARecord{}, errors.New("control character in a CAA value")
		}
	}
	return assess.CAARecord{Flags: int(b[0]), Tag: strings.ToLower(string(tag)), Value: string(value)}, nil
}
