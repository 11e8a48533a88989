package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"padlock/grade"
)

//go:embed migrations/sqlite/*.sql
var migrations embed.FS

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// SQLite is the Store on an embedded SQLite database file.
type SQLite struct {
	db   *sql.DB
	path string
	// wmu serialises writes: SQLite has one writer at a time, and waiting
	// here is cheaper and fairer than waiting on the file lock.
	wmu sync.Mutex
}

var _ Store = (*SQLite)(nil)

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// brings its schema up to date. The database runs in WAL mode with a busy
// timeout (other processes may use it too) and foreign keys on; every write
// is its own committed transaction, durable against the process being
// killed (synchronous=NORMAL: a power cut may lose the last commits, never
// corrupt the file).
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("store: no SQLite database path given")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("store: SQLite database path %q contains '?', which padlock does not accept", path)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s := &SQLite{db: db, path: path}
	if err := s.foreign(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: damaged, or not a padlock database: %w", path, err)
	}
	return s, nil
}

// foreign refuses a SQLite database that holds tables but not padlock's
// migration record: another program's database, which padlock must not
// write its tables into.
func (s *SQLite) foreign(ctx context.Context) error {
	var tables, goose int
	err := s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE name = 'goose_db_version')
		FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&tables, &goose)
	if err != nil {
		return fmt.Errorf("damaged, or not a SQLite database: %w", err)
	}
	if tables > 0 && goose == 0 {
		return errors.New("a SQLite database, but not padlock's (it has other tables and no padlock schema)")
	}
	return nil
}

// checkHeader refuses an existing, non-empty file that is not a SQLite
// database, before SQLite gets to say "file is not a database" later on.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("store: open %s: is a directory, not a database file", path)
	}
	if st.Size() == 0 {
		return nil
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return fmt.Errorf("store: open %s: not a SQLite database (wrong file, or damaged)", path)
	}
	return nil
}

// migrate applies the embedded goose migrations.
func (s *SQLite) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	srcs := p.ListSources()
	if n := len(srcs); n > 0 && cur > srcs[n-1].Version {
		return fmt.Errorf("schema version %d is newer than this padlock knows (%d): upgrade padlock", cur, srcs[n-1].Version)
	}
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

// Path is the database file's path.
func (s *SQLite) Path() string { return s.path }

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
func (s *SQLite) CreateScan(ctx context.Context, sc Scan, targets []Target) (ScanID, error) {
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

	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO scans (name, targets_file, started_ms, finished_ms, status, options) VALUES (?, ?, ?, ?, ?, ?)`,
		sc.Name, sc.TargetsFile, ms(sc.Started), ms(sc.Finished), string(sc.Status), sc.Options)
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	sid, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx,
		`INSERT INTO targets (scan_id, line, organisation, url, grp, tags, notes, ip, site, http) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	defer stmt.Close()
	ids := make([]int64, len(targets))
	for i, t := range targets {
		r, err := stmt.ExecContext(ctx, sid, t.Line, t.Organisation, t.URL, t.Group, rows[i].tags, t.Notes, t.Pin, rows[i].site, t.HTTP)
		if err != nil {
			return 0, fmt.Errorf("store: create scan: target %d (line %d): %w", i+1, t.Line, err)
		}
		if ids[i], err = r.LastInsertId(); err != nil {
			return 0, fmt.Errorf("store: create scan: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: create scan: %w", err)
	}
	for i := range targets {
		targets[i].ID, targets[i].ScanID, targets[i].Site = ids[i], ScanID(sid), rows[i].site
	}
	return ScanID(sid), nil
}

const scanColumns = `s.id, s.name, s.targets_file, s.started_ms, s.finished_ms, s.status, s.options,
	(SELECT count(*) FROM targets t WHERE t.scan_id = s.id),
	(SELECT count(*) FROM assessments a WHERE a.scan_id = s.id),
	(SELECT count(*) FROM assessments a WHERE a.scan_id = s.id AND (a.inconclusive <> '' OR a.grade = ''))`

func scanRow(sc interface{ Scan(...any) error }) (Scan, error) {
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
func (s *SQLite) Scan(ctx context.Context, id ScanID) (Scan, error) {
	sc, err := scanRow(s.db.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Scan{}, fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Scan{}, fmt.Errorf("store: scan %d: %w", id, err)
	}
	return sc, nil
}

func (s *SQLite) scans(ctx context.Context, query string, args ...any) ([]Scan, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: scans: %w", err)
	}
	defer rows.Close()
	var out []Scan
	for rows.Next() {
		sc, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scans: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: scans: %w", err)
	}
	return out, nil
}

// Scans implements Store.
func (s *SQLite) Scans(ctx context.Context) ([]Scan, error) {
	return s.scans(ctx, `SELECT `+scanColumns+` FROM scans s ORDER BY s.id`)
}

// LatestFinished implements Store. n <= 0 returns every finished scan.
func (s *SQLite) LatestFinished(ctx context.Context, n int) ([]Scan, error) {
	if n <= 0 {
		n = -1 // no limit
	}
	return s.scans(ctx, `SELECT `+scanColumns+` FROM scans s WHERE s.status = 'finished'
		ORDER BY s.finished_ms DESC, s.id DESC LIMIT ?`, n)
}

// SetScanStatus implements Store.
func (s *SQLite) SetScanStatus(ctx context.Context, id ScanID, st ScanStatus, finished time.Time) error {
	if !st.Valid() {
		return fmt.Errorf("store: invalid scan status %q", st)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `UPDATE scans SET status = ?, finished_ms = ? WHERE id = ?`, string(st), ms(finished), id)
	if err != nil {
		return fmt.Errorf("store: scan %d: set status: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	return nil
}

// exists reports ErrNotFound for a missing scan.
func (s *SQLite) exists(ctx context.Context, id ScanID) error {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM scans WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: scan %d: %w", id, err)
	}
	return nil
}

const targetColumns = `t.id, t.scan_id, t.line, t.organisation, t.url, t.grp, t.tags, t.notes, t.ip, t.site, t.http`

func (s *SQLite) targets(ctx context.Context, id ScanID, query string) ([]Target, error) {
	rows, err := s.db.QueryContext(ctx, query, id)
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
func (s *SQLite) Targets(ctx context.Context, id ScanID) ([]Target, error) {
	return s.targets(ctx, id, `SELECT `+targetColumns+` FROM targets t WHERE t.scan_id = ? ORDER BY t.id`)
}

// Pending implements Store.
func (s *SQLite) Pending(ctx context.Context, id ScanID) ([]Target, error) {
	return s.targets(ctx, id, `SELECT `+targetColumns+` FROM targets t WHERE t.scan_id = ?
		AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.scan_id = t.scan_id AND a.target_id = t.id)
		ORDER BY t.id`)
}

// SaveAssessment implements Store.
func (s *SQLite) SaveAssessment(ctx context.Context, a Assessment) error {
	if len(a.Result) > MaxResultBytes {
		return fmt.Errorf("%w: scan %d target %d: the result is %d bytes, more than the %d MiB limit",
			ErrResultTooLarge, a.ScanID, a.TargetID, len(a.Result), MaxResultBytes>>20)
	}
	var result sql.NullString
	if len(bytes.TrimSpace(a.Result)) > 0 {
		if !json.Valid(a.Result) {
			return fmt.Errorf("store: scan %d target %d: the result is not valid JSON", a.ScanID, a.TargetID)
		}
		result = sql.NullString{String: string(a.Result), Valid: true}
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
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, `INSERT INTO assessments (scan_id, target_id, site, started_ms, finished_ms,
			grade, grade_trust_ignored, star, secure_by_default, inconclusive, provisional,
			hsts, protocols, best_protocol, cert_not_after_ms, endpoints, criteria, result)
		SELECT t.scan_id, t.id, t.site, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM targets t WHERE t.id = ? AND t.scan_id = ?
		ON CONFLICT (scan_id, target_id) DO UPDATE SET
			site = excluded.site, started_ms = excluded.started_ms, finished_ms = excluded.finished_ms,
			grade = excluded.grade, grade_trust_ignored = excluded.grade_trust_ignored, star = excluded.star,
			secure_by_default = excluded.secure_by_default, inconclusive = excluded.inconclusive,
			provisional = excluded.provisional, hsts = excluded.hsts, protocols = excluded.protocols,
			best_protocol = excluded.best_protocol, cert_not_after_ms = excluded.cert_not_after_ms,
			endpoints = excluded.endpoints, criteria = excluded.criteria, result = excluded.result`,
		ms(a.Started), ms(a.Finished), a.Grade, a.GradeTrustIgnored, boolInt(a.Star), sbd, a.Inconclusive,
		boolInt(a.Provisional), a.HSTS, a.Protocols, a.BestProtocol, ms(a.CertNotAfter), a.Endpoints, a.Criteria,
		result, a.TargetID, a.ScanID)
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
	a.endpoints, a.criteria, a.result
	FROM assessments a JOIN targets t ON t.id = a.target_id JOIN scans s ON s.id = a.scan_id `

func (s *SQLite) assessments(ctx context.Context, what, query string, args ...any) ([]Assessment, error) {
	rows, err := s.db.QueryContext(ctx, assessmentQuery+query, args...)
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
			result                           sql.NullString
		)
		err := rows.Scan(&a.ScanID, &a.TargetID, &a.Site, &a.Organisation, &a.URL, &a.Group,
			&started, &finished, &a.Grade, &a.GradeTrustIgnored, &star, &sbd,
			&a.Inconclusive, &provisional, &a.HSTS, &a.Protocols, &a.BestProtocol, &notAfter,
			&a.Endpoints, &a.Criteria, &result)
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
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// Assessments implements Store.
func (s *SQLite) Assessments(ctx context.Context, id ScanID) ([]Assessment, error) {
	out, err := s.assessments(ctx, fmt.Sprintf("scan %d: assessments", id), `WHERE a.scan_id = ? ORDER BY a.target_id`, id)
	if err == nil && len(out) == 0 {
		err = s.exists(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// History implements Store.
func (s *SQLite) History(ctx context.Context, site string) ([]Assessment, error) {
	key := SiteKey(site)
	return s.assessments(ctx, "history of "+key, `WHERE a.site = ? ORDER BY s.started_ms, s.id, a.target_id`, key)
}
