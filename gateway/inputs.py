"""Reading what the caller sent: a bounded JSON body and the StackOne-style query parameters.

Everything here fails with a 4xx that names the parameter or the problem, before any vendor is involved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request

from connectors.base import Action, Resource
from connectors.errors import FieldError
from gateway.errors import GatewayError, invalid_input

MAX_JSON_DEPTH = 64
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

DATE_TIME: tuple[str, ...] = ()
"""Marks a filter whose value is an ISO 8601 date-time."""
TEXT = None
"""Marks a filter whose value is free text."""
UNIFIED_FILTERS: Mapping[Resource, Mapping[str, tuple[str, ...] | None]] = {
    # filter key → allowed values, DATE_TIME or TEXT, as StackOne's list endpoints define them
    Resource.JOBS: {"updated_after": DATE_TIME, "created_after": DATE_TIME, "job_status": ("open", "draft")},
    Resource.CANDIDATES: {"updated_after": DATE_TIME, "created_after": DATE_TIME, "email": TEXT},
    Resource.APPLICATIONS: {"updated_after": DATE_TIME, "created_after": DATE_TIME, "job_id": TEXT},
    Resource.DEPARTMENTS: {"updated_after": DATE_TIME},
    Resource.LOCATIONS: {"updated_after": DATE_TIME},
    Resource.USERS: {"updated_after": DATE_TIME},
}


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


@dataclass(frozen=True)
class QueryOptions:
    page_size: int = DEFAULT_PAGE_SIZE
    next: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    raw: bool = False
    fields: tuple[str, ...] = ()
    dry_run: bool = False


def _bool(name: str, value: str, errors: list[FieldError]) -> bool:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    errors.append(FieldError(name, "type.boolean", "must be true or false", "invalid_parameter"))
    return False


def parse_query(params: Mapping[str, str], keys: list[str], resource: Resource, action: Action) -> QueryOptions:
    """Validate the query string of one operation; unknown parameters are errors, not silently ignored."""
    errors: list[FieldError] = []
    allowed = {"raw", "fields"} if action in (Action.LIST, Action.GET) else {"dry_run"}
    if action == Action.LIST:
        allowed |= {"page_size", "next"}
    filters: dict[str, str] = {}
    known_filters = UNIFIED_FILTERS.get(resource, {})
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    for key in duplicates:
        errors.append(FieldError(key, "query.repeated", "give this parameter once", "invalid_parameter"))
    options: dict[str, Any] = {}
    for key, value in params.items():
        if action == Action.LIST and key.startswith("filter[") and key.endswith("]"):
            name = key[7:-1]
            if name not in known_filters:
                errors.append(
                    FieldError(
                        key,
                        "query.unknown_filter",
                        f"{resource} can be filtered by {', '.join(known_filters)}",
                        "unknown_parameter",
                    )
                )
            elif (choices := known_filters[name]) and value not in choices:
                errors.append(
                    FieldError(key, "query.enum", f"must be one of {', '.join(choices)}", "invalid_parameter")
                )
            elif choices == DATE_TIME and not _is_datetime(value):
                errors.append(FieldError(key, "query.date_time", "must be an ISO 8601 date-time", "invalid_parameter"))
            else:
                filters[name] = value
        elif key not in allowed:
            errors.append(
                FieldError(key, "query.unknown", f"not a parameter of {action} {resource}", "unknown_parameter")
            )
        elif key == "page_size":
            if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
                errors.append(
                    FieldError(
                        key,
                        "query.page_size",
                        f"must be a whole number from 1 to {MAX_PAGE_SIZE}",
                        "invalid_parameter",
                    )
                )
            else:
                options["page_size"] = int(value)
        elif key == "next":
            options["next"] = value or None
        elif key == "fields":
            options["fields"] = tuple(f.strip() for f in value.split(",") if f.strip())
        else:
            options[key] = _bool(key, value, errors)
    if errors:
        raise invalid_input(errors, status=400)
    return QueryOptions(filters=filters, **options)


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
