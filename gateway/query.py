"""The query string of one operation, read against what the catalogue documents for it and what the account's
connector honours.

Unknown parameters and filters are errors, never silently ignored (a misspelt filter would otherwise widen a
sync to every record). Deprecated aliases are read as their replacements. A documented parameter the connector
cannot honour is a 400 `unsupported_parameter` naming it, and `/meta` lists what each account honours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from connectors.base import Query, Support
from connectors.catalogue import Filter, Operation, Param
from connectors.errors import FieldError
from connectors.unified.reading import wire_name
from gateway.errors import invalid_input
from gateway.inputs import ascii_int

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_GATEWAY = {"raw", "fields", "page_size", "next", "proxy"}
"""Documented parameters the gateway itself interprets (proxy: collected, then checked against the connector)."""


@dataclass(frozen=True)
class Options:
    """What the caller asked of the gateway itself, beside the connector's `Query`."""

    query: Query = field(default_factory=Query)
    next: str | None = None
    """The signed cursor as the caller sent it."""
    fields: tuple[str, ...] = ()
    dry_run: bool = False


@dataclass
class _Reading:
    operation: Operation
    errors: list[FieldError] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    forwarded: dict[str, str] = field(default_factory=dict)
    proxy: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    spellings: dict[str, list[str]] = field(default_factory=dict)
    """How the caller spelt each filter (`job_id`, `filter[job_id]`), so an error names what it sent."""

    def fail(self, name: str, rule: str, message: str, code: str = "invalid_parameter") -> None:
        self.errors.append(FieldError(name, rule, message, code))

    def set_filter(self, name: str, value: str, spelled: str) -> None:
        known = {f.name: f for f in self.operation.filters}
        spec = known.get(name)
        if spec is None:
            names = ", ".join(known) or "nothing"
            self.fail(
                spelled, "query.unknown_filter", f"{self.operation.id} can be filtered by {names}", "unknown_parameter"
            )
            return
        canonical = spec.alias_of or spec.name
        if not _valid(known.get(canonical, spec), value):
            self.fail(spelled, _rule(spec), _expected(spec))
        elif self.filters.get(canonical, value) != value:
            self.fail(spelled, "query.alias_conflict", f"disagrees with another spelling of filter[{canonical}]")
        else:
            self.filters[canonical] = value
            self.spellings.setdefault(canonical, []).append(spelled)


def _valid(spec: Filter, value: str) -> bool:
    if spec.kind == "enum":
        return value in spec.choices
    if spec.kind == "date-time":
        return _is_datetime(value)
    return True


def _rule(spec: Filter) -> str:
    return {"enum": "query.enum", "date-time": "query.date_time", "text": "query.text"}[spec.kind]


def _expected(spec: Filter) -> str:
    if spec.kind == "enum":
        return f"must be one of {', '.join(spec.choices)}"
    return "must be an ISO 8601 date-time"


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _param(reading: _Reading, spec: Param, value: str) -> None:
    if spec.alias_of is not None:
        reading.set_filter(spec.alias_of[len("filter[") : -1], value, spec.name)
    elif spec.name in _GATEWAY:
        reading.values[spec.name] = value
    else:
        reading.forwarded[spec.name] = value


def _bool(reading: _Reading, name: str) -> bool:
    value = reading.values.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        reading.fail(name, "type.boolean", "must be true or false")
    return value.lower() == "true"


def _page_size(reading: _Reading) -> int:
    value = reading.values.get("page_size")
    if value is None:
        return DEFAULT_PAGE_SIZE
    size = ascii_int(value)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        reading.fail("page_size", "query.page_size", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
        return DEFAULT_PAGE_SIZE
    return size


def read_query(items: Sequence[tuple[str, str]], operation: Operation, support: Support) -> Options:
    """Validate one request's query: every problem is reported together, as a 400."""
    reading = _Reading(operation)
    # A parameter given twice with one value is unambiguous: StackOne's SDKs send `updated_after` twice where the
    # document declares `filter` form-exploded beside the deprecated `updated_after`. Two values are refused.
    unique = list(dict.fromkeys(items))
    keys = [key for key, _ in unique]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        reading.fail(key, "query.repeated", "give this parameter once (its copies disagree)")
    params = {p.name: p for p in operation.params}
    for key, value in unique:
        base, bracket, inner = key.partition("[")
        if bracket and key.endswith("]") and base == "filter" and operation.filters:
            reading.set_filter(inner[:-1], value, key)
        elif bracket and key.endswith("]") and base == "proxy" and "proxy" in params:
            reading.proxy[inner[:-1]] = value
        elif key == "dry_run" and operation.is_write:
            reading.values["dry_run"] = value
        elif key in params:
            _param(reading, params[key], value)
        else:
            reading.fail(key, "query.unknown", f"not a parameter of {operation.id}", "unknown_parameter")
    _check_support(reading, support)
    options = Options(
        Query(
            page_size=_page_size(reading),
            filters=reading.filters,
            raw=_bool(reading, "raw"),
            forwarded=reading.forwarded,
            proxy=reading.proxy,
        ),
        next=reading.values.get("next") or None,
        fields=tuple(f.strip() for f in reading.values.get("fields", "").split(",") if f.strip()),
        dry_run=_bool(reading, "dry_run"),
    )
    _check_fields(reading, operation, options.fields)
    if reading.errors:
        raise invalid_input(reading.errors, status=400)
    return options


def _check_support(reading: _Reading, support: Support) -> None:
    """What the catalogue documents but this account's connector cannot honour is refused, never dropped."""
    for name in sorted(set(reading.filters) - support.filters):
        for spelled in reading.spellings[name]:
            reading.fail(
                spelled,
                "connector.unsupported_filter",
                f"this account's vendor cannot filter by {name}",
                "unsupported_filter",
            )
    unsupported = sorted((set(reading.forwarded) | ({"proxy"} if reading.proxy else set())) - support.params)
    for name in unsupported:
        shown = f"{name}={reading.forwarded[name]}" if name in reading.forwarded else "proxy[...]"
        if name in support.values:
            asked = [value.strip() for value in reading.forwarded[name].split(",") if value.strip()]
            refused = [value for value in asked if value not in support.values[name]]
            if not refused:
                continue
            shown = f"{name}={','.join(refused)}"
        reading.fail(
            name,
            "connector.unsupported_parameter",
            f"this account's vendor cannot honour {shown}",
            "unsupported_parameter",
        )


def _check_fields(reading: _Reading, operation: Operation, fields: tuple[str, ...]) -> None:
    record = operation.record
    if not fields:
        return
    names = {wire_name(name, record) for name in record.model_fields} if record is not None else set()
    unknown = [f for f in fields if f not in names]
    if unknown:
        reading.fail("fields", "query.fields", f"unknown field(s) {', '.join(unknown)}")
