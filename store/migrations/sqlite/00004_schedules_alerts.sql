-- Schedules (recurring scans), their runs, and the alerts sent when a site
-- got worse between two runs. Times are Unix milliseconds (UTC).

-- +goose Up
-- A schedule scans a targets file (read again at each run) or a saved fleet
-- (the targets of an earlier scan) every every_ms, counting periods from
-- anchor_ms. The webhook secret is kept here because any worker may deliver.
CREATE TABLE schedules (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL DEFAULT '',
    every_ms       INTEGER NOT NULL CHECK (every_ms > 0),
    anchor_ms      INTEGER NOT NULL,
    targets_file   TEXT    NOT NULL DEFAULT '',
    fleet_scan_id  INTEGER REFERENCES scans (id) ON DELETE SET NULL,
    options        TEXT    NOT NULL DEFAULT '{}',
    webhook_url    TEXT    NOT NULL DEFAULT '',
    webhook_secret TEXT    NOT NULL DEFAULT '',
    expiry_days    INTEGER NOT NULL DEFAULT 14,
    created_ms     INTEGER NOT NULL
);

-- One row per (schedule, period) that was started: the primary key is what
-- stops two schedulers from starting the same run twice.
CREATE TABLE schedule_runs (
    schedule_id    INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    period         INTEGER NOT NULL,
    scan_id        INTEGER REFERENCES scans (id) ON DELETE SET NULL,
    started_ms     INTEGER NOT NULL,
    alerted_ms     INTEGER,
    PRIMARY KEY (schedule_id, period)
);
CREATE INDEX schedule_runs_scan ON schedule_runs (scan_id);

-- One notification per site that got worse in a run.
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    schedule_id   INTEGER REFERENCES schedules (id) ON DELETE SET NULL,
    scan_id       INTEGER REFERENCES scans (id) ON DELETE SET NULL,
    prev_scan_id  INTEGER REFERENCES scans (id) ON DELETE SET NULL,
    site          TEXT    NOT NULL,
    organisation  TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    grade_from    TEXT    NOT NULL DEFAULT '',
    grade_to      TEXT    NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL,
    changes       TEXT    NOT NULL DEFAULT '[]',
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sent', 'failed', 'unsent')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_ms       INTEGER,
    last_error    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX alerts_created ON alerts (created_ms, id);
CREATE INDEX alerts_scan ON alerts (scan_id);

-- The dedup keys of the changes alerts were made for: a key is recorded once,
-- so the same change is never sent twice.
CREATE TABLE alert_keys (
    dedup_key  TEXT    PRIMARY KEY,
    alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE alert_keys;
DROP TABLE alerts;
DROP TABLE schedule_runs;
DROP TABLE schedules;
