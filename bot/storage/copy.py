"""`precis db copy`: a whole database from one backend to another (or the same), table by
table, ids kept, into a target that holds no rows yet, all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

# Every table, parents before the rows that point at them. The search indexes (SQLite's FTS5
# table, PostgreSQL's generated column) are not copied: the target builds its own.
TABLES = (
    "guild_settings",
    "articles",
    "article_urls",
    "article_sightings",
    "summaries",
    "speakers",
    "quotes",
    "feeds",
    "guild_feeds",
    "feed_entries",
    "subscriptions",
    "deliveries",
)
Rows = list[tuple[Any, ...]]
# The quote count of each speaker, as the quotes copied make it: the triggers count each one
# as it is inserted, over the count copied with the speaker.
RECOUNT_SPEAKERS = (
    "UPDATE speakers SET quote_count = (SELECT COUNT(*) FROM quotes q WHERE q.speaker_id = "
    "speakers.id)"
)


class CopyRefused(Exception):
    """The copy cannot be made (target not empty, schemas apart); the message says why."""


class Reads(Protocol):
    """A backend's reads: `fetch_all` and `fetch_value` of its `Database`."""

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]: ...

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class Copyable(Protocol):
    """What a backend's storage offers `copy_database`, besides the `Storage` protocol."""

    @property
    def db(self) -> Reads:
        """Its database, to read tables with."""
        ...

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        ...

    async def table_columns(self, table: str) -> list[str]:
        """The columns a row of this table is written with (no generated ones)."""
        ...

    async def write_tables(self, tables: Sequence[tuple[str, Sequence[str], Rows]]) -> None:
        """Insert these rows as they are, ids included, in one transaction, then bring what
        the database derives from them (counters, id sequences) up to date."""
        ...


async def read_table(storage: Copyable, table: str, columns: Sequence[str]) -> Rows:
    """Every row of the table, these columns, in no order (the same SQL on both backends)."""
    names = ", ".join(f'"{column}"' for column in columns)
    return [tuple(row) for row in await storage.db.fetch_all(f"SELECT {names} FROM {table}")]


async def row_count(storage: Copyable, table: str) -> int:
    """How many rows the table holds."""
    return int(await storage.db.fetch_value(f"SELECT COUNT(*) FROM {table}"))


async def copy_database(source: Copyable, target: Copyable) -> dict[str, int]:
    """Copy every row of `source` into `target`, which must be at the same schema version and
    hold no row; the rows copied, by table. CopyRefused, the target untouched, when it can't;
    CopyRefused too when the target's row counts differ from the source's after."""
    if await source.schema_version() != await target.schema_version():
        raise CopyRefused("the two databases are at different schema versions")
    filled = [table for table in TABLES if await row_count(target, table)]
    if filled:
        raise CopyRefused(f"the target is not empty ({', '.join(filled)} have rows)")
    tables = []
    for table in TABLES:
        columns = await target.table_columns(table)
        if sorted(columns) != sorted(await source.table_columns(table)):
            raise CopyRefused(f"the two databases' {table} tables have different columns")
        tables.append((table, columns, await read_table(source, table, columns)))
    await target.write_tables(tables)
    copied = {table: len(rows) for table, _, rows in tables}
    for table, expected in copied.items():
        found = await row_count(target, table)
        if found != expected:
            raise CopyRefused(f"{table}: {expected} rows read, but the target holds {found}")
    return copied
