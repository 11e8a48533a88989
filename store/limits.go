package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// nowMS is the database's clock in Unix milliseconds, per dialect.
func (s *sqlDB) nowMS() string {
	if s.dialect == Postgres {
		return `(extract(epoch from statement_timestamp()) * 1000)::bigint`
	}
	return `CAST(unixepoch('subsec') * 1000 AS INTEGER)`
}

// HoldIP implements Store: one statement that takes addr for holder when
// nobody holds it (or the hold expired), and otherwise marks it wanted.
// SET's expressions all read the row as it was, so the order of the
// assignments does not matter.
func (s *sqlDB) HoldIP(ctx context.Context, addr, holder string, ttl time.Duration) (bool, time.Duration, error) {
	now := s.nowMS()
	free := `ip_holds.expires_ms <= ` + now
	query := `INSERT INTO ip_holds (addr, holder, expires_ms, wanted_ms, tat_ms) VALUES (?, ?, ` + now + ` + ?, 0, 0)
		ON CONFLICT (addr) DO UPDATE SET
			holder     = CASE WHEN ` + free + ` THEN excluded.holder ELSE ip_holds.holder END,
			expires_ms = CASE WHEN ` + free + ` THEN excluded.expires_ms ELSE ip_holds.expires_ms END,
			wanted_ms  = CASE WHEN ` + free + ` THEN 0 ELSE ` + now + ` END
		RETURNING holder, tat_ms - ` + now
	defer s.lockWrites()()
	var (
		got   string
		ahead int64
	)
	if err := s.queryRow(ctx, query, addr, holder, ttl.Milliseconds()).Scan(&got, &ahead); err != nil {
		return false, 0, fmt.Errorf("store: hold %s: %w", addr, err)
	}
	if got != holder {
		return false, 0, nil
	}
	return true, time.Duration(max(ahead, 0)) * time.Millisecond, nil
}

// RenewIP implements Store.
func (s *sqlDB) RenewIP(ctx context.Context, addr, holder string, ttl time.Duration) (bool, bool, error) {
	now := s.nowMS()
	query := `UPDATE ip_holds SET expires_ms = CASE WHEN wanted_ms = 0 THEN ` + now + ` + ? ELSE expires_ms END
		WHERE addr = ? AND holder = ? AND expires_ms > ` + now + `
		RETURNING wanted_ms`
	defer s.lockWrites()()
	var wanted int64
	err := s.queryRow(ctx, query, ttl.Milliseconds(), addr, holder).Scan(&wanted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("store: renew the hold of %s: %w", addr, err)
	}
	return true, wanted != 0, nil
}

// ReleaseIP implements Store.
// A hold released with the rate limit's bucket full (tatAhead ≤ 0) leaves
// nothing for the next holder to go on from: its row is deleted, so that
// the table holds the addresses held now or released a moment ago, not
// every address a fleet ever had.
func (s *sqlDB) ReleaseIP(ctx context.Context, addr, holder string, tatAhead time.Duration) error {
	query := `UPDATE ip_holds SET holder = '', expires_ms = 0, wanted_ms = 0, tat_ms = ` + s.nowMS() + ` + ?
		WHERE addr = ? AND holder = ?`
	args := []any{tatAhead.Milliseconds(), addr, holder}
	if tatAhead <= 0 {
		query = `DELETE FROM ip_holds WHERE addr = ? AND holder = ?`
		args = args[1:]
	}
	defer s.lockWrites()()
	if _, err := s.exec(ctx, query, args...); err != nil {
		return fmt.Errorf("store: release the hold of %s: %w", addr, err)
	}
	return nil
}
