package vuln

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"time"

	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// ROBOT (Böck, Somorovsky, Young, "Return Of Bleichenbacher's Oracle
// Threat", USENIX Security 2018): a server that reacts differently to RSA
// key-exchange messages depending on where their PKCS #1 v1.5 decryption
// goes wrong gives an attacker a Bleichenbacher oracle, to decrypt
// recorded sessions or sign with the server's key.
//
// The probe set is the paper's: five ClientKeyExchange messages, each the
// RSA encryption of a k-byte block built by padlock (never a valid
// ciphertext of anyone else's):
//
//	correct       00 02 | nonzero padding | 00 | version | 46 random bytes
//	wrong header  41 17 | same
//	00 misplaced  00 02 | 8 bytes padding | 00 | ... (unpadded length ≠ 48)
//	no 00         00 02 | nonzero bytes to the end (no separator)
//	wrong version 00 02 | nonzero padding | 00 | 02 02 | 46 random bytes
//
// each sent in two flows (the paper's): ClientKeyExchange, ChangeCipherSpec
// and a Finished that is garbage for every vector (the premaster secret is
// never used, so no vector can complete the handshake); and
// ClientKeyExchange alone. The server's reaction (alert, close, reset,
// silence) is recorded per vector. All equal in both flows: not vulnerable.
// A flow with differences is repeated; if the repetition disagrees the
// result is "inconsistent" (bleichenbacher 4), as noise is no oracle.
//
// Weak versus strong (padlock's reading of the paper's oracle strength):
// the oracle is strong (bleichenbacher 3) when the wrong-header vector is
// told apart from the correct one and from a vector that starts 00 02 but
// is malformed further on (00 misplaced or missing) — the server then
// reveals the 00 02 check on its own, which random attacker queries hit
// often. It is weak (2) when only fully well-formed blocks (or only the
// version) are told apart, which an attack hits rarely.
type robotVector int

const (
	robotCorrect robotVector = iota
	robotWrongHeader
	robotZeroMisplaced
	robotNoZero
	robotWrongVersion
	robotVectors
)

var robotVectorNames = [...]string{"correct PKCS#1", "wrong 00 02 header", "00 separator misplaced", "no 00 separator", "wrong version in premaster"}

func (v robotVector) String() string { return robotVectorNames[v] }

// robotBlock builds the k-byte block for a vector. version is the
// ClientHello version.
func robotBlock(v robotVector, k int, version uint16) ([]byte, error) {
	if k < 64 {
		return nil, fmt.Errorf("RSA modulus of %d bytes is too small", k)
	}
	m := make([]byte, k)
	if err := nonzeroRandom(m); err != nil {
		return nil, err
	}
	m[0], m[1] = 0x00, 0x02
	sep := k - 49 // 00 | version(2) | random(46)
	m[sep] = 0x00
	m[sep+1], m[sep+2] = byte(version>>8), byte(version)
	switch v {
	case robotWrongHeader:
		m[0], m[1] = 0x41, 0x17
	case robotZeroMisplaced:
		m[sep] = 0x11
		m[10] = 0x00 // after 8 bytes of padding: the unpadded message is k-11 bytes
	case robotNoZero:
		m[sep] = 0x11
	case robotWrongVersion:
		m[sep+1], m[sep+2] = 0x02, 0x02
	}
	return m, nil
}

func nonzeroRandom(b []byte) error {
	if _, err := rand.Read(b); err != nil {
		return err
	}
	for i := range b {
		for b[i] == 0 {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				return err
			}
			b[i] = one[0]
		}
	}
	return nil
}

type robotFlow int

const (
	flowFull  robotFlow = iota // CKE, CCS, Finished
	flowShort                  // CKE only
)

func (f robotFlow) String() string {
	if f == flowFull {
		return "ClientKeyExchange+ChangeCipherSpec+Finished"
	}
	return "ClientKeyExchange alone"
}

func checkROBOT(ctx context.Context, r *run) Finding {
	// Any RSA key-exchange suite will do: the handshake never gets to
	// record protection. SSL 3.0 is left out (its ClientKeyExchange has
	// no length prefix; ROBOT was measured on TLS).
	var ver registry.Protocol
	var ids []uint16
	for _, u := range suites(r.res, func(u suiteUse) bool {
		return u.Suite.Kx == registry.KxRSA && !u.Suite.Export && u.Protocol >= registry.TLS10 && u.Protocol <= registry.TLS12
	}) {
		if u.Protocol > ver {
			ver, ids = u.Protocol, nil
		}
		ids = append(ids, u.Suite.ID)
	}
	if ver == 0 {
		f := noSuiteFinding(CheckROBOT, r, "")
		if f.State == NotVulnerable {
			return finding(CheckROBOT, NotApplicable, "no RSA key-exchange suite is accepted at TLS 1.0-1.2")
		}
		return f
	}
	cfg := handshake.Config{Version: uint16(ver), Suites: ids}

	var ev []Evidence
	// The short flow's silence is read as soon as it outlasts, by far, the
	// time the server took to reject the full flow's messages: it has
	// processed the ClientKeyExchange by then (silenceAfter).
	quiet := r.opts.Wait
	for _, flow := range []robotFlow{flowFull, flowShort} {
		keys, texts, slowest, err := r.robotRound(ctx, cfg, flow, quiet)
		if err != nil {
			return inconclusive(CheckROBOT, err, fmt.Sprintf("%v flow", flow))
		}
		if flow == flowFull {
			quiet = silenceAfter(slowest, r.opts.Wait)
		} else if !allEqual(keys) && quiet < r.opts.Wait {
			// A difference is judged on full waits only: a silence read
			// early might have been a late answer.
			quiet = r.opts.Wait
			if keys, texts, _, err = r.robotRound(ctx, cfg, flow, quiet); err != nil {
				return inconclusive(CheckROBOT, err, fmt.Sprintf("%v flow", flow))
			}
		}
		if allEqual(keys) {
			ev = append(ev, note("reaction to every vector, "+flow.String(), "%s", texts[0]))
			continue
		}
		again, texts2, _, err := r.robotRound(ctx, cfg, flow, quiet)
		if err != nil {
			return inconclusive(CheckROBOT, err, fmt.Sprintf("repeating the %v flow", flow))
		}
		for v := range robotVectors {
			ev = append(ev, note(fmt.Sprintf("%v, %v", v, flow), "%s", texts[v]))
		}
		if keys != again {
			f := finding(CheckROBOT, Inconclusive, "the server's reactions to the malformed key exchanges differ, but not the same way twice (%v flow)", flow)
			f.Variant = VariantInconsistent
			for v := range robotVectors {
				if keys[v] != again[v] {
					f.add(note(fmt.Sprintf("%v, %v, second run", v, flow), "%s", texts2[v]))
				}
			}
			f.add(ev...)
			return f
		}
		strong := keys[robotWrongHeader] != keys[robotCorrect] &&
			(keys[robotWrongHeader] != keys[robotZeroMisplaced] || keys[robotWrongHeader] != keys[robotNoZero])
		f := finding(CheckROBOT, Vulnerable, "the server reacts differently to RSA key exchanges depending on their PKCS #1 padding (%v flow, reproduced): a Bleichenbacher oracle", flow)
		f.Severity = SeverityExploitable
		if strong {
			f.Variant = VariantStrongOracle
			f.Reason += ", strong: the 00 02 header check shows on its own"
		} else {
			f.Variant = VariantWeakOracle
			f.Reason += ", weak: only well-formed blocks are told apart"
		}
		f.add(ev...)
		return f
	}
	f := finding(CheckROBOT, NotVulnerable, "the server reacted the same way to all five RSA key-exchange vectors in both flows (%v, %d suite(s))", ver, len(ids))
	f.add(ev...)
	return f
}

func allEqual(keys [robotVectors]string) bool {
	for _, k := range keys[1:] {
		if k != keys[0] {
			return false
		}
	}
	return true
}

// robotRound sends every vector once in a flow, on parallel connections
// (the Dialer caps how many are open at once), each read as silent after
// quiet. slowest is the longest time an answer took, 0 if a vector drew
// silence.
func (r *run) robotRound(ctx context.Context, cfg handshake.Config, flow robotFlow, quiet time.Duration) (keys, texts [robotVectors]string, slowest time.Duration, err error) {
	var errs [robotVectors]error
	var lat [robotVectors]time.Duration
	var wg sync.WaitGroup
	for v := range robotVectors {
		wg.Go(func() {
			re, err := r.robotProbe(ctx, cfg, v, flow, quiet)
			if err != nil {
				errs[v] = fmt.Errorf("%v: %w", v, err)
				return
			}
			keys[v], texts[v] = re.key(), re.String()
			if !re.silent() {
				lat[v] = re.Latency
			}
		})
	}
	wg.Wait()
	for _, l := range lat {
		if l == 0 {
			return keys, texts, 0, errors.Join(errs[:]...)
		}
		slowest = max(slowest, l)
	}
	return keys, texts, slowest, errors.Join(errs[:]...)
}

func (r *run) robotProbe(ctx context.Context, cfg handshake.Config, v robotVector, flow robotFlow, quiet time.Duration) (reaction, error) {
	c, pc, err := r.flight(ctx, cfg)
	if err != nil {
		return reaction{}, errors.New(describeErr(err))
	}
	defer pc.Close()
	pub, err := c.RSAPublicKey()
	if err != nil {
		return reaction{}, err
	}
	enc, err := robotEncrypt(pub, v, c.Hello.Version)
	if err != nil {
		return reaction{}, err
	}
	if err := c.SendClientKeyExchange(handshake.RSAClientKeyExchange(enc)); err != nil {
		return reaction{}, err
	}
	if flow == flowFull {
		fin := make([]byte, 48) // garbage in place of a protected Finished
		_, _ = rand.Read(fin)
		out := tlswire.Record{Type: tlswire.TypeChangeCipherSpec, Version: c.Version, Payload: []byte{1}}.Marshal()
		out = append(out, tlswire.Record{Type: tlswire.TypeHandshake, Version: c.Version, Payload: fin}.Marshal()...)
		if err := c.WriteRaw(out); err != nil && !isClosed(err) {
			return reaction{}, err
		}
	}
	return readReactionQuiet(c, r.opts.Wait, quiet), nil
}

func robotEncrypt(pub *rsa.PublicKey, v robotVector, version uint16) ([]byte, error) {
	k := (pub.N.BitLen() + 7) / 8
	m, err := robotBlock(v, k, version)
	if err != nil {
		return nil, err
	}
	enc, err := handshake.RawRSAEncrypt(pub, m)
	if err != nil && v == robotWrongHeader {
		// A modulus whose top byte is below 0x41: keep the header wrong
		// but the block below the modulus.
		m[0], m[1] = 0x00, 0x17
		enc, err = handshake.RawRSAEncrypt(pub, m)
	}
	return enc, err
}
