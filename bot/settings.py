"""Typed settings, read once at start from the environment and `.env`.

Every bad value stops start-up with one line that names the setting; `.env.example` lists them all.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
DEFAULT_DATABASE = Path("data/precis.db")
# `scheme:` at the start (two letters at least, so `C:\` stays a path): a URL, not a file.
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


class SettingsError(Exception):
    """A setting is missing or has a bad value; the message names it and says how to fix it."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    database: Path
    prefix: str
    sync_on_start: str  # "" (don't), "global", or a guild id
    log_level: str
    allow_private_urls: bool
    poll_seconds: int
    message_content: bool

    @property
    def sync_guild_id(self) -> int | None:
        return int(self.sync_on_start) if self.sync_on_start.isdigit() else None


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
    if only is not None:
        values = {name: value for name, value in values.items() if name in only}

    token = values.get("DISCORD_TOKEN", "").strip()
    if not token and (only is None or "DISCORD_TOKEN" in only):
        raise SettingsError(
            "DISCORD_TOKEN is not set: put DISCORD_TOKEN=<your bot token> in .env "
            "(see .env.example) or in the environment."
        )
    return Settings(
        token=token,
        database=_database(values.get("PRECIS_DATABASE", "")),
        prefix=_prefix(values.get("PRECIS_PREFIX", "!")),
        sync_on_start=_sync_target(values.get("PRECIS_SYNC_ON_START", "")),
        log_level=_log_level(values.get("PRECIS_LOG_LEVEL", "INFO")),
        allow_private_urls=_boolean("PRECIS_ALLOW_PRIVATE_URLS", values, default=False),
        poll_seconds=_poll_seconds(values.get("PRECIS_POLL_SECONDS", "600")),
        message_content=_boolean("PRECIS_MESSAGE_CONTENT", values, default=False),
    )


def _database(raw: str) -> Path:
    path = raw.strip()
    if URL_SCHEME.match(path):
        raise SettingsError(
            f"PRECIS_DATABASE must be a SQLite file path: URLs ({raw!r}) are not supported."
        )
    return Path(path) if path else DEFAULT_DATABASE


def _prefix(raw: str) -> str:
    prefix = raw.strip()
    if not prefix or len(prefix) > 5:
        raise SettingsError(f"PRECIS_PREFIX must be 1 to 5 characters, not {raw!r}.")
    return prefix


def _sync_target(raw: str) -> str:
    target = raw.strip().lower()
    if target in ("", "global") or target.isdigit():
        return target
    raise SettingsError(
        f"PRECIS_SYNC_ON_START must be empty, 'global' or a server id, not {raw!r}."
    )


def _log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"PRECIS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}."
        )
    return level


def _boolean(name: str, values: Mapping[str, str], *, default: bool) -> bool:
    raw = values.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}.")


def _poll_seconds(raw: str) -> int:
    try:
        seconds = int(raw.strip())
    except ValueError:
        seconds = 0
    if seconds < 30:
        raise SettingsError(
            f"PRECIS_POLL_SECONDS must be a whole number of at least 30, not {raw!r}."
        )
    return seconds


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
