"""The fixed upstream every scenario ends at: a raw ASGI app, never the bottleneck (`direct` shows its ceiling).

- any POST: a small 201 JSON shaped like a vendor create (an id and a remote id), so the gateway's Bindbee plan
  reads it as a created job;
- `GET /api/ats/v1/candidates[/{id}]`: Bindbee's page of 100 candidates (or one), with what the query asks for
  (`expand=applications`, `include_custom_fields`, `include_raw_data`), as Bindbee documents them;
- `GET /unified/ats/candidates[/{id}]`: StackOne's page of 100 candidates (or one).

Every answer is encoded once (bench/pages.py) and sent as bytes, after an optional fixed delay (`BENCH_DELAY_MS`).
A read of anything else is a 404, so a gateway that asks another vendor path shows as errors, not as a fast read.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import parse_qsl

from bench.pages import bindbee_body, stackone_body

CREATED = b'{"id":"3f1c2e9a-4b5d-4e6f-8a7b-9c0d1e2f3a4b","remote_id":"4033879101","name":"Bench"}'
NOT_FOUND = b'{"detail":"Not Found"}'
DELAY_S = int(os.environ.get("BENCH_DELAY_MS", "0")) / 1000
BINDBEE = "/api/ats/v1/candidates"
STACKONE = "/unified/ats/candidates"


def answer(method: str, path: str, query: bytes) -> tuple[int, bytes]:
    if method == "POST":
        return 201, CREATED
    if method != "GET":
        return 404, NOT_FOUND
    for base, read in ((BINDBEE, _bindbee), (STACKONE, _stackone)):
        if path == base:
            return 200, read(False, query)
        rest = path.removeprefix(base + "/")
        if rest != path and rest and "/" not in rest:
            return 200, read(True, query)
    return 404, NOT_FOUND


def _bindbee(single: bool, query: bytes) -> bytes:
    params = dict(parse_qsl(query.decode()))
    expanded = {name.split("[", 1)[0] for name in params.get("expand", "").split(",")}
    return bindbee_body(
        single,
        expand="applications" in expanded,
        custom_fields=params.get("include_custom_fields") == "true",
        raw_data=params.get("include_raw_data") == "true",
    )


def _stackone(single: bool, _query: bytes) -> bytes:
    """StackOne's page does not depend on the query the gateway sends (`page_size=100`, a `next` cursor)."""
    return stackone_body(single)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    status, body = answer(scope["method"], scope["path"], scope["query_string"])
    if DELAY_S:
        await asyncio.sleep(DELAY_S)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
