package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// nowMS is the database's clock in Unix milliseconds, per dialect.
func (s *sqlDB) nowMS() string {
	if s.dialect == Postgres {
		return `(extract(epoch from statement_timestamp()) * 1000)::bigint`
	}
	return `CAST(unixepoch('subsec') * 1000 AS INTEGER)`
}

// LeaseIP implements Store. Slots are numbered 0 … slots-1 and are the
// table's key with the address, so at most slots leases of an address are
// live whatever the number of processes; the insert takes the lowest slot
// that is free or expired, and a lost race returns no row (ok false).
func (s *sqlDB) LeaseIP(ctx context.Context, addr string, slots int, holder string, ttl time.Duration) (int, bool, error) {
	if slots <= 0 {
		return 0, false, fmt.Errorf("store: lease %s: %d slots", addr, slots)
	}
	now := s.nowMS()
	query := s.q(`WITH RECURSIVE slots(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM slots WHERE n + 1 < ?)
		INSERT INTO ip_leases (addr, slot, holder, expires_ms)
		SELECT ?, n, ?, ` + now + ` + ? FROM slots
		WHERE NOT EXISTS (SELECT 1 FROM ip_leases l WHERE l.addr = ? AND l.slot = slots.n AND l.expires_ms > ` + now + `)
		ORDER BY n LIMIT 1
		ON CONFLICT (addr, slot) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
		WHERE ip_leases.expires_ms <= ` + now + `
		RETURNING slot`)
	defer s.lockWrites()()
	var slot int
	err := s.db.QueryRowContext(ctx, query, slots, addr, holder, ttl.Milliseconds(), addr).Scan(&slot)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil && isConflict(err):
		return 0, false, nil // two inserts chose the same free slot at once
	case err != nil:
		return 0, false, fmt.Errorf("store: lease a connection slot at %s: %w", addr, err)
	}
	return slot, true, nil
}

// isConflict tells a lost race on a unique key, which LeaseIP reports as
// "no slot free" rather than an error.
func isConflict(err error) bool {
	m := err.Error()
	return strings.Contains(m, "SQLSTATE 23505") || strings.Contains(m, "UNIQUE constraint failed")
}

// ReleaseIP implements Store.
func (s *sqlDB) ReleaseIP(ctx context.Context, addr string, slot int, holder string) error {
	defer s.lockWrites()()
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM ip_leases WHERE addr = ? AND slot = ? AND holder = ?`), addr, slot, holder)
	if err != nil {
		return fmt.Errorf("store: release a connection slot at %s: %w", addr, err)
	}
	return nil
}

// ReserveIPRate implements Store with the generic cell rate algorithm:
// the address's theoretical arrival time TAT moves on by one interval per
// connection; a connection may start at TAT - interval - (burst-1)·interval.
func (s *sqlDB) ReserveIPRate(ctx context.Context, addr string, interval time.Duration, burst int) (time.Duration, error) {
	if interval <= 0 {
		return 0, nil
	}
	if burst < 1 {
		burst = 1
	}
	now := s.nowMS()
	t := interval.Milliseconds()
	if t < 1 {
		t = 1
	}
	query := s.q(`INSERT INTO ip_rates (addr, tat_ms) VALUES (?, ` + now + ` + ?)
		ON CONFLICT (addr) DO UPDATE SET tat_ms =
			CASE WHEN ip_rates.tat_ms > ` + now + ` THEN ip_rates.tat_ms ELSE ` + now + ` END + ?
		RETURNING tat_ms - ` + now)
	defer s.lockWrites()()
	var ahead int64
	if err := s.db.QueryRowContext(ctx, query, addr, t, t).Scan(&ahead); err != nil {
		return 0, fmt.Errorf("store: reserve a connection at %s: %w", addr, err)
	}
	wait := ahead - t - int64(burst-1)*t
	if wait < 0 {
		wait = 0
	}
	return time.Duration(wait) * time.Millisecond, nil
}
