-- People quoted, by normalised name (speaker_key), with the best spelling seen and a count.
CREATE TABLE speakers (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    quote_count INTEGER NOT NULL DEFAULT 0
);

-- Every direct quotation in a stored article; offsets index into the article's text.
CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    article_id       INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start            INTEGER NOT NULL,
    end              INTEGER NOT NULL,
    text             TEXT    NOT NULL,
    speaker          TEXT,              -- as written: "Sullivan", "he", "a spokesman"
    speaker_resolved TEXT,              -- the person, where the text allows: "Jake Sullivan"
    speaker_id       INTEGER REFERENCES speakers (id),
    description      TEXT,
    cue              TEXT,
    sentence         TEXT    NOT NULL,
    UNIQUE (article_id, start)
);
CREATE INDEX quotes_by_speaker ON quotes (speaker_id);

-- Full-text search over quote text and speaker names, ranked by bm25.
CREATE VIRTUAL TABLE quotes_fts USING fts5 (
    text, speaker_resolved, description,
    content = 'quotes', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER quotes_added AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts (rowid, text, speaker_resolved, description)
    VALUES (new.id, new.text, new.speaker_resolved, new.description);
    UPDATE speakers SET quote_count = quote_count + 1 WHERE id = new.speaker_id;
END;

CREATE TRIGGER quotes_removed AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, text, speaker_resolved, description)
    VALUES ('delete', old.id, old.text, old.speaker_resolved, old.description);
    UPDATE speakers SET quote_count = quote_count - 1 WHERE id = old.speaker_id;
END;
