"""The floor of a Python hop: the gateway's server stack and HTTP client, forwarding, with no validation or state."""

from __future__ import annotations

import os

import httpx
from fastapi import FastAPI, Request, Response

from gateway.upstream import transport

UPSTREAM = os.environ["BENCH_UPSTREAM"]

app = FastAPI()
client = httpx.AsyncClient(
    base_url=UPSTREAM,
    transport=transport(os.environ.get("BENCH_TRANSPORT", "aiohttp"), max_connections=512),
    timeout=30,
)


@app.post("/{path:path}")
async def forward(path: str, request: Request) -> Response:
    upstream = await client.post(f"/{path}", content=await request.body(), headers={"content-type": "application/json"})
    return Response(upstream.content, upstream.status_code, media_type="application/json")
