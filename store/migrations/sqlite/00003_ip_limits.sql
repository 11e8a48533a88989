-- The per-IP politeness limits shared by every process working the queue
-- (fleet.SharedLimits). ip_leases holds one row per connection open to an
-- address: slot 0 … per-IP-1, so at most per-IP rows can be live; a row
-- whose holder died expires. ip_rates holds each address's theoretical
-- arrival time (GCRA) for its new-connections-per-second limit.

-- +goose Up
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

-- +goose Down
DROP TABLE ip_rates;
DROP TABLE ip_leases;
