"""The gateway's OpenAPI document: FastAPI's for its own routes, and the unified operations from the catalogue.

Each operation is described from its one declaration: its parameters (the query StackOne documents, the
gateway's extensions), its body and answer models (StackOne's schemas, plus the gateway's extension fields), and
every error status the gateway can answer, in the error envelope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from connectors.catalogue import Answer, Operation, Param
from gateway import envelopes
from gateway.examples import EXAMPLES

REF = "#/components/schemas/{model}"
_ERRORS = (
    (400, "Bad request: a parameter, header or body that cannot be read"),
    (401, "Unauthorized"),
    (404, "Not found: the account, or the record at the vendor"),
    (409, "Conflict: the idempotency key is in flight, or the vendor reports a conflict"),
    (413, "Body too large"),
    (422, "Validation error: the fields and rules that failed, or the vendor's refusal"),
    (429, "Rate limited (the caller's limit, or the vendor's)"),
    (501, "Not implemented by this account's connector: the reason is in the message"),
    (502, "Vendor error, or a write whose outcome is unknown"),
    (503, "Vendor unreachable, circuit open, or the state store unavailable; nothing was sent"),
    (504, "Vendor timeout (for a write: the outcome is unknown)"),
)
_KINDS = {"boolean": "boolean", "integer": "integer", "text": "string", "date-time": "string", "object": "object"}


Refs = dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]
"""What pydantic named each model in the components (a model read and written differently gets two names)."""


def _param(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": _KINDS[param.kind]}
    if param.kind == "date-time":
        schema["format"] = "date-time"
    if param.name == "page_size":
        schema.update(minimum=1, maximum=100)
    out: dict[str, Any] = {"name": param.name, "in": "query", "schema": schema}
    if param.kind == "object":
        out.update(style="deepObject", explode=True, schema={"type": "object", "additionalProperties": True})
    if param.deprecated:
        out["deprecated"] = True
    if param.alias_of:
        out["description"] = f"Deprecated by StackOne: read as {param.alias_of}"
    return out


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": "x-account-id", "in": "header", "required": True, "schema": {"type": "string"}},
        *({"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in op.path_params),
        *(_param(p) for p in op.params),
    ]
    if op.filters:
        properties = {
            f.name: {"type": "string", **({"enum": list(f.choices)} if f.choices else {})}
            | ({"format": "date-time"} if f.kind == "date-time" else {})
            | ({"deprecated": True} if f.alias_of else {})
            for f in op.filters
        }
        params.append(
            {
                "name": "filter",
                "in": "query",
                "style": op.filter_style,
                "explode": True,
                "schema": {"type": "object", "properties": properties, "additionalProperties": False},
            }
        )
    if op.is_write:
        params += [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": "Same key and body: the stored answer is replayed; kept 24 h",
            },
            {
                "name": "dry_run",
                "in": "query",
                "schema": {"type": "boolean"},
                "description": "Validate and translate only: show the vendor requests, send nothing",
            },
        ]
    return params


def _success(op: Operation, refs: Refs) -> dict[str, Any]:
    if op.answer == Answer.FILE:
        content = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    else:
        content = {"application/json": {"schema": refs[op.response, "serialization"]}}
    responses: dict[str, Any] = {str(op.status): {"description": "Success", "content": content}}
    if op.is_write:
        shown = refs[envelopes.DryRun, "serialization"]
        dry_run = {"application/json": {"schema": shown}}
        if op.status == 200:
            # A 200 is also what `dry_run=true` answers, so both shapes are allowed there.
            schema = {"anyOf": [refs[op.response, "serialization"], shown]}
            responses["200"] = {
                "description": "Success, or a dry run",
                "content": {"application/json": {"schema": schema}},
            }
        else:
            responses["200"] = {"description": "Dry run (`dry_run=true`)", "content": dry_run}
    return responses


def operation(op: Operation, refs: Refs) -> dict[str, Any]:
    error = refs[envelopes.ErrorBody, "serialization"]
    item: dict[str, Any] = {
        "operationId": op.id,
        "summary": op.id.removeprefix("ats_").replace("_", " ").capitalize(),
        "tags": [op.resource],
        "parameters": _parameters(op),
        "responses": {
            **_success(op, refs),
            **{
                str(status): {"description": text, "content": {"application/json": {"schema": error}}}
                for status, text in _ERRORS
            },
        },
    }
    if op.deprecated:
        item["deprecated"] = True
    if op.request is not None:
        body = {"application/json": {"schema": refs[op.request, "validation"], "example": EXAMPLES[op.id]}}
        item["requestBody"] = {"required": True, "content": body}
    return item


def _schemas(operations: Iterable[Operation]) -> tuple[Refs, dict[str, Any]]:
    """The JSON Schema of every model the operations name, and each model's reference into it."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (envelopes.ErrorBody, "serialization"),
        (envelopes.DryRun, "serialization"),
    ]
    for op in operations:
        if op.request is not None:
            models.append((op.request, "validation"))
        if op.answer != Answer.FILE:
            models.append((op.response, "serialization"))
    refs, schema = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    return {(model, mode): ref for (model, mode), ref in refs.items() if issubclass(model, BaseModel)}, dict(
        schema.get("$defs", {})
    )


def add_operations(document: dict[str, Any], operations: Iterable[Operation]) -> None:
    ops = list(operations)
    refs, definitions = _schemas(ops)
    paths = document.setdefault("paths", {})
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = operation(op, refs)
    document.setdefault("components", {}).setdefault("schemas", {}).update(definitions)
