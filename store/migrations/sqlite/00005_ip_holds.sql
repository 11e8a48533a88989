-- The per-IP politeness limits shared by every process working the queue
-- (fleet.SharedLimits), held per address instead of per connection: one
-- process at a time holds an address (ip_holds, until expires_ms, renewed
-- while it connects there) and enforces the limits itself; wanted_ms is
-- set by a process waiting for it, so that the holder gives it up, and
-- tat_ms is the rate limit's theoretical arrival time (GCRA) the last
-- holder left, so that the next one goes on from it. A row whose holder
-- died expires. This replaces one lease row per connection (ip_leases)
-- and one rate reservation per connection (ip_rates): three writes per
-- connection became a few per address and assessment.

-- +goose Up
DROP TABLE ip_leases;
DROP TABLE ip_rates;
CREATE TABLE ip_holds (
    addr       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_ms BIGINT NOT NULL,
    wanted_ms  BIGINT NOT NULL DEFAULT 0,
    tat_ms     BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE ip_holds;
CREATE TABLE ip_leases (
    addr       TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    holder     TEXT    NOT NULL,
    expires_ms BIGINT  NOT NULL,
    PRIMARY KEY (addr, slot)
);
CREATE TABLE ip_rates (
    addr   TEXT   PRIMARY KEY,
    tat_ms BIGINT NOT NULL
);
