package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"padlock/grade"
)

// sqlDB is the Store on a database/sql handle, for both dialects: the
// queries are written once with "?" placeholders, which q rewrites for
// PostgreSQL.
type sqlDB struct {
	db      *sql.DB
	dialect Dialect
	// wmu, for SQLite only, serialises this process's writes: SQLite has
	// one writer at a time, and waiting here is cheaper and fairer than
	// waiting on the file lock.
	wmu *sync.Mutex
	// stmts holds the statements prepared once (SQLite, prepared).
	stmts sync.Map
	// begin opens the write transaction CreateScanTx runs in.
	begin func(ctx context.Context) (writeTx, error)
}

// writeTx is a transaction of either dialect, as CreateScanTx uses it.
type writeTx interface {
	// insertID runs an INSERT … RETURNING id.
	insertID(ctx context.Context, query string, args ...any) (int64, error)
	commit(ctx context.Context) error
	rollback()
	// handle is the driver's transaction, for ThenFunc.
	handle() Tx
}

// sqlTx is a database/sql transaction (SQLite).
type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, query, args...).Scan(&id)
	return id, err
}
func (t sqlTx) commit(context.Context) error { return t.tx.Commit() }
func (t sqlTx) rollback()                    { _ = t.tx.Rollback() }
func (t sqlTx) handle() Tx                   { return t.tx }

// lockWrites takes the process's write lock (SQLite) and returns its
// release.
func (s *sqlDB) lockWrites() func() {
	if s.wmu == nil {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

// prepared returns query prepared once per process on SQLite, where
// parsing is a good part of a small statement's cost (nil on PostgreSQL,
// whose driver caches its statements itself, or when preparing failed:
// the plain query then reports the error).
func (s *sqlDB) prepared(query string) *sql.Stmt {
	if s.dialect != SQLiteDialect {
		return nil
	}
	if v, ok := s.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	st, err := s.db.PrepareContext(context.Background(), query)
	if err != nil {
		return nil
	}
	if v, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	return st
}

// queryRow is QueryRowContext on a statement prepared once (prepared).
func (s *sqlDB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.prepared(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

// exec is ExecContext on a statement prepared once (prepared).
func (s *sqlDB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := s.prepared(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.db.ExecContext(ctx, s.q(query), args...)
}

// q rewrites a query's "?" placeholders for the dialect: $1, $2… for
// PostgreSQL. padlock's queries have no "?" inside string literals.
func (s *sqlDB) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Dialect returns the database's SQL dialect.
func (s *sqlDB) Dialect() Dialect { return s.dialect }

func ms(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateScan implements Store.
func (s *sqlDB) CreateScan(ctx context.Context, sc Scan, targets []Target) (ScanID, error) {
	return s.CreateScanTx(ctx, sc, targets, nil)
}

// CreateScanTx implements Store.
func (s *sqlDB) CreateScanTx(ctx context.Context, sc Scan, targets []Target, then ThenFunc) (ScanID, error) {
	if sc.Status == "" {
		sc.Status = StatusRunning
	}
	if !sc.Status.Valid() {
		return 0, fmt.Errorf("store: invalid scan status %q", sc.Status)
	}
	if sc.Started.IsZero() {
		sc.Started = time.Now()
	}
	if strings.TrimSpace(sc.Options) == "" {
		sc.Options = "{}"
	}
	if !json.Valid([]byte(sc.Options)) {
		return 0, errors.New("store: scan options are not valid JSON")
	}
	type row struct {
		site, tags string
	}
	rows := make([]row, len(targets))
	for i, t := range targets {
		if strings.TrimSpace(t.URL) == "" {
			return 0, fmt.Errorf("store: target %d (line %d) has no URL", i+1, t.Line)
		}
		site := t.Site
		if site == "" {
			site = t.URL
		}
		tags := "[]"
		if len(t.Tags) > 0 {
			b, err := json.Marshal(t.Tags)
			if err != nil {
				return 0, fmt.Errorf("store: target %d: tags: %w", i+1, err)
			}
			tags = string(b)
		}
		rows[i] = row{site: SiteKey(site), tags: tags}
	}

	defer s.lockWrites()()
	tx, err := s.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	defer tx.rollback()
	sid, err := tx.insertID(ctx, s.q(`INSERT INTO scans (name, targets_file, started_ms, finished_ms, status, options)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		sc.Name, sc.TargetsFile, ms(sc.Started), ms(sc.Finished), string(sc.Status), sc.Options)
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	insertTarget := s.q(`INSERT INTO targets (scan_id, line, organisation, url, grp, tags, notes, ip, site, http)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i], err = tx.insertID(ctx, insertTarget, sid, t.Line, t.Organisation, t.URL, t.Group, rows[i].tags, t.Notes, t.Pin, rows[i].site, t.HTTP)
		if err != nil {
			return 0, fmt.Errorf("store: create scan: target %d (line %d): %w", i+1, t.Line, err)
		}
	}
	stored := make([]Target, len(targets))
	for i := range targets {
		stored[i] = targets[i]
		stored[i].ID, stored[i].ScanID, stored[i].Site = ids[i], ScanID(sid), rows[i].site
	}
	if then != nil {
		if err := then(ctx, tx.handle(), ScanID(sid), stored); err != nil {
			return 0, fmt.Errorf("store: create scan: %w", err)
		}
	}
	if err := tx.commit(ctx); err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	copy(targets, stored)
	return ScanID(sid), nil
}

const scanColumns = `s.id, s.name, s.targets_file, s.started_ms, s.finished_ms, s.status, s.options,
	(SELECT count(*) FROM targets t WHERE t.scan_id = s.id),
	(SELECT count(*) FROM assessments a WHERE a.scan_id = s.id),
	(SELECT count(*) FROM assessments a WHERE a.scan_id = s.id AND (a.inconclusive <> '' OR a.grade = ''))`

func scanRow(sc rowScanner) (Scan, error) {
	var (
		s                 Scan
		started, finished sql.NullInt64
		status            string
	)
	err := sc.Scan(&s.ID, &s.Name, &s.TargetsFile, &started, &finished, &status, &s.Options,
		&s.Counts.Total, &s.Counts.Done, &s.Counts.Failed)
	if err != nil {
		return Scan{}, err
	}
	s.Started, s.Finished, s.Status = fromMS(started), fromMS(finished), ScanStatus(status)
	return s, nil
}

// Scan implements Store.
func (s *sqlDB) Scan(ctx context.Context, id ScanID) (Scan, error) {
	sc, err := scanRow(s.queryRow(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Scan{}, fmt.Errorf("store: scan %d: %w", id, err)
	}
	return sc, nil
}

func (s *sqlDB) scans(ctx context.Context, query string, args ...any) ([]Scan, error) {
	return queryAll(ctx, s, "scans", scanRow, query, args...)
}

// rowScanner is what a row function reads one row from (*sql.Row or
// *sql.Rows).
type rowScanner interface{ Scan(...any) error }

// queryAll runs query and reads every row with row; what names the
// query in errors ("scans", "runs of schedule 3").
func queryAll[T any](ctx context.Context, s *sqlDB, what string, row func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := row(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Scans implements Store.
func (s *sqlDB) Scans(ctx context.Context) ([]Scan, error) {
	return s.scans(ctx, `SELECT `+scanColumns+` FROM scans s ORDER BY s.id`)
}

// LatestFinished implements Store. n <= 0 returns every finished scan.
func (s *sqlDB) LatestFinished(ctx context.Context, n int) ([]Scan, error) {
	query := `SELECT ` + scanColumns + ` FROM scans s WHERE s.status = 'finished' ORDER BY s.finished_ms DESC, s.id DESC`
	if n <= 0 {
		return s.scans(ctx, query)
	}
	return s.scans(ctx, query+` LIMIT ?`, n)
}

// SetScanStatus implements Store.
func (s *sqlDB) SetScanStatus(ctx context.Context, id ScanID, st ScanStatus, finished time.Time) error {
	if !st.Valid() {
		return fmt.Errorf("store: invalid scan status %q", st)
	}
	defer s.lockWrites()()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE scans SET status = ?, finished_ms = ? WHERE id = ?`), string(st), ms(finished), id)
	if err != nil {
		return fmt.Errorf("store: scan %d: set status: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	return nil
}

// exists reports ErrNotFound for a missing scan.
func (s *sqlDB) exists(ctx context.Context, id ScanID) error {
	var one int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT 1 FROM scans WHERE id = ?`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: scan %d: %w", id, err)
	}
	return nil
}

const targetColumns = `t.id, t.scan_id, t.line, t.organisation, t.url, t.grp, t.tags, t.notes, t.ip, t.site, t.http`

func (s *sqlDB) targets(ctx context.Context, id ScanID, query string) ([]Target, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), id)
	if err != nil {
		return nil, fmt.Errorf("store: scan %d: targets: %w", id, err)
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		var (
			t    Target
			tags string
		)
		if err := rows.Scan(&t.ID, &t.ScanID, &t.Line, &t.Organisation, &t.URL, &t.Group, &tags, &t.Notes, &t.Pin, &t.Site, &t.HTTP); err != nil {
			return nil, fmt.Errorf("store: scan %d: targets: %w", id, err)
		}
		if tags != "" && tags != "[]" {
			if err := json.Unmarshal([]byte(tags), &t.Tags); err != nil {
				return nil, fmt.Errorf("store: scan %d: target %d: tags: %w", id, t.ID, err)
			}
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: scan %d: targets: %w", id, err)
	}
	if len(out) == 0 {
		if err := s.exists(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Targets implements Store.
func (s *sqlDB) Targets(ctx context.Context, id ScanID) ([]Target, error) {
	return s.targets(ctx, id, `SELECT `+targetColumns+` FROM targets t WHERE t.scan_id = ? ORDER BY t.id`)
}

// Pending implements Store.
func (s *sqlDB) Pending(ctx context.Context, id ScanID) ([]Target, error) {
	return s.targets(ctx, id, `SELECT `+targetColumns+` FROM targets t WHERE t.scan_id = ?
		AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.scan_id = t.scan_id AND a.target_id = t.id)
		ORDER BY t.id`)
}

// SaveAssessment implements Store.
func (s *sqlDB) SaveAssessment(ctx context.Context, a Assessment) error {
	if len(a.Result) > MaxResultBytes {
		return fmt.Errorf("%w: scan %d target %d: the result is %d bytes, more than the %d MiB limit",
			ErrResultTooLarge, a.ScanID, a.TargetID, len(a.Result), MaxResultBytes>>20)
	}
	var result, lookup sql.NullString
	if len(bytes.TrimSpace(a.Result)) > 0 {
		if !json.Valid(a.Result) {
			return fmt.Errorf("store: scan %d target %d: the result is not valid JSON", a.ScanID, a.TargetID)
		}
		result = sql.NullString{String: string(a.Result), Valid: true}
	}
	if len(bytes.TrimSpace(a.Lookup)) > 0 {
		if len(a.Lookup) > MaxLookupBytes || !json.Valid(a.Lookup) {
			return fmt.Errorf("store: scan %d target %d: the lookup is not valid JSON of at most %d bytes", a.ScanID, a.TargetID, MaxLookupBytes)
		}
		lookup = sql.NullString{String: string(a.Lookup), Valid: true}
	}
	// A grade, or "" for inconclusive.
	if a.Grade != "" && !grade.Grade(a.Grade).Valid() {
		return fmt.Errorf("store: scan %d target %d: invalid grade %q", a.ScanID, a.TargetID, a.Grade)
	}
	if a.Finished.IsZero() {
		a.Finished = time.Now()
	}
	var sbd sql.NullInt64
	if a.SecureByDefault != nil {
		sbd = sql.NullInt64{Int64: int64(boolInt(*a.SecureByDefault)), Valid: true}
	}
	defer s.lockWrites()()
	res, err := s.exec(ctx, `INSERT INTO assessments (scan_id, target_id, site, started_ms, finished_ms,
			grade, grade_trust_ignored, star, secure_by_default, inconclusive, provisional,
			hsts, protocols, best_protocol, cert_not_after_ms, endpoints, criteria, result, lookup)
		SELECT t.scan_id, t.id, t.site, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM targets t WHERE t.id = ? AND t.scan_id = ?
		ON CONFLICT (scan_id, target_id) DO UPDATE SET
			site = excluded.site, started_ms = excluded.started_ms, finished_ms = excluded.finished_ms,
			grade = excluded.grade, grade_trust_ignored = excluded.grade_trust_ignored, star = excluded.star,
			secure_by_default = excluded.secure_by_default, inconclusive = excluded.inconclusive,
			provisional = excluded.provisional, hsts = excluded.hsts, protocols = excluded.protocols,
			best_protocol = excluded.best_protocol, cert_not_after_ms = excluded.cert_not_after_ms,
			endpoints = excluded.endpoints, criteria = excluded.criteria, result = excluded.result,
			lookup = excluded.lookup`,
		ms(a.Started), ms(a.Finished), a.Grade, a.GradeTrustIgnored, boolInt(a.Star), sbd, a.Inconclusive,
		boolInt(a.Provisional), a.HSTS, a.Protocols, a.BestProtocol, ms(a.CertNotAfter), a.Endpoints, a.Criteria,
		result, lookup, a.TargetID, a.ScanID)
	if err != nil {
		return fmt.Errorf("store: scan %d target %d: save: %w", a.ScanID, a.TargetID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: scan %d has no target %d: %w", a.ScanID, a.TargetID, ErrNotFound)
	}
	return nil
}

const assessmentQuery = `SELECT a.scan_id, a.target_id, a.site, t.organisation, t.url, t.grp,
	a.started_ms, a.finished_ms, a.grade, a.grade_trust_ignored, a.star, a.secure_by_default,
	a.inconclusive, a.provisional, a.hsts, a.protocols, a.best_protocol, a.cert_not_after_ms,
	a.endpoints, a.criteria, a.result, a.lookup
	FROM assessments a JOIN targets t ON t.id = a.target_id JOIN scans s ON s.id = a.scan_id `

func (s *sqlDB) assessments(ctx context.Context, what, query string, args ...any) ([]Assessment, error) {
	rows, err := s.db.QueryContext(ctx, s.q(assessmentQuery+query), args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var (
			a                                Assessment
			started, finished, notAfter, sbd sql.NullInt64
			star, provisional                int
			result, lookup                   sql.NullString
		)
		err := rows.Scan(&a.ScanID, &a.TargetID, &a.Site, &a.Organisation, &a.URL, &a.Group,
			&started, &finished, &a.Grade, &a.GradeTrustIgnored, &star, &sbd,
			&a.Inconclusive, &provisional, &a.HSTS, &a.Protocols, &a.BestProtocol, &notAfter,
			&a.Endpoints, &a.Criteria, &result, &lookup)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		a.Started, a.Finished, a.CertNotAfter = fromMS(started), fromMS(finished), fromMS(notAfter)
		a.Star, a.Provisional = star != 0, provisional != 0
		if sbd.Valid {
			v := sbd.Int64 != 0
			a.SecureByDefault = &v
		}
		if result.Valid {
			a.Result = json.RawMessage(result.String)
		}
		if lookup.Valid {
			a.Lookup = json.RawMessage(lookup.String)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Assessments implements Store.
func (s *sqlDB) Assessments(ctx context.Context, id ScanID) ([]Assessment, error) {
	out, err := s.assessments(ctx, fmt.Sprintf("scan %d: assessments", id), `WHERE a.scan_id = ? ORDER BY a.target_id`, id)
	if err == nil && len(out) == 0 {
		err = s.exists(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Assessment implements Store.
func (s *sqlDB) Assessment(ctx context.Context, id ScanID, target int64) (Assessment, error) {
	what := fmt.Sprintf("scan %d target %d: assessment", id, target)
	out, err := s.assessments(ctx, what, `WHERE a.scan_id = ? AND a.target_id = ?`, id, target)
	if err != nil {
		return Assessment{}, err
	}
	if len(out) == 0 {
		return Assessment{}, fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return out[0], nil
}

// Lookups implements Store.
func (s *sqlDB) Lookups(ctx context.Context, id ScanID) ([]Lookup, error) {
	return queryAll(ctx, s, fmt.Sprintf("scan %d: lookups", id), func(r rowScanner) (Lookup, error) {
		var (
			l    Lookup
			data sql.NullString
		)
		err := r.Scan(&l.TargetID, &data)
		if data.Valid {
			l.Data = json.RawMessage(data.String)
		}
		return l, err
	}, `SELECT target_id, lookup FROM assessments WHERE scan_id = ? ORDER BY target_id`, id)
}

// Remaining implements Store: both counts read only the indexes of the
// scan's targets and assessments.
func (s *sqlDB) Remaining(ctx context.Context, id ScanID) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT (SELECT count(*) FROM targets WHERE scan_id = ?) -
		(SELECT count(*) FROM assessments WHERE scan_id = ?)`, id, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: scan %d: targets remaining: %w", id, err)
	}
	return n, nil
}

// History implements Store.
func (s *sqlDB) History(ctx context.Context, site string) ([]Assessment, error) {
	key := SiteKey(site)
	return s.assessments(ctx, "history of "+key, `WHERE a.site = ? ORDER BY s.started_ms, s.id, a.target_id`, key)
}

// Assessed implements Store.
func (s *sqlDB) Assessed(ctx context.Context, id ScanID, targets []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for len(targets) > 0 {
		chunk := targets[:min(len(targets), 500)]
		targets = targets[len(chunk):]
		args := []any{id}
		for _, t := range chunk {
			args = append(args, t)
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT target_id FROM assessments WHERE scan_id = ? AND target_id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("store: scan %d: assessed: %w", id, err)
		}
		for rows.Next() {
			var t int64
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: scan %d: assessed: %w", id, err)
			}
			out[t] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: scan %d: assessed: %w", id, err)
		}
	}
	return out, nil
}
