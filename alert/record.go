package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"padlock/store"
	"padlock/stored"
	"padlock/vuln"
)

// SiteOf turns a stored assessment into what Detect compares. A result
// that cannot be read still gives the typed columns (grade, flags, expiry).
func SiteOf(a store.Assessment) Site {
	s := Site{Site: stored.ChangeSite(a), CertNotAfter: a.CertNotAfter}
	r, err := stored.Decode(a.Result)
	if err != nil || r.Host == nil {
		return s
	}
	for _, ep := range r.Host.Endpoints {
		if ep.Details == nil || ep.Details.Report == nil {
			continue
		}
		s.VulnChecked = true
		for _, f := range ep.Details.Report.PadlockFindings {
			if f.State != vuln.Vulnerable {
				continue
			}
			dup := false
			for _, v := range s.Vulnerable {
				dup = dup || v.Check == f.Check
			}
			if !dup {
				s.Vulnerable = append(s.Vulnerable, Vuln{Check: f.Check, Name: f.Name})
			}
		}
	}
	return s
}

// Sites reads a scan's assessments as Detect's sites (nil for scan 0).
func Sites(ctx context.Context, st store.Store, id store.ScanID) ([]Site, error) {
	if id == 0 {
		return nil, nil
	}
	as, err := st.Assessments(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("alert: read scan %d: %w", id, err)
	}
	out := make([]Site, len(as))
	for i, a := range as {
		out[i] = SiteOf(a)
	}
	return out, nil
}

// Check makes the alerts of one run of schedule sc: it compares each site
// of scan cur with its latest conclusive assessment in the earlier runs
// prev (scan ids, newest first; empty for a first run), and records one
// alert per site that got worse with the changes never alerted before
// (store.Watcher.RecordAlert). Looking past the previous run means that a
// site inconclusive once (a network hiccup) is still compared with what
// it was. It returns the alerts recorded by this call: none when nothing
// got worse or everything was alerted already. Alerts of a schedule
// without a webhook are recorded as store.AlertUnsent.
func Check(ctx context.Context, st store.Store, w store.Watcher, sc store.Schedule, prev []store.ScanID, cur store.ScanID, now time.Time) ([]store.AlertID, error) {
	var before []Site
	seen := map[string]int{} // site key → index in before
	for _, id := range prev {
		sites, err := Sites(ctx, st, id)
		if err != nil {
			return nil, err
		}
		for _, s := range sites {
			k := siteKey(s)
			i, ok := seen[k]
			switch {
			case !ok:
				seen[k] = len(before)
				before = append(before, s)
			case !graded(before[i]) && graded(s):
				before[i] = s
			}
		}
	}
	after, err := Sites(ctx, st, cur)
	if err != nil {
		return nil, err
	}
	var last store.ScanID
	if len(prev) > 0 {
		last = prev[0]
	}
	notes := Detect(before, after, Options{ExpiryDays: sc.ExpiryDays, Now: now, Run: fmt.Sprintf("scan %d", cur)})
	status := store.AlertPending
	if sc.WebhookURL == "" {
		status = store.AlertUnsent
	}
	var ids []store.AlertID
	for _, n := range notes {
		changes := make([]store.KeyedChange, len(n.Changes))
		for i, c := range n.Changes {
			b, err := json.Marshal(c)
			if err != nil {
				return ids, fmt.Errorf("alert: %w", err)
			}
			changes[i] = store.KeyedChange{Key: c.Key, JSON: b}
		}
		id, ok, err := w.RecordAlert(ctx, store.Alert{
			ScheduleID: sc.ID, ScanID: cur, PrevScanID: last,
			Site: n.Site, Organisation: n.Organisation, URL: n.URL, From: n.From, To: n.To,
			Created: now, Status: status,
		}, changes)
		if err != nil {
			return ids, err
		}
		if ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
