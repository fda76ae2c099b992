-- Kept in lockstep with ../sqlite/V5__event_pages.sql.

-- The event log in pages (EventPages): the rows of one commit in consecutive seq order, encoded together
-- (JournalCodec.encodeEvents, LZ4). One insert per page instead of one per row. Rows of event_log (before this
-- migration) stay there and are read first: every seq in a page is above every seq in event_log.
CREATE TABLE event_pages (
    first_seq       BIGINT  NOT NULL PRIMARY KEY,
    last_seq        BIGINT  NOT NULL,
    row_count       INTEGER NOT NULL,
    min_recorded_at BIGINT  NOT NULL,
    max_recorded_at BIGINT  NOT NULL,
    data            BYTEA   NOT NULL
);

-- The highest seq ever handed out, which pruning must not lower (readers page by seq): taken from event_log's
-- identity now, and written by every prune of pages before it deletes them.
INSERT INTO meta (key, value, updated_at)
SELECT 'event_log:high_water',
       GREATEST(COALESCE((SELECT last_value FROM pg_sequences
                          WHERE schemaname = current_schema() AND sequencename = 'event_log_seq_seq'), 0),
                COALESCE((SELECT MAX(seq) FROM event_log), 0))::text,
       0
ON CONFLICT (key) DO NOTHING;
