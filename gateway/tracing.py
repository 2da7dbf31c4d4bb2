"""W3C Trace Context (https://www.w3.org/TR/trace-context/): the caller's `traceparent`, or a new trace.

The gateway records no spans of its own; it joins the caller's trace so its access event and the vendor call can
be found from the caller's trace id. Each request is one span of the gateway (`span_id`), the parent of every
vendor call it makes (`gateway/upstream.py` sends `traceparent` with it).
"""

from __future__ import annotations

import contextvars
import os
import re
from dataclasses import dataclass

# version-trace_id-parent_id-flags, lower-case hex; a future version may append fields after another dash.
_TRACEPARENT = re.compile(rb"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\x21-\x7e]*)?")
_SAMPLED = 0x01


@dataclass(frozen=True, slots=True)
class TraceContext:
    trace_id: str
    span_id: str
    """This request's span in the gateway: the parent id of the vendor calls."""
    parent_id: str | None
    """The caller's span, when it sent a valid `traceparent`."""
    sampled: bool

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


_CURRENT: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar("trace", default=None)


def parse(header: bytes | None) -> tuple[str, str, bool] | None:
    """(trace id, caller's span id, sampled) from a valid header; None for an absent or invalid one."""
    if not header:
        return None
    match = _TRACEPARENT.fullmatch(header.strip())
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    # ff is forbidden; version 00 has exactly four fields; all-zero ids are invalid.
    if version == b"ff" or (version == b"00" and rest) or trace_id == b"0" * 32 or parent_id == b"0" * 16:
        return None
    return trace_id.decode(), parent_id.decode(), bool(int(flags, 16) & _SAMPLED)


def start(header: bytes | None) -> tuple[TraceContext, contextvars.Token[TraceContext | None]]:
    """The request's trace context, made current: the caller's trace continued, or a new one (an invalid header
    starts a new trace, as the specification asks). A trace started here is not marked sampled: the gateway
    records no spans, only its logs."""
    parsed = parse(header)
    if parsed is None:
        ids = os.urandom(24).hex()  # one call for both ids: this runs on every request
        context = TraceContext(ids[:32], ids[32:], None, False)
    else:
        trace_id, parent_id, sampled = parsed
        context = TraceContext(trace_id, os.urandom(8).hex(), parent_id, sampled)
    return context, _CURRENT.set(context)


def end(token: contextvars.Token[TraceContext | None]) -> None:
    _CURRENT.reset(token)


def outbound() -> str | None:
    """The `traceparent` for a vendor call made now (None outside a request)."""
    context = _CURRENT.get()
    return context.traceparent if context is not None else None
