-- +goose Up
-- The plain-HTTP side of a target when it is not port 80 of the same host
-- (the targets file's http column), e.g. http://intranet.example:8080/.
ALTER TABLE targets ADD COLUMN http TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE targets DROP COLUMN http;
