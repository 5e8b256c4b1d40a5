-- Per-server settings changed by admins with /config; a missing row means the key's default.
-- Times are unix seconds (BIGINT), as on SQLite, so that `precis db copy` moves rows as they are.
CREATE TABLE guild_settings (
    guild_id   BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint,
    PRIMARY KEY (guild_id, key)
);
