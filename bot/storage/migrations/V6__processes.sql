-- Several precis processes on one database (issue 13). Each process registers itself and
-- beats; it is live while its heartbeat is recent.
CREATE TABLE processes (
    id           TEXT PRIMARY KEY,  -- a uuid made at start
    kind         TEXT NOT NULL CHECK (kind IN ('run', 'worker')),
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    -- the machine and pid namespace `pid` is in ('' when unknown): a process there whose pid
    -- is gone is dead, without waiting for its heartbeat to age
    pid_space    TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
CREATE INDEX processes_live ON processes (heartbeat_at);
CREATE INDEX processes_by_pid_space ON processes (pid_space);

-- A feed being polled: by which process, until when (a dead one's lease runs out).
ALTER TABLE feeds ADD COLUMN leased_by TEXT;
ALTER TABLE feeds ADD COLUMN lease_until INTEGER;

-- The process that sends a channel's cards, until when: one at a time, so that a channel's
-- cards go in order and once.
CREATE TABLE channel_claims (
    channel_id INTEGER PRIMARY KEY,
    owner      TEXT NOT NULL,
    until      INTEGER NOT NULL
);
CREATE INDEX channel_claims_by_owner ON channel_claims (owner);
