package vuln

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"padlock/probe"
	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// KeyReuse says whether a server sends the same ephemeral public value
// on two connections (SSL Labs' dhYsReuse and ecdhParameterReuse): a
// reused value takes forward secrecy away for as long as it is kept.
type KeyReuse struct {
	// DHTested is set when two DHE ServerKeyExchanges were read;
	// DHReused then says whether their Ys were equal.
	DHTested bool `json:"dhTested"`
	DHReused bool `json:"dhReused"`
	// ECDHTested and ECDHReused are the same for ECDHE public points.
	ECDHTested  bool     `json:"ecdhTested"`
	ECDHReused  bool     `json:"ecdhReused"`
	Reasons     []string `json:"reasons,omitempty"`
	Connections int      `json:"connections"`
}

// KeyShareReuse opens two connections with the server's DHE suites and
// two with its ECDHE suites (TLS 1.0–1.2, those padlock can speak), reads
// each ServerKeyExchange and compares the server's public values.
func KeyShareReuse(ctx context.Context, d *probe.Dialer, res *probe.Result, opts Options) (out KeyReuse) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, 4*opts.Wait+time.Second)
	defer cancel()
	if res == nil {
		return out
	}
	r := &run{target: &target{d: d, res: res, opts: opts, ep: d.Endpoint()}}
	defer func() { out.Connections = int(r.conns.Load()) }()
	for _, k := range []struct {
		kx     registry.KeyExchange
		kind   tlswire.KeyExchangeKind
		name   string
		tested *bool
		reused *bool
	}{
		{registry.KxDHE, tlswire.SKEDHE, "DHE", &out.DHTested, &out.DHReused},
		{registry.KxECDHE, tlswire.SKEECDHE, "ECDHE", &out.ECDHTested, &out.ECDHReused},
	} {
		ver, ids := handshakeTarget(res, func(s *handshake.Suite) bool { return s.Kx == k.kx })
		if ver == 0 {
			continue
		}
		var values [][]byte
		for range 2 {
			v, err := r.serverKeyShare(ctx, ver, ids, k.kind)
			if err != nil {
				out.Reasons = append(out.Reasons, fmt.Sprintf("%s: %s", k.name, describeErr(err)))
				break
			}
			values = append(values, v)
		}
		if len(values) == 2 {
			*k.tested, *k.reused = true, bytes.Equal(values[0], values[1])
		}
	}
	return out
}

// serverKeyShare reads one ServerKeyExchange and returns the server's
// public value (DH Ys or the EC point).
func (r *run) serverKeyShare(ctx context.Context, ver uint16, ids []uint16, kind tlswire.KeyExchangeKind) ([]byte, error) {
	c, pc, err := r.newClient(ctx, handshake.Config{Version: ver, Suites: ids})
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	_ = c.Raw().SetDeadline(time.Now().Add(r.opts.Wait))
	err = c.SendHello()
	if err == nil {
		err = c.ReadServerHello()
	}
	if err == nil {
		err = c.ReadFlight()
	}
	if err != nil {
		return nil, err
	}
	if len(c.ServerKeyExchange) == 0 {
		return nil, fmt.Errorf("no ServerKeyExchange")
	}
	ske, err := tlswire.ParseServerKeyExchange(c.ServerKeyExchange, kind, c.Version)
	if err != nil {
		return nil, err
	}
	switch {
	case ske.DH != nil:
		return bytes.Clone(ske.DH.Y), nil
	case ske.ECDH != nil:
		return bytes.Clone(ske.ECDH.Point), nil
	}
	return nil, fmt.Errorf("no public value in the ServerKeyExchange")
}
