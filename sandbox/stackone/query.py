"""StackOne's query parameters, read as its document declares them per operation (reference §2, §6).

Each operation names the parameters and `filter[...]` keys StackOne documents for it; anything else is refused with
a 400 naming it, as StackOne's request validation does, so a client that misspells one learns of it. The
deprecated spellings are read as their replacements: top-level `updated_after` and (applications) `job_id` as
`filter[updated_after]` and `filter[job_id]`, `filter[status]` as `filter[job_status]`, `filter[stage]` as
`filter[application_stage_id]`. Given together, both must hold.

What StackOne leaves undocumented, and what the sandbox does:
- `page` (deprecated, "the page number of the results to fetch"): without `next`, page N (from 1) starts at record
  (N-1) x page_size, and the answer also carries the deprecated `next_page` (the following page number). `next`
  wins when both are given. A page reached by number is never short, so page numbers stay aligned.
- `sync_token` (deprecated): accepted and recorded in `/_sandbox/stats` under `received.sync_token`, with no effect
  on the answer: no StackOne answer ever hands a sync token out, so there is none for it to select by.
- `proxy[key]=value`: recorded in `/_sandbox/stats` under `received.proxy`, and shown in the provider URL of `raw`.
- `filter[updated_after]` / `filter[created_after]` on records whose schema has no such timestamp (departments,
  packages, …) keep every record: there is nothing to compare.
- `include` and `expand` take the values the document lists for the operation; another value is a 400.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args, get_origin

from connectors.unified import schema as s
from sandbox.common import decode_cursor
from sandbox.stackone.errors import bad_request
from sandbox.stackone.records import Record

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _time(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name} must be an ISO 8601 date-time, got {value!r}") from None


def _after(stamp_field: str) -> Callable[[Record, str], bool]:
    def matches(record: Record, value: str) -> bool:
        stamp = record.get(stamp_field)
        return stamp is None or _time(stamp, stamp_field) > _time(value, stamp_field)

    return matches


def _enum_value(key: str) -> Callable[[Record, str], bool]:
    return lambda record, value: (record.get(key) or {}).get("value") == value


def _equals(key: str) -> Callable[[Record, str], bool]:
    return lambda record, value: record.get(key) == value


def _has_email(record: Record, value: str) -> bool:
    emails = {record.get("email"), *((e or {}).get("value") for e in record.get("emails") or [])}
    return value.lower() in {e.lower() for e in emails if e}


@dataclass(frozen=True)
class Filter:
    name: str
    matches: Callable[[Record, str], bool]
    choices: tuple[str, ...] = ()
    date_time: bool = False


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The values of a generated enum field (`OpenEnum[Literal[...]] | None`): StackOne's list, from its document."""
    if get_origin(annotation) is Literal:
        return tuple(str(v) for v in get_args(annotation))
    return tuple(v for arg in get_args(annotation) for v in literal_values(arg))


FILTERS: Mapping[str, Filter] = {
    f.name: f
    for f in (
        Filter("updated_after", _after("updated_at"), date_time=True),
        Filter("created_after", _after("created_at"), date_time=True),
        Filter("email", _has_email),
        Filter("job_id", _equals("job_id")),
        Filter("job_status", _enum_value("job_status"), ("open", "draft")),
        Filter("status", _enum_value("job_status"), ("open", "draft")),  # deprecated: job_status
        Filter("application_stage_id", _equals("application_stage_id")),
        Filter("stage", _equals("application_stage_id")),  # the same as application_stage_id
        Filter("type", _enum_value("type")),
        Filter(
            "change_type",
            _enum_value("change_type"),
            literal_values(s.ApplicationChangeTypeEnum.model_fields["value"].annotation),
        ),
    )
}
TOP_LEVEL_FILTERS = ("updated_after", "job_id")
"""Deprecated top-level parameters, each read as the filter of the same name."""


@dataclass(frozen=True)
class Query:
    filters: tuple[tuple[Filter, str], ...] = ()
    page_size: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    page_number: int | None = None
    fields: tuple[str, ...] = ()
    include: frozenset[str] = frozenset()
    expand: frozenset[str] = frozenset()
    raw: bool = False
    proxy: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    """The operation's other parameters as given (`format`, `export_format`, `sync_token`)."""

    def matches(self, record: Record) -> bool:
        return all(f.matches(record, value) for f, value in self.filters)


@dataclass(frozen=True)
class Declared:
    """The query parameters StackOne documents for one operation."""

    params: frozenset[str] = frozenset()
    filters: frozenset[str] = frozenset()
    include: tuple[str, ...] = ()
    expand: tuple[str, ...] = ()


_READ_HERE = frozenset({"page_size", "next", "page", "fields", "include", "expand", "raw", *TOP_LEVEL_FILTERS})


def parse(declared: Declared, items: list[tuple[str, str]]) -> Query:
    filters: list[tuple[Filter, str]] = []
    proxy: dict[str, str] = {}
    top: dict[str, str] = {}
    for key, value in items:
        base, _, rest = key.partition("[")
        if base not in declared.params:
            raise bad_request(f"property {key} should not exist")
        if base == "proxy" and rest.endswith("]"):
            proxy[rest[:-1]] = value
        elif base == "filter" and rest.endswith("]") and "[" not in rest:
            filters.append((_filter(declared, rest[:-1], value), value))
        elif rest or base in ("filter", "proxy"):
            raise bad_request(f"property {key} should not exist")
        else:
            top[key] = value
    for name in TOP_LEVEL_FILTERS:
        if name in top:
            filters.append((_filter(declared, name, top[name], check_declared=False), top[name]))
    size = _page_size(top.get("page_size"))
    offset, page_number = _position(top.get("next"), top.get("page"), size)
    return Query(
        filters=tuple(filters),
        page_size=size,
        offset=offset,
        page_number=page_number,
        fields=_csv(top.get("fields")),
        include=_choices("include", top.get("include"), declared.include),
        expand=_choices("expand", top.get("expand"), declared.expand),
        raw=_boolean("raw", top.get("raw")),
        proxy=proxy,
        options={k: v for k, v in top.items() if k not in _READ_HERE},
    )


def _filter(declared: Declared, name: str, value: str, check_declared: bool = True) -> Filter:
    known = FILTERS.get(name)
    if known is None or (check_declared and name not in declared.filters):
        raise bad_request(f"property filter[{name}] should not exist")
    if known.choices and value not in known.choices:
        raise bad_request(f"filter[{name}] must be one of: {', '.join(known.choices)}")
    if known.date_time:
        _time(value, f"filter[{name}]")
    return known


def _page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise bad_request(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


def _position(cursor: str | None, page: str | None, size: int) -> tuple[int, int | None]:
    if page is not None and (not page.isdigit() or int(page) < 1):
        raise bad_request("page must be a whole number from 1")
    if cursor is not None:
        offset = decode_cursor(cursor)
        if offset is None:
            raise bad_request("next is not a cursor this API gave out")
        return offset, None
    if page is not None:
        return (int(page) - 1) * size, int(page)
    return 0, None


def _csv(raw: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def _choices(name: str, raw: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    given = _csv(raw)
    unknown = [v for v in given if v not in allowed]
    if unknown:
        raise bad_request(f"{name} takes {', '.join(allowed) or 'no value here'}; not {', '.join(unknown)}")
    return frozenset(given)


def _boolean(name: str, raw: str | None) -> bool:
    if raw in (None, "false"):
        return False
    if raw == "true":
        return True
    raise bad_request(f"{name} must be true or false")
