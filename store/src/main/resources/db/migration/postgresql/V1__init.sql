-- Kept in lockstep with ../sqlite/V1__init.sql: same tables, columns and indexes.

-- One row per profile; state is the whole profile (UserStateCodec). email is lower-cased by the store.
CREATE TABLE users (
    user_id     TEXT    NOT NULL PRIMARY KEY,
    external_id TEXT,
    email       TEXT,
    state       BYTEA   NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX users_email ON users (email);

-- Identity keys (IdentityKeys: external ids, aliases) to internal ids.
CREATE TABLE identities (
    key     TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL
);
CREATE INDEX identities_user_id ON identities (user_id);

-- An identity, not a recycled sequence: a pruned seq is never handed out again; readers page by seq.
CREATE TABLE event_log (
    seq         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    external_id TEXT,
    type        TEXT    NOT NULL,
    time        BIGINT  NOT NULL,
    data        TEXT    NOT NULL,
    recorded_at BIGINT  NOT NULL
);
CREATE INDEX event_log_recorded_at ON event_log (recorded_at);

CREATE TABLE api_keys (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    key_hash   TEXT   NOT NULL UNIQUE,
    scopes     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
