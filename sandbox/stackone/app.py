"""The sandbox's HTTP side: who may call, for which linked account, and every operation on its route.

The checks run in StackOne's order: the API key (401), the `x-account-id` (400 when missing, 404 "Invalid account
ID" when unknown), the query parameters (400), the body (400 with `data` naming each problem), then the
operation, whose own refusals are 404 for an unknown id in the path and 422 with `provider_errors` for ids in the
body the provider does not know.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from connectors.unified.base import Dto
from sandbox import controls
from sandbox.common import MinuteQuota, Tenant
from sandbox.controls import Controls
from sandbox.stackone.catalogue import OPERATIONS
from sandbox.stackone.errors import MESSAGES, StackOneError, bad_request, envelope
from sandbox.stackone.operation import Call, Operation
from sandbox.stackone.query import parse
from sandbox.stackone.seed import seed_tenant

RATE_LIMIT_PER_MINUTE = 1000


@dataclass
class StackOneSandbox:
    api_keys: set[str]
    accounts: dict[str, str]
    """Linked account id → the provider behind it (e.g. "greenhouse")."""
    requests_per_minute: int = RATE_LIMIT_PER_MINUTE
    seed_candidates: int = 0
    short_pages: bool = False
    """Answer some pages with fewer records than asked, as StackOne documents it may (a walk must go on)."""
    tenants: dict[str, Tenant] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quota = MinuteQuota(self.requests_per_minute)
        for account, provider in self.accounts.items():
            self.tenants[account] = seed_tenant(account, provider, self.seed_candidates)

    def tenant(self, headers: Mapping[str, str]) -> Tenant:
        if api_key(headers.get("authorization")) not in self.api_keys:
            raise StackOneError(401)
        account = headers.get("x-account-id")
        if not account:
            raise bad_request("x-account-id is required")
        found = self.tenants.get(account)
        if found is None:
            raise StackOneError(404, "Invalid account ID")
        return found


def api_key(authorization: str | None) -> str | None:
    """Basic auth with the API key as user name (the password is empty, and ignored)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _ = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user


def _body(operation: Operation, raw: bytes) -> Dto | None:
    if operation.request is None:
        return None
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        raise bad_request("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    try:
        return operation.request.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise bad_request(problems) from None


def _endpoint(
    sandbox: StackOneSandbox, seen: Controls, operation: Operation
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        tenant = sandbox.tenant(request.headers)
        query = parse(operation.declared, request.query_params.multi_items())
        body = _body(operation, await request.body())
        call = Call(operation, tenant, request.url.path, request.path_params, query, body, seen, sandbox.short_pages)
        _note_received(call)
        return operation.handler(call)

    return endpoint


def _note_received(call: Call) -> None:
    """What StackOne hands to the provider without keeping it: `proxy[...]`, `sync_token`, `passthrough`."""
    received, op = call.controls.received, call.operation.id
    if call.query.proxy:
        received["proxy"].append({"operation": op, "proxy": dict(call.query.proxy)})
    if "sync_token" in call.query.options:
        received["sync_token"].append({"operation": op, "sync_token": call.query.options["sync_token"]})
    passthrough = getattr(call.body, "passthrough", None)
    if passthrough:
        received["passthrough"].append({"operation": op, "passthrough": passthrough})


def create_app(sandbox: StackOneSandbox) -> FastAPI:
    app = FastAPI(title="StackOne sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = sandbox

    @app.exception_handler(StackOneError)
    async def stackone_error(_: Request, exc: StackOneError) -> JSONResponse:
        return JSONResponse(exc.body(), exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(envelope(exc.status_code), exc.status_code)

    @app.middleware("http")
    async def rate_limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        allowed, _, reset_in = sandbox.quota.take(api_key(request.headers.get("authorization")) or "")
        if not allowed:
            headers = {"Retry-After": str(max(1, math.ceil(reset_in)))}
            return JSONResponse(envelope(429), 429, headers=headers)
        return await call_next(request)

    seen = controls.install(app, lambda status: envelope(status, MESSAGES.get(status, "Error")))
    for operation in OPERATIONS:
        app.add_api_route(
            operation.path,
            _endpoint(sandbox, seen, operation),
            methods=[operation.method],
            name=operation.id,
            include_in_schema=False,
        )
    return app
