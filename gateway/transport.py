"""The outbound HTTP clients, and what a failure on them means for a write.

Chosen by measurement (bench/README.md): aiohttp's own client on the network (`aiohttp`, the default), httpx's own
pool as the alternative (`httpx`). httpx also carries every exchange whose vendor is an httpx transport in this
process: respx in the connectors' tests, the in-process sandboxes, the contract recorders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Literal, Protocol

import aiohttp
import httpx
import yarl

from gateway.config import Timeouts

TransportKind = Literal["aiohttp", "httpx"]
Failure = Literal["not_sent", "timeout", "lost"]


@dataclass(frozen=True)
class Outbound:
    """A vendor request as bytes: the full URL (query included), the headers and the body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None


class Sender(Protocol):
    async def send(self, request: Outbound) -> tuple[int, Mapping[str, str], bytes]: ...

    async def aclose(self) -> None: ...


class AiohttpSender:
    """aiohttp's client: about half the CPU per exchange of httpx's API over the same pool (bench/README.md)."""

    def __init__(self, timeouts: Timeouts, max_connections: int) -> None:
        self._timeouts = timeouts
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop, as aiohttp requires.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0),
            # `connect` covers waiting for a pooled connection and opening one: nothing was sent yet.
            timeout=aiohttp.ClientTimeout(total=None, connect=self._timeouts.connect, sock_read=self._timeouts.read),
            # Vendors' cookies must not travel from one account's request to another's.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self._session

    async def send(self, request: Outbound) -> tuple[int, Mapping[str, str], bytes]:
        session = self._session or self._open()
        async with session.request(
            request.method,
            yarl.URL(request.url, encoded=True),
            headers=request.headers,
            data=request.body,
            allow_redirects=False,
        ) as response:
            return response.status, response.headers, await response.read()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpxSender:
    def __init__(self, timeouts: Timeouts, transport: httpx.AsyncBaseTransport | None = None, limit: int = 100) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=timeouts.connect, read=timeouts.read, write=timeouts.read, pool=timeouts.connect
            ),
            transport=transport
            or httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit)),
            follow_redirects=False,
        )
        # Vendors' cookies must not travel from one account's request to another's: a jar that takes none.
        self._client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    async def send(self, request: Outbound) -> tuple[int, Mapping[str, str], bytes]:
        response = await self._client.request(
            request.method, request.url, headers=request.headers, content=request.body
        )
        return response.status_code, response.headers, response.content

    async def aclose(self) -> None:
        await self._client.aclose()


def sender(kind: TransportKind, timeouts: Timeouts, max_connections: int) -> Sender:
    if kind == "aiohttp":
        return AiohttpSender(timeouts, max_connections)
    return HttpxSender(timeouts, limit=max_connections)


def classify(exc: BaseException) -> Failure | None:
    """Could the vendor have received the request? Only a failure before the connection existed says no.
    None: not a transport failure at all."""
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return "not_sent"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "not_sent"
    if isinstance(exc, aiohttp.ServerTimeoutError | httpx.TimeoutException | TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientError | httpx.TransportError | OSError):
        return "lost"
    return None
