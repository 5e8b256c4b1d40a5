"""Per-server settings: one registry of keys, and the service that validates and stores them.

Each key is declared once, as a field of `GuildSettings` (its type, default, description, what
a user may type and its parser); `CONFIG_KEYS`, `/config` and every reader come from that.
A later feature adds its key by adding one field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.errors import UserError
from bot.model import DEFAULT_SUMMARY_METHOD, SUMMARY_METHODS
from bot.storage import GuildSettingsRepository

CHANNEL_MENTION = re.compile(r"<#(\d+)>|(\d{15,25})")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One per-server setting, as `config_field` declares it on `GuildSettings`."""

    name: str
    description: str
    default: Any
    valid: str  # what a user may type, shown when they type something else
    parse: Callable[[str], Any]  # raises ValueError on a bad value

    @property
    def is_channel(self) -> bool:
        """Whether the value is a channel id (a front end shows it as the channel)."""
        return self.parse is parse_channel


class UnknownSetting(UserError):
    """A setting name that is not one of `CONFIG_KEYS`."""

    def __init__(self, name: str) -> None:
        super().__init__(f"There is no setting {name}. Settings: {', '.join(CONFIG_KEYS)}.")
        self.name = name


class InvalidValue(UserError):
    """A value the setting's parser refuses; `key.valid` says what it takes."""

    def __init__(self, key: ConfigKey, raw: str) -> None:
        super().__init__(f"{raw} is not a valid {key.name}: use {key.valid}.")
        self.key = key
        self.raw = raw


def integer_between(low: int, high: int) -> Callable[[str], int]:
    """A parser of whole numbers from `low` to `high`."""

    def parse(raw: str) -> int:
        value = int(raw.strip())
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    """A parser of one of `choices`, in any case."""

    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ValueError(raw)
        return value

    return parse


def parse_channel(raw: str) -> int | None:
    """A channel id from a mention (`<#id>`) or a bare id; None for `none` or `off`."""
    if raw.strip().lower() in ("none", "off"):
        return None
    match = CHANNEL_MENTION.fullmatch(raw.strip())
    if not match:
        raise ValueError(raw)
    return int(match[1] or match[2])


def config_field(default: T, description: str, valid: str, parse: Callable[[str], T]) -> T:
    """Declare a field of `GuildSettings`: `valid` is shown when a user types something else;
    `parse` raises ValueError on a bad value."""
    rule = {"description": description, "valid": valid, "parse": parse}
    return dataclasses.field(default=default, metadata={"config": rule})


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """A server's settings, in the order `/config show` lists them."""

    summary_sentences: int = config_field(
        3,
        "How many sentences a summary has.",
        "a whole number from 1 to 10",
        integer_between(1, 10),
    )
    summary_method: str = config_field(
        DEFAULT_SUMMARY_METHOD,
        "How summaries pick their sentences.",
        "one of " + ", ".join(SUMMARY_METHODS),
        one_of(SUMMARY_METHODS),
    )
    max_feeds: int = config_field(
        50,
        "How many feeds this server may follow.",
        "a whole number from 1 to 500",
        integer_between(1, 500),
    )
    backfill: int = config_field(
        0,
        "How many of a new feed's latest entries to post when it is added.",
        "a whole number from 0 to 20",
        integer_between(0, 20),
    )
    max_posts_per_hour: int = config_field(
        20,
        "Cards a channel gets in an hour at most; the rest wait for the next hour.",
        "a whole number from 1 to 120",
        integer_between(1, 120),
    )
    admin_channel: int | None = config_field(
        None,
        "Where the bot tells admins about paused feeds and channels.",
        "a channel (#news-admin) or none",
        parse_channel,
    )


CONFIG_KEYS: dict[str, ConfigKey] = {
    field.name: ConfigKey(field.name, default=field.default, **field.metadata["config"])
    for field in dataclasses.fields(GuildSettings)
}


def config_key(name: str) -> ConfigKey:
    """The setting a user named, in any case; `UnknownSetting` if there is none."""
    key = CONFIG_KEYS.get(name.strip().lower())
    if key is None:
        raise UnknownSetting(name)
    return key


class GuildConfig:
    """Reads and changes a server's settings, always as typed values with defaults filled in."""

    def __init__(self, repository: GuildSettingsRepository) -> None:
        self._repository = repository

    async def all(self, guild_id: int | None) -> GuildSettings:
        """Every setting of a server; the defaults outside servers (`guild_id` None)."""
        stored = {} if guild_id is None else await self._repository.get_all(guild_id)
        values = {}
        for name, key in CONFIG_KEYS.items():
            try:
                values[name] = key.parse(stored[name]) if name in stored else key.default
            except ValueError:  # a value that an older version allowed: fall back, don't fail
                values[name] = key.default
        return GuildSettings(**values)

    async def get(self, guild_id: int | None, name: str) -> Any:
        """One setting by the name a user typed."""
        return getattr(await self.all(guild_id), config_key(name).name)

    async def set(self, guild_id: int, name: str, raw: str) -> Any:
        """Store a setting from what a user typed; returns the typed value. Raises
        `UnknownSetting` or `InvalidValue`."""
        key = config_key(name)
        try:
            value = key.parse(raw)
        except ValueError:
            raise InvalidValue(key, raw) from None
        await self._repository.set(guild_id, key.name, "none" if value is None else str(value))
        return value

    async def reset(self, guild_id: int, name: str) -> Any:
        """Put a setting back to its default, which it returns."""
        key = config_key(name)
        await self._repository.delete(guild_id, key.name)
        return key.default
