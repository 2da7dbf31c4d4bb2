"""One StackOne operation as the sandbox serves it, and the answers StackOne gives.

Each resource module declares its operations next to their handlers: StackOne's operationId, method and path, the
query parameters the document lists for it, the request model it validates bodies with and the record model it
answers with (both the generated models of StackOne's schemas). A contract test holds every one to StackOne's
document, so the sandbox serves all 76 operations and only those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi.responses import JSONResponse, Response

from connectors.unified import schema as s
from connectors.unified.base import Dto
from sandbox.common import Tenant, now_iso
from sandbox.common import page as cut
from sandbox.controls import Controls
from sandbox.stackone.errors import StackOneError, not_found, provider_refused, provider_url
from sandbox.stackone.query import Declared, Query
from sandbox.stackone.records import Record, build, select

D = TypeVar("D", bound=Dto)

READ = frozenset({"raw", "proxy", "fields"})
LIST = READ | {"filter", "page", "page_size", "next", "updated_after"}


@dataclass
class Call:
    """One request, once StackOne has checked who sent it for which account and read its parameters and body."""

    operation: Operation
    tenant: Tenant
    url_path: str
    path: Mapping[str, str]
    query: Query
    body: Dto | None
    controls: Controls
    short_pages: bool = False

    def dto(self, model: type[D]) -> D:
        assert isinstance(self.body, model), f"{self.operation.id} validates with {model.__name__}"
        return self.body

    def require(self, collection: str, key: str) -> Record:
        """The record, or StackOne's 404."""
        found = self.tenant[collection].get(key)
        if found is None:
            raise not_found()
        return found

    def refused(self, problems: list[tuple[str, str]]) -> StackOneError:
        return provider_refused(self.tenant.ats, self.url_path, problems)

    def check_references(self, references: Iterable[tuple[str, str, str | None]]) -> None:
        """`(field, collection, id)`: ids the provider does not know make it refuse the write (422)."""
        problems = [
            (name, f"Unknown {_singular(collection)} {key}")
            for name, collection, key in references
            if key is not None and self.tenant[collection].get(key) is None
        ]
        if problems:
            raise self.refused(problems)


def _singular(collection: str) -> str:
    """`documents/application_categories` → `application category`, for the provider's messages."""
    plural = collection.rsplit("/", 1)[-1].replace("_", " ")
    return plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")


Handler = Callable[[Call], Response]
View = Callable[[Call, Record], Record]


def as_stored(_: Call, record: Record) -> Record:
    return record


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    handler: Handler
    declared: Declared = field(default_factory=Declared)
    request: type[Dto] | None = None
    record: type[Dto] | None = None
    """The record model of a read's answer (`XResult.data`, `XPaginated.data[]`)."""


def listing(
    op_id: str,
    path: str,
    record: type[Dto],
    source: Callable[[Call], list[Record]],
    *,
    view: View = as_stored,
    filters: Iterable[str] = ("updated_after",),
    base: frozenset[str] = LIST,
    params: Iterable[str] = ("sync_token",),
    include: tuple[str, ...] = (),
    expand: tuple[str, ...] = (),
) -> Operation:
    """A list: the list parameters (`base`, plus `params`), the given filters, `{next, data}` pages."""
    extra = {*params, *(("include",) if include else ()), *(("expand",) if expand else ())}
    declared = Declared(base | extra, frozenset(filters), include, expand)
    return Operation(op_id, "GET", path, lambda call: page(call, source(call), view), declared, record=record)


def reading(
    op_id: str,
    path: str,
    record: type[Dto],
    source: Callable[[Call], Record],
    *,
    view: View = as_stored,
    params: frozenset[str] = READ,
    filters: Iterable[str] = (),
    include: tuple[str, ...] = (),
    expand: tuple[str, ...] = (),
) -> Operation:
    """A get: `{data}` (raw, proxy, fields, and what else the document lists)."""
    extra = {*(("include",) if include else ()), *(("expand",) if expand else ())}
    declared = Declared(params | extra, frozenset(filters), include, expand)
    return Operation(op_id, "GET", path, lambda call: one(call, source(call), view), declared, record=record)


def writing(op_id: str, method: str, path: str, request: type[Dto] | None, handler: Handler) -> Operation:
    return Operation(op_id, method, path, handler, request=request)


# --- answers ---------------------------------------------------------------------------------------------------


def page(call: Call, records: list[Record], view: View = as_stored) -> Response:
    query = call.query
    found = [r for r in records if query.matches(r)]
    size = query.page_size
    # Documented: "we may return fewer results than the requested page size". Every third page is short, and the
    # walk must go on; a page asked for by number is never short, or page numbers would skip records.
    short = call.short_pages and query.page_number is None and size > 1 and (query.offset // size) % 3 == 1
    items, following = cut(found, query.offset, size - 1 if short else size)
    body: dict[str, Any] = {"next": following, "data": [select(view(call, r), query.fields) for r in items]}
    if query.page_number is not None:
        body["next_page"] = str(query.page_number + 1) if following else None
    return _read_answer(call, body, items)


def one(call: Call, record: Record, view: View = as_stored) -> Response:
    return _read_answer(call, {"data": select(view(call, record), call.query.fields)}, record)


def _read_answer(call: Call, body: dict[str, Any], provider_answer: Any) -> Response:
    """`raw=true` adds the provider exchange behind the answer, with the `proxy[...]` parameters it carried."""
    if call.query.raw:
        url = provider_url(call.tenant.ats, call.url_path)
        if call.query.proxy:
            url += "?" + urlencode(call.query.proxy)
        body["raw"] = [build(s.RawResponse, method="GET", url=url, body=None, response=provider_answer)]
    return JSONResponse(body)


def _result(model: type[Dto], status: int, message: str, **extra: Any) -> Response:
    return JSONResponse(build(model, statusCode=status, message=message, timestamp=now_iso(), **extra), status)


def _ids(record: Record) -> dict[str, Any]:
    return {"id": record["id"], "remote_id": record["remote_id"]}


def created(call: Call, record: Record, kind: str) -> Response:
    call.controls.created[kind] += 1
    return _result(s.CreateResult, 201, "Record created successfully.", data=_ids(record))


def updated_with_ids(record: Record) -> Response:
    """PATCH jobs and candidates answer `CreateResult`, with the record's ids (reference §3.1)."""
    return _result(s.CreateResult, 200, "Record updated successfully.", data=_ids(record))


def updated() -> Response:
    return _result(s.UpdateResult, 200, "Record updated successfully.")


def moved(record: Record) -> Response:
    return _result(s.MoveApplicationResult, 200, "Application moved successfully.", data=_ids(record))


def rejected(record: Record) -> Response:
    return _result(s.RejectApplicationResult, 200, "Application rejected successfully.", data=_ids(record))


def deleted() -> Response:
    """HTTP 200 as the document declares; the body's `statusCode` says the same (the spec's example says 204)."""
    return _result(s.DeleteResult, 200, "Record deleted successfully.")


def uploaded(call: Call) -> Response:
    call.controls.created["documents"] += 1
    return _result(s.WriteResultApiModel, 201, "Record created successfully.", provider_errors=[], unified_warnings=[])


def bare(call: Call, model: type[Dto], kind: str, **fields: Any) -> Response:
    """Orders answer the result model as it is, with no envelope, and 200 (reference §3.2)."""
    call.controls.created[kind] += 1
    return JSONResponse(build(model, **fields))
