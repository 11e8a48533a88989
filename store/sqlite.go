package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// SQLite is the Store on an embedded SQLite database file.
type SQLite struct {
	*sqlDB
	path string
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
	s := &SQLite{sqlDB: &sqlDB{db: db, dialect: SQLiteDialect, wmu: &sync.Mutex{}}, path: path}
	s.begin = func(ctx context.Context) (writeTx, error) {
		tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (_txlock)
		if err != nil {
			return nil, err
		}
		return sqlTx{tx}, nil
	}
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
	defer s.lockWrites()()
	return migrateUp(ctx, p)
}

// migrateUp applies a provider's migrations and refuses a database whose
// schema is newer than this padlock.
func migrateUp(ctx context.Context, p *goose.Provider) error {
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
func (s *SQLite) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Path is the database file's path.
func (s *SQLite) Path() string { return s.path }

// DB is the database handle, shared with the job queue (River on the
// same file).
func (s *SQLite) DB() *sql.DB { return s.db }
