package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"

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
// Memory holds the scan's lookups and one result at a time.
func MarkDROWN(ctx context.Context, st store.Store, id store.ScanID) (int, error) {
	ls, err := st.Lookups(ctx, id)
	if err != nil {
		return 0, err
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
			return 0, err
		}
		if r, err := DecodeResult(a.Result); err == nil {
			infos[i] = drownInfo(r)
		}
	}
	found := findDROWN(infos)
	marked := 0
	for i, l := range ls {
		rsa := false
		for _, ep := range infos[i] {
			rsa = rsa || len(ep.Pins) > 0
		}
		if !rsa && len(found[i]) == 0 {
			continue
		}
		a, err := st.Assessment(ctx, id, l.TargetID)
		if err != nil {
			return marked, err
		}
		r, err := DecodeResult(a.Result)
		if err != nil || r.Host == nil {
			continue // unreadable or unassessed results take no part
		}
		if len(found[i]) > 0 {
			marked++
		}
		r.PadlockDROWN = found[i]
		assess.Regrade(r.Host, func(ep *assess.Endpoint, f *grade.Facts) {
			addr := endpointAddr(r.Host, ep)
			hosts := []string{}
			for _, d := range found[i] {
				if d.Endpoint == addr {
					hosts = append(hosts, d.Via...)
				}
			}
			slices.Sort(hosts)
			f.DROWN = &grade.DROWNFacts{Hosts: slices.Compact(hosts)}
		})
		na, err := r.assessment(id, a.TargetID, a.Started)
		if err != nil {
			return marked, err
		}
		if bytes.Equal(na.Result, a.Result) {
			continue
		}
		na.Finished = a.Finished
		if err := st.SaveAssessment(ctx, na); err != nil {
			return marked, fmt.Errorf("saving the DROWN lookup of %s: %w", a.URL, err)
		}
	}
	return marked, nil
}
