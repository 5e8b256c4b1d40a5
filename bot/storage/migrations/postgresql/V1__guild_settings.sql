-- Per-server settings changed by admins with /config; a missing row means the key's default.
-- Times are unix seconds (BIGINT), cut down to the second as SQLite's unixepoch() does,
-- so that a row written now is never dated after the clock of the process that wrote it.
CREATE TABLE guild_settings (
    guild_id   BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT floor(extract(epoch FROM now()))::bigint,
    PRIMARY KEY (guild_id, key)
);
