"""A local fake of Discord's REST API and gateway, so the real discord.py client can be tested.

Start it with `fake_discord()` (it also points discord.py at it), connect a bot with
`running_bot()`, dispatch events with the async helpers (`slash`, `click`, `send_message`...)
and inspect what the bot sent with `requests`, `wait_for`, `responses` and `messages_in`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import re
import zlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

JSON = dict[str, Any]
ClientT = TypeVar("ClientT", bound=discord.Client)

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
HEARTBEAT_INTERVAL_MS = 41_250
WAIT_TIMEOUT = 5.0  # seconds the helpers wait for the bot before failing the test

# Default world: the application's bot user has the application's id, as on real Discord.
APPLICATION_ID = 1_100_000_000_000_000_001
BOT_ID = APPLICATION_ID
OWNER_ID = 1_100_000_000_000_000_002
ADMIN_ID = 1_100_000_000_000_000_003
MEMBER_ID = 1_100_000_000_000_000_004
GUILD_ID = 1_200_000_000_000_000_001
GENERAL_CHANNEL_ID = 1_300_000_000_000_000_001
NEWS_CHANNEL_ID = 1_300_000_000_000_000_002
ADMIN_ROLE_ID = 1_400_000_000_000_000_001
BOT_ROLE_ID = 1_400_000_000_000_000_002

EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
).value
ADMIN_PERMISSIONS = discord.Permissions(
    manage_guild=True, manage_channels=True, manage_messages=True
).value
BOT_PERMISSIONS = discord.Permissions(
    manage_messages=True, use_external_emojis=True, send_messages_in_threads=True
).value
ALL_PERMISSIONS = discord.Permissions.all().value
MESSAGE_CONTENT_INTENT = discord.Intents(message_content=True).value
GUILD_MESSAGES_INTENT = discord.Intents(guild_messages=True).value
DM_MESSAGES_INTENT = discord.Intents(dm_messages=True).value

EPHEMERAL = 1 << 6
LOADING = 1 << 7
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_MENTION = re.compile(r"<@!?(\d+)>")
ChannelError = Literal["forbidden", "unknown_channel"]
_ERRORS: dict[ChannelError, tuple[int, int, str]] = {
    "forbidden": (403, 50013, "Missing Permissions"),
    "unknown_channel": (404, 10003, "Unknown Channel"),
}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes bodies whose Content-Type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


def _no_content() -> web.Response:
    return web.Response(status=204)


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": None if self.bot else self.username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    bot_id: int | None = None  # the managed role Discord gives a bot

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.bot_id is not None,
            "mentionable": False,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None

    def payload(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class FakeChannel:
    id: int
    name: str
    guild_id: int | None  # None for a DM
    type: int = 0  # 0 text, 1 DM, 2 voice, 4 category, 5 announcement
    position: int = 0
    topic: str | None = None
    recipient: FakeUser | None = None  # the other side of a DM

    def payload(self) -> JSON:
        if self.guild_id is None:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.recipient.payload()],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None,
            "nsfw": False,
            "flags": 0,
        }
        if self.type == 2:
            data |= {"bitrate": 64_000, "user_limit": 0, "rtc_region": None}
        elif self.type != 4:
            data |= {"topic": self.topic, "last_message_id": None, "rate_limit_per_user": 0}
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    def permissions_of(self, user_id: int) -> int:
        """Guild-wide permissions, as Discord computes them (no channel overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.roles[self.id].permissions
        for role_id in self.members[user_id].role_ids:
            value |= self.roles[role_id].permissions
        if value & discord.Permissions(administrator=True).value:
            return ALL_PERMISSIONS
        return value

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "system_channel_id": str(next(iter(self.channels))) if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500_000,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [r.payload() for r in self.roles.values()],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class RecordedRequest:
    """One REST call the client made, as the fake saw it."""

    method: str
    path: str  # relative to /api/v10, e.g. "/channels/1/messages"
    query: dict[str, str]
    json: Any  # the JSON body, or a multipart body's payload_json; None without a body
    files: list[tuple[str, bytes]]  # (filename, content) of multipart uploads
    headers: dict[str, str]
    status: int | None = None  # what the fake answered; None if it dropped or hung


_RECORD = web.RequestKey("record", RecordedRequest)


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched; its token finds the bot's answers."""

    id: int
    token: str
    payload: JSON


@dataclass
class _InteractionState:
    id: int
    token: str
    channel_id: int
    guild_id: int | None
    component_message_id: int | None = None  # the message whose component was used
    acknowledged: bool = False
    original_id: int | None = None
    loading: bool = False  # deferred with "thinking": the first follow-up replaces the original
    ephemeral: bool = False
    message_ids: list[int] = field(default_factory=list)


@dataclass
class _Fault:
    kind: Literal["status", "drop", "hang"]
    remaining: int
    status: int
    method: str | None
    path: str | None

    def matches(self, record: RecordedRequest) -> bool:
        return (self.method is None or record.method == self.method) and (
            self.path is None or record.path.startswith(self.path)
        )


@dataclass(eq=False)
class _GatewaySession:
    ws: web.WebSocketResponse
    compressor: Any  # zlib.compressobj() for zlib-stream, else None
    sequence: int = 0
    identified: bool = False

    async def send(self, payload: JSON) -> None:
        if self.ws.closed:
            return
        raw = json.dumps(payload)
        if self.compressor is None:
            await self.ws.send_str(raw)
            return
        # zlib-stream: one shared context, each message ends with a Z_SYNC_FLUSH marker.
        data = self.compressor.compress(raw.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        await self.ws.send_bytes(data)


class FakeDiscord:
    """The fake: world state (guilds, channels, messages), recorded requests, and the server."""

    def __init__(self) -> None:
        self.bot_user = FakeUser(BOT_ID, "precis", bot=True)
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.owner = self.add_user(OWNER_ID, "owner")
        self.guilds: dict[int, FakeGuild] = {}
        self.requests: list[RecordedRequest] = []
        self.gateway_payloads: list[JSON] = []  # every op the client sent on the gateway
        self.commands: dict[int | None, list[JSON]] = {}  # guild id (None: global) -> commands
        self.intents: int | None = None  # from the last IDENTIFY
        self._channels: dict[int, FakeChannel] = {}
        self._messages: dict[int, JSON] = {}
        self._channel_log: dict[int, list[int]] = {}
        self._interactions: dict[str, _InteractionState] = {}
        self._channel_errors: dict[int, ChannelError] = {}
        self._faults: list[_Fault] = []
        self._sessions: set[_GatewaySession] = set()
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._release_hung = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._add_default_guild()

    # --- world ---------------------------------------------------------------------------

    def snowflake(self, at: datetime | None = None) -> int:
        """A fresh, increasing id with a real timestamp (so before/after filters behave)."""
        return discord.utils.time_snowflake(at or datetime.now(UTC)) + next(self._ids) % 4096

    def add_user(self, user_id: int | None = None, username: str = "user") -> FakeUser:
        user = FakeUser(user_id or self.snowflake(), username)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        guild_id: int | None = None,
        owner_id: int = OWNER_ID,
        bot_role_id: int | None = None,
    ) -> FakeGuild:
        """A guild with an @everyone role, the bot as a member (with its managed role), and
        the owner as a member."""
        guild = FakeGuild(guild_id or self.snowflake(), name, owner_id)
        guild.roles[guild.id] = FakeRole(guild.id, "@everyone", EVERYONE_PERMISSIONS)
        bot_role = self.add_role(
            guild, "precis", BOT_PERMISSIONS, role_id=bot_role_id, bot_id=BOT_ID
        )
        self.add_member(guild, self.bot_user, [bot_role.id])
        self.add_member(guild, self.users[owner_id])
        self.guilds[guild.id] = guild
        return guild

    def add_role(
        self,
        guild: FakeGuild,
        name: str,
        permissions: int,
        *,
        role_id: int | None = None,
        bot_id: int | None = None,
    ) -> FakeRole:
        role = FakeRole(role_id or self.snowflake(), name, permissions, len(guild.roles), bot_id)
        guild.roles[role.id] = role
        return role

    def add_member(
        self, guild: FakeGuild, user: FakeUser, role_ids: list[int] | None = None
    ) -> FakeMember:
        member = FakeMember(user, list(role_ids or []))
        guild.members[user.id] = member
        return member

    def add_channel(
        self, guild: FakeGuild, name: str, *, channel_id: int | None = None, type: int = 0
    ) -> FakeChannel:
        channel = FakeChannel(
            channel_id or self.snowflake(), name, guild.id, type, len(guild.channels)
        )
        guild.channels[channel.id] = channel
        self._channels[channel.id] = channel
        return channel

    def dm_channel(self, user_id: int) -> FakeChannel:
        """The DM channel between the bot and a user, made on first use."""
        for channel in self._channels.values():
            if channel.recipient is not None and channel.recipient.id == user_id:
                return channel
        channel = FakeChannel(self.snowflake(), "", None, 1, recipient=self.users[user_id])
        self._channels[channel.id] = channel
        return channel

    def _add_default_guild(self) -> None:
        guild = self.add_guild("Precis Test Guild", guild_id=GUILD_ID, bot_role_id=BOT_ROLE_ID)
        admin_role = self.add_role(guild, "Moderators", ADMIN_PERMISSIONS, role_id=ADMIN_ROLE_ID)
        self.add_member(guild, self.add_user(ADMIN_ID, "admin"), [admin_role.id])
        self.add_member(guild, self.add_user(MEMBER_ID, "member"))
        self.add_channel(guild, "general", channel_id=GENERAL_CHANNEL_ID)
        self.add_channel(guild, "news", channel_id=NEWS_CHANNEL_ID)

    # --- failure injection ---------------------------------------------------------------

    def fail_channel(self, channel_id: int, error: ChannelError = "forbidden") -> None:
        """Every request under /channels/{id} answers 403 Missing Permissions (50013) or
        404 Unknown Channel (10003)."""
        self._channel_errors[channel_id] = error

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        method: str | None = "POST",
        path: str | None = None,
    ) -> None:
        """The next `count` matching requests answer `status`. Note discord.py retries 500,
        502, 504 and 524 up to 5 times, sleeping 1 s, 3 s, 5 s... in between; other statuses
        (a 503 included) raise at once."""
        self._faults.append(_Fault("status", count, status, method, path))

    def drop_next(
        self, count: int = 1, *, method: str | None = "POST", path: str | None = None
    ) -> None:
        """The next `count` matching requests get their connection closed with no answer."""
        self._faults.append(_Fault("drop", count, 0, method, path))

    def hang_next(
        self, count: int = 1, *, method: str | None = "POST", path: str | None = None
    ) -> None:
        """The next `count` matching requests never answer (until `release_hung` or `stop`)."""
        self._faults.append(_Fault("hang", count, 0, method, path))

    def release_hung(self) -> None:
        """Let hung requests finish (their connections are then dropped)."""
        self._release_hung.set()

    def clear_failures(self) -> None:
        self._channel_errors.clear()
        self._faults.clear()

    # --- recording -----------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - a per-call timeout reads better in tests
    ) -> RecordedRequest:
        """The first recorded request matching `predicate`, waiting for it if needed."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests if predicate(r)), None)

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: find() is not None)
        found = find()
        assert found is not None
        return found

    def responses(self, token: str) -> list[RecordedRequest]:
        """The callback, follow-ups, edits and deletes for an interaction, in order."""
        return [r for r in self.requests if token in r.path.split("/")]

    async def wait_responses(
        self,
        token: str,
        count: int = 1,
        timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - a per-call timeout reads better in tests
    ) -> list[RecordedRequest]:
        """The first `count` responses to an interaction, waiting for them if needed."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.responses(token)) >= count)
        return self.responses(token)[:count]

    def messages_in(self, channel_id: int) -> list[JSON]:
        """Every message the fake holds for a channel (bot's and users'), oldest first.
        Ephemeral interaction messages are not in channels; see `interaction_messages`."""
        return [self._messages[m] for m in self._channel_log.get(channel_id, [])]

    def bot_messages(self, channel_id: int) -> list[JSON]:
        return [m for m in self.messages_in(channel_id) if m["author"]["id"] == str(BOT_ID)]

    def interaction_messages(self, token: str) -> list[JSON]:
        """The messages an interaction's answers created (original first), as they are now
        (deleted ones left out)."""
        ids = self._interactions[token].message_ids
        return [self._messages[m] for m in ids if m in self._messages]

    def message(self, message_id: int) -> JSON:
        return self._messages[message_id]

    # --- server lifecycle ----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}")

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        self._add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self.release_hung()
        for session in list(self._sessions):
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake."""
        route_cls, ws_cls = discord.http.Route, discord.gateway.DiscordWebSocket
        old_base, old_gateway = route_cls.BASE, ws_cls.DEFAULT_GATEWAY
        route_cls.BASE, ws_cls.DEFAULT_GATEWAY = self.api_base, self.gateway_url
        try:
            yield
        finally:
            route_cls.BASE, ws_cls.DEFAULT_GATEWAY = old_base, old_gateway

    # --- gateway -------------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH (op 0) to every identified gateway session, waiting for one."""
        async with asyncio.timeout(WAIT_TIMEOUT), self._changed:
            await self._changed.wait_for(lambda: any(s.identified for s in self._sessions))
        for session in [s for s in self._sessions if s.identified]:
            session.sequence += 1
            await session.send({"op": 0, "t": event, "s": session.sequence, "d": data})

    async def disconnect_gateway(self, code: int = 4000) -> None:
        """Close the gateway connections; with a resumable code discord.py RESUMEs."""
        for session in list(self._sessions):
            session.identified = False  # dispatches wait for the reconnected session
            await session.ws.close(code=code)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"the fake speaks zlib-stream only")
            return ws
        session = _GatewaySession(ws, zlib.compressobj() if compress else None)
        self._sessions.add(session)
        try:
            await session.send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_op(session, json.loads(msg.data))
        finally:
            self._sessions.discard(session)
        return ws

    async def _on_gateway_op(self, session: _GatewaySession, payload: JSON) -> None:
        self.gateway_payloads.append(payload)
        op = payload["op"]
        if op == 1:
            await session.send({"op": 11})
        elif op == 2:
            self.intents = payload["d"].get("intents")
            await self._identify(session)
        elif op == 6:
            await self._ready_session(session)
            session.sequence = payload["d"]["seq"] or 0
            await self.dispatch("RESUMED", {})

    async def _identify(self, session: _GatewaySession) -> None:
        session.sequence += 1
        ready = {
            "v": 10,
            "user": self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "session_id": f"fake-session-{self.snowflake()}",
            "session_type": "normal",
            "resume_gateway_url": str(self.gateway_url),
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
        }
        await session.send({"op": 0, "t": "READY", "s": session.sequence, "d": ready})
        for guild in self.guilds.values():
            session.sequence += 1
            event = {"op": 0, "t": "GUILD_CREATE", "s": session.sequence, "d": guild.payload()}
            await session.send(event)
        await self._ready_session(session)

    async def _ready_session(self, session: _GatewaySession) -> None:
        async with self._changed:
            session.identified = True
            self._changed.notify_all()

    # --- dispatch helpers ----------------------------------------------------------------

    async def send_message(
        self,
        content: str,
        *,
        author_id: int = ADMIN_ID,
        channel_id: int = GENERAL_CHANNEL_ID,
        dm: bool = False,
    ) -> JSON:
        """A user posts a message (MESSAGE_CREATE); `dm=True` posts in their DM with the bot.
        Like Discord, only dispatched if the bot identified with the guild_messages (or
        dm_messages) intent, and with content blanked if it lacks the message content intent
        and is not mentioned. Returns the payload as the bot sees it."""
        channel = self.dm_channel(author_id) if dm else self._channels[channel_id]
        message = self.seed_message(channel.id, content, author_id=author_id)
        needed = GUILD_MESSAGES_INTENT if channel.guild_id else DM_MESSAGES_INTENT
        if self.intents is None or self.intents & needed:
            await self.dispatch("MESSAGE_CREATE", self._visible(message))
        return self._visible(message)

    def seed_message(
        self, channel_id: int, content: str, *, author_id: int, at: datetime | None = None
    ) -> JSON:
        """Put a user's message in a channel's history without dispatching it."""
        channel = self._channels[channel_id]
        author = self.users[author_id]
        message = self._new_message(channel.id, {"content": content}, author, self.snowflake(at))
        mentioned = [self.users[int(i)] for i in _MENTION.findall(content) if int(i) in self.users]
        message["mentions"] = [u.payload() for u in mentioned]
        if channel.guild_id is not None:
            members = self.guilds[channel.guild_id].members
            message["member"] = members[author_id].payload(with_user=False)
            for mention in message["mentions"]:
                if int(mention["id"]) in members:
                    mention["member"] = members[int(mention["id"])].payload(with_user=False)
        if at is not None:
            message["timestamp"] = at.isoformat()
        self._store(message)
        return message

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        group: str | None = None,
        subcommand: str | None = None,
        focused: str | None = None,
        resolved: JSON | None = None,
        user_id: int = ADMIN_ID,
        channel_id: int = GENERAL_CHANNEL_ID,
        permissions: int | None = None,
        enforce_permissions: bool = True,
    ) -> FakeInteraction:
        """A user runs `/name [group] [subcommand] options...` (an autocomplete request instead
        if `focused` names the option being typed). Option types are inferred from the Python
        values (str, int, float, bool); pass raw option dicts inside `options` values as needed.
        `permissions` overrides the member's computed permissions. Like Discord, refuses to
        dispatch a synced command whose default_member_permissions the member lacks, unless
        `enforce_permissions=False` (a server admin's override)."""
        command = self._find_command(name, 1, channel_id)
        leaf = [_option(k, v, focused == k) for k, v in (options or {}).items()]
        if subcommand is not None:
            leaf = [{"name": subcommand, "type": 1, "options": leaf}]
        if group is not None:
            leaf = [{"name": group, "type": 2, "options": leaf}]
        data: JSON = {"id": command["id"], "name": name, "type": 1, "options": leaf}
        if resolved is not None:
            data["resolved"] = resolved
        self._command_guild(data, command)
        kind = 2 if focused is None else 4
        member_perms = self._member_permissions(user_id, channel_id, permissions)
        if enforce_permissions:
            self._enforce(command, member_perms)
        return await self._interact(kind, data, user_id, channel_id, member_perms)

    async def autocomplete(
        self, name: str, options: Mapping[str, Any], focused: str, **kwargs: Any
    ) -> FakeInteraction:
        """Shorthand for `slash(..., focused=...)`: an autocomplete request (type 4)."""
        return await self.slash(name, options, focused=focused, **kwargs)

    async def message_command(
        self,
        name: str,
        target_id: int,
        *,
        user_id: int = ADMIN_ID,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """A user runs a message context-menu command on a message the fake holds."""
        target = self._messages[target_id]
        channel_id = int(target["channel_id"])
        command = self._find_command(name, 3, channel_id)
        data: JSON = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": str(target_id),
            # Interactions carry full content, even without the message content intent.
            "resolved": {"messages": {str(target_id): target}},
        }
        self._command_guild(data, command)
        member_perms = self._member_permissions(user_id, channel_id, permissions)
        return await self._interact(2, data, user_id, channel_id, member_perms)

    async def click(
        self,
        message_id: int,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
        user_id: int = ADMIN_ID,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """A user clicks a button (or picks `values` in a select, component_type 3) on a
        message the fake holds."""
        message = self._messages[message_id]
        channel_id = int(message["channel_id"])
        data: JSON = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        perms = self._member_permissions(user_id, channel_id, permissions)
        return await self._interact(3, data, user_id, channel_id, perms, message)

    def _find_command(self, name: str, type: int, channel_id: int) -> JSON:
        """The synced command (guild commands first), or a stand-in if none was synced."""
        guild_id = self._channels[channel_id].guild_id
        candidates = self.commands.get(guild_id, []) + self.commands.get(None, [])
        found = (c for c in candidates if c["name"] == name and c.get("type", 1) == type)
        return next(found, {"id": str(self.snowflake()), "name": name})

    @staticmethod
    def _command_guild(data: JSON, command: JSON) -> None:
        # discord.py looks guild commands up by the guild id Discord puts in the data.
        if command.get("guild_id") is not None:
            data["guild_id"] = command["guild_id"]

    def _member_permissions(self, user_id: int, channel_id: int, override: int | None) -> int:
        guild_id = self._channels[channel_id].guild_id
        if override is not None or guild_id is None:
            return override or 0
        return self.guilds[guild_id].permissions_of(user_id)

    @staticmethod
    def _enforce(command: JSON, member_perms: int) -> None:
        required = int(command.get("default_member_permissions") or 0)
        if required & ~member_perms:
            raise PermissionError(f"Discord would not let this member run /{command['name']}")

    async def _interact(
        self,
        kind: int,
        data: JSON,
        user_id: int,
        channel_id: int,
        member_perms: int,
        message: JSON | None = None,
    ) -> FakeInteraction:
        channel = self._channels[channel_id]
        interaction_id = self.snowflake()
        token = f"fake-token-{interaction_id}"
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if channel.guild_id is None:
            payload |= self._dm_context(user_id)
        else:
            payload |= self._guild_context(channel.guild_id, user_id, member_perms)
        if message is not None:
            payload["message"] = message
        self._interactions[token] = _InteractionState(
            interaction_id, token, channel.id, channel.guild_id, _id_of(message)
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return FakeInteraction(interaction_id, token, payload)

    def _guild_context(self, guild_id: int, user_id: int, member_perms: int) -> JSON:
        guild = self.guilds[guild_id]
        member = guild.members[user_id].payload() | {"permissions": str(member_perms)}
        return {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": member,
            "app_permissions": str(guild.permissions_of(BOT_ID)),
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }

    def _dm_context(self, user_id: int) -> JSON:
        return {
            "user": self.users[user_id].payload(),
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
        }

    # --- messages ------------------------------------------------------------------------

    def _new_message(
        self, channel_id: int, body: JSON, author: FakeUser, message_id: int | None = None
    ) -> JSON:
        channel = self._channels[channel_id]
        message: JSON = {
            "id": str(message_id or self.snowflake()),
            "channel_id": str(channel_id),
            "type": 19 if body.get("message_reference") else 0,
            "author": author.payload(),
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(body.get("tts")),
            "flags": body.get("flags") or 0,
            "timestamp": _now(),
            "edited_timestamp": None,
        }
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        return message

    def _store(self, message: JSON, *, in_channel: bool = True) -> None:
        message_id = int(message["id"])
        self._messages[message_id] = message
        if in_channel:
            self._channel_log.setdefault(int(message["channel_id"]), []).append(message_id)

    def _bot_message(self, channel_id: int, record: RecordedRequest, *, in_channel: bool) -> JSON:
        message = self._new_message(channel_id, record.json or {}, self.bot_user)
        self._attach(message, record)
        self._store(message, in_channel=in_channel)
        return message

    def _attach(self, message: JSON, record: RecordedRequest) -> None:
        if not record.files:
            return
        attachments = []
        for filename, content in record.files:
            attachment_id = self.snowflake()
            url = f"{self.url}/attachments/{message['channel_id']}/{attachment_id}/{filename}"
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(content),
                    "url": url,
                    "proxy_url": url,
                }
            )
        message["attachments"] = attachments

    def _edit(self, message: JSON, record: RecordedRequest) -> JSON:
        body = record.json or {}
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key] if body[key] is not None else message[key]
        if record.files:
            self._attach(message, record)
        elif body.get("attachments") == []:
            message["attachments"] = []
        message["edited_timestamp"] = _now()
        return message

    def _visible(self, message: JSON) -> JSON:
        """The message as the bot may see it: Discord blanks content for bots without the
        message content intent, except in DMs, its own messages and messages mentioning it."""
        if (
            self.intents is None
            or self.intents & MESSAGE_CONTENT_INTENT
            or "guild_id" not in message
            or message["author"]["id"] == str(BOT_ID)
            or any(m["id"] == str(BOT_ID) for m in message["mentions"])
        ):
            return message
        return message | {"content": "", "embeds": [], "attachments": [], "components": []}

    def _unstore(self, message_id: int) -> None:
        message = self._messages.pop(message_id)
        log = self._channel_log.get(int(message["channel_id"]), [])
        if message_id in log:
            log.remove(message_id)

    # --- REST ----------------------------------------------------------------------------

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        api = API_PREFIX
        router.add_get(GATEWAY_PATH, self._gateway)
        router.add_get(f"{api}/users/@me", self._get_me)
        router.add_post(f"{api}/users/@me/channels", self._create_dm)
        router.add_get(f"{api}/users/{{uid}}", self._get_user)
        router.add_get(f"{api}/oauth2/applications/@me", self._get_application)
        router.add_get(f"{api}/gateway", self._get_gateway)
        router.add_get(f"{api}/gateway/bot", self._get_gateway)
        for path in (
            f"{api}/applications/{{app}}/commands",
            f"{api}/applications/{{app}}/guilds/{{guild}}/commands",
        ):
            router.add_get(path, self._get_commands)
            router.add_put(path, self._put_commands)
        router.add_post(f"{api}/interactions/{{iid}}/{{token}}/callback", self._callback)
        router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        hook_message = f"{api}/webhooks/{{app}}/{{token}}/messages/{{mid}}"
        router.add_get(hook_message, self._get_hook_message)
        router.add_patch(hook_message, self._edit_hook_message)
        router.add_delete(hook_message, self._delete_hook_message)
        router.add_get(f"{api}/channels/{{cid}}", self._get_channel)
        router.add_post(f"{api}/channels/{{cid}}/typing", self._typing)
        router.add_get(f"{api}/channels/{{cid}}/messages", self._get_messages)
        router.add_post(f"{api}/channels/{{cid}}/messages", self._post_message)
        message = f"{api}/channels/{{cid}}/messages/{{mid}}"
        router.add_get(message, self._get_message)
        router.add_patch(message, self._edit_message)
        router.add_delete(message, self._delete_message)
        router.add_route("*", f"{api}/{{tail:.*}}", self._unknown)

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            response: web.StreamResponse = await handler(request)
            return response
        record = await _record(request)
        request[_RECORD] = record
        fault = next((f for f in self._faults if f.remaining and f.matches(record)), None)
        if fault is not None:
            fault.remaining -= 1
            return await self._apply_fault(fault, request, record)
        response = await handler(request)
        record.status = response.status
        await self._add_record(record)
        return response

    async def _add_record(self, record: RecordedRequest) -> None:
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()

    async def _apply_fault(
        self, fault: _Fault, request: web.Request, record: RecordedRequest
    ) -> web.StreamResponse:
        if fault.kind == "status":
            record.status = fault.status
            await self._add_record(record)
            return _error(fault.status, 0, f"{fault.status}: injected failure")
        await self._add_record(record)
        if fault.kind == "hang":
            await self._release_hung.wait()
        if request.transport is not None:  # None if the client gave up first
            request.transport.close()
        raise asyncio.CancelledError  # aiohttp's way to abandon a request without an answer

    def _channel_or_error(self, request: web.Request) -> FakeChannel | web.Response:
        channel_id = int(request.match_info["cid"])
        if channel_id in self._channel_errors:
            return _error(*_ERRORS[self._channel_errors[channel_id]])
        if channel_id not in self._channels:
            return _error(*_ERRORS["unknown_channel"])
        return self._channels[channel_id]

    async def _unknown(self, request: web.Request) -> web.Response:
        return _error(404, 0, "404: Not Found")

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json(self.bot_user.payload() | {"verified": True, "mfa_enabled": False})

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["uid"]))
        return _error(404, 10013, "Unknown User") if user is None else _json(user.payload())

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(APPLICATION_ID),
                "name": "precis",
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": self.owner.payload(),
                "team": None,
                "flags": 0,
                "bot": self.bot_user.payload(),
            }
        )

    async def _get_gateway(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": str(self.gateway_url), "shards": 1, "session_start_limit": limit})

    async def _create_dm(self, request: web.Request) -> web.Response:
        record: RecordedRequest = request[_RECORD]
        return _json(self.dm_channel(int(record.json["recipient_id"])).payload())

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        return _json(self.commands.get(int(guild) if guild else None, []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        old = {(c["name"], c["type"]): c["id"] for c in self.commands.get(guild_id, [])}
        stored = []
        for body in request[_RECORD].json:
            command: JSON = {
                "type": 1,
                "description": "",
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "options": [],
            } | body
            key = (command["name"], command["type"])
            command |= {
                "id": old.get(key) or str(self.snowflake()),
                "application_id": str(APPLICATION_ID),
                "guild_id": guild,
                "version": str(self.snowflake()),
            }
            stored.append(command)
        self.commands[guild_id] = stored
        return _json(stored)

    def _interaction(self, request: web.Request) -> _InteractionState | None:
        return self._interactions.get(request.match_info["token"])

    async def _callback(self, request: web.Request) -> web.Response:
        state = self._interaction(request)
        if state is None or request.match_info["iid"] != str(state.id):
            return _error(404, 10062, "Unknown interaction")
        if state.acknowledged:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        state.acknowledged = True
        record: RecordedRequest = request[_RECORD]
        kind = record.json["type"]
        data = record.json.get("data") or {}
        state.ephemeral = bool((data.get("flags") or 0) & EPHEMERAL)
        message = self._callback_message(state, kind, record)
        answer: JSON = {
            "interaction": {
                "id": str(state.id),
                "type": kind,
                "response_message_loading": state.loading,
                "response_message_ephemeral": state.ephemeral,
            }
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return _json(answer)

    def _callback_message(
        self, state: _InteractionState, kind: int, record: RecordedRequest
    ) -> JSON | None:
        """The message a callback makes or edits: 4 sends, 5 sends a "thinking" placeholder,
        6/7 acknowledge/edit the component's message; others (8 autocomplete, 9 modal) none."""
        # The message fields sit under "data" in a callback; unwrap them for the helpers.
        inner = dataclasses.replace(record, json=record.json.get("data") or {})
        if kind in (4, 5):
            message = self._bot_message(state.channel_id, inner, in_channel=not state.ephemeral)
            if kind == 5:
                message["flags"] |= LOADING
                state.loading = True
            message["type"] = 20
            message["webhook_id"] = str(APPLICATION_ID)
            state.original_id = int(message["id"])
            state.message_ids.append(state.original_id)
            return message
        if kind in (6, 7):
            assert state.component_message_id is not None
            component_message = self._messages[state.component_message_id]
            state.original_id = int(component_message["id"])
            if kind == 7:
                self._edit(component_message, inner)
            return component_message
        return None

    async def _followup(self, request: web.Request) -> web.Response:
        state = self._interaction(request)
        if state is None or not state.acknowledged:
            return _error(404, 10015, "Unknown Webhook")
        record: RecordedRequest = request[_RECORD]
        if state.loading:
            # After a "thinking" defer, Discord turns the first follow-up into the original.
            assert state.original_id is not None
            message = self._edit(self._messages[state.original_id], record)
            # Ephemeral or not was decided by the defer, whatever the follow-up asks.
            message["flags"] &= ~(LOADING | EPHEMERAL)
            message["flags"] |= EPHEMERAL if state.ephemeral else 0
            state.loading = False
        else:
            ephemeral = bool(((record.json or {}).get("flags") or 0) & EPHEMERAL)
            message = self._bot_message(state.channel_id, record, in_channel=not ephemeral)
            message["webhook_id"] = str(APPLICATION_ID)
            state.message_ids.append(int(message["id"]))
        if record.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return _no_content()

    def _hook_message(self, request: web.Request) -> tuple[_InteractionState, JSON] | web.Response:
        state = self._interaction(request)
        if state is None:
            return _error(404, 10015, "Unknown Webhook")
        mid = request.match_info["mid"]
        message_id = state.original_id if mid == "@original" else int(mid)
        if message_id is None or message_id not in self._messages:
            return _error(404, 10008, "Unknown Message")
        return state, self._messages[message_id]

    async def _get_hook_message(self, request: web.Request) -> web.Response:
        found = self._hook_message(request)
        return found if isinstance(found, web.Response) else _json(found[1])

    async def _edit_hook_message(self, request: web.Request) -> web.Response:
        found = self._hook_message(request)
        if isinstance(found, web.Response):
            return found
        state, message = found
        if int(message["id"]) == state.original_id:
            message["flags"] &= ~LOADING
            state.loading = False
        return _json(self._edit(message, request[_RECORD]))

    async def _delete_hook_message(self, request: web.Request) -> web.Response:
        found = self._hook_message(request)
        if isinstance(found, web.Response):
            return found
        state, message = found
        if int(message["id"]) == state.original_id:
            state.loading = False  # a later follow-up is a new message, not the original
        self._unstore(int(message["id"]))
        return _no_content()

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        return channel if isinstance(channel, web.Response) else _json(channel.payload())

    async def _typing(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        return channel if isinstance(channel, web.Response) else _no_content()

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        query = request.query
        limit = min(int(query.get("limit", 50)), 100)
        ids = sorted(self._channel_log.get(channel.id, []))
        if "after" in query:
            # The `limit` messages right after `after`, still newest first.
            page = [i for i in ids if i > int(query["after"])][:limit][::-1]
        else:
            before = int(query.get("before", 0)) or None
            page = [i for i in ids if before is None or i < before][::-1][:limit]
        return _json([self._visible(self._messages[i]) for i in page])

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        return _json(self._bot_message(channel.id, request[_RECORD], in_channel=True))

    def _channel_message(self, request: web.Request) -> JSON | web.Response:
        channel = self._channel_or_error(request)
        if isinstance(channel, web.Response):
            return channel
        message = self._messages.get(int(request.match_info["mid"]))
        if message is None or message["channel_id"] != str(channel.id):
            return _error(404, 10008, "Unknown Message")
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        return message if isinstance(message, web.Response) else _json(self._visible(message))

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if isinstance(message, web.Response):
            return message
        if message["author"]["id"] != str(BOT_ID):
            return _error(403, 50005, "Cannot edit a message authored by another user")
        return _json(self._edit(message, request[_RECORD]))

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if isinstance(message, web.Response):
            return message
        self._unstore(int(message["id"]))
        return _no_content()


def _id_of(message: JSON | None) -> int | None:
    return None if message is None else int(message["id"])


def _option(name: str, value: Any, focused: bool) -> JSON:
    if isinstance(value, dict):
        return value
    # bool before int: bool is an int subclass.
    kind = {bool: 5, int: 4, float: 10}.get(type(value), 3)
    option: JSON = {"name": name, "type": kind, "value": value}
    if focused:
        option["focused"] = True
    return option


async def _record(request: web.Request) -> RecordedRequest:
    record = RecordedRequest(
        method=request.method,
        path=request.path.removeprefix(API_PREFIX),
        query=dict(request.query),
        json=None,
        files=[],
        headers={
            k: v
            for k, v in request.headers.items()
            if k in ("Authorization", "Content-Type", "User-Agent", "X-Audit-Log-Reason")
        },
    )
    if request.content_type == "application/json":
        record.json = await request.json()
    elif request.content_type.startswith("multipart/"):
        await _read_multipart(request, record)
    return record


async def _read_multipart(request: web.Request, record: RecordedRequest) -> None:
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        content = await part.read()
        if part.name == "payload_json":
            record.json = json.loads(content)
        elif part.filename is not None:
            record.files.append((part.filename, bytes(content)))


@contextlib.asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake with discord.py pointed at it; stopped and un-pointed afterwards."""
    fake = FakeDiscord()
    await fake.start()
    try:
        with fake.patched():
            yield fake
    finally:
        await fake.stop()


@contextlib.asynccontextmanager
async def running_bot(bot: ClientT, token: str = "fake-token") -> AsyncIterator[ClientT]:
    """Log `bot` in, connect it and wait for `on_ready`; close it afterwards. Build the bot
    with a small `guild_ready_timeout` (e.g. 0.05): discord.py waits that long after the last
    GUILD_CREATE before it is ready (2 s by default)."""
    await bot.login(token)
    connection = asyncio.create_task(bot.connect())
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=WAIT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            raise RuntimeError("the bot did not become ready")
        yield bot
    finally:
        ready.cancel()
        await bot.close()
        await connection  # surfaces why the connection ended, if it failed
