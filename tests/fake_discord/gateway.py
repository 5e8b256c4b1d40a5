"""The fake's gateway: a zlib-stream websocket that says HELLO, answers heartbeats, sends
READY and a GUILD_CREATE per guild on IDENTIFY, dispatches events, and drops connections
on demand, replaying what a session missed when the bot RESUMEs. A session identified as
shard `[id, count]` gets only the events of the guilds Discord gives that shard
(`(guild_id >> 22) % count == id`; direct messages go to shard 0), as Discord does."""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket as Op

from tests.fake_discord.world import APPLICATION_ID, JSON, World

PATH = "/gateway"
HEARTBEAT_INTERVAL_MS = 41_250


@dataclass(eq=False)
class Connection:
    """One websocket, zlib-stream compressed if asked, and the session it carries."""

    ws: web.WebSocketResponse
    compressor: Any  # zlib.compressobj() for zlib-stream, else None
    transport: asyncio.BaseTransport | None
    session: Session | None = None

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


@dataclass(eq=False)
class Session:
    """A gateway session, from IDENTIFY until the bot closes it (1000, 1001) or a RESUME is
    refused. It outlives its connection: while none carries it, dispatches wait in `sent`
    for the RESUME that replays them."""

    id: str
    connection: Connection | None
    shard: tuple[int, int] = (0, 1)  # (id, count), from IDENTIFY
    sequence: int = 0
    sent: list[JSON] = field(default_factory=list)

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session's shard gets the events of this guild (None: a DM)."""
        shard, count = self.shard
        return shard == (0 if guild_id is None else (guild_id >> 22) % count)

    async def dispatch(self, event: str, data: JSON) -> None:
        self.sequence += 1
        payload = {"op": Op.DISPATCH, "t": event, "s": self.sequence, "d": data}
        self.sent.append(payload)
        if self.connection is not None:
            await self.connection.send(payload)


class Gateway:
    """The websocket side; `changed` is notified of each op the bot sends and when a session
    is identified or resumed. With `resumable` False, a RESUME is answered INVALID_SESSION
    and the bot IDENTIFYs again."""

    def __init__(self, world: World, changed: asyncio.Condition, timeout: float) -> None:
        self.world = world
        self.payloads: list[JSON] = []  # every op the client sent
        self.url = yarl.URL()  # set once the server listens
        self.resumable = True
        self._changed = changed
        self._timeout = timeout
        self._connections: set[Connection] = set()
        self._sessions: dict[str, Session] = {}

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to every session of the event's shard, waiting for one; a session
        between connections gets it when it resumes."""
        guild_id = _guild_of(data)
        async with asyncio.timeout(self._timeout), self._changed:
            await self._changed.wait_for(lambda: bool(self._serving(guild_id)))
        await self.broadcast(event, data)

    async def broadcast(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to every session of the event's shard there is, if any."""
        for session in self._serving(_guild_of(data)):
            await session.dispatch(event, data)

    def _serving(self, guild_id: int | None) -> list[Session]:
        return [session for session in self._sessions.values() if session.serves(guild_id)]

    async def disconnect(self, code: int = 4000, *, abrupt: bool = False) -> None:
        """Close every connection with `code` (or, `abrupt`, drop it with no close frame);
        the sessions stay, for the bot to RESUME."""
        for connection in list(self._connections):
            if connection.session is not None:
                connection.session.connection = None
            if abrupt and connection.transport is not None:
                connection.transport.close()
            else:
                await connection.ws.close(code=code)

    async def request_reconnect(self) -> None:
        """Ask every connection to reconnect (op 7 RECONNECT), as Discord does at times."""
        for connection in list(self._connections):
            await connection.send({"op": Op.RECONNECT, "d": None})

    async def close(self) -> None:
        for connection in list(self._connections):
            await connection.ws.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"the fake speaks zlib-stream only")
            return ws
        connection = Connection(ws, zlib.compressobj() if compress else None, request.transport)
        self._connections.add(connection)
        try:
            await connection.send(
                {"op": Op.HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_op(connection, json.loads(msg.data))
        finally:
            self._connections.discard(connection)
            self._detach(connection)
        return ws

    def _detach(self, connection: Connection) -> None:
        session = connection.session
        if session is None or session.connection is not connection:
            return  # the fake dropped it: the session waits for a RESUME
        session.connection = None
        if connection.ws.close_code in (1000, 1001):  # the bot closed: Discord ends the session
            self._sessions.pop(session.id, None)

    async def _on_op(self, connection: Connection, payload: JSON) -> None:
        async with self._changed:
            self.payloads.append(payload)
            self._changed.notify_all()
        op = payload["op"]
        if op == Op.HEARTBEAT:
            await connection.send({"op": Op.HEARTBEAT_ACK})
        elif op == Op.IDENTIFY:
            self.world.intents = payload["d"].get("intents")
            shard, count = payload["d"].get("shard", (0, 1))
            await self._identify(connection, (shard, count))
        elif op == Op.RESUME:
            await self._resume(connection, payload["d"]["session_id"], payload["d"]["seq"] or 0)

    async def _identify(self, connection: Connection, shard: tuple[int, int]) -> None:
        world = self.world
        session = Session(f"fake-session-{world.snowflake()}", connection, shard)
        guilds = [guild for guild in world.guilds.values() if session.serves(guild.id)]
        connection.session = session
        ready = {
            "v": 10,
            "user": world.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "session_id": session.id,
            "shard": list(shard),
            "session_type": "normal",
            "resume_gateway_url": str(self.url),
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
        }
        await session.dispatch("READY", ready)
        for guild in guilds:
            await session.dispatch("GUILD_CREATE", guild.payload())
        await self._add_session(session)

    async def _resume(self, connection: Connection, session_id: str, seq: int) -> None:
        """Replay what the session missed since `seq`, then RESUMED; or INVALID_SESSION
        (not resumable) if the session is gone or resuming is switched off."""
        session = self._sessions.get(session_id)
        if session is None or not self.resumable:
            self._sessions.pop(session_id, None)
            await connection.send({"op": Op.INVALIDATE_SESSION, "d": False})
            return
        connection.session = session
        # Catch up until nothing new came in meanwhile, then let dispatches through live.
        while missed := [p for p in session.sent if p["s"] > seq]:
            for payload in missed:
                await connection.send(payload)
            seq = missed[-1]["s"]
        session.connection = connection
        await session.dispatch("RESUMED", {})
        await self._add_session(session)

    async def _add_session(self, session: Session) -> None:
        async with self._changed:
            self._sessions[session.id] = session
            self._changed.notify_all()


def _guild_of(data: JSON) -> int | None:
    """The guild an event belongs to (None: a direct message, or no guild at all)."""
    guild_id = data.get("guild_id")
    return None if guild_id is None else int(guild_id)
