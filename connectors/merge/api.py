"""What every Merge request and answer shares: the base path and headers, Merge's ids, and its write answers and
problems read back into unified field names (reference bindbee-merge-greenhouse.md §2.2-2.6; Merge's OpenAPI in
../shared/vendor/merge/ats.openapi.json).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from connectors.base import AccountContext, ProviderRequest, ProviderResponse, Steps, WriteResult, json_object
from connectors.errors import FieldError, InvalidInput, UnexpectedResponse
from connectors.mapping import Table

BASE_PATH = "/api/ats/v1"


def headers_of(account: AccountContext, idempotency_key: str | None = None) -> dict[str, str]:
    """Merge's two credentials, and the caller's idempotency key on the POSTs Merge deduplicates."""
    headers = {
        "authorization": f"Bearer {account.credentials['api_key']}",
        "x-account-token": account.credentials["account_token"],
        "accept": "application/json",
    }
    if idempotency_key is not None:
        headers["idempotency-key"] = idempotency_key
    return headers


def merge_id(value: str | None, field: str = "id") -> str:
    """A record id in a path: Merge's ids are uuids, and anything else names no record (404 before any call)."""
    try:
        return str(uuid.UUID(value or ""))
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "merge.id_format", f"No record has id '{value}'", code="not_found")], status=404
        ) from None


def collection_path(collection: str) -> str:
    return f"{BASE_PATH}/{collection}"


def record_path(collection: str, record_id: str) -> str:
    """`record_id` has been through `merge_id`: a uuid needs no quoting."""
    return f"{BASE_PATH}/{collection}/{record_id}"


def ref_id(value: Any) -> str | None:
    """A Merge reference: an id, or the record itself when expanded."""
    if isinstance(value, dict):
        return None if value.get("id") is None else str(value["id"])
    return None if value is None else str(value)


def text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class WriteSpec:
    """One Merge write: where it goes and the table that translates its `model`."""

    collection: str
    table: Table
    supplied: Mapping[str, str] = field(default_factory=dict)
    """Merge fields the connector fills itself → the unified field (a path parameter) they come from."""
    fixed: Mapping[str, Any] = field(default_factory=dict)
    """Merge fields the operation's meaning sets (a unified note is a `NOTE` activity); passthrough may change them."""

    def unified_field(self, vendor: str) -> str:
        """The unified field a Merge model field comes from: its row's, the path's, or `passthrough.<name>` (the
        only other way a field reaches Merge)."""
        if vendor in self.supplied:
            return self.supplied[vendor]
        for row in self.table.rows:
            names = (row.unified, *row.aliases)
            if row.direction != "read" and vendor in (part.strip() for part in row.vendor.split(",")):
                return vendor if vendor in names else row.unified
        return f"passthrough.{vendor}"


def pointer_field(pointer: str, spec: WriteSpec) -> str:
    """`/model/email_addresses/0/value` (or Merge's own `model/stage`, or change-stage's flat `/remote_user_id`)
    → the unified field the value came from."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/") if p]
    if parts and parts[0] == "model":
        parts = parts[1:]
    return spec.unified_field(parts[0]) if parts else "body"


_CODES = {
    "MISSING_REQUIRED_FIELD": "missing_required_field",
    "UNSUPPORTED_FIELD": "unsupported_field",
    "INCORRECT_FIELD_TYPE": "invalid_value",
    "INVALID_FIELD_CHOICE": "unsupported_value",
}


def problems(body: Any, key: str) -> list[dict[str, Any]]:
    found = body.get(key) if isinstance(body, dict) else None
    return [p for p in found if isinstance(p, dict)] if isinstance(found, list) else []


def field_error(problem: Mapping[str, Any], spec: WriteSpec) -> FieldError | None:
    """One of Merge's problems in the unified vocabulary; None when Merge named no place in the body."""
    source = problem.get("source")
    where = source.get("pointer") if isinstance(source, dict) else None
    if not isinstance(where, str):
        return None
    kind = str(problem.get("problem_type") or "ERROR")
    message = str(problem.get("detail") or problem.get("title") or kind)
    return FieldError(
        pointer_field(where, spec), f"merge.{kind.lower()}", message, code=_CODES.get(kind, "invalid_value")
    )


def warning(problem: Mapping[str, Any], spec: WriteSpec) -> str:
    found = field_error(problem, spec)
    detail = str(problem.get("detail") or problem.get("title") or problem.get("problem_type") or "")
    return f"{found.field}: {detail}" if found is not None else detail


def written(response: ProviderResponse, spec: WriteSpec) -> WriteResult:
    """Merge's `{model, warnings, errors}`: the record's ids, and every problem it reported kept as a warning (a
    2xx carries no errors in Merge's document; one that did would still be said)."""
    model = json_object(response, "model")
    if model.get("id") is None:
        raise UnexpectedResponse("Merge's write answer has no model id")
    said = [*problems(response.body, "warnings"), *problems(response.body, "errors")]
    return WriteResult(str(model["id"]), text(model.get("remote_id")), warnings=tuple(warning(p, spec) for p in said))


def spec_of(url: str, specs: Mapping[tuple[str, bool], WriteSpec]) -> WriteSpec | None:
    """The write a Merge URL answers: by collection, and whether it is a change-stage."""
    path = urlsplit(url).path
    if not path.startswith(BASE_PATH + "/"):
        return None
    parts = path[len(BASE_PATH) + 1 :].split("/")
    return specs.get((parts[0], parts[-1] == "change-stage"))


def application_candidate(application_id: str, headers: Mapping[str, str]) -> Steps[str]:
    """The candidate an application belongs to: Merge keeps attachments and notes on the candidate."""
    response = yield ProviderRequest("GET", record_path("applications", application_id), headers)
    candidate = ref_id(json_object(response).get("candidate"))
    if candidate is None:
        raise UnexpectedResponse("Merge's application names no candidate")
    return candidate
