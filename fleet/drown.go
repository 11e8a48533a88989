package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"padlock/assess"
	"padlock/grade"
	"padlock/store"
	"padlock/stored"
)

// DROWN is the fleet-wide DROWN finding of one endpoint (stored.DROWN,
// where the stored form is read).
type DROWN = stored.DROWN

// sslv2ID is SSL 2.0's protocol id in the result model.
const sslv2ID = 0x0200

// endpointKeys returns, for each endpoint of h, the pins of the RSA keys of
// the leaf certificates it served, and whether it accepts SSL 2.0.
func endpointKeys(h *assess.Host, ep *assess.Endpoint) (pins []string, sslv2 bool) {
	if ep.Details == nil {
		return nil, false
	}
	for _, p := range ep.Details.Protocols {
		if p.ID == sslv2ID {
			sslv2 = true
		}
	}
	for _, ch := range ep.Details.CertChains {
		if len(ch.CertIDs) == 0 {
			continue
		}
		c, ok := h.Cert(ch.CertIDs[0])
		if !ok || c.PinSHA256 == "" || c.KeyAlg != "RSA" {
			continue
		}
		if !slices.Contains(pins, c.PinSHA256) {
			pins = append(pins, c.PinSHA256)
		}
	}
	return pins, sslv2
}

func endpointAddr(h *assess.Host, ep *assess.Endpoint) string {
	return net.JoinHostPort(ep.IPAddress, strconv.Itoa(h.Port))
}

func endpointLabel(h *assess.Host, ep *assess.Endpoint) string {
	addr := endpointAddr(h, ep)
	if h.Host == ep.IPAddress {
		return addr
	}
	return net.JoinHostPort(h.Host, strconv.Itoa(h.Port)) + " (" + ep.IPAddress + ")"
}

// drownEndpoint is what the DROWN lookup needs of one endpoint; stored
// with each assessment (store.Assessment.Lookup), so that MarkDROWN reads
// it without decoding the results.
type drownEndpoint struct {
	Addr  string   `json:"addr"`
	Label string   `json:"label"`
	Pins  []string `json:"rsaPins,omitempty"`
	SSLv2 bool     `json:"sslv2,omitempty"`
}

// drownInfo extracts the DROWN lookup's view of a result (nil for none).
func drownInfo(r *Result) []drownEndpoint {
	if r == nil || r.Host == nil {
		return nil
	}
	out := make([]drownEndpoint, 0, len(r.Host.Endpoints))
	for i := range r.Host.Endpoints {
		ep := &r.Host.Endpoints[i]
		pins, sslv2 := endpointKeys(r.Host, ep)
		out = append(out, drownEndpoint{Addr: endpointAddr(r.Host, ep), Label: endpointLabel(r.Host, ep), Pins: pins, SSLv2: sslv2})
	}
	return out
}

// FindDROWN looks across results for endpoints whose RSA certificate key
// is shared with another endpoint (another address or port) that accepts
// SSL 2.0, and returns the findings per result (same index); nil entries
// have none. An endpoint that accepts SSL 2.0 itself is the grading's own
// business (rule E5 fires on it directly) and is not repeated here.
func FindDROWN(results []*Result) [][]DROWN {
	infos := make([][]drownEndpoint, len(results))
	for i, r := range results {
		infos[i] = drownInfo(r)
	}
	return findDROWN(infos)
}

func findDROWN(infos [][]drownEndpoint) [][]DROWN {
	type holder struct{ addr, label string }
	v2 := map[string][]holder{} // key pin → endpoints accepting SSL 2.0
	for _, eps := range infos {
		for _, ep := range eps {
			if !ep.SSLv2 {
				continue
			}
			hd := holder{ep.Addr, ep.Label}
			for _, p := range ep.Pins {
				if !slices.Contains(v2[p], hd) {
					v2[p] = append(v2[p], hd)
				}
			}
		}
	}
	out := make([][]DROWN, len(infos))
	if len(v2) == 0 {
		return out
	}
	for i, eps := range infos {
		for _, ep := range eps {
			for _, p := range ep.Pins {
				var via []string
				for _, hd := range v2[p] {
					if hd.addr != ep.Addr && !slices.Contains(via, hd.label) {
						via = append(via, hd.label)
					}
				}
				if len(via) == 0 {
					continue
				}
				slices.Sort(via)
				out[i] = append(out[i], DROWN{Endpoint: ep.Addr, KeyPin: p, Via: via})
			}
		}
	}
	return out
}

// lookupDROWN runs the fleet-wide DROWN lookup over a stored scan from
// its assessments' lookups (reading the result of those stored without
// one): the lookups, each one's endpoints, and each one's findings.
func lookupDROWN(ctx context.Context, st store.Store, id store.ScanID) ([]store.Lookup, [][]drownEndpoint, [][]DROWN, error) {
	ls, err := st.Lookups(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	infos := make([][]drownEndpoint, len(ls))
	for i, l := range ls {
		if len(l.Data) > 0 {
			if json.Unmarshal(l.Data, &infos[i]) != nil {
				infos[i] = nil
			}
			continue
		}
		a, err := st.Assessment(ctx, id, l.TargetID)
		if err != nil {
			return nil, nil, nil, err
		}
		if r, err := DecodeResult(a.Result); err == nil {
			infos[i] = drownInfo(r)
		}
	}
	return ls, infos, findDROWN(infos), nil
}

// CountDROWN returns how many assessments of a stored scan have a
// fleet-wide DROWN finding, from the lookups (no result is decoded).
func CountDROWN(ctx context.Context, st store.Store, id store.ScanID) (int, error) {
	_, _, found, err := lookupDROWN(ctx, st, id)
	n := 0
	for _, f := range found {
		if len(f) > 0 {
			n++
		}
	}
	return n, err
}

// MarkDROWN runs the fleet-wide DROWN lookup over a stored scan: it records
// each assessment's findings in Result.PadlockDROWN and re-grades its
// endpoints with them (assess.Regrade, grade.Facts.DROWN: the endpoints
// found, or none — the lookup ran, so rule E5 is no longer pending), and
// saves again the assessments that changed. It returns how many
// assessments carry a finding.
//
// The lookup reads what each assessment stored for it (Lookup: its
// endpoints' RSA key pins and SSL 2.0), not the results; a result is
// decoded only when the lookup concerns it: it has an RSA key (whose
// rule E5 waited for the lookup) or a finding. A result with no RSA key
// is left as it is: E5 does not apply to it, whatever the fleet holds.
// Assessments stored without a Lookup have theirs read from the result.
// Memory holds the scan's lookups and one result per core at a time.
func MarkDROWN(ctx context.Context, st store.Store, id store.ScanID) (int, error) {
	ls, infos, found, err := lookupDROWN(ctx, st, id)
	if err != nil {
		return 0, err
	}
	var todo []int
	for i := range ls {
		rsa := false
		for _, ep := range infos[i] {
			rsa = rsa || len(ep.Pins) > 0
		}
		if rsa || len(found[i]) > 0 {
			todo = append(todo, i)
		}
	}
	// Decoding and re-grading are CPU work: one result per core at a
	// time (the saves take turns in the store).
	var (
		marked atomic.Int64
		next   atomic.Int64
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(todo) || ctx.Err() != nil {
					return
				}
				i := todo[k]
				m, err := markDROWN(ctx, st, id, ls[i].TargetID, found[i])
				if m {
					marked.Add(1)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(len(todo))) // the others stop
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return int(marked.Load()), first
}

// markDROWN records one assessment's DROWN findings and re-grades it,
// saving it again when that changed it; it reports whether it carries a
// finding.
func markDROWN(ctx context.Context, st store.Store, id store.ScanID, target int64, found []DROWN) (bool, error) {
	a, err := st.Assessment(ctx, id, target)
	if err != nil {
		return false, err
	}
	r, err := DecodeResult(a.Result)
	if err != nil || r.Host == nil {
		return false, nil // unreadable or unassessed results take no part
	}
	r.PadlockDROWN = found
	assess.Regrade(r.Host, func(ep *assess.Endpoint, f *grade.Facts) {
		addr := endpointAddr(r.Host, ep)
		hosts := []string{}
		for _, d := range found {
			if d.Endpoint == addr {
				hosts = append(hosts, d.Via...)
			}
		}
		slices.Sort(hosts)
		f.DROWN = &grade.DROWNFacts{Hosts: slices.Compact(hosts)}
	})
	na, err := r.assessment(id, a.TargetID, a.Started)
	if err != nil {
		return len(found) > 0, err
	}
	if bytes.Equal(na.Result, a.Result) {
		return len(found) > 0, nil
	}
	na.Finished = a.Finished
	if err := st.SaveAssessment(ctx, na); err != nil {
		return len(found) > 0, fmt.Errorf("saving the DROWN lookup of %s: %w", a.URL, err)
	}
	return len(found) > 0, nil
}
