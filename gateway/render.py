"""The render stage: a connector's result as StackOne answers it, through the same models the OpenAPI shows.

Records are validated once, in the read mode (connectors.unified.base), against the operation's record model;
envelopes are StackOne's own response models, so what the gateway answers cannot drift from what it documents.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, TypeAdapter
from starlette.responses import Response

from connectors.base import (
    FileResult,
    PageResult,
    PlainResult,
    ProviderRequest,
    RecordResult,
    Result,
    WriteResult,
)
from connectors.catalogue import Answer, Operation
from connectors.unified.base import read_record
from gateway import idempotency
from gateway.envelopes import DryRun
from gateway.errors import GatewayError, timestamp
from gateway.exchange import Exchange, Services
from gateway.state.claims import StoredOutcome
from gateway.upstream import Sent

JSON = "application/json"
_READ = {"read": True}


@functools.cache
def _records(model: type[BaseModel]) -> TypeAdapter[list[BaseModel]]:
    """Built once per record model: every page of it is validated by the same adapter."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def render(services: Services, exchange: Exchange, result: Result, exchanges: Sequence[Sent]) -> Response:
    op = exchange.operation
    if op.answer in (Answer.WRITTEN, Answer.ACKNOWLEDGED):
        assert isinstance(result, WriteResult)
        return _json(_write_envelope(op, result), op.status, unset=False)
    if op.answer == Answer.PLAIN:
        assert isinstance(result, PlainResult)
        return _json(op.response.model_validate(result.data, context=_READ), op.status)
    if op.answer == Answer.FILE:
        assert isinstance(result, FileResult)
        return _file(result)
    raw = [_raw(sent) for sent in exchanges] if exchange.options.query.raw else None
    fields = set(exchange.options.fields) or None
    if op.answer == Answer.RECORD:
        assert isinstance(result, RecordResult)
        assert op.record is not None
        envelope: dict[str, Any] = {"data": read_record(op.record, result.data), "raw": raw}
        include: dict[str, Any] = {"data": fields or True}
    else:
        assert isinstance(result, PageResult)
        assert op.record is not None
        following = services.signer.wrap(result.next_cursor, exchange.scope) if result.next_cursor else None
        items = _records(op.record).validate_python(result.data, context=_READ)
        envelope = {"next": following, "data": items, "raw": raw}
        include = {"next": True, "data": {"__all__": fields} if fields else True}
    if raw is not None:
        include["raw"] = True
    return _json(op.response.model_validate(envelope), 200, include)


def _write_envelope(op: Operation, result: WriteResult) -> BaseModel:
    answer: dict[str, Any] = {
        "statusCode": op.status,
        "message": result.message or op.message,
        "timestamp": timestamp(),
    }
    if op.answer == Answer.WRITTEN:
        answer["data"] = {"id": result.id, "remote_id": result.remote_id}
    if result.warnings:
        answer["unified_warnings"] = [{"message": warning} for warning in result.warnings]
    return op.response.model_validate(answer)


def written(op: Operation, result: WriteResult) -> Response:
    """A write's answer built from ids alone (a reconciled create)."""
    return _json(_write_envelope(op, result), op.status, unset=False)


def _json(model: BaseModel, status: int, include: dict[str, Any] | None = None, unset: bool = True) -> Response:
    """`unset=False` leaves out what the answer did not set (no `unified_warnings` when there were none)."""
    return Response(model.model_dump_json(include=include, exclude_unset=not unset), status, media_type=JSON)


def _file(result: FileResult) -> Response:
    headers = {"content-disposition": f'attachment; filename="{result.filename}"'} if result.filename else {}
    return Response(result.content, 200, headers=headers, media_type=result.content_type)


def _raw(sent: Sent) -> dict[str, Any]:
    return {
        "method": sent.request.method,
        "url": sent.response.url,
        "body": sent.request.json,
        "response": sent.response.body,
    }


def dry_run(services: Services, exchange: Exchange, requests: list[ProviderRequest]) -> Response:
    """What the plan would send first, secrets redacted; nothing is sent and nothing recorded."""
    base = services.provider(exchange.account).base_url.rstrip("/")
    secret = exchange.connector.secret_headers
    shown = [
        {
            "method": r.method,
            "url": base + r.path + (f"?{urlencode(dict(r.query))}" if r.query else ""),
            "headers": {k: "[redacted]" if k.lower() in secret else v for k, v in r.headers.items()},
            "body": r.json,
        }
        for r in requests
    ]
    return _json(DryRun.model_validate({"dry_run": True, "connector": exchange.connector.name, "requests": shown}), 200)


def replay(stored: StoredOutcome, headers: dict[str, str]) -> Response:
    """A key's stored answer, byte for byte."""
    status, body = idempotency.replay(stored)
    return Response(body, status, media_type=JSON, headers={**headers, "Idempotent-Replayed": "true"})


def error(error: GatewayError, request_id: str) -> Response:
    return Response(error.body_bytes(request_id), error.status, media_type=JSON, headers=dict(error.headers))
