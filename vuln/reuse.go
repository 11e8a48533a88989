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
	ECDHTested bool     `json:"ecdhTested"`
	ECDHReused bool     `json:"ecdhReused"`
	Reasons    []string `json:"reasons,omitempty"`
	// Connections are those the check opened itself: none when the
	// prober's handshakes brought two values of a group for each kind.
	Connections int `json:"connections"`
}

// KeyShareReuse compares the server's ephemeral public values (TLS
// 1.0–1.2, those padlock can speak) of two handshakes in the same group,
// for DHE and for ECDHE. The prober's own handshakes usually bring two
// already (res.EphemeralKeys); only when they do not does it open
// connections of its own, at most two per kind, offering the server's
// DHE or ECDHE suites at the best version that has them.
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
		var keys []probe.EphemeralKey
		for _, e := range res.EphemeralKeys {
			if e.Kx == k.kx && e.Protocol >= registry.TLS10 && e.Protocol <= registry.TLS12 {
				keys = append(keys, e)
			}
		}
		for range 2 {
			if tested, _ := compareKeys(keys); tested {
				break
			}
			e, err := r.serverKeyShare(ctx, ver, ids, k.kind)
			if err != nil {
				out.Reasons = append(out.Reasons, fmt.Sprintf("%s: %s", k.name, describeErr(err)))
				break
			}
			keys = append(keys, e)
		}
		*k.tested, *k.reused = compareKeys(keys)
	}
	return out
}

// compareKeys: tested when two of keys are in the same group, reused when
// two in the same group are equal.
func compareKeys(keys []probe.EphemeralKey) (tested, reused bool) {
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if a.SameGroup(b) {
				tested = true
				reused = reused || bytes.Equal(a.Public, b.Public)
			}
		}
	}
	return tested, reused
}

// serverKeyShare reads one ServerKeyExchange and returns the server's
// public value (DH Ys or the EC point) with its group.
func (r *run) serverKeyShare(ctx context.Context, ver uint16, ids []uint16, kind tlswire.KeyExchangeKind) (probe.EphemeralKey, error) {
	var e probe.EphemeralKey
	c, pc, err := r.newClient(ctx, handshake.Config{Version: ver, Suites: ids})
	if err != nil {
		return e, err
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
		return e, err
	}
	if len(c.ServerKeyExchange) == 0 {
		return e, fmt.Errorf("no ServerKeyExchange")
	}
	ske, err := tlswire.ParseServerKeyExchange(c.ServerKeyExchange, kind, c.Version)
	if err != nil {
		return e, err
	}
	e.Protocol = registry.Protocol(c.Version)
	switch {
	case ske.DH != nil:
		e.Kx, e.Prime, e.Gen, e.Public = registry.KxDHE, bytes.Clone(ske.DH.P), bytes.Clone(ske.DH.G), bytes.Clone(ske.DH.Y)
	case ske.ECDH != nil:
		e.Kx, e.Group, e.Public = registry.KxECDHE, ske.ECDH.Group, bytes.Clone(ske.ECDH.Point)
	default:
		return e, fmt.Errorf("no public value in the ServerKeyExchange")
	}
	return e, nil
}
