"""The fake's gateway: a zlib-stream websocket that says HELLO, answers heartbeats, sends
READY and a GUILD_CREATE per guild on IDENTIFY, RESUMEs, and dispatches events."""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass
from typing import Any

import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket as Op

from tests.fake_discord.world import APPLICATION_ID, JSON, World

PATH = "/gateway"
HEARTBEAT_INTERVAL_MS = 41_250


@dataclass(eq=False)
class Session:
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

    async def dispatch(self, event: str, data: JSON) -> None:
        self.sequence += 1
        await self.send({"op": Op.DISPATCH, "t": event, "s": self.sequence, "d": data})


class Gateway:
    """The websocket side; `changed` is notified when a session becomes identified."""

    def __init__(self, world: World, changed: asyncio.Condition, timeout: float) -> None:
        self.world = world
        self.payloads: list[JSON] = []  # every op the client sent
        self.url = yarl.URL()  # set once the server listens
        self._changed = changed
        self._timeout = timeout
        self._sessions: set[Session] = set()

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to every identified session, waiting for one."""
        async with asyncio.timeout(self._timeout), self._changed:
            await self._changed.wait_for(lambda: any(s.identified for s in self._sessions))
        for session in [s for s in self._sessions if s.identified]:
            await session.dispatch(event, data)

    async def disconnect(self, code: int = 4000) -> None:
        """Close every connection; with a resumable code discord.py RESUMEs."""
        for session in list(self._sessions):
            session.identified = False  # dispatches wait for the reconnected session
            await session.ws.close(code=code)

    async def close(self) -> None:
        for session in list(self._sessions):
            await session.ws.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"the fake speaks zlib-stream only")
            return ws
        session = Session(ws, zlib.compressobj() if compress else None)
        self._sessions.add(session)
        try:
            await session.send({"op": Op.HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_op(session, json.loads(msg.data))
        finally:
            self._sessions.discard(session)
        return ws

    async def _on_op(self, session: Session, payload: JSON) -> None:
        self.payloads.append(payload)
        op = payload["op"]
        if op == Op.HEARTBEAT:
            await session.send({"op": Op.HEARTBEAT_ACK})
        elif op == Op.IDENTIFY:
            self.world.intents = payload["d"].get("intents")
            await self._identify(session)
        elif op == Op.RESUME:
            await self._mark_identified(session)
            session.sequence = payload["d"]["seq"] or 0
            await self.dispatch("RESUMED", {})

    async def _identify(self, session: Session) -> None:
        world = self.world
        ready = {
            "v": 10,
            "user": world.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "session_id": f"fake-session-{world.snowflake()}",
            "session_type": "normal",
            "resume_gateway_url": str(self.url),
            "application": {"id": str(APPLICATION_ID), "flags": 0},
            "guilds": [{"id": str(g), "unavailable": True} for g in world.guilds],
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
        }
        await session.dispatch("READY", ready)
        for guild in world.guilds.values():
            await session.dispatch("GUILD_CREATE", guild.payload())
        await self._mark_identified(session)

    async def _mark_identified(self, session: Session) -> None:
        async with self._changed:
            session.identified = True
            self._changed.notify_all()
