"""How Harvest talks, as greenhouse-harvest-applications.md §0 documents it: answers, error bodies, field types,
and pages (`per_page`/`page`, RFC-5988 `Link`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from sandbox.bindbee.files import FileStore
from sandbox.common import Tenant

HARVEST_BASE = "https://harvest.greenhouse.io"


@dataclass
class Answer:
    """What Harvest answered, as Bindbee's passthrough relays it (`{status, headers, data}`)."""

    status: int
    data: Any
    headers: dict[str, str] = field(default_factory=dict)

    def relayed(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "data": self.data}


@dataclass
class HarvestRequest:
    """One Harvest call, its path ids resolved to the sandbox's records, its caller known."""

    tenant: Tenant
    files: FileStore
    path: str
    records: dict[str, dict[str, Any]]
    """Path parameter (e.g. `application_id`) → the record it names."""
    data: dict[str, Any]
    params: Mapping[str, Any]
    acting: dict[str, Any] | None
    """The remote user `On-Behalf-Of` names (writes only)."""


class Kind(Enum):
    """A body field's type as Harvest documents it; the lenient kinds are where the docs' examples disagree with
    their own types (§4), and the sandbox takes both readings."""

    INTEGER = "integer"
    STRING = "string"
    OBJECT = "object"
    ARRAY = "array"
    INTEGER_OR_DIGITS = "integer_or_digits"  # Add Note's user_id: typed integer, sent as "158108" in the example
    STRING_OR_INTEGER = "string_or_integer"  # email_template_id, referrer.value: typed string, sent as numbers
    TRUE_FALSE = "true_false"  # Edit Candidate's is_private: "true"/"false"

    @property
    def expected(self) -> str:
        """How an error names the type: the documented one, whatever leniency the sandbox shows."""
        return {"integer_or_digits": "an integer", "string_or_integer": "a string", "true_false": "true or false"}.get(
            self.value, f"an {self.value}" if self.value[0] in "aeiou" else f"a {self.value}"
        )

    def admits(self, value: Any) -> bool:
        integer = isinstance(value, int) and not isinstance(value, bool)
        if self in (Kind.INTEGER, Kind.INTEGER_OR_DIGITS):
            return integer or (self is Kind.INTEGER_OR_DIGITS and isinstance(value, str) and value.isdigit())
        if self is Kind.STRING_OR_INTEGER:
            return integer or isinstance(value, str)
        if self is Kind.TRUE_FALSE:
            return isinstance(value, bool) or value in ("true", "false")
        return isinstance(value, {Kind.STRING: str, Kind.OBJECT: dict, Kind.ARRAY: list}[self])


def error(message: str, field: str | None = None) -> dict[str, str]:
    return {"message": message} if field is None else {"message": message, "field": field}


def invalid(errors: Sequence[dict[str, str]]) -> Answer:
    """Harvest's validation error (§0): 422 `{message, errors[{message, field}]}`."""
    return Answer(422, {"message": "Validation error", "errors": list(errors)})


def wrong_state(record: Mapping[str, Any], *allowed: str) -> Answer:
    """An application in the wrong state, in the shape Unreject documents (§1.9; the docs give no status: the
    sandbox answers 422, Harvest's 'cannot process')."""
    status = record["raw_data"]["status"]
    wanted = " or ".join(f"'{s}'" for s in allowed)
    return Answer(422, {"errors": [{"message": f"Application must be {wanted}, is currently '{status}'"}]})


def not_found() -> Answer:
    return Answer(404, {"message": "Resource not found"})


def typed(
    fields: Mapping[str, Kind], data: Mapping[str, Any], required: Set[str] = frozenset(), prefix: str = ""
) -> list[dict[str, str]]:
    """Unknown fields, missing required ones and values of the wrong type, each named (nested: `outer.inner`)."""
    errors = [error("Unknown field", f"{prefix}{key}") for key in data if key not in fields]
    errors += [error("Required", f"{prefix}{key}") for key in sorted(required) if key not in data]
    errors += [
        error(f"Must be {fields[key].expected}", f"{prefix}{key}")
        for key, value in data.items()
        if key in fields and not fields[key].admits(value)
    ]
    return errors


def timestamp(value: Any) -> bool:
    """Harvest's timestamps are ISO-8601 (§0)."""
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def paged(request: HarvestRequest, items: Sequence[Any]) -> Answer:
    """A list page (§0): `per_page` 1–500 (default 100), `page` from 1, `Link` with next/prev/last (no `last`
    with `skip_count=true`); no `Link` when everything fits on one page."""
    problems = []
    numbers = {}
    for name, default, top in (("per_page", 100, 500), ("page", 1, None)):
        raw = request.params.get(name, default)
        number = int(raw) if isinstance(raw, int) or (isinstance(raw, str) and raw.isdigit()) else None
        if number is None or number < 1 or (top is not None and number > top):
            problems.append(error(f"Must be an integer from 1{f' to {top}' if top else ''}", name))
        numbers[name] = number or default
    if problems:
        return invalid(problems)
    size, at = numbers["per_page"], numbers["page"]
    last = max(1, -(-len(items) // size))
    links = []
    query = {k: v for k, v in request.params.items() if k not in ("page", "per_page")}

    def link(n: int, rel: str) -> str:
        return f'<{HARVEST_BASE}{request.path}?{urlencode({**query, "page": n, "per_page": size})}>; rel="{rel}"'

    if at < last:
        links.append(link(at + 1, "next"))
    if at > 1:
        links.append(link(at - 1, "prev"))
    if last > 1 and str(request.params.get("skip_count", "false")).lower() != "true":
        links.append(link(last, "last"))
    return Answer(200, list(items[(at - 1) * size : at * size]), {"Link": ", ".join(links)} if links else {})
