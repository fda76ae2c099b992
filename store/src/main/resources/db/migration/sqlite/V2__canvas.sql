-- Kept in lockstep with ../postgresql/V2__canvas.sql.

-- Durable Canvas timers: one per user per Canvas, polled by due time.
CREATE TABLE timers (
    user_id   TEXT    NOT NULL,
    canvas_id TEXT    NOT NULL,
    token     INTEGER NOT NULL,
    due_at    BIGINT  NOT NULL,
    PRIMARY KEY (user_id, canvas_id)
);
CREATE INDEX timers_due_at ON timers (due_at);

-- The score ledger: every change of a numeric custom attribute, with its source.
CREATE TABLE attribute_ledger (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   TEXT   NOT NULL,
    name      TEXT   NOT NULL,
    time      BIGINT NOT NULL,
    old_value DOUBLE PRECISION,
    new_value DOUBLE PRECISION,
    delta     DOUBLE PRECISION,
    source    TEXT   NOT NULL
);
CREATE INDEX attribute_ledger_user_name ON attribute_ledger (user_id, name, seq);
CREATE INDEX attribute_ledger_time ON attribute_ledger (time);

-- Canvas statistics as counters; bucket = epoch day (or hour), 0 = all time.
CREATE TABLE canvas_stats (
    canvas_id TEXT   NOT NULL,
    metric    TEXT   NOT NULL,
    key       TEXT   NOT NULL,
    bucket    BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (canvas_id, metric, key, bucket)
);

-- Canvas lifecycle: version, status and the document it was made from.
CREATE TABLE canvases (
    id         TEXT    NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);
