"""The floor of a Python hop: the gateway's server stack and HTTP client, forwarding, with no validation or state.

It forwards the method, path, query and body it receives and answers the upstream's bytes, so wrk points it at the
vendor path the gateway would call (bench/run.py `Workload.vendor_path`): the same page, without the mapping.

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
    query = scope["query_string"].decode()
    url = UPSTREAM + scope["path"] + (f"?{query}" if query else "")
    body = await request.body()
    outbound = Outbound(scope["method"], url, {"content-type": "application/json"} if body else {}, body or None)
    status, _, content = await client.send(outbound)
    await Response(content, status, media_type="application/json")(scope, receive, send)
