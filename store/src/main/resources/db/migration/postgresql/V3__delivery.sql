-- Kept in lockstep with ../sqlite/V3__delivery.sql: same tables, columns and indexes.

-- Campaign lifecycle: version, status and the document it was made from (the shape of canvases).
CREATE TABLE campaigns (
    id         TEXT    NOT NULL PRIMARY KEY,
    version    INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    document   TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- Webhook messages to deliver: written in the commit that made them, rewritten per retry, deleted in the
-- commit that records their end. Not deleted with their user: the end of a deleted user's message is
-- still recorded by delivery. Exactly one of campaign_id and canvas_id (+ step_id) is set.
CREATE TABLE outbox (
    message_id  TEXT    NOT NULL PRIMARY KEY,
    user_id     TEXT    NOT NULL,
    campaign_id TEXT,
    canvas_id   TEXT,
    step_id     TEXT,
    version     INTEGER NOT NULL,
    created_at  BIGINT  NOT NULL,
    due_at      BIGINT  NOT NULL,
    attempts    INTEGER NOT NULL,
    snapshot    TEXT    NOT NULL
);
-- message_id too: due rows are read earliest first with ties in id order, without a sort of a backlog.
CREATE INDEX outbox_due_at ON outbox (due_at, message_id);

-- Every webhook attempt, newest first for GET /messages/log; pruned by time. seq is never reused.
CREATE TABLE message_log (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    external_id TEXT,
    campaign_id TEXT,
    canvas_id   TEXT,
    step_id     TEXT,
    time        BIGINT  NOT NULL,
    method      TEXT,
    url         TEXT,
    status_code INTEGER,
    attempt     INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    detail      TEXT,
    excerpt     TEXT
);
CREATE INDEX message_log_user ON message_log (user_id, seq);
CREATE INDEX message_log_campaign ON message_log (campaign_id, seq);
CREATE INDEX message_log_canvas ON message_log (canvas_id, seq);
CREATE INDEX message_log_time ON message_log (time);
