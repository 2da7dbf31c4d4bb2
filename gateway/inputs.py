"""Reading what the caller sent: a bounded JSON body (the query is gateway/query.py's).

Everything here fails with a 4xx that names the parameter or the problem, before any vendor is involved.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from connectors.errors import FieldError
from gateway.errors import GatewayError, invalid_input

MAX_JSON_DEPTH = 64


async def read_json_body(request: Request, limit: int) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    too_large = GatewayError(413, "payload_too_large", f"The body is larger than {limit} bytes")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise GatewayError(400, "malformed_json", "The body is empty; send a JSON object")
    too_deep = GatewayError(400, "json_too_deep", f"The body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        body = json.loads(raw)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise GatewayError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    if _depth(body) > MAX_JSON_DEPTH:
        raise too_deep
    if not isinstance(body, dict):
        raise invalid_input([FieldError("(body)", "type.object", "The body must be a JSON object", "invalid_value")])
    return body


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest
