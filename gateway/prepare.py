"""The first two stages: authenticate the caller, then prepare the call.

Everything here fails before any vendor or the state store is involved: who is calling (401), which account
(404), whether the account's connector serves the operation (501), the query (400), the body (400/413/422), the
account's rules and the connector's translation (422), all of them reported together where they can be.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request

from connectors.base import Call
from connectors.catalogue import Operation
from connectors.errors import InvalidInput, NotSupported, field_errors
from connectors.extensions import resolve_extensions
from connectors.unified.base import Dto, write_body
from gateway import idempotency, limits, logs
from gateway.errors import invalid_input
from gateway.exchange import Exchange, Services
from gateway.inputs import path_parameter, read_json_body, single_header
from gateway.query import read_query
from gateway.translate import not_supported


def authenticate(services: Services, request: Request, operation: Operation) -> Exchange:
    caller, account = services.auth.identify(request.headers)
    connector = services.connector(account)
    logs.bind(caller=caller.name, account=account.id, connector=connector.name, operation=operation.id)
    request.state.connector = connector.name
    context = services.contexts[account.id]
    return Exchange(request, operation, caller, account, connector, context, limits.inbound_limits(caller, account))


async def prepare(services: Services, exchange: Exchange) -> None:
    """Fill the exchange with the validated call and the connector's plan for it."""
    operation, request = exchange.operation, exchange.request
    support = exchange.connector.support(exchange.context)[operation.id]
    if not support.supported:
        raise not_supported(NotSupported(exchange.connector.name, operation.id, support.reason))
    exchange.options = read_query(request.query_params.multi_items(), operation, support)
    query = exchange.options.query
    body = None
    if operation.request is not None:
        exchange.raw_body = await read_json_body(request, services.config.max_body_bytes)
        body = _body(exchange, exchange.raw_body)
    if operation.is_write:
        exchange.key = _idempotency_key(exchange)
    path = {name: path_parameter(name, value) for name, value in request.path_params.items()}
    exchange.call = Call(operation, path, body, query, exchange.key)
    if exchange.options.next is not None:
        # The cursor is bound to the call's scope, so it is read once the call is known.
        cursor = services.signer.unwrap(exchange.options.next, exchange.scope)
        exchange.call = replace(exchange.call, query=replace(query, cursor=cursor))
    call = exchange.call
    try:
        exchange.plan = exchange.connector.plan(call, exchange.context)
    except InvalidInput as exc:
        raise invalid_input(exc.errors, exc.status) from exc
    except NotSupported as exc:
        raise not_supported(exc) from exc


def _body(exchange: Exchange, raw: dict[str, Any]) -> Dto:
    model = exchange.operation.request
    assert model is not None
    try:
        parsed = write_body(model, raw)
    except ValidationError as exc:
        raise invalid_input(field_errors(exc)) from exc
    try:
        return resolve_extensions(parsed, exchange.context.defaults, creating=exchange.operation.method == "POST")
    except InvalidInput as exc:
        raise invalid_input(exc.errors, exc.status) from exc


def _idempotency_key(exchange: Exchange) -> str | None:
    key = idempotency.parse_key(single_header(exchange.request.headers, "Idempotency-Key"))
    if key is None and exchange.account.require_idempotency_key and exchange.operation.method == "POST":
        raise idempotency.required()
    return key
