-- What a scan-wide lookup needs of each assessment, kept beside the result
-- so that it is read without decoding every result (fleet: each
-- endpoint's RSA key pins and whether it accepts SSL 2.0, for the
-- fleet-wide DROWN lookup). NULL for assessments stored before.

-- +goose Up
ALTER TABLE assessments ADD COLUMN lookup TEXT;

-- +goose Down
ALTER TABLE assessments DROP COLUMN lookup;
