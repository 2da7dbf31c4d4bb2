"""The render stage: a connector's result as StackOne answers it, through the same models the OpenAPI shows.

A read's whole answer (the envelope StackOne's response model defines, its records and `raw`) is validated in one
pass by the reader derived from that model (connectors.unified.reading) into plain data, which orjson encodes:
what the gateway answers cannot drift from what it documents, and no model instance is built on the way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from pydantic import BaseModel
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
from connectors.unified.reading import reader
from gateway import idempotency
from gateway.envelopes import DryRun
from gateway.errors import GatewayError, timestamp
from gateway.exchange import Exchange, Services
from gateway.state.claims import StoredOutcome
from gateway.upstream import Sent

JSON = "application/json"


def render(services: Services, exchange: Exchange, result: Result, exchanges: Sequence[Sent]) -> Response:
    op = exchange.operation
    if op.answer in (Answer.WRITTEN, Answer.ACKNOWLEDGED):
        assert isinstance(result, WriteResult)
        return _json(_write_envelope(op, result), op.status, unset=False)
    if op.answer == Answer.PLAIN:
        assert isinstance(result, PlainResult)
        return _encoded(reader(op.response).validate_python(result.data), op.status)
    if op.answer == Answer.FILE:
        assert isinstance(result, FileResult)
        return _file(result)
    raw = [_raw(sent) for sent in exchanges] if exchange.options.query.raw else None
    if op.answer == Answer.RECORD:
        assert isinstance(result, RecordResult)
        envelope: dict[str, Any] = {"data": result.data}
    else:
        assert isinstance(result, PageResult)
        following = services.signer.wrap(result.next_cursor, exchange.scope) if result.next_cursor else None
        envelope = {"next": following, "data": result.data}
    if raw is not None:
        envelope["raw"] = raw
    # Only what the envelope was given is answered: the response models' other fields (`next_page`) stay out.
    answer = {key: value for key, value in reader(op.response).validate_python(envelope).items() if key in envelope}
    if exchange.options.fields:
        answer["data"] = _only(answer["data"], set(exchange.options.fields))
    return _encoded(answer, 200)


def _only(data: Any, fields: set[str]) -> Any:
    """`fields=`: each record with the named fields alone, in the model's order."""
    if isinstance(data, list):
        return [_only(record, fields) for record in data]
    return {key: value for key, value in data.items() if key in fields}


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


def _json(model: BaseModel, status: int, unset: bool = True) -> Response:
    """`unset=False` leaves out what the answer did not set (no `unified_warnings` when there were none)."""
    return Response(model.model_dump_json(exclude_unset=not unset), status, media_type=JSON)


def _encoded(data: Any, status: int) -> Response:
    """orjson refuses an integer beyond 64 bits, which a vendor's free-form field may hold: the standard encoder
    writes it exactly."""
    try:
        body = orjson.dumps(data)
    except orjson.JSONEncodeError:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, media_type=JSON)


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
