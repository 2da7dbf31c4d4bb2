"""Reading what the caller sent: a bounded JSON body, headers sent once, and path parameters (the query is
gateway/query.py's). Everything here fails with a 4xx that names the parameter or the problem, before any vendor is
involved.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request

from connectors.errors import FieldError, field_path
from gateway.errors import GatewayError, invalid_input

MAX_JSON_DEPTH = 64


def ascii_int(text: str) -> int | None:
    """A whole number written in ASCII digits, the only digits HTTP and query strings have: `str.isdigit` also
    admits '²' (which `int` then refuses) and '٣' (which `int` reads as 3)."""
    return int(text) if text.isascii() and text.isdigit() else None


def single_header(headers: Headers, name: str) -> str | None:
    """The value of a header the gateway acts on. Sent twice, it is refused: which copy counts differs between
    proxies and frameworks (Starlette keeps the first), so a second one could mean another caller or account."""
    values = headers.getlist(name)
    if len(values) > 1:
        raise invalid_input([FieldError(name, "header.repeated", "send this header once", "invalid_header")], 400)
    return values[0] if values else None


DOT_SEGMENTS = frozenset({".", ".."})


def path_parameter(name: str, value: str) -> str:
    """A caller's value for a path parameter, checked once for every route before any vendor is involved.

    Connectors quote a value into one path segment, but no quoting changes `.` or `..`, and every URL resolver
    removes them (RFC 3986 § 5.2.4): `/jobs/.` would reach the vendor as its list `/jobs/`, `/jobs/..` as `/`.
    Control characters name no record either, and have no business in a vendor URL or a log line."""
    if value in DOT_SEGMENTS:
        rule, message = "path.dot_segment", "'.' and '..' are not ids: they would name the parent path"
    elif not value.isprintable():
        rule, message = "path.control_character", "an id holds no control characters"
    else:
        return value
    raise invalid_input([FieldError(name, rule, message, "invalid_parameter")], status=400)


class _Unrepresentable:
    """A number JSON texts meant for interchange cannot carry (RFC 8259 § 6, RFC 7493 § 2.2): NaN or Infinity,
    which Python's parser accepts, or one beyond a double's range such as 1e400, which it reads as infinity."""

    __slots__ = ()


_UNREPRESENTABLE = _Unrepresentable()


def _float(text: str) -> float | _Unrepresentable:
    value = float(text)
    return value if math.isfinite(value) else _UNREPRESENTABLE


def _too_large(limit: int) -> GatewayError:
    # Built where it is raised, never kept in a local of the raising frame: the traceback holds that frame, and
    # an error its own frame refers to is a reference cycle that keeps the whole request alive until the
    # collector runs (a flood of refused requests then grows the heap: tests/test_hostile_clients.py).
    return GatewayError(413, "payload_too_large", f"The body is larger than {limit} bytes")


def _too_deep() -> GatewayError:
    return GatewayError(400, "json_too_deep", f"The body nests deeper than {MAX_JSON_DEPTH} levels")


async def read_json_body(request: Request, limit: int) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and (size := ascii_int(declared.strip())) is not None and size > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        # The server gave up on the body (its timeout) or the client left: no one will read this answer.
        raise GatewayError(400, "malformed_json", "The connection closed before the body was complete") from None
    raw = b"".join(chunks)
    if not raw.strip():
        raise GatewayError(400, "malformed_json", "The body is empty; send a JSON object")
    try:
        body = json.loads(raw, parse_constant=lambda _: _UNREPRESENTABLE, parse_float=_float)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise GatewayError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    depth, problems = _inspect(body)
    if depth > MAX_JSON_DEPTH:
        raise _too_deep()
    if problems:
        raise invalid_input(problems, status=400)
    if not isinstance(body, dict):
        raise invalid_input([FieldError("(body)", "type.object", "The body must be a JSON object", "invalid_value")])
    return body


def _inspect(value: Any) -> tuple[int, list[FieldError]]:
    """How deep the body nests, and each value in it that cannot be sent on (as I-JSON, RFC 7493, defines them),
    by its path: a number no double holds, or a string with an unpaired surrogate (`"\\ud800"`), which no UTF-8
    encoder accepts. Both would otherwise fail only when the vendor request is encoded."""
    deepest, problems = 1, list[FieldError]()
    stack: list[tuple[Any, int, tuple[int | str, ...]]] = [(value, 1, ())] if isinstance(value, dict | list) else []
    while stack:
        node, depth, path = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest, problems
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if isinstance(key, str) and not _sendable(key):
                problems.append(_unsendable((*path, key), "json.unpaired_surrogate", "a member name"))
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, (*path, key)))
            elif child is _UNREPRESENTABLE:
                problems.append(_unsendable((*path, key), "json.number_range", "a number"))
            elif isinstance(child, str) and not _sendable(child):
                problems.append(_unsendable((*path, key), "json.unpaired_surrogate", "a string"))
    return deepest, problems


def _sendable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _unsendable(path: tuple[int | str, ...], rule: str, what: str) -> FieldError:
    shown = [p.encode("utf-8", "backslashreplace").decode() if isinstance(p, str) else p for p in path]
    reason = {
        "json.number_range": "NaN, Infinity and numbers beyond a double's range (such as 1e400) cannot be sent",
        "json.unpaired_surrogate": "holds an unpaired UTF-16 surrogate (such as \\ud800), which is no character",
    }[rule]
    return FieldError(field_path(shown) or "(body)", rule, f"{what}: {reason}", "malformed_json")
