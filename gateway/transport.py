"""The outbound HTTP transport, and what a failure on it means for a write.

The connectors' requests are executed through httpx's API in both cases; the transport underneath is chosen by
measurement (bench/README.md): aiohttp's connection pool by default, httpx's own as the alternative.
"""

from __future__ import annotations

from typing import Literal

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

TransportKind = Literal["aiohttp", "httpx"]
Failure = Literal["not_sent", "timeout", "lost"]


def transport(kind: TransportKind, max_connections: int = 100) -> httpx.AsyncBaseTransport:
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    if kind == "aiohttp":
        return AiohttpTransport(limits=limits)
    return httpx.AsyncHTTPTransport(limits=limits)


def classify(exc: BaseException) -> Failure:
    """Could the vendor have received the request? Only a failure before the connection existed says no.

    The aiohttp transport maps every lost connection to httpx's ConnectTimeout, which would read as "never
    sent"; the aiohttp exception behind it tells a refused connection from one that died mid-exchange.
    """
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError | TimeoutError):
        if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
            return "not_sent"
        if isinstance(cause, aiohttp.ServerTimeoutError | TimeoutError):
            return "timeout"
        return "lost"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "not_sent"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    return "lost"
