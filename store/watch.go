package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Watching a fleet: schedules (recurring scans), their runs, and the alerts
// sent when a site got worse between two runs. These live beside the scans
// in the same database, behind their own interface (Watcher) so that a
// store can be used for scans alone.
//
// Two rules are kept by the database itself, whatever the number of
// processes: a schedule's period starts at most one run (ClaimRun; the
// primary key (schedule, period)), and a change is alerted at most once
// (RecordAlert; the dedup keys are unique).

// ScheduleID identifies a schedule.
type ScheduleID int64

// AlertID identifies an alert.
type AlertID int64

// Schedule is a recurring scan of a targets file or a saved fleet.
type Schedule struct {
	ID   ScheduleID
	Name string
	// Every is the interval between runs. Periods are counted from Anchor:
	// period n starts at Anchor + n×Every.
	Every  time.Duration
	Anchor time.Time // zero: now, when added
	// TargetsFile is read again at each run (edits take effect at the next
	// run); FleetScan instead names a scan whose targets are scanned again
	// (a saved fleet). Exactly one is set.
	TargetsFile string
	FleetScan   ScanID
	// Options is the JSON of the scan settings (fleet.Settings), "" for
	// "{}".
	Options string
	// WebhookURL receives the alerts ("" for none: alerts are only listed);
	// WebhookSecret signs them.
	WebhookURL    string
	WebhookSecret string
	// ExpiryDays: a certificate expiring within this many days is alerted.
	ExpiryDays int
	Created    time.Time // set by AddSchedule
}

// Run is one run of a schedule: the period it belongs to and its scan.
type Run struct {
	ScheduleID ScheduleID
	Period     int64
	ScanID     ScanID // 0 until the scan is created
	Started    time.Time
	// Alerted is when the run's alerts were made (zero: not yet).
	Alerted time.Time
}

// AlertStatus is where an alert's delivery stands.
type AlertStatus string

// Alert states.
const (
	AlertPending AlertStatus = "pending" // to be delivered (or being retried)
	AlertSent    AlertStatus = "sent"    // the webhook answered 2xx
	AlertFailed  AlertStatus = "failed"  // every attempt failed
	AlertUnsent  AlertStatus = "unsent"  // no webhook: listed only
)

// Alert is one notification: a site that got worse in a schedule's run.
type Alert struct {
	ID         AlertID
	ScheduleID ScheduleID
	ScanID     ScanID // the run's scan
	PrevScanID ScanID // the scan it was compared with (0: none)

	Site         string
	Organisation string
	URL          string
	// From and To are the grades as displayed ("B", "F*"); "" when unknown.
	From, To string
	Created  time.Time // zero: now
	// Changes is the JSON array of the changes alerted (what RecordAlert
	// kept: those not alerted before).
	Changes json.RawMessage

	Status    AlertStatus
	Attempts  int
	Sent      time.Time
	LastError string
}

// KeyedChange is one change of an alert with its dedup key (site and
// change, e.g. "example.org|grade|B>F|scan 12") and its JSON.
type KeyedChange struct {
	Key  string
	JSON json.RawMessage
}

// AlertFilter selects alerts; the zero filter is every alert.
type AlertFilter struct {
	ScanID     ScanID
	ScheduleID ScheduleID
	Status     AlertStatus
	Limit      int // 0: no limit
}

// Watcher keeps schedules, runs and alerts. Implementations are safe for
// concurrent use, by several processes too.
type Watcher interface {
	// AddSchedule stores a schedule and returns its id. Every must be
	// positive and exactly one of TargetsFile and FleetScan set. A zero
	// Anchor is now; ExpiryDays 0 is 14.
	AddSchedule(ctx context.Context, s Schedule) (ScheduleID, error)
	// Schedule returns one schedule (ErrNotFound if none).
	Schedule(ctx context.Context, id ScheduleID) (Schedule, error)
	// Schedules returns every schedule by id.
	Schedules(ctx context.Context) ([]Schedule, error)
	// RemoveSchedule deletes a schedule and its runs (its scans and alerts
	// stay). ErrNotFound if none.
	RemoveSchedule(ctx context.Context, id ScheduleID) error

	// ClaimRun records that a schedule's period starts now. It returns the
	// run and true when this call created it, or the existing run and false
	// when the period was claimed before (by this process or another).
	ClaimRun(ctx context.Context, id ScheduleID, period int64, started time.Time) (Run, bool, error)
	// SetRunScan sets the scan of a run.
	SetRunScan(ctx context.Context, id ScheduleID, period int64, scan ScanID) error
	// SetRunAlerted marks a run's alerts as made.
	SetRunAlerted(ctx context.Context, id ScheduleID, period int64, at time.Time) error
	// Runs returns a schedule's runs, oldest period first.
	Runs(ctx context.Context, id ScheduleID) ([]Run, error)

	// RecordAlert stores an alert with those of its changes whose keys were
	// never recorded, in one transaction, and records those keys. It
	// returns the new alert's id and true, or 0 and false (nothing stored)
	// when every key was recorded before.
	RecordAlert(ctx context.Context, a Alert, changes []KeyedChange) (AlertID, bool, error)
	// Alert returns one alert (ErrNotFound if none).
	Alert(ctx context.Context, id AlertID) (Alert, error)
	// Alerts returns the alerts f selects, newest first.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	// SetAlertDelivery records a delivery attempt's outcome.
	SetAlertDelivery(ctx context.Context, id AlertID, st AlertStatus, attempts int, sent time.Time, lastError string) error
}

var (
	_ Watcher = (*SQLite)(nil)
	_ Watcher = (*PostgreSQL)(nil)
)

// DefaultExpiryDays is the default Schedule.ExpiryDays.
const DefaultExpiryDays = 14

func (s Schedule) check() error {
	switch {
	case s.Every <= 0:
		return errors.New("store: a schedule needs a positive interval")
	case (s.TargetsFile == "") == (s.FleetScan == 0):
		return errors.New("store: a schedule needs a targets file or a saved fleet (not both)")
	case s.ExpiryDays < 0:
		return errors.New("store: negative expiry days")
	case s.Options != "" && !json.Valid([]byte(s.Options)):
		return errors.New("store: schedule options are not JSON")
	}
	return nil
}

func (s *sqlDB) AddSchedule(ctx context.Context, sc Schedule) (ScheduleID, error) {
	if err := sc.check(); err != nil {
		return 0, err
	}
	now := time.Now()
	if sc.Anchor.IsZero() {
		sc.Anchor = now
	}
	if sc.ExpiryDays == 0 {
		sc.ExpiryDays = DefaultExpiryDays
	}
	if sc.Options == "" {
		sc.Options = "{}"
	}
	var fleet any
	if sc.FleetScan != 0 {
		if err := s.exists(ctx, sc.FleetScan); err != nil {
			return 0, fmt.Errorf("store: add schedule: saved fleet %d: %w", sc.FleetScan, err)
		}
		fleet = int64(sc.FleetScan)
	}
	defer s.lockWrites()()
	var id int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO schedules (name, every_ms, anchor_ms, targets_file, fleet_scan_id,
		options, webhook_url, webhook_secret, expiry_days, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		sc.Name, sc.Every.Milliseconds(), sc.Anchor.UnixMilli(), sc.TargetsFile, fleet,
		sc.Options, sc.WebhookURL, sc.WebhookSecret, sc.ExpiryDays, now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add schedule: %w", err)
	}
	return ScheduleID(id), nil
}

const scheduleCols = `id, name, every_ms, anchor_ms, targets_file, fleet_scan_id, options, webhook_url, webhook_secret, expiry_days, created_ms`

func scheduleRow(r rowScanner) (Schedule, error) {
	var (
		sc              Schedule
		every, anchor   int64
		created         int64
		fleet           *int64
		secret, options string
	)
	if err := r.Scan(&sc.ID, &sc.Name, &every, &anchor, &sc.TargetsFile, &fleet, &options, &sc.WebhookURL,
		&secret, &sc.ExpiryDays, &created); err != nil {
		return sc, err
	}
	sc.Every = time.Duration(every) * time.Millisecond
	sc.Anchor = time.UnixMilli(anchor).UTC()
	sc.Created = time.UnixMilli(created).UTC()
	if fleet != nil {
		sc.FleetScan = ScanID(*fleet)
	}
	sc.Options, sc.WebhookSecret = options, secret
	return sc, nil
}

func (s *sqlDB) Schedule(ctx context.Context, id ScheduleID) (Schedule, error) {
	sc, err := scheduleRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+scheduleCols+` FROM schedules WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fmt.Errorf("schedule %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("store: schedule %d: %w", id, err)
	}
	return sc, nil
}

func (s *sqlDB) Schedules(ctx context.Context) ([]Schedule, error) {
	return queryAll(ctx, s, "schedules", scheduleRow, `SELECT `+scheduleCols+` FROM schedules ORDER BY id`)
}

func (s *sqlDB) RemoveSchedule(ctx context.Context, id ScheduleID) error {
	defer s.lockWrites()()
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM schedules WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("store: remove schedule %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("schedule %d: %w", id, ErrNotFound)
	}
	return nil
}

const runCols = `schedule_id, period, scan_id, started_ms, alerted_ms`

func runRow(r rowScanner) (Run, error) {
	var (
		run     Run
		scan    *int64
		started int64
		alerted *int64
	)
	if err := r.Scan(&run.ScheduleID, &run.Period, &scan, &started, &alerted); err != nil {
		return run, err
	}
	if scan != nil {
		run.ScanID = ScanID(*scan)
	}
	run.Started = time.UnixMilli(started).UTC()
	if alerted != nil {
		run.Alerted = time.UnixMilli(*alerted).UTC()
	}
	return run, nil
}

func (s *sqlDB) ClaimRun(ctx context.Context, id ScheduleID, period int64, started time.Time) (Run, bool, error) {
	if started.IsZero() {
		started = time.Now()
	}
	defer s.lockWrites()()
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO schedule_runs (schedule_id, period, started_ms) VALUES (?, ?, ?)
		ON CONFLICT (schedule_id, period) DO NOTHING`), id, period, started.UnixMilli())
	if err != nil {
		if m := err.Error(); strings.Contains(m, "FOREIGN KEY") || strings.Contains(m, "SQLSTATE 23503") {
			return Run{}, false, fmt.Errorf("schedule %d: %w", id, ErrNotFound)
		}
		return Run{}, false, fmt.Errorf("store: claim run %d/%d: %w", id, period, err)
	}
	n, _ := res.RowsAffected()
	run, err := runRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+runCols+` FROM schedule_runs WHERE schedule_id = ? AND period = ?`), id, period))
	if err != nil {
		return run, false, fmt.Errorf("store: claim run %d/%d: %w", id, period, err)
	}
	return run, n == 1, nil
}

func (s *sqlDB) updateRun(ctx context.Context, what string, id ScheduleID, period int64, query string, v any) error {
	defer s.lockWrites()()
	res, err := s.db.ExecContext(ctx, s.q(query), v, id, period)
	if err != nil {
		return fmt.Errorf("store: %s %d/%d: %w", what, id, period, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("run %d/%d: %w", id, period, ErrNotFound)
	}
	return nil
}

func (s *sqlDB) SetRunScan(ctx context.Context, id ScheduleID, period int64, scan ScanID) error {
	return s.updateRun(ctx, "set run scan", id, period, `UPDATE schedule_runs SET scan_id = ? WHERE schedule_id = ? AND period = ?`, int64(scan))
}

func (s *sqlDB) SetRunAlerted(ctx context.Context, id ScheduleID, period int64, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	return s.updateRun(ctx, "set run alerted", id, period, `UPDATE schedule_runs SET alerted_ms = ? WHERE schedule_id = ? AND period = ?`, at.UnixMilli())
}

func (s *sqlDB) Runs(ctx context.Context, id ScheduleID) ([]Run, error) {
	return queryAll(ctx, s, fmt.Sprintf("runs of schedule %d", id), runRow,
		`SELECT `+runCols+` FROM schedule_runs WHERE schedule_id = ? ORDER BY period`, id)
}

func nullID[T ~int64](v T) any {
	if v == 0 {
		return nil
	}
	return int64(v)
}

func (s *sqlDB) RecordAlert(ctx context.Context, a Alert, changes []KeyedChange) (AlertID, bool, error) {
	if a.Site == "" {
		return 0, false, errors.New("store: record alert: no site")
	}
	for _, c := range changes {
		if c.Key == "" || !json.Valid(c.JSON) {
			return 0, false, errors.New("store: record alert: a change without a key or JSON")
		}
	}
	if a.Created.IsZero() {
		a.Created = time.Now()
	}
	if a.Status == "" {
		a.Status = AlertPending
	}
	defer s.lockWrites()()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("store: record alert: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO alerts (schedule_id, scan_id, prev_scan_id, site, organisation, url,
		grade_from, grade_to, created_ms, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		nullID(a.ScheduleID), nullID(a.ScanID), nullID(a.PrevScanID), a.Site, a.Organisation, a.URL,
		a.From, a.To, a.Created.UnixMilli(), string(a.Status)).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("store: record alert: %w", err)
	}
	var kept []json.RawMessage
	for _, c := range changes {
		r, err := tx.ExecContext(ctx, s.q(`INSERT INTO alert_keys (dedup_key, alert_id) VALUES (?, ?) ON CONFLICT (dedup_key) DO NOTHING`), c.Key, id)
		if err != nil {
			return 0, false, fmt.Errorf("store: record alert: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			kept = append(kept, c.JSON)
		}
	}
	if len(kept) == 0 {
		return 0, false, nil // rolled back
	}
	body, err := json.Marshal(kept)
	if err != nil {
		return 0, false, fmt.Errorf("store: record alert: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE alerts SET changes = ? WHERE id = ?`), string(body), id); err != nil {
		return 0, false, fmt.Errorf("store: record alert: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("store: record alert: %w", err)
	}
	return AlertID(id), true, nil
}

const alertCols = `id, schedule_id, scan_id, prev_scan_id, site, organisation, url, grade_from, grade_to, created_ms,
	changes, status, attempts, sent_ms, last_error`

func alertRow(r rowScanner) (Alert, error) {
	var (
		a                      Alert
		sched, scan, prev, snt *int64
		created                int64
		changes, status        string
	)
	if err := r.Scan(&a.ID, &sched, &scan, &prev, &a.Site, &a.Organisation, &a.URL, &a.From, &a.To, &created,
		&changes, &status, &a.Attempts, &snt, &a.LastError); err != nil {
		return a, err
	}
	if sched != nil {
		a.ScheduleID = ScheduleID(*sched)
	}
	if scan != nil {
		a.ScanID = ScanID(*scan)
	}
	if prev != nil {
		a.PrevScanID = ScanID(*prev)
	}
	if snt != nil {
		a.Sent = time.UnixMilli(*snt).UTC()
	}
	a.Created = time.UnixMilli(created).UTC()
	a.Changes = json.RawMessage(changes)
	a.Status = AlertStatus(status)
	return a, nil
}

func (s *sqlDB) Alert(ctx context.Context, id AlertID) (Alert, error) {
	a, err := alertRow(s.db.QueryRowContext(ctx, s.q(`SELECT `+alertCols+` FROM alerts WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: alert %d: %w", id, err)
	}
	return a, nil
}

func (s *sqlDB) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	q := `SELECT ` + alertCols + ` FROM alerts WHERE 1 = 1`
	var args []any
	if f.ScanID != 0 {
		q += ` AND scan_id = ?`
		args = append(args, int64(f.ScanID))
	}
	if f.ScheduleID != 0 {
		q += ` AND schedule_id = ?`
		args = append(args, int64(f.ScheduleID))
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	q += ` ORDER BY created_ms DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return queryAll(ctx, s, "alerts", alertRow, q, args...)
}

func (s *sqlDB) SetAlertDelivery(ctx context.Context, id AlertID, st AlertStatus, attempts int, sent time.Time, lastError string) error {
	switch st {
	case AlertPending, AlertSent, AlertFailed, AlertUnsent:
	default:
		return fmt.Errorf("store: alert status %q", st)
	}
	if len(lastError) > 1000 {
		lastError = lastError[:1000]
	}
	defer s.lockWrites()()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE alerts SET status = ?, attempts = ?, sent_ms = ?, last_error = ? WHERE id = ?`),
		string(st), attempts, ms(sent), lastError, id)
	if err != nil {
		return fmt.Errorf("store: alert %d delivery: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("alert %d: %w", id, ErrNotFound)
	}
	return nil
}
