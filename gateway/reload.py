"""SIGHUP for one process: reload the configuration without dropping a request or the embedded state store.

The new file is checked first (`load_config`, as `gateway check-config` does); a file with problems is reported
and the running app keeps serving. A good one becomes a new app, started before it takes requests; the old one
finishes the requests it holds, then shuts down (its vendor connections close). The caller's `build` keeps what
must outlive a configuration: the embedded store (idempotency keys, limits), the metrics, and the in-process
sandboxes while their accounts are unchanged.

With several workers uvicorn's supervisor owns SIGHUP: it starts a new worker per old one and retires the old one
once the new one is up, and each worker checks the file in the same way (`gateway.cli.app_from_environment`).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from gateway.config import ConfigError, ResolvedConfig

log = logging.getLogger("gateway")


@dataclass
class _Generation:
    app: FastAPI
    lifespan: AbstractAsyncContextManager[Any]
    active: int = 0
    retired: bool = False


class Reloadable:
    """The ASGI app uvicorn serves in one process: the current gateway app, replaced on SIGHUP."""

    def __init__(
        self,
        initial: ResolvedConfig,
        load: Callable[[], ResolvedConfig],
        build: Callable[[ResolvedConfig], FastAPI],
    ) -> None:
        self._initial = initial
        self._load = load
        self._build = build
        self._current: _Generation | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._reloading: asyncio.Task[bool] | None = None

    @property
    def app(self) -> FastAPI:
        assert self._current is not None, "not started"
        return self._current.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        generation = self._current
        assert generation is not None, "not started"
        generation.active += 1
        try:
            await generation.app(scope, receive, send)
        finally:
            generation.active -= 1
            if generation.retired and generation.active == 0:
                self._retire(generation)

    async def start(self) -> None:
        self._current = await _started(self._build(self._initial))
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._on_sighup)

    async def stop(self) -> None:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if self._reloading is not None:
            await self._reloading
        if self._current is not None:
            await _stopped(self._current)
        for task in list(self._closing):
            await task

    def _on_sighup(self) -> None:
        if self._reloading is None or self._reloading.done():
            self._reloading = asyncio.create_task(self.reload())

    async def reload(self) -> bool:
        """Check the file and swap the app; False (and the running configuration kept) when it has problems."""
        log.info("SIGHUP: reloading the configuration")
        try:
            resolved = self._load()
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("config problem: %s", problem)
            log.error("the configuration was not reloaded: the running one is kept")
            return False
        fresh = await _started(self._build(resolved))
        old, self._current = self._current, fresh
        if old is not None:
            old.retired = True
            if old.active == 0:
                self._retire(old)
        log.info("configuration reloaded: %d accounts", len(resolved.config.accounts))
        return True

    def _retire(self, generation: _Generation) -> None:
        task = asyncio.create_task(_stopped(generation))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """The ASGI lifespan protocol, for the app of the moment (uvicorn starts and stops this wrapper)."""
        message = await receive()
        assert message["type"] == "lifespan.startup"
        try:
            await self.start()
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": repr(exc)})
            raise
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        assert message["type"] == "lifespan.shutdown"
        try:
            await self.stop()
        except Exception as exc:
            log.exception("shutdown failed")
            await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
            return
        await send({"type": "lifespan.shutdown.complete"})


async def _started(app: FastAPI) -> _Generation:
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    return _Generation(app, lifespan)


async def _stopped(generation: _Generation) -> None:
    await generation.lifespan.__aexit__(None, None, None)
