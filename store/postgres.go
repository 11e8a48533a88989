package store

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// PostgreSQL is the Store on a PostgreSQL database, through a pgx pool
// that the job queue (River) shares.
type PostgreSQL struct {
	*sqlDB
	pool *pgxpool.Pool
	dsn  string // redacted
}

var _ Store = (*PostgreSQL)(nil)

// OpenPostgres connects to the PostgreSQL database dsn names
// ("postgres://user:password@host:port/db?sslmode=…") and brings its
// schema up to date. Errors name the database with its password redacted.
func OpenPostgres(ctx context.Context, dsn string) (*PostgreSQL, error) {
	shown := Redact(dsn)
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %s: not a usable PostgreSQL URL", shown)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 10*time.Second {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", shown, scrub(err, dsn))
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: cannot reach PostgreSQL at %s: %w", shown, scrub(err, dsn))
	}
	db := stdlib.OpenDBFromPool(pool)
	s := &PostgreSQL{sqlDB: &sqlDB{db: db, dialect: Postgres}, pool: pool, dsn: shown}
	s.begin = func(ctx context.Context) (writeTx, error) {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return nil, err
		}
		return pgxTx{tx}, nil
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: open %s: %w", shown, err)
	}
	return s, nil
}

// scrub keeps a password out of an error's text.
func scrub(err error, dsn string) error {
	cfg, perr := pgx.ParseConfig(dsn)
	if perr != nil || cfg.Password == "" {
		return err
	}
	return redactedError{err, cfg.Password}
}

type redactedError struct {
	err      error
	password string
}

func (e redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.password, "xxxxx")
}

func (e redactedError) Unwrap() error { return e.err }

// migrate applies the embedded goose migrations under an advisory lock,
// so that workers starting together on a new database do not race.
func (s *PostgreSQL) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/postgres")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, s.db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return migrateUp(ctx, p)
}

// Close closes the pool.
func (s *PostgreSQL) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// Pool is the pgx pool, shared with the job queue.
func (s *PostgreSQL) Pool() *pgxpool.Pool { return s.pool }

// String names the database (password redacted).
func (s *PostgreSQL) String() string { return s.dsn }

// pgxTx is a pgx transaction (PostgreSQL).
type pgxTx struct{ tx pgx.Tx }

func (t pgxTx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, query, args...).Scan(&id)
	return id, err
}
func (t pgxTx) commit(ctx context.Context) error { return t.tx.Commit(ctx) }
func (t pgxTx) rollback()                        { _ = t.tx.Rollback(context.Background()) }
func (t pgxTx) handle() Tx                       { return t.tx }
