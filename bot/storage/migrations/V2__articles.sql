-- Articles the bot has read, found again by any URL that led to them or by their content.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    url           TEXT UNIQUE,              -- canonical URL; NULL for a pasted text
    content_hash  TEXT    NOT NULL UNIQUE,  -- sha256 of title and paragraphs
    title         TEXT    NOT NULL,
    paragraphs    TEXT    NOT NULL,         -- JSON list of strings
    author        TEXT,
    published     TEXT,
    site_name     TEXT,
    image         TEXT,
    word_count    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL DEFAULT (unixepoch())
);

-- Every URL that was asked for (before redirects) and the article it gave.
CREATE TABLE article_urls (
    url        TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Which servers have seen an article: quote search is per server.
CREATE TABLE article_sightings (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (article_id, guild_id)
) WITHOUT ROWID;
CREATE INDEX article_sightings_by_guild ON article_sightings (guild_id, seen_at);

-- Summaries, cached by article, method and length.
CREATE TABLE summaries (
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    method          TEXT    NOT NULL,
    length          INTEGER NOT NULL,
    sentences       TEXT    NOT NULL,      -- JSON list of strings, in document order
    total_sentences INTEGER NOT NULL,
    created_at      INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (article_id, method, length)
) WITHOUT ROWID;
