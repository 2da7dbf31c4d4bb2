"""The floor of a Python hop: the gateway's server stack and HTTP client, forwarding, with no validation or state.

The same layers as the gateway's unified routes: uvicorn (uvloop, httptools), a plain ASGI callable with
Starlette's Request and Response (the gateway serves those routes ahead of FastAPI's router, see
`gateway.app.UnifiedRoutes`), and the gateway's own outbound sender. `BENCH_TRANSPORT` picks the sender: `aiohttp`
(the gateway's default) or `httpx` (httpx's own pool), so bench/README.md can compare them on the same stack.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gateway.config import Timeouts
from gateway.transport import Outbound, sender

UPSTREAM = os.environ["BENCH_UPSTREAM"]
client = sender("httpx" if os.environ.get("BENCH_TRANSPORT") == "httpx" else "aiohttp", Timeouts(), 512)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    request = Request(scope, receive)
    outbound = Outbound("POST", UPSTREAM + scope["path"], {"content-type": "application/json"}, await request.body())
    status, _, content = await client.send(outbound)
    await Response(content, status, media_type="application/json")(scope, receive, send)
