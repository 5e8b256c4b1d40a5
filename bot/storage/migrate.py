"""Numbered SQL migrations, one folder per dialect: SQLite's in `migrations/V{n}__desc.sql`
(version kept in `PRAGMA user_version`), PostgreSQL's in `migrations/postgresql/` (applied by
`bot.storage.postgresql.migrate`). Both dialects number the same schema changes alike."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

MIGRATION_NAME = re.compile(r"V(\d+)__(\w+)\.sql")
# Where each dialect's migrations are, under the `bot.storage` package.
MIGRATION_FOLDERS = {"sqlite": "migrations", "postgresql": "migrations/postgresql"}


class SchemaTooNew(Exception):
    """The database was written by a newer precis than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file, applied once, in its own transaction."""

    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        """The file's statements, split where SQLite says a statement is complete (triggers too)."""
        statements, pending = [], ""
        for line in self.sql.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                statements.append(pending.strip())
                pending = ""
        if pending.strip() and not pending.strip().startswith("--"):
            statements.append(pending.strip())
        return statements


def available_migrations(dialect: str = "sqlite") -> list[Migration]:
    """The dialect's packaged migrations in order; RuntimeError when their numbers have a gap."""
    folder = resources.files("bot.storage").joinpath(MIGRATION_FOLDERS[dialect])
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


def latest_version() -> int:
    """The schema version this precis upgrades a database to."""
    return len(available_migrations())


def refuse_if_too_new(current: int, latest: int) -> None:
    """SchemaTooNew when a database is at a version after the last migration this precis has."""
    if current > latest:
        raise SchemaTooNew(
            f"The database is at schema version {current}, but this precis knows only up to "
            f"{latest}: upgrade precis, or point PRECIS_DATABASE at another database."
        )


async def schema_version(conn: aiosqlite.Connection) -> int:
    """The database's `user_version`: the last migration applied (0 for a new file)."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def upgrade(conn: aiosqlite.Connection) -> int:
    """Apply every pending migration in one transaction; return the version now in force."""
    migrations = available_migrations()
    current = await schema_version(conn)
    refuse_if_too_new(current, len(migrations))
    pending = [migration for migration in migrations if migration.version > current]
    if not pending:
        return current
    await conn.execute("BEGIN IMMEDIATE")
    try:
        for migration in pending:
            for statement in migration.statements():
                await conn.execute(statement)
        await conn.execute(f"PRAGMA user_version = {pending[-1].version}")
    except BaseException:
        await conn.rollback()
        raise
    await conn.commit()
    return pending[-1].version
