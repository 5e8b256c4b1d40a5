"""PostgreSQL's migrations (`migrations/postgresql/V{n}__desc.sql`), numbered as SQLite's; the
version is kept in a one-row `schema_version` table, since PostgreSQL has no `user_version`."""

from __future__ import annotations

import asyncpg

from bot.storage.migrate import available_migrations, refuse_if_too_new

# Held by the migrating transaction, so that processes starting at once migrate one at a
# time: the next one finds the schema already up to date. ("prec" in ASCII.)
MIGRATION_LOCK = 0x70726563


async def schema_version(conn: asyncpg.Connection) -> int:
    """The last migration applied: 0 for a database precis has not written to yet."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


async def upgrade(conn: asyncpg.Connection) -> int:
    """Apply every pending migration in one transaction, under the migration lock; return the
    version now in force. SchemaTooNew, and nothing written, for a newer database."""
    migrations = available_migrations("postgresql")
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        current = await schema_version(conn)
        refuse_if_too_new(current, len(migrations))
        pending = [migration for migration in migrations if migration.version > current]
        if not pending:
            return current
        for migration in pending:
            await conn.execute(migration.sql)  # a whole file: several statements, no parameters
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        await conn.execute("DELETE FROM schema_version")
        await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", pending[-1].version)
    return pending[-1].version
