-- Kept in lockstep with ../postgresql/V6__ledger_recent.sql.

-- The score ledger in two tiers. New rows are appended here, where nothing but the seq is indexed, so an insert
-- dirties the table's last page only; JdbcStore moves them into attribute_ledger (indexed by user, name, seq) in
-- batches, every page of that index written once per batch instead of one random index page per row.
-- Every seq here is above every seq in attribute_ledger: this table's counter starts at that one's.
CREATE TABLE attribute_ledger_recent (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    time      BIGINT NOT NULL,
    old_value DOUBLE PRECISION,
    new_value DOUBLE PRECISION,
    delta     DOUBLE PRECISION,
    source    TEXT   NOT NULL
);

INSERT INTO sqlite_sequence (name, seq)
SELECT 'attribute_ledger_recent',
       MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'attribute_ledger'), 0),
           COALESCE((SELECT MAX(seq) FROM attribute_ledger), 0));
