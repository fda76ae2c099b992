-- Kept in lockstep with ../sqlite/V6__ledger_recent.sql.

-- The score ledger in two tiers. New rows are appended here, where nothing but the seq is indexed, so an insert
-- dirties the table's last page only; JdbcStore moves them into attribute_ledger (indexed by user, name, seq) in
-- batches, every page of that index written once per batch instead of one random index page per row.
-- Every seq here is above every seq in attribute_ledger: both take them from attribute_ledger's identity.
CREATE TABLE attribute_ledger_recent (
    seq       BIGINT PRIMARY KEY DEFAULT nextval('attribute_ledger_seq_seq'),
    user_id   TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    time      BIGINT NOT NULL,
    old_value DOUBLE PRECISION,
    new_value DOUBLE PRECISION,
    delta     DOUBLE PRECISION,
    source    TEXT   NOT NULL
);
