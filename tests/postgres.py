"""A PostgreSQL server for the tests: one template database migrated once a session, and a
fresh database made from it for each test that runs on PostgreSQL, dropped after.

The server is `PRECIS_TEST_POSTGRES` (a URL whose database exists and whose user may create
databases), else the local server as `root` or `postgres`. When none answers, the PostgreSQL
half of the tests is skipped, unless `CI=true`: then it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.storage.postgresql import PostgresStorage

LOCAL_SERVERS = (
    "postgresql://root@127.0.0.1:5432/test",
    "postgresql://postgres@127.0.0.1:5432/test",
)
T = TypeVar("T")


def run_apart(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end on a loop of its own, in another thread: the fixtures that
    make and drop databases are called from inside the tests' running loop."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work()).result()  # type: ignore[arg-type]


def with_database(url: str, name: str) -> str:
    """The server's URL with another database name."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass(frozen=True)
class PostgresServer:
    """A reachable server (`admin_url`: a database to run CREATE DATABASE from) and the
    template database holding this session's schema."""

    admin_url: str
    template: str

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    @contextlib.contextmanager
    def fresh_database(self, *, migrated: bool = True) -> Iterator[str]:
        """The URL of a new database, a copy of the template (or empty: not `migrated`),
        dropped on the way out."""
        name = f"precis_test_{secrets.token_hex(6)}"
        template = self.template if migrated else "template0"
        run_apart(lambda: self._admin(f"CREATE DATABASE {name} TEMPLATE {template}"))
        try:
            yield with_database(self.admin_url, name)
        finally:
            run_apart(lambda: self._admin(f"DROP DATABASE {name} WITH (FORCE)"))

    def drop_template(self) -> None:
        run_apart(lambda: self._admin(f"DROP DATABASE {self.template} WITH (FORCE)"))


async def reachable_server() -> tuple[str | None, str]:
    """The first server URL that accepts a connection, or None and why none did."""
    chosen = os.environ.get("PRECIS_TEST_POSTGRES")
    errors = []
    for url in [chosen] if chosen else LOCAL_SERVERS:
        try:
            conn = await asyncpg.connect(url, timeout=3)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            errors.append(f"{url}: {error}")
            continue
        await conn.close()
        return url, ""
    return None, "; ".join(errors)


def start_postgres_server() -> PostgresServer:
    """The server with a migrated template database; skips the test (fails it on CI) when no
    server answers."""
    url, why = run_apart(reachable_server)
    if url is None:
        reason = f"PostgreSQL not reachable at {why}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(url, f"precis_template_{secrets.token_hex(6)}")
    run_apart(lambda: server._admin(f"CREATE DATABASE {server.template}"))

    async def migrate() -> None:
        storage = await PostgresStorage.open(with_database(url, server.template))
        await storage.close()

    run_apart(migrate)
    return server
