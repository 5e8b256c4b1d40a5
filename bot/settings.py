"""Typed settings, read once at start from the environment and `.env`.

Each setting is declared once, as a field of `Settings`: its environment variable, default,
parser and description. Loading, the one-line error for a bad value, `.env.example` and the
README's configuration table all come from that declaration.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
# `scheme:` at the start (two letters at least, so `C:\` stays a path): a URL, not a file.
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
# The URLs `PRECIS_DATABASE` takes, for PostgreSQL (as `bot.storage.open_storage` reads them).
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_DATABASE = "data/precis.db"

T = TypeVar("T")


class SettingsError(Exception):
    """A setting is missing or has a bad value; the message names it and says how to fix it."""


class BadValue(ValueError):
    """A parser's complaint, worded to follow the variable's name ("must be ..., not 'x'.")."""


@dataclass(frozen=True, slots=True)
class Setting:
    """How one setting is read: from `variable`, else `default` (None: required)."""

    variable: str
    default: str | None
    parse: Callable[[str], Any]
    description: str

    @property
    def required(self) -> bool:
        """Whether the variable must be set: it has no default."""
        return self.default is None


def setting(variable: str, default: str | None, parse: Callable[[str], T], description: str) -> T:
    """Declare a field of `Settings` (typed by what `parse` returns), like pydantic's `Field`."""
    declared = Setting(variable, default, parse, description)
    return dataclasses.field(metadata={"setting": declared})


def _text(raw: str) -> str:
    return raw.strip()


def _database(raw: str) -> Path | str:
    target = raw.strip()
    if target.startswith(POSTGRESQL_SCHEMES):
        return target
    if URL_SCHEME.match(target):
        raise BadValue(
            f"must be a SQLite file path or a postgresql:// URL, not {raw!r}: other URLs are "
            "not supported."
        )
    return Path(target or DEFAULT_DATABASE)


def _prefix(raw: str) -> str:
    prefix = raw.strip()
    if not prefix or len(prefix) > 5:
        raise BadValue(f"must be 1 to 5 characters, not {raw!r}.")
    return prefix


def _sync_target(raw: str) -> str:
    target = raw.strip().lower()
    if target in ("", "global") or target.isdigit():
        return target
    raise BadValue(f"must be empty, 'global' or a server id, not {raw!r}.")


def _log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise BadValue(f"must be one of {', '.join(LOG_LEVELS)}, not {raw!r}.")
    return level


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue(f"must be true or false, not {raw!r}.")


def _poll_seconds(raw: str) -> int:
    try:
        seconds = int(raw.strip())
    except ValueError:
        seconds = 0
    if seconds < 30:
        raise BadValue(f"must be a whole number of at least 30, not {raw!r}.")
    return seconds


def _posts_per_second(raw: str) -> float:
    try:
        rate = float(raw.strip())
    except ValueError:
        rate = 0.0
    if not 0 < rate < math.inf:  # also refuses "nan"
        raise BadValue(f"must be a number above 0, not {raw!r}.")
    return rate


def _port(raw: str) -> int:
    text = raw.strip() or "0"
    if not text.isdigit() or int(text) > 65535:
        raise BadValue(f"must be a port number from 1 to 65535, or 0 for none, not {raw!r}.")
    return int(text)


def _host(raw: str) -> str:
    host = raw.strip()
    if not host:
        raise BadValue("must be an address to listen on, such as 127.0.0.1 or 0.0.0.0.")
    return host


def _lease_seconds(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) < 3:
        raise BadValue(f"must be a whole number of at least 3, not {raw!r}.")
    return int(text)


def _retention_days(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit():
        raise BadValue(f"must be a whole number of days (0: keep everything), not {raw!r}.")
    return int(text)


def _cpu_workers(raw: str) -> int | None:
    """A count of worker processes; None (`auto`) is one per core."""
    word = raw.strip().lower()
    if word in ("", "auto"):
        return None
    if not word.isdigit():
        raise BadValue(f"must be `auto` or a whole number (0: threads), not {raw!r}.")
    return int(word)


@dataclass(frozen=True, slots=True)
class Settings:
    """The process settings, in the order `.env.example` and the README list them."""

    token: str = setting(
        "DISCORD_TOKEN", None, _text, "the bot token, from the Discord developer portal"
    )
    database: Path | str = setting(  # a Path for SQLite, a str for a PostgreSQL URL
        "PRECIS_DATABASE",
        DEFAULT_DATABASE,
        _database,
        "the SQLite file, created with its folder on first start; or a PostgreSQL database, "
        "`postgresql://user:password@host:5432/name`, which several precis processes can share",
    )
    prefix: str = setting(
        "PRECIS_PREFIX",
        "!",
        _prefix,
        "prefix for text commands; the bot's mention always works too",
    )
    sync_on_start: str = setting(  # "" (don't), "global", or a guild id
        "PRECIS_SYNC_ON_START",
        "",
        _sync_target,
        "empty: don't sync slash commands (the owner's `sync` command does); `global`; "
        "or a server id",
    )
    log_level: str = setting(
        "PRECIS_LOG_LEVEL", "INFO", _log_level, "`DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`"
    )
    allow_private_urls: bool = setting(
        "PRECIS_ALLOW_PRIVATE_URLS",
        "false",
        _boolean,
        "allow fetching pages and feeds from private, loopback and link-local addresses",
    )
    poll_seconds: int = setting(
        "PRECIS_POLL_SECONDS", "600", _poll_seconds, "seconds between feed polls (at least 30)"
    )
    message_content: bool = setting(
        "PRECIS_MESSAGE_CONTENT",
        "false",
        _boolean,
        "ask for the privileged Message Content intent, so the bare prefix works in servers",
    )
    posts_per_second: float = setting(
        "PRECIS_POSTS_PER_SECOND",
        "45",
        _posts_per_second,
        "requests a second, at most, that delivering cards makes to Discord, whose budget is 50 "
        "a second per bot",
    )
    metrics_port: int = setting(
        "PRECIS_METRICS_PORT",
        "0",
        _port,
        "the port of the HTTP server of `/metrics` (Prometheus) and `/healthz`; 0: no server",
    )
    metrics_host: str = setting(
        "PRECIS_METRICS_HOST",
        "127.0.0.1",
        _host,
        "the address that server listens on (`0.0.0.0`: every interface)",
    )
    cpu_workers: int | None = setting(
        "PRECIS_CPU_WORKERS",
        "auto",
        _cpu_workers,
        "processes that parse feeds, extract articles, find quotes and summarise: `auto` (one "
        "per core) or a number; 0 runs that work in threads of the bot's own process",
    )
    fast_feeds: bool = setting(
        "PRECIS_FAST_FEEDS",
        "true",
        _boolean,
        "read plain RSS 2.0 and Atom with the fast lxml reader (feedparser reads the rest); "
        "false: feedparser reads every feed",
    )
    lease_seconds: int = setting(
        "PRECIS_LEASE_SECONDS",
        "30",
        _lease_seconds,
        "processes sharing a database: a process that stops beating (every third of this) is "
        "taken for dead, and its feeds and channels go to the others, after this many seconds",
    )
    retention_days: int = setting(
        "PRECIS_RETENTION_DAYS",
        "90",
        _retention_days,
        "days an article, its quotes and summaries, and posted cards are kept (an hourly purge "
        "deletes older ones; cards still owed and what feeds still list stay); 0: keep everything",
    )

    @property
    def sync_guild_id(self) -> int | None:
        """The server commands are synced to at start, when `sync_on_start` names one."""
        return int(self.sync_on_start) if self.sync_on_start.isdigit() else None


def declared_settings() -> Iterator[tuple[str, Setting]]:
    """Each field of `Settings` with its declaration, in order."""
    for field in dataclasses.fields(Settings):
        yield field.name, field.metadata["setting"]


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = Path(".env"),
    *,
    only: Collection[str] | None = None,
) -> Settings:
    """Settings from `environ` (default: the process environment) over the values in `env_file`.

    With `only`, the other settings are not read and keep their defaults: a command that does
    not use a setting is not stopped by a bad value of it (`extract` needs no token).
    """
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    loaded: dict[str, Any] = {}
    for name, declared in declared_settings():
        read = only is None or declared.variable in only
        raw = values.get(declared.variable) if read else None
        loaded[name] = _value(declared, raw, check_required=read)
    return Settings(**loaded)


def _value(declared: Setting, raw: str | None, *, check_required: bool) -> Any:
    """The parsed value of `raw`, else of the default; a bad or missing one stops start-up."""
    # The token is the one required setting, hence the wording.
    if declared.required and check_required and not (raw or "").strip():
        raise SettingsError(
            f"{declared.variable} is not set: put {declared.variable}=<your bot token> in .env "
            "(see .env.example) or in the environment."
        )
    if raw is None:
        raw = declared.default or ""
    try:
        return declared.parse(raw)
    except BadValue as error:
        raise SettingsError(f"{declared.variable} {error}") from None


ENV_EXAMPLE_HEADER = (
    "# precis settings. Copy to .env and fill in DISCORD_TOKEN;"
    " every other line shows its default.\n"
    "# Written from the declarations in bot/settings.py (`env_example()`); a test holds it.\n"
)


def env_example() -> str:
    """The text of `.env.example`: each setting with its description and default."""
    blocks = [ENV_EXAMPLE_HEADER]
    for _, declared in declared_settings():
        note = " (required)" if declared.required else ""
        comment = declared.description[0].upper() + declared.description[1:] + note
        blocks.append(f"# {comment}.\n{declared.variable}={declared.default or ''}\n")
    return "\n".join(blocks)


def readme_table() -> str:
    """The README's configuration table: each setting with its default and meaning."""
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for _, declared in declared_settings():
        default = declared.default
        shown = "(required)" if default is None else f"`{default}`" if default else "empty"
        rows.append(f"| `{declared.variable}` | {shown} | {declared.description} |")
    return "\n".join(rows) + "\n"


def configure_logging(level: str) -> None:
    """Log to stderr at this level, one timestamped line a record."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
