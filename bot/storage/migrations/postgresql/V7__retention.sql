-- What the hourly purge (`Storage.purge`) reads by, so that it never scans a whole table:
-- articles by age, the rows that point at an article, and each feed's seen entries by age.
-- (Deliveries by state and age are `deliveries_open`; by article, `deliveries_by_article`;
-- URLs by article, `article_urls_by_article`; quotes by article, their UNIQUE key.)
CREATE INDEX articles_by_age ON articles (created_at);
CREATE INDEX feed_entries_by_article ON feed_entries (article_id);
CREATE INDEX feed_entries_by_age ON feed_entries (feed_id, seen_at);
-- A server's speakers (autocomplete) read each of its articles' quotes' speaker from here.
CREATE INDEX quotes_speakers_by_article ON quotes (article_id, speaker_id);
