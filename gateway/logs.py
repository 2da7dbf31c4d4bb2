"""Structured logs: JSON in production, console for people; secrets and PII never leave the process.

Every event goes through `redact`, so a field added tomorrow cannot leak what today's fields do not.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, TextIO

import structlog

_SECRET_KEYS = re.compile(r"authorization|api[_-]?key|token|secret|password|cookie", re.I)
_PII_KEYS = re.compile(r"e?mail|phone|first_name|last_name|^name$|full_name", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Only "+"-prefixed numbers: bare digit runs are far more often ids and dates than phone numbers.
_PHONE = re.compile(r"\+\d[\d\s().-]{6,}\d")


# pydantic's errors repeat the offending input: `[type=string_type, input_value='Ada', input_type=int]`.
_INPUT_VALUE = re.compile(r"input_value=.*, input_type=")
# Python's own messages quote what they were given: `invalid literal for int() with base 10: 'Ada'`. Names from
# the code itself stay: the type in `'NoneType' object is not iterable`, the attribute or module in
# `module 'x' has no attribute 'y'`.
_QUOTED = re.compile(
    r"(?P<code>'\w+' object\b|(?:attribute|module) '[\w.]+')|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
)


def _unquote(match: re.Match[str]) -> str:
    return match.group("code") or "'[redacted]'"


def _scrub_text(value: str) -> str:
    # Both patterns need their marker character: most values (ids, paths, statuses) skip the regexes.
    if "@" in value:
        value = _EMAIL.sub("[email]", value)
    return _PHONE.sub("[phone]", value) if "+" in value else value


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, Mapping):
        return {k: _redact_item(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


@functools.lru_cache(maxsize=4096)
def _key_rule(key: str) -> str | None:
    """What a key's name alone says its value must become; keys repeat, so the regexes run once per name."""
    if _SECRET_KEYS.search(key):
        return "[secret]"
    if _PII_KEYS.search(key):
        return "[pii]"
    return None


def _redact_item(key: str, value: Any) -> Any:
    return _key_rule(key) or _scrub(value)


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key not in ("event", "level", "timestamp", "logger"):
            event[key] = _redact_item(key, event[key])
    return event


def scrub_message(text: str) -> str:
    """Free text built from values, an exception's message above all: the values it quotes are removed.

    An exception's message is made from whatever the code was handling, a vendor's record included (pydantic
    quotes the input it refused); what debugging needs is the type, the place and the traceback, which stay."""
    text = _INPUT_VALUE.sub("input_value=[redacted], input_type=", text)
    return _scrub_text(_QUOTED.sub(_unquote, text))


def _exception_text(exc_info: Any) -> str:
    """The traceback as Python prints it, chained exceptions included, with every message scrubbed; the
    traceback's own lines are source code and stay as they are."""
    chain: list[BaseException] = []
    exc: BaseException | None = exc_info[1]
    while exc is not None and all(exc is not seen for seen in chain):
        chain.append(exc)
        exc = exc.__cause__ if exc.__cause__ is not None else None if exc.__suppress_context__ else exc.__context__
    blocks = []
    for exc in reversed(chain):
        kind = type(exc)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        try:
            message = scrub_message(str(exc))
        except Exception:
            message = "<the message could not be read>"
        stack = "".join(traceback.format_tb(exc.__traceback__))
        notes = "".join(f"\n{scrub_message(str(n))}" for n in getattr(exc, "__notes__", ()))
        block = ("Traceback (most recent call last):\n" + stack if stack else "") + name
        blocks.append(block + (f": {message}" if message else "") + notes + "\n")
        if exc is not chain[0]:
            blocks.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if _caused(chain, exc)
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
    return "".join(blocks).rstrip("\n")


def _caused(chain: list[BaseException], exc: BaseException) -> bool:
    """Whether the exception after `exc` (towards the one logged) names it as its cause."""
    later = chain[chain.index(exc) - 1]
    return later.__cause__ is exc


_render_exception = structlog.processors.ExceptionRenderer(_exception_text)
"""`exc_info` to a scrubbed `exception` string, before `redact` runs (which then scrubs it like any text)."""


def _scrub_foreign_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Another library's record: its message was formatted from arguments, so it is free text too."""
    if isinstance(event.get("event"), str):
        event["event"] = _scrub_text(event["event"])
    return event


_REQUEST_FIELDS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("request_fields", default=None)


def start_request(**fields: Any) -> contextvars.Token[dict[str, Any] | None]:
    """Open the request's log fields; every event of the request, the access event last, carries them.

    One context variable holding one dict: structlog's contextvars helpers keep a variable per key and scan the
    whole context on every bind, merge and clear, work a request does a handful of times."""
    return _REQUEST_FIELDS.set(dict(fields))


def end_request(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _REQUEST_FIELDS.reset(token)


def bind(**fields: Any) -> None:
    """Add fields to the current request's events (nothing outside a request)."""
    current = _REQUEST_FIELDS.get()
    if current is not None:
        current.update(fields)


def bound(name: str) -> Any:
    current = _REQUEST_FIELDS.get()
    return current.get(name) if current is not None else None


def _merge_request_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    current = _REQUEST_FIELDS.get()
    if current:
        for key, value in current.items():
            event.setdefault(key, value)
    return event


class _Sink:
    """The stream every event goes to; swappable, so loggers cached before `configure` follow it."""

    def __init__(self) -> None:
        self.target: TextIO | None = None
        """None: whatever sys.stderr is at the time of writing."""

    def write(self, text: str) -> int:
        return (self.target or sys.stderr).write(text)

    def flush(self) -> None:
        (self.target or sys.stderr).flush()


_SINK = _Sink()


class _Renderer:
    """JSON or console rendering, switchable for the same reason as the sink."""

    def __init__(self) -> None:
        self.json = structlog.processors.JSONRenderer()
        self.console = structlog.dev.ConsoleRenderer(colors=False)
        self.format = "json"

    def __call__(self, logger: Any, name: str, event: MutableMapping[str, Any]) -> Any:
        return (self.json if self.format == "json" else self.console)(logger, name, event)


_RENDERER = _Renderer()


def configure(log_format: str = "json", level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """The gateway's own events are rendered by structlog straight to the stream (the request path logs twice
    per request, so the stdlib detour matters); other libraries' stdlib records get the same processors.

    `level` is a logging level or its name (`LOG_LEVEL`: debug, info, warning, error). The console format is
    coloured only when the stream is a terminal, so redirected logs hold no escape codes."""
    if isinstance(level, str):
        level = logging.getLevelNamesMapping()[level.upper()]
    _SINK.target = stream
    _RENDERER.format = log_format
    _RENDERER.console = structlog.dev.ConsoleRenderer(colors=(stream or sys.stderr).isatty())
    renderer = _RENDERER
    shared: list[Any] = [
        _merge_request_fields,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _render_exception,
        redact,
    ]
    structlog.configure(
        processors=[*shared, renderer],
        logger_factory=structlog.WriteLoggerFactory(file=_SINK),  # type: ignore[arg-type]
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, _scrub_foreign_event, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(_SINK)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would be a second, unredacted event per request.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every URL it fetches, query strings (and so filters such as e-mails) included.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def access(
    *,
    method: str,
    path: str,
    route: str,
    status: int,
    latency_s: float,
    client: str | None,
    user_agent: str | None,
    code: str | None,
) -> None:
    """The one access event per request, at info; `code` is the error envelope's code on an error answer."""
    fields: dict[str, Any] = {"code": code} if code is not None else {}
    _ACCESS.info(
        "request",
        logger="gateway.access",
        method=method,
        path=path,
        route=route,
        status=status,
        latency_ms=round(latency_s * 1000, 2),
        client=client,
        user_agent=user_agent[:256] if user_agent else None,
        **fields,
    )


_ACCESS = structlog.get_logger()


def error_code(body: bytes) -> str | None:
    """The `code` of an error envelope (CONTRACT.md § Errors), replays included; None for any other body."""
    if not body.startswith(b"{"):
        return None
    try:
        code = json.loads(body).get("code")
    except ValueError:
        return None
    return code if isinstance(code, str) else None


class Throttled:
    """A condition that repeats (a store refusing every probe) logged once per interval, not once per time:
    each event says how many were left out since the previous one."""

    def __init__(self, name: str, interval_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._log = structlog.get_logger(name)
        self._name = name
        self._interval = interval_s
        self._clock = clock
        self._next = float("-inf")
        self.suppressed = 0

    def warning(self, event: str, **fields: Any) -> None:
        now = self._clock()
        if now < self._next:
            self.suppressed += 1
            return
        self._next = now + self._interval
        self._log.warning(event, logger=self._name, suppressed=self.suppressed, **fields)
        self.suppressed = 0
