package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"padlock/assess"
	"padlock/store"
)

// SaveHost stores one assessment made outside a scan (padlock serve's
// single-host assessments) as a finished one-target scan named name, with
// file as its TargetsFile so that readers can tell such scans from fleet
// scans. The stored result is the same Result JSON a scan stores, so that
// History and DecodeResult read it back like any other.
func SaveHost(ctx context.Context, st store.Store, name, file string, h *assess.Host, started time.Time) (store.ScanID, error) {
	if h == nil {
		return 0, errors.New("fleet: no assessment to save")
	}
	t := assess.Target{Host: h.Host, Port: uint16(h.Port)}
	tg := Target{Line: 1, Organisation: h.Host, URL: t.String()}
	opts, err := json.Marshal(map[string]string{"source": file})
	if err != nil {
		return 0, err
	}
	targets := ToStore([]Target{tg})
	id, err := st.CreateScan(ctx, store.Scan{Name: name, TargetsFile: file, Started: started, Options: string(opts)}, targets)
	if err != nil {
		return 0, err
	}
	r := &Result{Schema: ResultSchema, Target: tg, Host: h, Attempts: 1}
	a, err := r.assessment(id, targets[0].ID, started)
	if err != nil {
		return id, err
	}
	if err := st.SaveAssessment(ctx, a); err != nil {
		return id, err
	}
	return id, st.SetScanStatus(ctx, id, store.StatusFinished, a.Finished)
}
