-- padlock store, PostgreSQL dialect: the same tables and columns as the
-- SQLite dialect (migrations/sqlite), so that one set of queries serves
-- both. Times are Unix milliseconds (UTC); NULL means unset. Flags are
-- 0/1 integers and the result JSON is text, as in SQLite.

-- +goose Up
CREATE TABLE scans (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT    NOT NULL DEFAULT '',
    targets_file TEXT    NOT NULL DEFAULT '',
    started_ms   BIGINT  NOT NULL,
    finished_ms  BIGINT,
    status       TEXT    NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'finished', 'interrupted')),
    options      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX scans_status_finished ON scans (status, finished_ms);

CREATE TABLE targets (
    id           BIGSERIAL PRIMARY KEY,
    scan_id      BIGINT  NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    line         INTEGER NOT NULL DEFAULT 0,
    organisation TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL,
    grp          TEXT    NOT NULL DEFAULT '',
    tags         TEXT    NOT NULL DEFAULT '[]',
    notes        TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    site         TEXT    NOT NULL,
    http         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX targets_scan ON targets (scan_id, id);
CREATE INDEX targets_site ON targets (site);

CREATE TABLE assessments (
    id                  BIGSERIAL PRIMARY KEY,
    scan_id             BIGINT  NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    target_id           BIGINT  NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    site                TEXT    NOT NULL,
    started_ms          BIGINT,
    finished_ms         BIGINT  NOT NULL,
    grade               TEXT    NOT NULL DEFAULT '',
    grade_trust_ignored TEXT    NOT NULL DEFAULT '',
    star                INTEGER NOT NULL DEFAULT 0,
    secure_by_default   INTEGER,
    inconclusive        TEXT    NOT NULL DEFAULT '',
    provisional         INTEGER NOT NULL DEFAULT 0,
    hsts                TEXT    NOT NULL DEFAULT '',
    protocols           TEXT    NOT NULL DEFAULT '',
    best_protocol       TEXT    NOT NULL DEFAULT '',
    cert_not_after_ms   BIGINT,
    endpoints           INTEGER NOT NULL DEFAULT 0,
    criteria            TEXT    NOT NULL DEFAULT '',
    result              TEXT,
    UNIQUE (scan_id, target_id)
);
CREATE INDEX assessments_site ON assessments (site, scan_id);
CREATE INDEX assessments_scan_grade ON assessments (scan_id, grade);
CREATE INDEX assessments_cert_not_after ON assessments (cert_not_after_ms);

-- +goose Down
DROP TABLE assessments;
DROP TABLE targets;
DROP TABLE scans;
