"""The fixed upstream every scenario ends at: a raw ASGI app, never the bottleneck.

Answers any request with a small 201 JSON body shaped like a vendor create (an id and a remote id), after an
optional fixed delay (`BENCH_DELAY_MS`), so the gateway's Bindbee plan reads it as a created job.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

BODY = b'{"id":"3f1c2e9a-4b5d-4e6f-8a7b-9c0d1e2f3a4b","remote_id":"4033879101","name":"Bench"}'
DELAY_S = int(os.environ.get("BENCH_DELAY_MS", "0")) / 1000


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    if DELAY_S:
        await asyncio.sleep(DELAY_S)
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
