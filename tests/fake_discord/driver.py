"""The test driver: `FakeDiscord` runs the server, lets a test act as Discord's users
(`slash`, `click`, `send_message`...), and reads what the bot sent (`wait_for`, `responses`,
`messages_in`) down to a command's final reply (`run`, `answers`, `cards_in`)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord
import yarl
from aiohttp import web
from discord.enums import (
    AppCommandOptionType,
    AppCommandType,
    ComponentType,
    InteractionResponseType,
    InteractionType,
)

from tests.fake_discord import gateway
from tests.fake_discord.gateway import Gateway
from tests.fake_discord.limits import Clock, Limits, RateLimiter
from tests.fake_discord.rest import API_PREFIX, Fault, FaultKind, RecordedRequest, RestApi
from tests.fake_discord.world import (
    ADMIN_ID,
    BOT_ID,
    DM_MESSAGES_INTENT,
    GENERAL_CHANNEL_ID,
    GUILD_MESSAGES_INTENT,
    JSON,
    ChannelError,
    FakeChannel,
    FakeGuild,
    InteractionState,
    World,
)

WAIT_TIMEOUT = 5.0  # seconds the helpers wait for the bot before failing the test
Check = Callable[[RecordedRequest], bool]


@dataclass
class FakeInteraction:
    """An interaction the fake dispatched; its token finds the bot's answers."""

    id: int
    token: str
    payload: JSON


class FakeDiscord:
    """Discord as a test sees it: the world, the REST server and gateway serving it, and the
    recorded requests."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.clock = Clock()
        self.world = World(self.clock)
        self._changed = asyncio.Condition()
        self.gateway = Gateway(self.world, self._changed, WAIT_TIMEOUT)
        self.rest = RestApi(self.world, self.gateway, self._changed, limits or Limits(), self.clock)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- the world, as tests reach it (more in `world`) ----------------------------------

    @property
    def guilds(self) -> dict[int, FakeGuild]:
        return self.world.guilds

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.rest.requests

    @property
    def gateway_payloads(self) -> list[JSON]:
        return self.gateway.payloads

    def add_channel(self, guild: FakeGuild, name: str, **kwargs: Any) -> FakeChannel:
        return self.world.add_channel(guild, name, **kwargs)

    def seed_message(
        self, channel_id: int, content: str, *, author_id: int, at: datetime | None = None
    ) -> JSON:
        """Put a user's message in a channel's history without dispatching it."""
        return self.world.seed_message(channel_id, content, author_id=author_id, at=at)

    def message(self, message_id: int) -> JSON:
        return self.world.message(message_id)

    def messages_in(self, channel_id: int) -> list[JSON]:
        """Every message the fake holds for a channel (bot's and users'), oldest first.
        Ephemeral interaction messages are not in channels; see `interaction_messages`."""
        return self.world.channel_messages(channel_id)

    def bot_messages(self, channel_id: int) -> list[JSON]:
        return [m for m in self.messages_in(channel_id) if m["author"]["id"] == str(BOT_ID)]

    def interaction_messages(self, token: str) -> list[JSON]:
        """The messages an interaction's answers created (original first), as they are now
        (deleted ones left out)."""
        ids = self.world.interactions[token].message_ids
        return [m for m in map(self.world.find_message, ids) if m is not None]

    async def set_permissions(
        self,
        channel_id: int,
        target_id: int,
        *,
        allow: discord.Permissions | None = None,
        deny: discord.Permissions | None = None,
    ) -> None:
        """Overwrite a role's or member's permissions in a channel (neither: remove the
        overwrite), and tell the connected bot with CHANNEL_UPDATE, as Discord does. The REST
        API enforces overwrites on the bot once `limits.permissions` is on."""
        channel = self.world.set_overwrite(
            channel_id,
            target_id,
            allow=allow.value if allow else 0,
            deny=deny.value if deny else 0,
        )
        await self.gateway.broadcast("CHANNEL_UPDATE", channel.payload())

    # --- Discord's limits ----------------------------------------------------------------

    @property
    def limits(self) -> Limits:
        """The limits in force (none by default); change them with `enforce`."""
        return self.rest.limits

    def enforce(self, limits: Limits) -> None:
        """Put `limits` in force from now on (with fresh buckets), e.g. `Limits.real()`."""
        self.rest.limits = self.rest.invalid.limits = limits
        self.rest.rate_limiter = RateLimiter(limits, self.clock)

    def require_token(self, token: str) -> None:
        """Answer 401 Unauthorized to requests made with any other bot token."""
        self.rest.token = token

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (interaction deadlines, the invalid requests' window
        and ban); rate limit windows also follow it."""
        self.clock.advance(seconds)

    def invalid_requests(self) -> int:
        """The 401, 403 and 429 answers of the last 10 minutes, as Discord counts them for its
        ban (shared-scope 429s left out)."""
        return self.rest.invalid.count()

    # --- failure injection ---------------------------------------------------------------

    def fail_channel(self, channel_id: int, error: ChannelError = "forbidden") -> None:
        """Every request under /channels/{id} answers 403 Missing Permissions (50013) or
        404 Unknown Channel (10003)."""
        self.rest.channel_errors[channel_id] = error

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
        self.rest.faults.append(Fault("status", count, status, method, path))

    def drop_next(
        self, count: int = 1, *, method: str | None = "POST", path: str | None = None
    ) -> None:
        """The next `count` matching requests get their connection closed with no answer."""
        self.rest.faults.append(Fault("drop", count, 0, method, path))

    def hang_next(
        self, count: int = 1, *, method: str | None = "POST", path: str | None = None
    ) -> None:
        """The next `count` matching requests never answer (until `release_hung` or `stop`)."""
        self.rest.faults.append(Fault("hang", count, 0, method, path))

    def fail_randomly(
        self,
        rate: float,
        *,
        kind: FaultKind = "status",
        status: int = 500,
        seed: int = 0,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """From now on, each matching request fails with chance `rate` (drawn from a random
        seeded with `seed`, so a test replays the same failures): a `status` answer, a
        dropped connection or a request that hangs. Call again to mix kinds or statuses."""
        self.rest.faults.append(
            Fault(kind, None, status, method, path, rate=rate, rng=random.Random(seed))
        )

    def release_hung(self) -> None:
        """Let hung requests finish (their connections are then dropped)."""
        self.rest.release_hung.set()

    # --- what the bot sent ---------------------------------------------------------------

    async def _wait_until(self, ready: Callable[[], bool]) -> None:
        """Wait for a request or gateway payload to make `ready` true, failing the test after
        WAIT_TIMEOUT."""
        async with asyncio.timeout(WAIT_TIMEOUT), self._changed:
            await self._changed.wait_for(ready)

    async def wait_for(self, predicate: Check) -> RecordedRequest:
        """The first recorded request matching `predicate`, waiting for it if needed."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests if predicate(r)), None)

        await self._wait_until(lambda: find() is not None)
        found = find()
        assert found is not None
        return found

    async def wait_gateway_ops(self, op: int, count: int = 1) -> list[JSON]:
        """The first `count` payloads with opcode `op` the bot sent on the gateway (e.g.
        `discord.gateway.DiscordWebSocket.RESUME`), waiting for them if needed."""

        def found() -> list[JSON]:
            return [p for p in self.gateway_payloads if p["op"] == op]

        await self._wait_until(lambda: len(found()) >= count)
        return found()[:count]

    def responses(self, token: str) -> list[RecordedRequest]:
        """The callback, follow-ups, edits and deletes for an interaction, in order."""
        return [r for r in self.requests if token in r.path.split("/")]

    async def wait_responses(self, token: str, count: int = 1) -> list[RecordedRequest]:
        """The first `count` responses to an interaction, waiting for them if needed."""
        await self._wait_until(lambda: len(self.responses(token)) >= count)
        return self.responses(token)[:count]

    async def answers(self, token: str, done: Check) -> list[RecordedRequest]:
        """Every answer to an interaction once one of them is `done`."""
        await self.wait_for(lambda r: token in r.path and done(r))
        return self.responses(token)

    async def final_card(self, token: str) -> JSON:
        """A deferred command's card: the last embed edit once there is one."""
        return last_card(await self.answers(token, is_card))

    async def callback(self, token: str) -> JSON:
        """The body of an interaction's callback (its "type" and "data")."""
        (callback,) = await self.wait_responses(token, 1)
        body: JSON = callback.json
        return body

    async def run(self, name: str, options: Mapping[str, Any] | None = None, **kwargs: Any) -> JSON:
        """A slash command's final answer: its callback's data, or the final edit of its
        deferred placeholder (see `is_final`)."""
        interaction = await self.slash(name, options, **kwargs)
        callback = await self.callback(interaction.token)
        if callback["type"] != InteractionResponseType.deferred_channel_message.value:
            data: JSON = callback["data"]
            return data
        final: JSON = (await self.final_answer(interaction.token)).json
        return final

    async def final_answer(self, token: str) -> RecordedRequest:
        """The answer that replaces an interaction's placeholder (see `is_final`)."""
        return await self.wait_for(lambda r: token in r.path and is_final(r))

    def cards_in(self, channel_id: int) -> list[RecordedRequest]:
        """The messages with embeds the bot posted to a channel."""
        return [
            r
            for r in self.requests
            if r.method == "POST"
            and r.path == f"/channels/{channel_id}/messages"
            and r.json.get("embeds")
        ]

    def channel_option(self, channel_id: int) -> tuple[JSON, JSON]:
        """A channel option named "channel" and the `resolved` data Discord sends with it."""
        channel = self.world.channels[channel_id].payload()
        # The asker's permissions in the channel: the first 41 bits, as before 2025's new ones.
        resolved = {"channels": {str(channel_id): {**channel, "permissions": str(2**41 - 1)}}}
        option = {
            "name": "channel",
            "type": AppCommandOptionType.channel.value,
            "value": str(channel_id),
        }
        return option, resolved

    # --- server lifecycle ----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}{gateway.PATH}")

    async def start(self) -> None:
        app = web.Application(middlewares=[self.rest.middleware])
        self.rest.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.gateway.url = self.gateway_url
        self.world.attachment_base = self.url

    async def stop(self) -> None:
        self.release_hung()
        await self.gateway.close()
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

    # --- users acting --------------------------------------------------------------------

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to every identified gateway session, waiting for one."""
        await self.gateway.dispatch(event, data)

    async def disconnect_gateway(self, code: int = 4000, *, abrupt: bool = False) -> None:
        """Close the gateway connections with `code` (or, `abrupt`, drop them without a close
        frame). The sessions stay: what is dispatched meanwhile is replayed when discord.py
        RESUMEs (it does after 4000 or a drop at once; after 1000 once its backoff is over),
        unless `gateway.resumable` is False, when the RESUME gets INVALID_SESSION and the bot
        IDENTIFYs anew."""
        await self.gateway.disconnect(code, abrupt=abrupt)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before it moves a session."""
        await self.gateway.request_reconnect()

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
        world = self.world
        channel = world.dm_channel(author_id) if dm else world.channels[channel_id]
        message = world.seed_message(channel.id, content, author_id=author_id)
        needed = GUILD_MESSAGES_INTENT if channel.guild_id else DM_MESSAGES_INTENT
        if world.intents is None or world.intents & needed:
            await self.dispatch("MESSAGE_CREATE", world.visible(message))
        return world.visible(message)

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
        command = self.world.find_command(name, AppCommandType.chat_input, channel_id)
        leaf = [_option(k, v, focused == k) for k, v in (options or {}).items()]
        if subcommand is not None:
            subcommand_type = AppCommandOptionType.subcommand.value
            leaf = [{"name": subcommand, "type": subcommand_type, "options": leaf}]
        if group is not None:
            group_type = AppCommandOptionType.subcommand_group.value
            leaf = [{"name": group, "type": group_type, "options": leaf}]
        data: JSON = {
            "id": command["id"],
            "name": name,
            "type": AppCommandType.chat_input.value,
            "options": leaf,
        }
        if resolved is not None:
            data["resolved"] = resolved
        _command_guild(data, command)
        kind = (
            InteractionType.application_command if focused is None else InteractionType.autocomplete
        )
        member_perms = self.world.member_permissions(user_id, channel_id, permissions)
        if enforce_permissions:
            _enforce(command, member_perms)
        state, payload = self.world.open_interaction(kind, data, user_id, channel_id, member_perms)
        return await self._dispatch_interaction(state, payload)

    async def autocomplete(
        self, name: str, options: Mapping[str, Any], focused: str, **kwargs: Any
    ) -> FakeInteraction:
        """Shorthand for `slash(..., focused=...)`: an autocomplete request."""
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
        target = self.world.message(target_id)
        channel_id = int(target["channel_id"])
        command = self.world.find_command(name, AppCommandType.message, channel_id)
        data: JSON = {
            "id": command["id"],
            "name": name,
            "type": AppCommandType.message.value,
            "target_id": str(target_id),
            # Interactions carry full content, even without the message content intent.
            "resolved": {"messages": {str(target_id): target}},
        }
        _command_guild(data, command)
        member_perms = self.world.member_permissions(user_id, channel_id, permissions)
        state, payload = self.world.open_interaction(
            InteractionType.application_command, data, user_id, channel_id, member_perms
        )
        return await self._dispatch_interaction(state, payload)

    async def click(
        self,
        message_id: int,
        custom_id: str,
        *,
        component_type: ComponentType = ComponentType.button,
        values: list[str] | None = None,
        user_id: int = ADMIN_ID,
        permissions: int | None = None,
    ) -> FakeInteraction:
        """A user clicks a button (or picks `values` in a select, ComponentType.string_select)
        on a message the fake holds."""
        message = self.world.message(message_id)
        channel_id = int(message["channel_id"])
        data: JSON = {"custom_id": custom_id, "component_type": component_type.value}
        if values is not None:
            data["values"] = values
        perms = self.world.member_permissions(user_id, channel_id, permissions)
        state, payload = self.world.open_interaction(
            InteractionType.component, data, user_id, channel_id, perms, message
        )
        return await self._dispatch_interaction(state, payload)

    async def _dispatch_interaction(
        self, state: InteractionState, payload: JSON
    ) -> FakeInteraction:
        """Send the world's new interaction to the bot (INTERACTION_CREATE)."""
        await self.dispatch("INTERACTION_CREATE", payload)
        return FakeInteraction(state.id, state.token, payload)


def is_final(request: RecordedRequest) -> bool:
    """The answer that replaces a placeholder: an edit that is not progress ("Fetching…"), or
    the private follow-up of an error."""
    if request.method == "POST":
        return "/webhooks/" in request.path
    if request.method != "PATCH" or not request.json:
        return False
    content = request.json.get("content") or ""
    return bool(request.json.get("embeds")) or not content.endswith("…")


def is_card(request: RecordedRequest) -> bool:
    """An edit that puts an embed in a message: a deferred command's card."""
    return request.method == "PATCH" and bool(request.json and request.json.get("embeds"))


def last_card(responses: list[RecordedRequest]) -> JSON:
    """The last card among an interaction's answers."""
    cards = [r for r in responses if is_card(r)]
    assert cards, [r.json for r in responses]
    card: JSON = cards[-1].json
    return card


def _option(name: str, value: Any, focused: bool) -> JSON:
    if isinstance(value, dict):
        return value
    # bool before int: bool is an int subclass.
    types = {
        bool: AppCommandOptionType.boolean,
        int: AppCommandOptionType.integer,
        float: AppCommandOptionType.number,
    }
    kind = types.get(type(value), AppCommandOptionType.string)
    option: JSON = {"name": name, "type": kind.value, "value": value}
    if focused:
        option["focused"] = True
    return option


def _command_guild(data: JSON, command: JSON) -> None:
    # discord.py looks guild commands up by the guild id Discord puts in the data.
    if command.get("guild_id") is not None:
        data["guild_id"] = command["guild_id"]


def _enforce(command: JSON, member_perms: int) -> None:
    required = int(command.get("default_member_permissions") or 0)
    if required & ~member_perms:
        raise PermissionError(f"Discord would not let this member run /{command['name']}")
