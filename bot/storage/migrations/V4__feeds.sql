-- Feeds, fetched once per poll whatever the number of servers that follow them.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,
    title         TEXT    NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    last_success  INTEGER,
    last_error    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,   -- consecutive
    next_poll     INTEGER NOT NULL DEFAULT 0,   -- unix time
    paused        INTEGER NOT NULL DEFAULT 0    -- after too many failures, until /feed resume
);
CREATE INDEX feeds_due ON feeds (paused, next_poll);

-- Which servers follow which feeds.
CREATE TABLE guild_feeds (
    guild_id INTEGER NOT NULL,
    feed_id  INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    added_by INTEGER,
    added_at INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (guild_id, feed_id)
) WITHOUT ROWID;
CREATE INDEX guild_feeds_by_feed ON guild_feeds (feed_id);

-- Entries already seen in a feed, by guid or normalised link: only unseen ones are new.
CREATE TABLE feed_entries (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key  TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    seen_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;

-- A channel's topics: a card is posted there for each new article one of them matches.
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    topic      TEXT    NOT NULL,   -- canonical text of the parsed topic
    created_by INTEGER,
    created_at INTEGER NOT NULL DEFAULT (unixepoch()),
    paused     INTEGER NOT NULL DEFAULT 0,   -- the channel could not be posted in
    UNIQUE (channel_id, topic)
);
CREATE INDEX subscriptions_by_guild ON subscriptions (guild_id, channel_id);

-- One card for one article in one channel, ever: recorded before posting, marked after.
-- state: pending (to post), sending (a post may be in flight), sent, failed (given up).
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic      TEXT,                 -- the subscription that matched; NULL for /post
    state      TEXT    NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    created_at INTEGER NOT NULL DEFAULT (unixepoch()),
    attempts   INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER,
    sent_at    INTEGER,
    last_error TEXT,
    UNIQUE (channel_id, article_id)
);
CREATE INDEX deliveries_open ON deliveries (state, created_at);
CREATE INDEX deliveries_sent ON deliveries (channel_id, sent_at);
