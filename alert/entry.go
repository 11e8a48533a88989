package alert

import (
	"encoding/json"
	"time"

	"padlock/store"
)

// Entry is a stored alert as padlock lists it (`padlock alerts --json`, the
// dashboard's /api/v1/alerts): its changes decoded, its delivery state.
type Entry struct {
	ID           int64             `json:"id"`
	Schedule     int64             `json:"schedule,omitempty"`
	Scan         int64             `json:"scan,omitempty"`
	PreviousScan int64             `json:"previousScan,omitempty"`
	Site         string            `json:"site"`
	Organisation string            `json:"organisation,omitempty"`
	URL          string            `json:"url,omitempty"`
	From         string            `json:"from"`
	To           string            `json:"to"`
	Created      time.Time         `json:"created"`
	Changes      []Change          `json:"changes"`
	Status       store.AlertStatus `json:"status"`
	Attempts     int               `json:"attempts"`
	Sent         time.Time         `json:"sent,omitzero"`
	LastError    string            `json:"lastError,omitempty"`
}

// EntryOf lists a stored alert.
func EntryOf(a store.Alert) Entry {
	e := Entry{ID: int64(a.ID), Schedule: int64(a.ScheduleID), Scan: int64(a.ScanID), PreviousScan: int64(a.PrevScanID),
		Site: a.Site, Organisation: a.Organisation, URL: a.URL, From: a.From, To: a.To, Created: a.Created,
		Status: a.Status, Attempts: a.Attempts, Sent: a.Sent, LastError: a.LastError}
	if json.Unmarshal(a.Changes, &e.Changes) != nil || e.Changes == nil {
		e.Changes = []Change{}
	}
	return e
}
