"""The fake's REST API under /api/v10: it records every request, injects the failures a test
asks for, and answers from the world as Discord would (status, error code, body)."""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import discord
from aiohttp import BodyPartReader, web
from discord.enums import AppCommandType, ChannelType, InteractionResponseType, MessageType

from tests.fake_discord import gateway
from tests.fake_discord.limits import (
    CALLBACK_DEADLINE,
    TOKEN_LIFETIME,
    Clock,
    InvalidRequests,
    Limits,
    RateLimiter,
    Refusal,
    Route,
    Scope,
)
from tests.fake_discord.world import (
    APPLICATION_ID,
    BOT_ID,
    EPHEMERAL,
    JSON,
    LOADING,
    ChannelError,
    FakeChannel,
    InteractionState,
    Upload,
    World,
    pings_everyone,
)

API_PREFIX = "/api/v10"
_ERRORS: dict[ChannelError | Literal["missing_access"], tuple[int, int, str]] = {
    "forbidden": (403, 50013, "Missing Permissions"),
    "unknown_channel": (404, 10003, "Unknown Channel"),
    "missing_access": (403, 50001, "Missing Access"),
}
_EXPIRED_TOKEN = (401, 50027, "Invalid Webhook Token")
_UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
_UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
_SENDS = (
    InteractionResponseType.channel_message,
    InteractionResponseType.deferred_channel_message,
)
_UPDATES = (
    InteractionResponseType.deferred_message_update,
    InteractionResponseType.message_update,
)


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
    answer_headers: dict[str, str] = field(default_factory=dict)  # e.g. X-RateLimit-*

    def upload(self) -> Upload:
        return Upload(self.json or {}, self.files)


_RECORD = web.RequestKey("record", RecordedRequest)


FaultKind = Literal["status", "drop", "hang"]


@dataclass
class Fault:
    """A failure for the requests matching `method` and `path` (a prefix): the next
    `remaining` of them (None: no end), each with a chance of `rate` drawn from `rng`."""

    kind: FaultKind
    remaining: int | None
    status: int
    method: str | None
    path: str | None
    rate: float = 1.0
    rng: random.Random | None = None

    def strikes(self, record: RecordedRequest) -> bool:
        """Whether this fault takes the request (and counts it)."""
        if self.remaining == 0 or not self._matches(record):
            return False
        if self.rng is not None and self.rng.random() >= self.rate:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def _matches(self, record: RecordedRequest) -> bool:
        return (self.method is None or record.method == self.method) and (
            self.path is None or record.path.startswith(self.path)
        )


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py only decodes bodies whose Content-Type is exactly "application/json".
    return web.Response(
        body=json.dumps(data).encode(), status=status, content_type="application/json"
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status)


class _Refused(Exception):
    """Discord's error answer (status, JSON error code, message): a handler raises it from
    any depth and the middleware answers it like any other response."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.response = _error(status, code, message)


def _no_content() -> web.Response:
    return web.Response(status=204)


def _rate_limited(refusal: Refusal) -> web.Response:
    response = _json(refusal.body(), 429)
    response.headers.update(refusal.all_headers())
    return response


def _banned(seconds_left: float) -> web.Response:
    # Cloudflare's ban: a text body and no `Via` header, which discord.py does not retry.
    return web.Response(
        text="error code: 1015", status=429, headers={"Retry-After": str(math.ceil(seconds_left))}
    )


def _route(request: web.Request) -> Route:
    """The request's route template and major parameters, as Discord's buckets key them."""
    info = request.match_info
    resource = info.route.resource
    template = request.path if resource is None else resource.canonical
    majors = [info[k] for k in ("cid", "guild") if k in info]
    if "token" in info:  # a webhook or an interaction: its id and token
        majors += [info.get("app") or info["iid"], info["token"]]
    channel_id = int(info["cid"]) if "cid" in info else None
    return Route(request.method, template.removeprefix(API_PREFIX), tuple(majors), channel_id)


class RestApi:
    """The routes and their handlers; `changed` is notified of each recorded request."""

    def __init__(
        self,
        world: World,
        gateway: gateway.Gateway,
        changed: asyncio.Condition,
        limits: Limits,
        clock: Clock,
    ) -> None:
        self.world = world
        self.gateway = gateway
        self.requests: list[RecordedRequest] = []
        self.channel_errors: dict[int, ChannelError] = {}
        self.faults: list[Fault] = []
        self.release_hung = asyncio.Event()
        self.limits = limits
        self.clock = clock
        self.token: str | None = None  # when set, a request with another token gets 401
        self.rate_limiter = RateLimiter(limits, clock)
        self.invalid = InvalidRequests(limits, clock)
        self._changed = changed

    def add_routes(self, router: web.UrlDispatcher) -> None:
        api = API_PREFIX
        router.add_get(gateway.PATH, self.gateway.handle)
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
        router.add_post(f"{api}/channels/{{cid}}/threads", self._start_thread)
        router.add_post(f"{api}/channels/{{cid}}/messages/{{mid}}/threads", self._start_thread)
        router.add_get(f"{api}/channels/{{cid}}/webhooks", self._get_webhooks)
        router.add_post(f"{api}/channels/{{cid}}/webhooks", self._create_webhook)
        router.add_post(f"{api}/channels/{{cid}}/typing", self._typing)
        router.add_get(f"{api}/channels/{{cid}}/messages", self._get_messages)
        router.add_post(f"{api}/channels/{{cid}}/messages", self._post_message)
        message = f"{api}/channels/{{cid}}/messages/{{mid}}"
        router.add_get(message, self._get_message)
        router.add_patch(message, self._edit_message)
        router.add_delete(message, self._delete_message)
        router.add_route("*", f"{api}/{{tail:.*}}", self._unknown)

    # --- recording and failures ----------------------------------------------------------

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            response: web.StreamResponse = await handler(request)
            return response
        record = await _record(request)
        request[_RECORD] = record
        if self.limits.latency:
            await asyncio.sleep(self.limits.latency)
        if self.invalid.banned():
            return await self._answer(record, _banned(self.invalid.ban_left()))
        if not self._authorized(record):
            return await self._answer(record, _error(401, 0, "401: Unauthorized"))
        fault = next((f for f in self.faults if f.strikes(record)), None)
        if fault is not None:
            return await self._apply_fault(fault, request, record)
        headers, refusal = self.rate_limiter.admit(_route(request))
        if refusal is not None:
            return await self._answer(record, _rate_limited(refusal), refusal.scope)
        try:
            response = await handler(request)
        except _Refused as refused:
            response = refused.response
        response.headers.update(headers)
        return await self._answer(record, response)

    async def _answer(
        self, record: RecordedRequest, response: web.StreamResponse, scope: Scope | None = None
    ) -> web.StreamResponse:
        record.status = response.status
        record.answer_headers = dict(response.headers)
        self.invalid.note(response.status, scope)
        await self._add_record(record)
        return response

    def _authorized(self, record: RecordedRequest) -> bool:
        # Interaction answers carry no Authorization: their token is in the path.
        given = record.headers.get("Authorization")
        return self.token is None or given is None or given == f"Bot {self.token}"

    async def _add_record(self, record: RecordedRequest) -> None:
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()

    async def _apply_fault(
        self, fault: Fault, request: web.Request, record: RecordedRequest
    ) -> web.StreamResponse:
        if fault.kind == "status":
            return await self._answer(
                record, _error(fault.status, 0, f"{fault.status}: injected failure")
            )
        await self._add_record(record)
        if fault.kind == "hang":
            await self.release_hung.wait()
        if request.transport is not None:  # None if the client gave up first
            request.transport.close()
        raise asyncio.CancelledError  # aiohttp's way to abandon a request without an answer

    def _channel(self, request: web.Request, *needed: str) -> FakeChannel:
        """The request's channel; refused as Discord does when the channel is unknown or
        failed by the test, or (with permissions enforced) the bot lacks View Channel or
        one of the `needed` permissions (discord.Permissions flag names)."""
        channel_id = int(request.match_info["cid"])
        if channel_id in self.channel_errors:
            raise _Refused(*_ERRORS[self.channel_errors[channel_id]])
        if channel_id not in self.world.channels:
            raise _Refused(*_ERRORS["unknown_channel"])
        channel = self.world.channels[channel_id]
        if not self.limits.permissions or channel.guild_id is None:
            return channel
        granted = self._bot_permissions(channel)
        if not granted.view_channel:
            raise _Refused(*_ERRORS["missing_access"])
        if channel.is_thread:  # in a thread, Send Messages in Threads takes its place
            needed = tuple(
                "send_messages_in_threads" if n == "send_messages" else n for n in needed
            )
        if not all(getattr(granted, name) for name in needed):
            raise _Refused(*_ERRORS["forbidden"])
        return channel

    def _bot_permissions(self, channel: FakeChannel) -> discord.Permissions:
        if channel.guild_id is None:
            return discord.Permissions.all_channel()
        guild = self.world.guilds[channel.guild_id]
        return discord.Permissions(guild.channel_permissions(BOT_ID, channel))

    def _late(self, state: InteractionState, deadline: float) -> bool:
        """Whether an interaction is older than `deadline`, when deadlines are enforced."""
        age = self.clock.now() - state.opened_at
        return self.limits.interaction_deadlines and age > deadline

    # --- users, application, gateway, commands -------------------------------------------

    async def _unknown(self, request: web.Request) -> web.Response:
        return _error(404, 0, "404: Not Found")

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json(self.world.bot_user.payload() | {"verified": True, "mfa_enabled": False})

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.world.users.get(int(request.match_info["uid"]))
        if user is None:
            raise _Refused(404, 10013, "Unknown User")
        return _json(user.payload())

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
                "owner": self.world.owner.payload(),
                "team": None,
                "flags": 0,
                "bot": self.world.bot_user.payload(),
            }
        )

    async def _get_gateway(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": str(self.gateway.url), "shards": 1, "session_start_limit": limit})

    async def _create_dm(self, request: web.Request) -> web.Response:
        record: RecordedRequest = request[_RECORD]
        return _json(self.world.dm_channel(int(record.json["recipient_id"])).payload())

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        return _json(self.world.commands.get(int(guild) if guild else None, []))

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        guild_id = int(guild) if guild else None
        old = {(c["name"], c["type"]): c["id"] for c in self.world.commands.get(guild_id, [])}
        stored = []
        for body in request[_RECORD].json:
            command: JSON = {
                "type": AppCommandType.chat_input.value,
                "description": "",
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                "options": [],
            } | body
            key = (command["name"], command["type"])
            command |= {
                "id": old.get(key) or str(self.world.snowflake()),
                "application_id": str(APPLICATION_ID),
                "guild_id": guild,
                "version": str(self.world.snowflake()),
            }
            stored.append(command)
        self.world.commands[guild_id] = stored
        return _json(stored)

    # --- interaction answers -------------------------------------------------------------

    def _interaction(self, request: web.Request) -> InteractionState | None:
        return self.world.interactions.get(request.match_info["token"])

    async def _callback(self, request: web.Request) -> web.Response:
        state = self._interaction(request)
        if (
            state is None
            or request.match_info["iid"] != str(state.id)
            or (not state.acknowledged and self._late(state, CALLBACK_DEADLINE))
        ):
            raise _Refused(404, 10062, "Unknown interaction")
        if state.acknowledged:
            raise _Refused(400, 40060, "Interaction has already been acknowledged.")
        state.acknowledged = True
        record: RecordedRequest = request[_RECORD]
        kind = InteractionResponseType(record.json["type"])
        data = record.json.get("data") or {}
        state.ephemeral = bool((data.get("flags") or 0) & EPHEMERAL)
        # The message fields sit under "data" in a callback.
        message = self._callback_message(state, kind, Upload(data, record.files))
        answer: JSON = {
            "interaction": {
                "id": str(state.id),
                "type": kind.value,
                "response_message_loading": state.loading,
                "response_message_ephemeral": state.ephemeral,
            }
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind.value, "message": message}
        return _json(answer)

    def _callback_message(
        self, state: InteractionState, kind: InteractionResponseType, upload: Upload
    ) -> JSON | None:
        """The message a callback makes (a reply, or a deferred "thinking" placeholder) or
        edits (the component's message); autocomplete results and modals make none."""
        world = self.world
        if kind in _SENDS:
            message = world.bot_message(state.channel_id, upload, in_channel=not state.ephemeral)
            if kind is InteractionResponseType.deferred_channel_message:
                message["flags"] |= LOADING
                state.loading = True
            message["type"] = MessageType.chat_input_command.value
            message["webhook_id"] = str(APPLICATION_ID)
            state.original_id = int(message["id"])
            state.message_ids.append(state.original_id)
            return message
        if kind in _UPDATES:
            assert state.component_message_id is not None
            component_message = world.message(state.component_message_id)
            state.original_id = int(component_message["id"])
            if kind is InteractionResponseType.message_update:
                world.edit(component_message, upload)
            return component_message
        return None

    async def _followup(self, request: web.Request) -> web.Response:
        state = self._interaction(request)
        if state is None or not state.acknowledged:
            raise _Refused(*_UNKNOWN_WEBHOOK)
        if self._late(state, TOKEN_LIFETIME):
            raise _Refused(*_EXPIRED_TOKEN)
        record: RecordedRequest = request[_RECORD]
        if state.loading:
            # After a "thinking" defer, Discord turns the first follow-up into the original.
            assert state.original_id is not None
            message = self.world.edit(self.world.message(state.original_id), record.upload())
            # Ephemeral or not was decided by the defer, whatever the follow-up asks.
            message["flags"] &= ~(LOADING | EPHEMERAL)
            message["flags"] |= EPHEMERAL if state.ephemeral else 0
            state.loading = False
        else:
            ephemeral = bool(((record.json or {}).get("flags") or 0) & EPHEMERAL)
            message = self.world.bot_message(
                state.channel_id, record.upload(), in_channel=not ephemeral
            )
            message["webhook_id"] = str(APPLICATION_ID)
            state.message_ids.append(int(message["id"]))
        if record.query.get("wait") in ("1", "true", "True"):
            return _json(message)
        return _no_content()

    def _hook_message(self, request: web.Request) -> tuple[InteractionState, JSON]:
        state = self._interaction(request)
        if state is None:
            raise _Refused(*_UNKNOWN_WEBHOOK)
        if self._late(state, TOKEN_LIFETIME):
            raise _Refused(*_EXPIRED_TOKEN)
        mid = request.match_info["mid"]
        message_id = state.original_id if mid == "@original" else int(mid)
        message = None if message_id is None else self.world.find_message(message_id)
        if message is None:
            raise _Refused(*_UNKNOWN_MESSAGE)
        return state, message

    async def _get_hook_message(self, request: web.Request) -> web.Response:
        _, message = self._hook_message(request)
        return _json(message)

    async def _edit_hook_message(self, request: web.Request) -> web.Response:
        state, message = self._hook_message(request)
        if int(message["id"]) == state.original_id:
            message["flags"] &= ~LOADING
            state.loading = False
        return _json(self.world.edit(message, request[_RECORD].upload()))

    async def _delete_hook_message(self, request: web.Request) -> web.Response:
        state, message = self._hook_message(request)
        if int(message["id"]) == state.original_id:
            state.loading = False  # a later follow-up is a new message, not the original
        self.world.delete(int(message["id"]))
        return _no_content()

    # --- channels and messages -----------------------------------------------------------

    async def _get_channel(self, request: web.Request) -> web.Response:
        return _json(self._channel(request).payload())

    async def _start_thread(self, request: web.Request) -> web.Response:
        """A thread, on a message (always public) or not (public or private, by "type")."""
        body = request[_RECORD].json or {}
        on_message = "mid" in request.match_info
        public = ChannelType.public_thread
        kind = public if on_message else ChannelType(body.get("type", public.value))
        needed = "create_public_threads" if kind is public else "create_private_threads"
        channel = self._channel(request, needed)
        if on_message and self.world.find_message(int(request.match_info["mid"])) is None:
            raise _Refused(*_UNKNOWN_MESSAGE)
        thread = self.world.add_thread(channel.id, body["name"], type=kind)
        await self.gateway.broadcast("THREAD_CREATE", thread.payload() | {"newly_created": True})
        return _json(thread.payload())

    async def _get_webhooks(self, request: web.Request) -> web.Response:
        channel = self._channel(request, "manage_webhooks")
        hooks = self.world.webhooks.values()
        return _json([h for h in hooks if h["channel_id"] == str(channel.id)])

    async def _create_webhook(self, request: web.Request) -> web.Response:
        channel = self._channel(request, "manage_webhooks")
        return _json(self.world.add_webhook(channel.id, request[_RECORD].json["name"]))

    async def _typing(self, request: web.Request) -> web.Response:
        self._channel(request, "send_messages")
        return _no_content()

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if self.limits.permissions and not self._bot_permissions(channel).read_message_history:
            return _json([])  # Discord returns no messages rather than an error
        query = request.query
        limit = min(int(query.get("limit", 50)), 100)
        ids = self.world.history(channel.id)
        if "after" in query:
            # The `limit` messages right after `after`, still newest first.
            page = [i for i in ids if i > int(query["after"])][:limit][::-1]
        else:
            before = int(query.get("before", 0)) or None
            page = [i for i in ids if before is None or i < before][::-1][:limit]
        return _json([self.world.visible(self.world.message(i)) for i in page])

    async def _post_message(self, request: web.Request) -> web.Response:
        upload: Upload = request[_RECORD].upload()
        needed = ["send_messages"]
        if upload.files:
            needed.append("attach_files")
        if upload.json.get("message_reference"):
            needed.append("read_message_history")
        channel = self._channel(request, *needed)
        granted = self._bot_permissions(channel)
        if self.limits.permissions and not granted.embed_links and upload.json.get("embeds"):
            # Discord drops the embeds, and refuses a message that was nothing but embeds.
            upload = Upload(upload.json | {"embeds": []}, upload.files)
            if not (upload.json.get("content") or upload.files or upload.json.get("components")):
                raise _Refused(*_ERRORS["forbidden"])
        message = self.world.bot_message(channel.id, upload, in_channel=True)
        message["mention_everyone"] = (
            channel.guild_id is not None
            and pings_everyone(upload.json)
            and granted.mention_everyone
        )
        return _json(message)

    def _channel_message(self, request: web.Request, *needed: str) -> JSON:
        channel = self._channel(request, *needed)
        message = self.world.find_message(int(request.match_info["mid"]))
        if message is None or message["channel_id"] != str(channel.id):
            raise _Refused(*_UNKNOWN_MESSAGE)
        return message

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request, "read_message_history")
        return _json(self.world.visible(message))

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message["author"]["id"] != str(BOT_ID):
            raise _Refused(403, 50005, "Cannot edit a message authored by another user")
        return _json(self.world.edit(message, request[_RECORD].upload()))

    async def _delete_message(self, request: web.Request) -> web.Response:
        message = self._channel_message(request)
        if message["author"]["id"] != str(BOT_ID) and self.limits.permissions:
            channel = self.world.channels[int(message["channel_id"])]
            if not self._bot_permissions(channel).manage_messages:
                raise _Refused(*_ERRORS["forbidden"])
        self.world.delete(int(message["id"]))
        return _no_content()


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
