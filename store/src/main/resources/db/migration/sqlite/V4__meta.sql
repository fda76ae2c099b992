-- Kept in lockstep with the other dialect's V4__meta.sql.

-- Small durable state of connectors: CDI watermarks (written in the same commit as the rows they cover)
-- and Currents cursors (written after the sink confirms).
CREATE TABLE meta (
    key        TEXT   NOT NULL PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
