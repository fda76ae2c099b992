-- Kept in lockstep with ../postgresql/V5__event_pages.sql.

-- The event log in pages (EventPages): the rows of one commit, or of one run of the write-behind journal, in
-- consecutive seq order, encoded together (JournalCodec.encodeEvents, LZ4). One insert per page instead of one per
-- row: the event log was half the rows the store wrote per event. Rows of event_log (before this migration) stay
-- there and are read first: every seq in a page is above every seq in event_log.
CREATE TABLE event_pages (
    first_seq       BIGINT  NOT NULL PRIMARY KEY,
    last_seq        BIGINT  NOT NULL,
    row_count       INTEGER NOT NULL,
    min_recorded_at BIGINT  NOT NULL,
    max_recorded_at BIGINT  NOT NULL,
    data            BLOB    NOT NULL
);

-- The highest seq ever handed out, which pruning must not lower (readers page by seq): taken from event_log's
-- AUTOINCREMENT counter now, and written by every prune of pages before it deletes them.
INSERT INTO meta (key, value, updated_at)
SELECT 'event_log:high_water',
       CAST(MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'event_log'), 0),
                COALESCE((SELECT MAX(seq) FROM event_log), 0)) AS TEXT),
       0
ON CONFLICT (key) DO NOTHING;
