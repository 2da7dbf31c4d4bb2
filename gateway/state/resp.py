"""A small pipelining Redis client: one connection shared by every request, replies matched to callers in order.

Why not redis-py's asyncio client: one pipelined round trip through it costs about 400 µs of CPU (connection pool,
per-command packing and parsing layers, timeouts, telemetry hooks), against about 120 µs here, nearly all of it the
system calls; the store makes two round trips per keyed write, so that difference is a large share of the gateway's
whole CPU per request (bench/README.md). The store needs a handful of commands, not a general client.

Why it is safe: Redis answers the commands of one connection in the order it received them, so each caller's
replies are the next ones to arrive after those of everyone who wrote before it. A caller that gives up (its
deadline, a cancellation) leaves its place in the queue, and its replies are read and dropped: a late reply can
never reach the next caller (the class of bug of CVE-2023-28858). A connection that owes replies and has said
nothing for a whole deadline is presumed dead and closed; everyone waiting on it fails at once, and the next call
connects again (to the current master, for Sentinel).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

import hiredis

Arg = str | bytes | int
Command = Sequence[Arg]


class ReplyError(Exception):
    """An error reply (NOSCRIPT, WRONGTYPE, READONLY, ...): returned in its place among the replies, not raised."""


class ConnectionLost(ConnectionError):
    pass


@dataclass(frozen=True)
class Address:
    host: str = "127.0.0.1"
    port: int = 6379
    unix_path: str | None = None
    tls: bool = False
    username: str | None = None
    password: str | None = None
    db: int = 0


@dataclass(frozen=True)
class Sentinels:
    """`redis+sentinel://[:password@]host:port,host:port/service[/db]`: ask each Sentinel for the master in turn.
    The password is the master's, and is also sent to the Sentinels (as redis-py's `Sentinel` did)."""

    hosts: tuple[tuple[str, int], ...]
    service: str
    master: Address = field(default_factory=Address)


def parse_url(url: str) -> Address | Sentinels:
    """`redis://`, `rediss://` (TLS), `unix:///path?db=N`, `redis+sentinel://`; the db is the path or `?db=`."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    auth = Address(
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
    if parts.scheme == "unix":
        return replace(auth, unix_path=parts.path, db=int(query.get("db", ["0"])[0]))
    if parts.scheme.endswith("+sentinel"):
        netloc = parts.netloc.rpartition("@")[2]
        hosts = tuple((h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1])) for h in netloc.split(","))
        service, _, db = parts.path.strip("/").partition("/")
        tls = parts.scheme.removesuffix("+sentinel") == "rediss"
        return Sentinels(hosts, service, replace(auth, tls=tls, db=int(db or 0)))
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"unsupported Redis URL scheme {parts.scheme!r}")
    db = parts.path.strip("/") or query.get("db", ["0"])[0]
    return replace(
        auth, host=parts.hostname or "127.0.0.1", port=parts.port or 6379, tls=parts.scheme == "rediss", db=int(db)
    )


def pack(command: Command) -> bytes:
    out = [b"*%d\r\n" % len(command)]
    for arg in command:
        data = arg if type(arg) is bytes else (arg if type(arg) is str else str(arg)).encode()
        out += (b"$%d\r\n" % len(data), data, b"\r\n")
    return b"".join(out)


class _Waiter:
    __slots__ = ("count", "future", "replies")

    def __init__(self, future: asyncio.Future[list[Any]], count: int) -> None:
        self.future = future
        self.count = count
        self.replies: list[Any] = []


class _Connection(asyncio.Protocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.reader = hiredis.Reader(replyError=ReplyError)
        self.waiting: deque[_Waiter] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost: Exception | None = None
        self.last_heard = time.monotonic()
        self.outgoing: list[bytes] = []
        self.flush_scheduled = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's, but have their methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.last_heard = time.monotonic()
        self.reader.feed(data)
        try:
            while (reply := self.reader.gets()) is not False:
                if not self.waiting:
                    raise ConnectionLost("Redis sent a reply nobody asked for")
                waiter = self.waiting[0]
                waiter.replies.append(reply)
                if len(waiter.replies) == waiter.count:
                    self.waiting.popleft()
                    if not waiter.future.done():
                        waiter.future.set_result(waiter.replies)
        except (hiredis.ProtocolError, ConnectionLost) as exc:
            self.abort(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = self.lost or exc or ConnectionLost("Redis closed the connection")
        waiting, self.waiting = self.waiting, deque()
        for waiter in waiting:
            if not waiter.future.done():
                waiter.future.set_exception(ConnectionLost(str(self.lost)))

    def send(self, commands: Sequence[Command]) -> asyncio.Future[list[Any]]:
        if self.lost is not None or self.transport is None or self.transport.is_closing():
            raise ConnectionLost(str(self.lost or "the connection is closed"))
        future: asyncio.Future[list[Any]] = self.loop.create_future()
        self.waiting.append(_Waiter(future, len(commands)))
        payload = b"".join(pack(c) for c in commands)
        if self.flush_scheduled:
            self.outgoing.append(payload)
        else:
            # The first pipeline of this turn of the loop leaves at once (no added latency for a lone request);
            # the others sent during the turn leave together in one write at its end, one system call for all.
            self.transport.write(payload)
            self.flush_scheduled = True
            self.loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        self.flush_scheduled = False
        outgoing, self.outgoing = self.outgoing, []
        if outgoing and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(outgoing))

    def abort(self, reason: Exception) -> None:
        self.lost = self.lost or reason
        if self.transport is not None:
            self.transport.abort()  # connection_lost follows, and fails everyone still waiting


class RedisClient:
    """Pipelines over one connection. `timeout_s` bounds connecting and decides when a silent connection is dead;
    callers put their own deadline around `execute`."""

    def __init__(self, target: Address | Sentinels, timeout_s: float) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self._connection: _Connection | None = None
        self._connecting = asyncio.Lock()

    @classmethod
    def from_url(cls, url: str, timeout_s: float) -> RedisClient:
        return cls(parse_url(url), timeout_s)

    async def execute(self, commands: Sequence[Command]) -> list[Any]:
        """Send the commands in one write and return their replies in order; error replies are `ReplyError`s."""
        connection = self._connection
        if connection is None or connection.lost is not None:
            connection = await self._connect()
        sent_at = time.monotonic()
        try:
            replies = await connection.send(commands)
        except asyncio.CancelledError:
            if time.monotonic() - sent_at >= self.timeout_s and connection.last_heard < sent_at:
                connection.abort(ConnectionLost("Redis said nothing for a whole deadline"))
            raise
        if any(isinstance(r, ReplyError) and str(r).startswith("READONLY") for r in replies):
            # A demoted master (after a Sentinel failover): reconnect, and so ask the Sentinels again.
            connection.abort(ConnectionLost("the server is now a replica"))
        return replies

    async def _connect(self) -> _Connection:
        async with self._connecting:
            if self._connection is not None and self._connection.lost is None:
                return self._connection  # another caller connected while this one waited
            async with asyncio.timeout(self.timeout_s):
                address = await self._master() if isinstance(self.target, Sentinels) else self.target
                self._connection = await _open(address)
            return self._connection

    async def _master(self) -> Address:
        assert isinstance(self.target, Sentinels)
        ask: Command = [b"SENTINEL", b"get-master-addr-by-name", self.target.service]
        for host, port in self.target.hosts:
            sentinel = replace(self.target.master, host=host, port=port, db=0)
            try:
                connection = await _open(sentinel)
            except (OSError, ReplyError):
                continue
            try:
                [reply] = await connection.send([ask])
            except OSError:
                continue
            finally:
                connection.abort(ConnectionLost("done"))
            if isinstance(reply, list) and len(reply) == 2:
                return replace(self.target.master, host=reply[0].decode(), port=int(reply[1]))
        raise ConnectionLost(f"no Sentinel knows the master {self.target.service!r}")

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.abort(ConnectionLost("closed"))
            self._connection = None


async def _open(address: Address) -> _Connection:
    """Connect, authenticate and select the database."""
    loop = asyncio.get_running_loop()
    context = ssl.create_default_context() if address.tls else None
    connection = _Connection(loop)
    if address.unix_path is not None:
        await loop.create_unix_connection(lambda: connection, address.unix_path, ssl=context)
    else:
        await loop.create_connection(lambda: connection, address.host, address.port, ssl=context)
    hello: list[Command] = []
    if address.password is not None:
        hello.append(["AUTH", *([address.username] if address.username else []), address.password])
    if address.db:
        hello.append(["SELECT", address.db])
    try:
        for reply in await connection.send(hello) if hello else []:
            if isinstance(reply, ReplyError):
                raise reply
    except BaseException as exc:
        connection.abort(ConnectionLost(f"could not set up the connection: {exc}"))
        raise
    return connection
