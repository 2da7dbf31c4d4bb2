"""Merge's `Idempotency-Key` on POST writes, as docs.merge.dev documents it (writing-data/writes/idempotency; a beta
Merge enables per customer, hence `MergeSandbox.idempotency`):

- a new key: the request is processed, and its answer (status and body) kept with a hash of the request for 24 h;
- the same key with the same request: the kept answer, and nothing is processed again;
- the same key with a different request: 400, an invalid reuse.

"The same request" is the whole request, URL and body (help.merge.dev 3428903208: "evaluated against the full
request, including URL, body, and relevant headers"), per linked account. Merge documents the key on POST only,
so a PATCH's key is ignored. Answers the write never reached (authentication, rate limit, injected faults before
handling) are not kept, so a retry with the key is processed. Merge does not say what a second request does while
the first is still running: here it waits for the first and gets its answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox.merge_errors import problem

LIFETIME_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Kept:
    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str]
    expires: float


@dataclass
class IdempotencyLog:
    lifetime: float = LIFETIME_SECONDS
    kept: dict[tuple[str, str], Kept] = field(default_factory=dict)
    locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)

    def find(self, scope: tuple[str, str]) -> Kept | None:
        found = self.kept.get(scope)
        if found is not None and found.expires <= time.monotonic():
            del self.kept[scope]
            return None
        return found


def fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), request.url.query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def install(app: FastAPI, log: IdempotencyLog, accounts: Callable[[Request], str | None]) -> None:
    """Add the middleware; `accounts` names the authenticated linked account of a request (None: let it fail)."""

    @app.middleware("http")
    async def idempotent(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        key = request.headers.get("idempotency-key")
        account = accounts(request) if key and request.method == "POST" else None
        if key is None or account is None:
            return await call_next(request)
        scope = (account, key)
        body = await request.body()
        mine = fingerprint(request, body)
        async with log.locks.setdefault(scope, asyncio.Lock()):
            kept = log.find(scope)
            if kept is not None and kept.fingerprint != mine:
                text = "This Idempotency-Key was used with a different request: an invalid reuse."
                return JSONResponse({"warnings": [], "errors": [problem("ERROR", None, text)]}, 400)
            if kept is not None:
                return Response(kept.body, kept.status, headers=kept.headers)
            response = await call_next(request)
            content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
            headers = dict(response.headers)
            if response.status_code < 500:
                log.kept[scope] = Kept(mine, response.status_code, content, headers, time.monotonic() + log.lifetime)
            return Response(content, response.status_code, headers=headers)
