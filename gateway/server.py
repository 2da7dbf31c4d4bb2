"""The HTTP server: uvicorn on uvloop with httptools, plus the limits a server facing hostile clients needs.

uvicorn's httptools protocol closes a connection left idle after a response, and nothing else: a connection that
never sends a byte, a request head that trickles in a byte at a time (slowloris), a body that never completes, an
8 MiB header (buffered whole by the parser) and thousands of pipelined requests (all parsed and queued) are each
held for as long as the client likes. uvicorn offers a head-size limit only for h11, a pure-Python parser.

`GatewayProtocol` is uvicorn's httptools protocol with those limits added: request handling, flow control and the
ASGI cycle stay uvicorn's own; the subclass only counts, times and refuses. A request past a limit is answered in
the gateway's error envelope (408, 431, or 400 for what the parser rejects) and the connection is closed. When
earlier requests of the same connection are still being answered, the refused one gets no answer: the connection
closes after the accepted ones (RFC 9112 § 9.3.2 lets a client retry unanswered requests on a new connection).

Every setting has an environment variable (`ServerLimits`); each worker process receives the same values.
Which server runs the gateway is decided here alone (`run`), so another can be measured against it.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import uuid
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from gateway.errors import GatewayError

if TYPE_CHECKING:
    from gateway.settings import ServerSettings

LINGER_SECONDS = 2.0
"""How long a refused client's remaining bytes are read and dropped after its answer, before the close."""


@dataclass(frozen=True)
class ServerLimits:
    """What one client connection may take; set by the `GATEWAY_*` variables of `ServerSettings` (gateway/settings.py,
    where each is described), with these defaults."""

    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    keep_alive_seconds: int = 5
    send_timeout_seconds: float = 30.0
    max_header_bytes: int = 16 * 1024
    max_pipelined_requests: int = 16

    @classmethod
    def of(cls, settings: ServerSettings) -> ServerLimits:
        return cls(
            settings.gateway_header_timeout_seconds,
            settings.gateway_body_timeout_seconds,
            settings.gateway_keep_alive_seconds,
            settings.gateway_send_timeout_seconds,
            settings.gateway_max_header_bytes,
            settings.gateway_max_pipelined_requests,
        )


class GatewayProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the `ServerLimits` enforced (see the module docstring).

    Head bytes are counted twice over, because httptools hands a header to Python only once it is complete and
    buffers it until then: completed parts of the head (URL, headers) exactly, in the parser's callbacks, and
    chunks that arrive wholly inside one unfinished head by their length. A chunk in which an earlier message ends
    is not counted, so the parser holds at most the limit plus one read (256 kB with uvloop) for one head, and a
    request is never refused for bytes that belonged to the request before it.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: ServerLimits,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        self.awaiting_head = True
        """No head is complete for the current message (idle, or inside a head)."""
        self.head_begun = False
        self.head_bytes = 0
        self.spanning_bytes = 0
        self.head_done_in_chunk = False
        self.awaiting_body = False
        """The newest request's head is accepted and its body is still coming."""
        self.refused = False
        """Past a limit: nothing more is read or parsed on this connection."""
        self.head_timer: TimerHandle | None = None
        self.body_timer: TimerHandle | None = None
        self.send_timer: TimerHandle | None = None
        self.linger_timer: TimerHandle | None = None

    # --- the connection ----------------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn arms its idle timer only after a response: a connection that never sends a byte is idle too.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        if self.linger_timer is not None:
            self.linger_timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        spanning = self.awaiting_head
        self.head_done_in_chunk = False
        super().data_received(data)
        if self.refused or self.transport.is_closing():
            return
        if self.awaiting_head and (self.head_begun or (spanning and not self.head_done_in_chunk)):
            # A head is unfinished after this chunk (or only noise arrived): from now on it runs against the clock.
            if self.head_timer is None:
                self.head_timer = self.loop.call_later(self.limits.header_timeout_seconds, self._head_timed_out)
            if spanning and not self.head_done_in_chunk:
                self.spanning_bytes += len(data)
                self._check_head_size(self.spanning_bytes)
        elif self.awaiting_body and self.body_timer is None and not self.pipeline:
            self._arm_body_timer()

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.send_timer is None:
            self.send_timer = self.loop.call_later(self.limits.send_timeout_seconds, self._send_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.send_timer is not None:
            self.send_timer.cancel()
            self.send_timer = None

    def send_400_response(self, msg: str) -> None:
        """What httptools cannot parse, in the gateway's envelope rather than uvicorn's plain text."""
        self._refuse((400, "malformed_request", f"{msg} The request could not be parsed as HTTP/1.1."))

    # --- the parser's callbacks ----------------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.refused:
            return
        self.head_begun = True
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if self.refused:
            return
        self.head_bytes += len(url)
        if not self._check_head_size(self.head_bytes):
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.refused:
            return
        self.head_bytes += len(name) + len(value) + 4  # ": " and CRLF
        if not self._check_head_size(self.head_bytes):
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self.refused:
            return
        self.awaiting_head = self.head_begun = False
        self.head_done_in_chunk = True
        self.head_bytes = self.spanning_bytes = 0
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        if self.cycle is not None and not self.cycle.response_complete and len(self.pipeline) >= self._max_queued:
            self._refuse(None)
            return
        super().on_headers_complete()
        self.awaiting_body = True

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        self.awaiting_body = False
        self.awaiting_head = True
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        super().on_message_complete()

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        super()._start_asgi_task(cycle, app)
        # A queued request whose body had not arrived when reading paused starts its body's clock now.
        if cycle is self.cycle and self.awaiting_body and self.body_timer is None:
            self._arm_body_timer()

    # --- limits ----------------------------------------------------------------------------------------------

    @property
    def _max_queued(self) -> int:
        return self.limits.max_pipelined_requests

    def _check_head_size(self, size: int) -> bool:
        if size <= self.limits.max_header_bytes:
            return False
        self._refuse(
            (431, "headers_too_large", f"The request line and headers exceed {self.limits.max_header_bytes} bytes")
        )
        return True

    def _arm_body_timer(self) -> None:
        self.body_timer = self.loop.call_later(self.limits.body_timeout_seconds, self._body_timed_out)

    def _head_timed_out(self) -> None:
        self.head_timer = None
        seconds = self.limits.header_timeout_seconds
        self._refuse((408, "request_timeout", f"The request line and headers did not arrive within {seconds:g} s"))

    def _body_timed_out(self) -> None:
        self.body_timer = None
        if self.cycle is not None and self.cycle.response_started:
            # Answered already (a 413 before reading the body, say): only the rest of the body is refused.
            self.refused = True
            self.transport.close()
            return
        # Only the request being answered has this clock, so nothing else is in flight: answer it now.
        self._cancel_timers(keep_send=True)
        seconds = self.limits.body_timeout_seconds
        self._answer(408, "request_timeout", f"The request body did not arrive within {seconds:g} s")

    def _send_timed_out(self) -> None:
        self.send_timer = None
        # The client reads nothing: what is buffered for it would never leave, so it is dropped.
        self.transport.abort()

    def _refuse(self, answer: tuple[int, str, str] | None) -> None:
        """Read nothing more; answer now when nothing else is being answered, else close after what was accepted."""
        self.refused = True
        self._cancel_timers(keep_send=True)
        self.flow.pause_reading()
        if self.cycle is not None and not self.cycle.response_complete:
            # The newest accepted request is answered last; the connection closes once it is.
            self.cycle.keep_alive = False
            return
        if answer is None:
            self.transport.close()
        else:
            self._answer(*answer)

    def _answer(self, status: int, code: str, message: str) -> None:
        request_id = uuid.uuid4().hex
        body = json.dumps(GatewayError(status, code, message).body(request_id), separators=(",", ":")).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-request-id: %s\r\n" % request_id.encode(),
            b"connection: close\r\n\r\n",
        ]
        self.refused = True
        self.transport.write(b"".join(head) + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # A lingering close (as nginx's): closing with the client's bytes unread would reset the connection, and
        # a reset can destroy the answer before the client reads it. So the answer is followed by end-of-stream,
        # and what the client still sends is read and dropped until it closes, for at most LINGER_SECONDS.
        self.transport.write_eof()
        self.flow.resume_reading()
        self.linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _cancel_timers(self, keep_send: bool = False) -> None:
        timers = [self.head_timer, self.body_timer] + ([] if keep_send else [self.send_timer])
        for timer in timers:
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None
        if not keep_send:
            self.send_timer = None


YOUNG_COLLECTION_THRESHOLD = 200_000
"""Tracked objects allocated (net of those freed) before the collector scans the young generation; Python's
default is 700."""


def tune_collector() -> None:
    """The cyclic garbage collector set for a server that reads pages of 100 records.

    Reading a page holds tens of thousands of dicts, lists and strings alive at once (the vendor's body, the
    unified records, the answer). With the default threshold of 700 the collector scans the young generation
    dozens of times while one page is read, each scan walking objects still in use, and the older generations,
    the whole heap of modules and models, now and then: on `make bench`'s StackOne page (100 candidates) that was
    a fifth of the gateway's CPU, on the Bindbee page more. Past the largest page, a collection runs only when
    objects accumulate; garbage without cycles is freed by reference counting, as always. Measured with the
    gateway pinned to one core (bench/README.md, "The garbage collector"). Called in every serving process: the
    single process and each worker."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def run(
    app: Any,
    *,
    host: str,
    port: int,
    workers: int = 1,
    factory: bool = False,
    limits: ServerLimits | None = None,
    **options: Any,
) -> None:
    """Serve `app` (an ASGI app, or with `factory` the import string of a function making one in each worker);
    `options` are further uvicorn settings (the proxies believed, the workers' health-check timeout)."""
    limits = limits or ServerLimits()
    # A partial of a module-level class: it pickles, so spawned workers get the same limits.
    protocol = cast("type[asyncio.Protocol]", functools.partial(GatewayProtocol, limits=limits))
    uvicorn.run(
        app,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        factory=factory,
        log_config=None,
        loop="uvloop",
        http=protocol,
        ws="none",  # the gateway serves no WebSocket: an upgrade request is answered as plain HTTP
        timeout_keep_alive=limits.keep_alive_seconds,
        timeout_graceful_shutdown=30,
        **options,
    )
