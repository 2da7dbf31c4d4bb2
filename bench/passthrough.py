"""The floor of a Python hop: the gateway's server stack and HTTP client, forwarding, with no validation or state.

`BENCH_TRANSPORT` picks the client: `aiohttp` (httpx's API on aiohttp's pool, as the gateway), `httpx` (httpx's own
pool) or `raw-aiohttp` (aiohttp's own API), so bench/README.md can compare them on the same server stack.
"""

from __future__ import annotations

import os

import aiohttp
import httpx
from fastapi import FastAPI, Request, Response

from gateway.transport import transport

UPSTREAM = os.environ["BENCH_UPSTREAM"]
KIND = os.environ.get("BENCH_TRANSPORT", "aiohttp")

app = FastAPI()
client = httpx.AsyncClient(
    base_url=UPSTREAM, transport=transport("httpx" if KIND == "httpx" else "aiohttp", max_connections=512), timeout=30
)
session: aiohttp.ClientSession | None = None


@app.post("/{path:path}")
async def forward(path: str, request: Request) -> Response:
    global session
    body = await request.body()
    if KIND == "raw-aiohttp":
        if session is None:
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))
        async with session.post(
            f"{UPSTREAM}/{path}", data=body, headers={"content-type": "application/json"}
        ) as answer:
            return Response(await answer.read(), answer.status, media_type="application/json")
    upstream = await client.post(f"/{path}", content=body, headers={"content-type": "application/json"})
    return Response(upstream.content, upstream.status_code, media_type="application/json")
