"""StackOne: the unified surface is StackOne's own, so one plan serves every catalogue operation.

What the connector adds: Basic auth with the API key as user name, the vendor `x-account-id`, the gateway's
extension fields carried in `passthrough` (StackOne has no field for them), the parameters only StackOne
interprets passed on as it documents them, and StackOne's `next` cursor. Facts: ../shared/reference/stackone.md.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from connectors.base import (
    AccountContext,
    Call,
    Connector,
    FileResult,
    Handler,
    LookupResult,
    PageResult,
    PlainResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    RecordResult,
    Result,
    Support,
    WriteResult,
    json_list,
    json_object,
    one_request,
)
from connectors.catalogue import CATALOGUE, Answer, Operation
from connectors.errors import FieldError, InvalidInput
from connectors.unified.writes import extension_fields, stackone_dto

USER_AGENT = "ats-gateway/0.1 (+stackone connector)"

_SUPPORT: Mapping[str, Support] = {
    op.id: Support(
        None,
        frozenset(f.name for f in op.filters if f.alias_of is None),
        frozenset(p.name for p in op.params if p.forwarded),
    )
    for op in CATALOGUE.values()
}
"""StackOne serves its whole surface, with every filter and parameter it documents."""


class StackOneConnector(Connector):
    name: ClassVar[str] = "stackone"

    def support(self, account: AccountContext) -> Mapping[str, Support]:
        return _SUPPORT

    def handler(self, operation: Operation) -> Handler:
        return _plan

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """StackOne reads are live from the ATS: once StackOne is done with the original request (its 60 s
        lifetime), a full walk of the records created since the claim began that does not find it proves absence."""
        key = _natural_key(call)
        if key is None:
            return None
        return _walk_for(call.operation, key, since, settled, _headers(account))

    def error_message(self, response: ProviderResponse) -> str | None:
        body = response.body
        if isinstance(body, dict) and isinstance(body.get("message"), str):
            return str(body["message"])
        return None


def _plan(call: Call, account: AccountContext) -> Plan:
    """Built eagerly, so a body StackOne cannot carry is refused before anything is admitted or sent."""
    op = call.operation
    path = op.path.format(**{name: quote(value, safe="") for name, value in call.path.items()})
    body = _with_extensions_in_passthrough(call) if op.request is not None else None
    ok = frozenset({200, 201, 204}) if op.is_write else frozenset({200})
    request = ProviderRequest(
        op.method, path, _headers(account), _query(call), body, ok_statuses=ok, binary=op.answer == Answer.FILE
    )
    return one_request(request, lambda response: _read(op, response))


def _query(call: Call) -> dict[str, str]:
    """Parameters as StackOne names them: the caller's, canonical, plus the unwrapped cursor."""
    query = call.query
    out: dict[str, str] = {}
    if call.operation.answer == Answer.PAGE:
        out["page_size"] = str(query.page_size)
        if query.cursor:
            out["next"] = query.cursor
        form = call.operation.filter_style == "form"
        out.update({key if form else f"filter[{key}]": value for key, value in query.filters.items()})
    if query.raw:
        out["raw"] = "true"
    out.update(query.forwarded)
    out.update({f"proxy[{key}]": value for key, value in query.proxy.items()})
    return out


def _read(op: Operation, response: ProviderResponse) -> Result:
    if op.answer == Answer.PAGE:
        return PageResult(json_list(response, "data"), json_object(response).get("next") or None)
    if op.answer == Answer.RECORD:
        return RecordResult(json_object(response, "data"))
    if op.answer == Answer.PLAIN:
        # StackOne answers an order with the bare result model, not a write envelope.
        return PlainResult(json_object(response))
    if op.answer == Answer.FILE:
        content = response.body if isinstance(response.body, bytes) else str(response.body or "").encode()
        kind = response.headers.get("content-type", "application/octet-stream")
        return FileResult(content, kind, _filename(response.headers.get("content-disposition", "")))
    if op.answer == Answer.ACKNOWLEDGED:
        return WriteResult(None, None)
    data = json_object(response, "data")
    return WriteResult(data.get("id"), data.get("remote_id"))


def _filename(disposition: str) -> str | None:
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            return value.strip('"')
    return None


def _with_extensions_in_passthrough(call: Call) -> dict[str, Any]:
    """StackOne's DTOs have no extension fields, so they travel in `passthrough` under their own names; a DTO
    without `passthrough` cannot carry them, which is an error rather than a silent drop."""
    assert call.body is not None
    model = type(call.body)
    data = call.body.model_dump(exclude_unset=True)
    moved = {name: value for name in extension_fields(model) if (value := data.pop(name, None)) is not None}
    if not moved:
        return data
    if "passthrough" not in stackone_dto(model).model_fields:
        raise InvalidInput(
            [
                FieldError(name, "stackone.no_passthrough", f"{call.operation.id} has no passthrough to carry {name}")
                for name in moved
            ]
        )
    data["passthrough"] = {**(data.get("passthrough") or {}), **moved}
    return data


LOOKUP_PAGES = 50
"""Pages of 100 a lookup reads at most. The walk is bounded by the claim's start, so it ends long before this in
practice; past it, the answer stays unknown rather than a guess."""


def _natural_key(call: Call) -> tuple[str, str] | None:
    code, email = getattr(call.body, "code", None), getattr(call.body, "email", None)
    if call.operation.id == "ats_create_job" and code:
        return "code", str(code)
    if call.operation.id == "ats_create_candidate" and email:
        return "email", str(email)
    return None


def _walk_for(op: Operation, key: tuple[str, str], since: str, settled: bool, headers: dict[str, str]) -> Plan:
    field, value = key
    query = {"page_size": "100", "filter[created_after]": since}
    if field == "email":
        query["filter[email]"] = value
    for _ in range(LOOKUP_PAGES):
        response = yield ProviderRequest("GET", op.path, headers, dict(query))
        for record in json_list(response, "data"):
            if record.get(field) == value:
                return LookupResult(WriteResult(record.get("id"), record.get("remote_id")), conclusive=True)
        following = json_object(response).get("next")
        if not following:
            return LookupResult(None, conclusive=settled)
        query["next"] = following
    return LookupResult(None, conclusive=False)


def _headers(account: AccountContext) -> dict[str, str]:
    token = base64.b64encode(f"{account.credentials['api_key']}:".encode()).decode()
    return {
        "authorization": f"Basic {token}",
        "x-account-id": account.vendor_account_id or "",
        "user-agent": USER_AGENT,
        "accept": "application/json",
    }
