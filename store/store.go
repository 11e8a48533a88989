// Package store keeps scans and their assessments: SQLite embedded by
// default, or PostgreSQL for fleets worked by many machines, behind one
// interface and one set of queries.
//
// # Model
//
// A Scan is one run over a targets file. Its Targets are the file's rows,
// stored with the scan in one transaction (CreateScan), so that a scan
// interrupted at any point knows exactly what it still has to do. An
// Assessment is the outcome for one target: a few typed columns for
// filtering and charts (grade, flags, protocols, certificate expiry) and
// the full result JSON. SaveAssessment commits each assessment on its own
// as soon as the target finishes, so a scan killed with SIGKILL loses only
// the targets that had not finished; Pending lists them (fleet requeues
// those without a live job on --resume).
// Saving an assessment twice for the same (scan, target) replaces the
// first: re-runs never duplicate.
//
// # API summary
//
//	st, err := store.Open(ctx, "padlock.db")   // or "sqlite:path", or "postgres://user@host/db"
//	defer st.Close()
//	id, err := st.CreateScan(ctx, store.Scan{Name: …, TargetsFile: …, Started: time.Now(), Options: `{…}`}, targets)
//	// CreateScan sets targets[i].ID, targets[i].ScanID and targets[i].Site (SiteKey of Site, or of URL).
//	for _, t := range pending { … st.SaveAssessment(ctx, store.Assessment{ScanID: id, TargetID: t.ID, Finished: …, Grade: …, Result: …}) }
//	st.SetScanStatus(ctx, id, store.StatusFinished, time.Now())
//	scans, err := st.LatestFinished(ctx, 2)    // newest first: scans[1] is the older one
//	hist, err := st.History(ctx, store.SiteKey("https://www.example.org/"))
//
// Conventions:
//   - Times are stored in UTC to the millisecond; a zero time.Time means
//     "not set" (NULL).
//   - Lists come back in a stable order: scans by id (oldest first, except
//     LatestFinished, newest first), targets by id (the order CreateScan
//     got them in), assessments by target id, history oldest first.
//   - A missing scan is ErrNotFound (test with errors.Is); a result over
//     MaxResultBytes is ErrResultTooLarge.
//   - Grade is the site's grade ("A+" … "F", "T", "M", "U"), without the
//     `*`, which is Star. An inconclusive result has Grade "" and says why
//     in Inconclusive; it is never a grade (docs/grading.md decision 1).
//   - Site keys are SiteKey's: the host name lower-cased, without a trailing
//     dot, with ":port" only when the port is not 443.
//
// SQLite runs in WAL mode with a busy timeout and foreign keys on, and the
// goose migrations in migrations/sqlite are applied when the database is
// opened. Writes from one process are serialised (SQLite has one writer at
// a time); reads run concurrently with them.
//
// PostgreSQL (OpenPostgres) runs on a pgx pool, shared with the job queue;
// its goose migrations (migrations/postgres) create the same tables and
// columns, so both dialects run the same queries. Two processes opening a
// new database at once are serialised by an advisory lock.
//
// # Shared per-IP limits
//
// HoldIP, RenewIP and ReleaseIP keep the per-IP politeness limits in the
// database (table ip_holds), so that every process scanning from it holds
// them together (see fleet.SharedLimits): one process at a time holds an
// address and enforces the limits there itself, and hands the rate
// limit's state to the next holder.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// ScanID identifies a scan.
type ScanID int64

// ScanStatus is the state of a scan.
type ScanStatus string

// Scan states.
const (
	// StatusRunning: the scan was started and has not finished. A scan
	// whose process was killed stays "running"; --resume continues it.
	StatusRunning ScanStatus = "running"
	// StatusFinished: every target was assessed (some perhaps
	// inconclusively).
	StatusFinished ScanStatus = "finished"
	// StatusInterrupted: the scan was stopped (e.g. SIGINT) before every
	// target was assessed; --resume continues it.
	StatusInterrupted ScanStatus = "interrupted"
)

// Valid reports whether s is one of the three states.
func (s ScanStatus) Valid() bool {
	return s == StatusRunning || s == StatusFinished || s == StatusInterrupted
}

// Counts summarise a scan's progress. They are computed when the scan is
// read, never stored.
type Counts struct {
	Total  int `json:"total"`  // targets
	Done   int `json:"done"`   // targets with an assessment (graded or inconclusive)
	Failed int `json:"failed"` // of Done, those inconclusive (no grade)
}

// Scan is one run over a targets file.
type Scan struct {
	ID          ScanID
	Name        string
	TargetsFile string
	Started     time.Time
	Finished    time.Time // zero until the scan is finished or interrupted
	Status      ScanStatus
	// Options is the JSON of the scan options ("" is stored as "{}").
	Options string
	Counts  Counts // filled in by reads; ignored by CreateScan
}

// Target is one row of a targets file.
type Target struct {
	ID           int64 // set by CreateScan
	ScanID       ScanID
	Organisation string
	URL          string
	Group        string
	Tags         []string
	Notes        string
	// Pin are the addresses to connect to instead of resolving the host
	// (the targets file's ip column), separated by ";"; "" to resolve.
	Pin string
	// HTTP is the plain-HTTP URL the web check starts from when it is not
	// port 80 of the URL's host (the targets file's http column); "" for
	// the default.
	HTTP string
	// Line is the line of the targets file the row came from (0 if none).
	Line int
	// Site is the site key. CreateScan normalises it with SiteKey, from
	// URL when empty, and writes the result back.
	Site string
}

// Assessment is the outcome for one target of one scan.
type Assessment struct {
	ScanID   ScanID
	TargetID int64
	// Site, Organisation, URL and Group are the target's: they are read
	// back from it and ignored by SaveAssessment.
	Site         string
	Organisation string
	URL          string
	Group        string

	Started  time.Time // optional
	Finished time.Time // when the target's assessment ended (zero: now)

	// Grade is the site grade, the worst endpoint grade: "A+" … "F",
	// "T", "M" or "U"; "" when inconclusive.
	Grade string
	// GradeTrustIgnored is the worst endpoint grade with T and M set
	// aside (optional).
	GradeTrustIgnored string
	// Star: personal data over plain text (`*`, docs/grading.md decision 2).
	Star bool
	// SecureByDefault: plain HTTP redirects to HTTPS (decision 3); nil
	// when it could not be told.
	SecureByDefault *bool
	// Inconclusive says why there is no grade ("" when there is one). An
	// inconclusive assessment still counts as done (Counts.Failed), and is
	// never counted as a change.
	Inconclusive string
	// Provisional: a rule that could change the grade was not evaluated.
	Provisional bool

	// HSTS is the HSTS policy status ("present", "absent", "invalid"...,
	// web.HSTSPolicy.Status).
	HSTS string
	// Protocols lists the protocols supported on any endpoint, oldest
	// first, comma-separated: "TLS 1.2,TLS 1.3".
	Protocols string
	// BestProtocol is the newest protocol supported: "TLS 1.3".
	BestProtocol string
	// CertNotAfter is the earliest expiry of the leaf certificates served
	// (zero when unknown).
	CertNotAfter time.Time
	// Endpoints is the number of endpoints (addresses) assessed.
	Endpoints int
	// Criteria is the grading rules' revision ("padlock-2009r"), so that a
	// re-grade knows what it replaces.
	Criteria string

	// Result is the full result JSON (fleet stores an object holding the
	// assess.Host and the web result). It must be valid JSON and at most
	// MaxResultBytes; empty means none.
	Result json.RawMessage
	// Lookup is what a scan-wide lookup needs of the result, small JSON
	// read by Lookups without the results (fleet: the DROWN lookup's
	// keys); empty means none. It must be valid JSON and at most
	// MaxLookupBytes.
	Lookup json.RawMessage
}

// MaxLookupBytes bounds Assessment.Lookup.
const MaxLookupBytes = 64 << 10

// Lookup is one assessment's Lookup (Store.Lookups).
type Lookup struct {
	TargetID int64
	// Data is the assessment's Lookup; empty when it was stored without.
	Data json.RawMessage
}

// MaxResultBytes bounds Assessment.Result.
const MaxResultBytes = 8 << 20

// Errors.
var (
	// ErrNotFound: no such scan (or target in that scan).
	ErrNotFound = errors.New("store: not found")
	// ErrResultTooLarge: Assessment.Result is over MaxResultBytes.
	ErrResultTooLarge = errors.New("store: result too large")
	// ErrUnsupported: the DSN names a database padlock cannot use yet.
	ErrUnsupported = errors.New("store: unsupported database")
)

// Store persists scans, targets and assessments. Implementations are safe
// for concurrent use.
type Store interface {
	// CreateScanTx is CreateScan that also runs then inside the
	// transaction, after the scan and its targets are written and before
	// the commit: the queue inserts the scan's jobs there, so that a scan
	// exists with all its jobs or not at all. An error from then rolls
	// everything back.
	CreateScanTx(ctx context.Context, s Scan, targets []Target, then ThenFunc) (ScanID, error)
	// CreateScan stores a scan and its targets in one transaction and
	// returns the scan's id. On success it sets targets[i].ID,
	// targets[i].ScanID and targets[i].Site (SiteKey of Site, or of URL
	// when Site is empty). A zero Started is now; an empty Status is
	// StatusRunning; Options must be JSON ("" is "{}"). Every target needs
	// a URL.
	CreateScan(ctx context.Context, s Scan, targets []Target) (ScanID, error)
	// Scan returns one scan with its counts (ErrNotFound if none).
	Scan(ctx context.Context, id ScanID) (Scan, error)
	// Scans returns every scan, oldest first.
	Scans(ctx context.Context) ([]Scan, error)
	// LatestFinished returns up to n finished scans, newest first (by
	// finish time, then id); n <= 0 returns them all.
	LatestFinished(ctx context.Context, n int) ([]Scan, error)
	// Targets returns a scan's targets in id order.
	Targets(ctx context.Context, id ScanID) ([]Target, error)
	// Pending returns a scan's targets without an assessment, in id order:
	// what --resume runs.
	Pending(ctx context.Context, id ScanID) ([]Target, error)
	// SaveAssessment stores a (scan, target)'s assessment and commits it.
	// Saving again for the same pair replaces it. The target must belong
	// to the scan (else ErrNotFound). Grade must be one of "A+" … "F", "T",
	// "M", "U" or ""; Result must be valid JSON (or empty) of at most
	// MaxResultBytes (else ErrResultTooLarge). A zero Finished is now.
	SaveAssessment(ctx context.Context, a Assessment) error
	// Assessed returns which of a scan's targets (by id) have an
	// assessment already: a job run again after its worker died skips
	// them.
	Assessed(ctx context.Context, id ScanID, targets []int64) (map[int64]bool, error)
	// Assessments returns a scan's assessments in target id order.
	Assessments(ctx context.Context, id ScanID) ([]Assessment, error)
	// Assessment returns one target's assessment (ErrNotFound when it
	// has none).
	Assessment(ctx context.Context, id ScanID, target int64) (Assessment, error)
	// Lookups returns the Lookup of every assessment of a scan, in
	// target id order, without reading the results.
	Lookups(ctx context.Context, id ScanID) ([]Lookup, error)
	// Remaining returns how many of a scan's targets have no assessment
	// yet (cheaper than Scan's counts).
	Remaining(ctx context.Context, id ScanID) (int, error)
	// SetScanStatus sets a scan's status and finish time (zero: none).
	SetScanStatus(ctx context.Context, id ScanID, st ScanStatus, finished time.Time) error
	// History returns a site's assessments over all scans, oldest scan
	// first. site is normalised with SiteKey, so a URL works too. A scan
	// that listed the site more than once contributes one per target.
	History(ctx context.Context, site string) ([]Assessment, error)
	// Dialect says which database this is.
	Dialect() Dialect

	// HoldIP takes addr for holder (a token unique to one hold) until
	// ttl from now if nobody holds it or its hold expired, and returns
	// how far ahead of now the last holder left the address's rate limit
	// (its GCRA theoretical arrival time; zero when in the past). When
	// another holder has it, ok is false and the address is marked
	// wanted, so that its holder lets it go (RenewIP).
	HoldIP(ctx context.Context, addr, holder string, ttl time.Duration) (ok bool, tatAhead time.Duration, err error)
	// RenewIP extends holder's hold of addr to ttl from now, unless
	// another process wants it (wanted: the hold is left to expire as it
	// was, and the holder should finish and release it). kept is false
	// when holder no longer holds addr.
	RenewIP(ctx context.Context, addr, holder string, ttl time.Duration) (kept, wanted bool, err error)
	// ReleaseIP ends holder's hold of addr, leaving the rate limit's
	// theoretical arrival time tatAhead from now for the next holder.
	ReleaseIP(ctx context.Context, addr, holder string, tatAhead time.Duration) error

	// Close releases the database.
	Close() error
}

// Dialect is a store's SQL database.
type Dialect string

// Dialects.
const (
	SQLiteDialect Dialect = "sqlite"
	Postgres      Dialect = "postgres"
)

// Tx is a transaction open on a store's database, handed to ThenFunc:
// a *sql.Tx on SQLite, a pgx.Tx on PostgreSQL (what River's driver for
// the dialect takes).
type Tx any

// ThenFunc runs inside CreateScanTx's transaction with the scan's id and
// its stored targets (IDs and Site set).
type ThenFunc func(ctx context.Context, tx Tx, id ScanID, targets []Target) error

// Open opens the store a DSN names:
//
//	"padlock.db", "/path/to/x.db", "sqlite:path", "sqlite://path"  SQLite (created if missing)
//	"postgres://…", "postgresql://…"                              PostgreSQL (OpenPostgres)
func Open(ctx context.Context, dsn string) (Store, error) {
	switch {
	case dsn == "":
		return nil, errors.New("store: no database given")
	case IsPostgres(dsn):
		return OpenPostgres(ctx, dsn)
	case strings.HasPrefix(dsn, "sqlite://"):
		dsn = strings.TrimPrefix(dsn, "sqlite://")
	case strings.HasPrefix(dsn, "sqlite:"):
		dsn = strings.TrimPrefix(dsn, "sqlite:")
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("%w: %q (use a SQLite file path or sqlite:PATH)", ErrUnsupported, redact(dsn))
	}
	s, err := OpenSQLite(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redact returns dsn fit to print: a URL without its password (or a
// path as it is).
func Redact(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	return redact(dsn)
}

// redact drops a URL's password.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// SiteKey normalises a target to its site key: the host lower-cased and
// without a trailing dot, followed by ":port" when the port is not 443
// (IPv6 literals in brackets then). It accepts URLs ("https://Example.org/x")
// and bare hosts ("example.org", "example.org:8443"). A plain http:// URL
// without a port keys as its host (the HTTPS side is what padlock grades).
// It returns s lower-cased and trimmed when no host can be found in it.
func SiteKey(s string) string {
	s = strings.TrimSpace(s)
	if ip := net.ParseIP(strings.Trim(s, "[]")); ip != nil {
		if ip.To4() == nil {
			return "[" + ip.String() + "]"
		}
		return ip.String()
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return strings.ToLower(s)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == "" || port == "443" || (port == "80" && u.Scheme == "http") {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}
