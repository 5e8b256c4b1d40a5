"""The fake's Discord world: users, guilds, roles, channels, messages and interactions.

Plain state with no I/O; the REST server and the gateway read and change it, the driver
builds it up for tests. Wire values come from discord.py's enums and flag classes."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import discord
from discord.enums import AppCommandType, ChannelType, InteractionType, MessageType

from tests.fake_discord.limits import Clock

JSON = dict[str, Any]

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
ADMINISTRATOR = discord.Permissions(administrator=True).value
MESSAGE_CONTENT_INTENT = discord.Intents(message_content=True).value
GUILD_MESSAGES_INTENT = discord.Intents(guild_messages=True).value
DM_MESSAGES_INTENT = discord.Intents(dm_messages=True).value

EPHEMERAL = discord.MessageFlags(ephemeral=True).value
LOADING = discord.MessageFlags(loading=True).value
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

_MENTION = re.compile(r"<@!?(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")
ChannelError = Literal["forbidden", "unknown_channel"]
# Without Send Messages these go too, and without View Channel every channel permission goes
# (Discord's implicit permissions, as discord.py's `permissions_for` applies them).
_NEEDS_SEND = discord.Permissions(
    send_tts_messages=True, mention_everyone=True, embed_links=True, attach_files=True
).value
_CHANNEL_PERMISSIONS = discord.Permissions.all_channel().value


def now() -> str:
    return datetime.now(UTC).isoformat()


def pings_everyone(body: JSON) -> bool:
    """Whether a message body asks to ping @everyone or @here (content and allowed
    mentions); Discord pings only if the author may Mention Everyone in the channel."""
    allowed = body.get("allowed_mentions")
    permitted = allowed is None or "everyone" in (allowed.get("parse") or [])
    return permitted and bool(_EVERYONE.search(body.get("content") or ""))


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


ROLE_OVERWRITE: Literal[0] = 0  # the overwrite types of Discord's permission_overwrites
MEMBER_OVERWRITE: Literal[1] = 1


@dataclass
class Overwrite:
    """A channel's permission overwrite for a role or a member: bits allowed and denied."""

    id: int
    type: Literal[0, 1]  # ROLE_OVERWRITE or MEMBER_OVERWRITE
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }

    def apply(self, value: int) -> int:
        return (value & ~self.deny) | self.allow


@dataclass
class FakeChannel:
    id: int
    name: str
    guild_id: int | None  # None for a DM
    type: ChannelType = ChannelType.text
    position: int = 0
    topic: str | None = None
    recipient: FakeUser | None = None  # the other side of a DM
    overwrites: dict[int, Overwrite] = field(default_factory=dict)  # by role or member id
    parent_id: int | None = None  # a thread's channel
    owner_id: int | None = None  # who started a thread

    @property
    def is_thread(self) -> bool:
        return self.type in (ChannelType.public_thread, ChannelType.private_thread)

    def payload(self) -> JSON:
        if self.is_thread:
            return self._thread_payload()
        if self.guild_id is None:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": ChannelType.private.value,
                "last_message_id": None,
                "recipients": [self.recipient.payload()],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type.value,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites.values()],
            "parent_id": None,
            "nsfw": False,
            "flags": 0,
        }
        if self.type is ChannelType.voice:
            data |= {"bitrate": 64_000, "user_limit": 0, "rtc_region": None}
        elif self.type is not ChannelType.category:
            data |= {"topic": self.topic, "last_message_id": None, "rate_limit_per_user": 0}
        return data

    def _thread_payload(self) -> JSON:
        return {
            "id": str(self.id),
            "type": self.type.value,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now(),
                "locked": False,
                "create_timestamp": now(),
            },
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    threads: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    def permissions_of(self, user_id: int) -> int:
        """Guild-wide permissions, as Discord computes them (no channel overwrites)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        value = self.roles[self.id].permissions
        for role_id in self.members[user_id].role_ids:
            value |= self.roles[role_id].permissions
        if value & ADMINISTRATOR:
            return ALL_PERMISSIONS
        return value

    def channel_permissions(self, user_id: int, channel: FakeChannel) -> int:
        """Permissions in a channel, as Discord computes them: the guild's, then the
        @everyone overwrite, the member's roles' overwrites together, the member's own, and
        the implicit denials."""
        value = self.permissions_of(user_id)
        if value & ADMINISTRATOR:
            return value
        # A thread has its channel's overwrites (only threads have a parent here).
        source = channel if channel.parent_id is None else self.channels[channel.parent_id]
        overwrites = source.overwrites
        if self.id in overwrites:
            value = overwrites[self.id].apply(value)
        roles = [overwrites[r] for r in self.members[user_id].role_ids if r in overwrites]
        allow = deny = 0
        for role in roles:
            allow, deny = allow | role.allow, deny | role.deny
        value = (value & ~deny) | allow
        if user_id in overwrites:
            value = overwrites[user_id].apply(value)
        if not value & discord.Permissions(send_messages=True).value:
            value &= ~_NEEDS_SEND
        if not value & discord.Permissions(view_channel=True).value:
            value &= ~_CHANNEL_PERMISSIONS
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
            "threads": [t.payload() for t in self.threads.values()],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class InteractionState:
    """What the fake knows of an interaction it dispatched, to check and apply the answers."""

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
    opened_at: float = 0.0  # on the world's clock, for the answer deadlines


@dataclass
class Upload:
    """A message body the bot sent: its JSON and its (filename, content) attachments."""

    json: JSON
    files: list[tuple[str, bytes]] = field(default_factory=list)


class World:
    """Everything Discord knows: the default guild (owner, admin, member, #general, #news),
    the synced commands, messages by channel, and the interactions in flight."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.bot_user = FakeUser(BOT_ID, "precis", bot=True)
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.owner = self.add_user(OWNER_ID, "owner")
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.commands: dict[int | None, list[JSON]] = {}  # guild id (None: global) -> commands
        self.intents: int | None = None  # from the bot's last IDENTIFY
        self.interactions: dict[str, InteractionState] = {}
        self.webhooks: dict[int, JSON] = {}
        self.attachment_base = ""  # the server's URL, once it listens
        self._messages: dict[int, JSON] = {}
        self._channel_log: dict[int, list[int]] = {}
        self._ids = itertools.count(1)
        self._add_default_guild()

    def snowflake(self, at: datetime | None = None) -> int:
        """A fresh, increasing id with a real timestamp (so before/after filters behave)."""
        return discord.utils.time_snowflake(at or datetime.now(UTC)) + next(self._ids) % 4096

    # --- people and places ---------------------------------------------------------------

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
        self,
        guild: FakeGuild,
        name: str,
        *,
        channel_id: int | None = None,
        type: ChannelType = ChannelType.text,
    ) -> FakeChannel:
        channel = FakeChannel(
            channel_id or self.snowflake(), name, guild.id, type, len(guild.channels)
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        owner_id: int = BOT_ID,
        type: ChannelType = ChannelType.public_thread,
    ) -> FakeChannel:
        """A thread in a guild channel; it has the channel's permission overwrites."""
        parent = self.channels[parent_id]
        assert parent.guild_id is not None, "DMs have no threads"
        thread = FakeChannel(
            self.snowflake(), name, parent.guild_id, type, parent_id=parent_id, owner_id=owner_id
        )
        self.guilds[parent.guild_id].threads[thread.id] = thread
        self.channels[thread.id] = thread
        return thread

    def add_webhook(self, channel_id: int, name: str) -> JSON:
        """A channel webhook the bot made (made only: the fake does not execute them)."""
        channel = self.channels[channel_id]
        webhook_id = self.snowflake()
        webhook: JSON = {
            "id": str(webhook_id),
            "type": 1,  # incoming
            "guild_id": str(channel.guild_id),
            "channel_id": str(channel_id),
            "name": name,
            "avatar": None,
            "token": f"fake-webhook-token-{webhook_id}",
            "application_id": str(APPLICATION_ID),
            "user": self.bot_user.payload(),
        }
        self.webhooks[webhook_id] = webhook
        return webhook

    def dm_channel(self, user_id: int) -> FakeChannel:
        """The DM channel between the bot and a user, made on first use."""
        for channel in self.channels.values():
            if channel.recipient is not None and channel.recipient.id == user_id:
                return channel
        channel = FakeChannel(
            self.snowflake(), "", None, ChannelType.private, recipient=self.users[user_id]
        )
        self.channels[channel.id] = channel
        return channel

    def member_permissions(self, user_id: int, channel_id: int, override: int | None) -> int:
        """A user's permissions in a channel (0 in a DM), or `override` if given."""
        channel = self.channels[channel_id]
        if override is not None or channel.guild_id is None:
            return override or 0
        return self.guilds[channel.guild_id].channel_permissions(user_id, channel)

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> FakeChannel:
        """Overwrite a role's or a member's permissions in a guild channel (both 0: remove)."""
        channel = self.channels[channel_id]
        assert channel.guild_id is not None, "DMs have no overwrites"
        is_role = target_id in self.guilds[channel.guild_id].roles
        kind = ROLE_OVERWRITE if is_role else MEMBER_OVERWRITE
        if allow or deny:
            channel.overwrites[target_id] = Overwrite(target_id, kind, allow, deny)
        else:
            channel.overwrites.pop(target_id, None)
        return channel

    def _add_default_guild(self) -> None:
        guild = self.add_guild("Precis Test Guild", guild_id=GUILD_ID, bot_role_id=BOT_ROLE_ID)
        admin_role = self.add_role(guild, "Moderators", ADMIN_PERMISSIONS, role_id=ADMIN_ROLE_ID)
        self.add_member(guild, self.add_user(ADMIN_ID, "admin"), [admin_role.id])
        self.add_member(guild, self.add_user(MEMBER_ID, "member"))
        self.add_channel(guild, "general", channel_id=GENERAL_CHANNEL_ID)
        self.add_channel(guild, "news", channel_id=NEWS_CHANNEL_ID)

    # --- commands and interactions ------------------------------------------------------

    def find_command(self, name: str, type: AppCommandType, channel_id: int) -> JSON:
        """The synced command (guild commands first), or a stand-in if none was synced."""
        guild_id = self.channels[channel_id].guild_id
        candidates = self.commands.get(guild_id, []) + self.commands.get(None, [])
        found = (
            c
            for c in candidates
            if c["name"] == name and c.get("type", AppCommandType.chat_input.value) == type.value
        )
        return next(found, {"id": str(self.snowflake()), "name": name})

    def open_interaction(
        self,
        kind: InteractionType,
        data: JSON,
        user_id: int,
        channel_id: int,
        member_perms: int,
        message: JSON | None = None,
    ) -> tuple[InteractionState, JSON]:
        """An interaction a user starts, and the INTERACTION_CREATE payload Discord sends."""
        channel = self.channels[channel_id]
        interaction_id = self.snowflake()
        token = f"fake-token-{interaction_id}"
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind.value,
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
            payload |= self._guild_context(channel, user_id, member_perms)
        if message is not None:
            payload["message"] = message
        state = InteractionState(
            interaction_id,
            token,
            channel.id,
            channel.guild_id,
            None if message is None else int(message["id"]),
            opened_at=self.clock.now(),
        )
        self.interactions[token] = state
        return state, payload

    def _guild_context(self, channel: FakeChannel, user_id: int, member_perms: int) -> JSON:
        assert channel.guild_id is not None
        guild_id = channel.guild_id
        guild = self.guilds[guild_id]
        member = guild.members[user_id].payload() | {"permissions": str(member_perms)}
        return {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "member": member,
            "app_permissions": str(guild.channel_permissions(BOT_ID, channel)),
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,  # a guild
        }

    def _dm_context(self, user_id: int) -> JSON:
        return {
            "user": self.users[user_id].payload(),
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,  # the bot's DM
        }

    # --- messages ------------------------------------------------------------------------

    def message(self, message_id: int) -> JSON:
        return self._messages[message_id]

    def find_message(self, message_id: int) -> JSON | None:
        return self._messages.get(message_id)

    def channel_messages(self, channel_id: int) -> list[JSON]:
        """Every message a channel holds (bot's and users'), oldest first."""
        return [self._messages[m] for m in self._channel_log.get(channel_id, [])]

    def history(self, channel_id: int) -> list[int]:
        """A channel's message ids, oldest first."""
        return sorted(self._channel_log.get(channel_id, []))

    def seed_message(
        self, channel_id: int, content: str, *, author_id: int, at: datetime | None = None
    ) -> JSON:
        """Put a user's message in a channel's history without dispatching it."""
        channel = self.channels[channel_id]
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

    def bot_message(self, channel_id: int, upload: Upload, *, in_channel: bool) -> JSON:
        """A message the bot sent; ephemeral ones are kept out of the channel's history."""
        message = self._new_message(channel_id, upload.json, self.bot_user)
        self._attach(message, upload)
        self._store(message, in_channel=in_channel)
        return message

    def edit(self, message: JSON, upload: Upload) -> JSON:
        body = upload.json
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key] if body[key] is not None else message[key]
        if upload.files:
            self._attach(message, upload)
        elif body.get("attachments") == []:
            message["attachments"] = []
        message["edited_timestamp"] = now()
        return message

    def delete(self, message_id: int) -> None:
        message = self._messages.pop(message_id)
        log = self._channel_log.get(int(message["channel_id"]), [])
        if message_id in log:
            log.remove(message_id)

    def visible(self, message: JSON) -> JSON:
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

    def _new_message(
        self, channel_id: int, body: JSON, author: FakeUser, message_id: int | None = None
    ) -> JSON:
        channel = self.channels[channel_id]
        kind = MessageType.reply if body.get("message_reference") else MessageType.default
        message: JSON = {
            "id": str(message_id or self.snowflake()),
            "channel_id": str(channel_id),
            "type": kind.value,
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
            "timestamp": now(),
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

    def _attach(self, message: JSON, upload: Upload) -> None:
        if not upload.files:
            return
        attachments = []
        for filename, content in upload.files:
            attachment_id = self.snowflake()
            url = (
                f"{self.attachment_base}/attachments/{message['channel_id']}/"
                f"{attachment_id}/{filename}"
            )
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
