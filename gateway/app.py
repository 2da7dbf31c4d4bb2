"""The HTTP surface: StackOne's `/unified/ats/...` operations over a connector registry, plus operations routes.

Every unified operation of the catalogue is served by one route (gateway/routing.py) that hands the request to
the pipeline (gateway/pipeline.py). Errors, ours or a vendor's, leave through the app's exception handlers in the
CONTRACT.md envelope; anything unexpected is a 500 in the same envelope, logged once with the request's id.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.catalogue import CATALOGUE
from connectors.registry import Registry
from gateway import logs, render
from gateway.config import ResolvedConfig
from gateway.cursors import CursorSigner
from gateway.errors import GatewayError
from gateway.meta import describe, vendor_rules
from gateway.metrics import Metrics
from gateway.openapi import add_operations
from gateway.pipeline import Gateway
from gateway.routing import UnifiedRoute
from gateway.sandboxes import Wiring, wire
from gateway.state import MemoryStore, StateStore, StoreUnavailable
from gateway.transport import TransportKind
from gateway.upstream import Upstream

log = structlog.get_logger()

_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")


class RequestContext:
    """Gives every request an id (the caller's, if sane), writes the one access event per request, and answers
    what nothing else caught with a 500 in the error envelope."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_id = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        fields = logs.start_request(request_id=request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            logging.getLogger("gateway").error("unhandled error", exc_info=exc)
            if status == 0:
                crash = GatewayError(500, "internal_error", "Internal error; it has been logged")
                await render.error(crash, request_id)(scope, receive, send_with_id)
        finally:
            self._record(scope, status or 500, time.perf_counter() - started)
            logs.end_request(fields)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")
        connector = scope["state"].get("connector", "")
        self.metrics.requests.labels(route, scope["method"], str(status), connector).inc()
        self.metrics.request_seconds.labels(route, scope["method"], connector).observe(elapsed)
        log.info(
            "request",
            logger="gateway.access",
            method=scope["method"],
            path=scope["path"],
            route=route,
            status=status,
            latency_ms=round(elapsed * 1000, 2),
        )


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or uuid.uuid4().hex


def create_app(
    resolved: ResolvedConfig,
    registry: Registry | None = None,
    wiring: Wiring | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    store: StateStore | None = None,
    http_transport: TransportKind = "aiohttp",
) -> FastAPI:
    """Build the gateway.

    `wiring` is the in-process sandboxes (built from the config when not given); `transports` replaces the network
    for named providers (tests put a recorder in front of a sandbox, or respx); `store` is the shared state
    (the embedded store when not given: one process only).
    """
    registry = registry or Registry.discover()
    wiring = wiring or wire(resolved)
    upstream = Upstream(resolved.config.providers, {**wiring.transports, **(transports or {})}, http_transport)
    secret_ref = resolved.config.cursor_secret
    if secret_ref is None:
        logging.getLogger("gateway").warning(
            "cursor_secret is not configured: list cursors are signed with a per-process key, "
            "so a walk cannot continue on another replica"
        )
    signer = CursorSigner(resolved.secret(secret_ref).encode() if secret_ref else secrets.token_bytes(32))
    gateway = Gateway(resolved, registry, upstream, wiring.credentials, signer, store or MemoryStore())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await gateway.aclose()

    app = FastAPI(
        title="ATS gateway",
        version="0.1.0",
        description="StackOne-compatible unified ATS API over StackOne and Bindbee, with gateway extensions.",
        lifespan=lifespan,
        # The gateway's telemetry is its Prometheus metrics and logs; FastAPI's own would ask OpenTelemetry on
        # every request whether a provider is configured.
        telemetry={"tracing": False, "metrics": False},
    )
    app.state.gateway = gateway
    app.state.sandboxes = wiring.apps
    _operations_routes(app, gateway, resolved)
    app.router.routes.insert(0, UnifiedRoute(CATALOGUE.values(), gateway.handle))
    app.add_middleware(RequestContext, metrics=gateway.metrics)
    _customise_openapi(app)
    return app


def _operations_routes(app: FastAPI, gateway: Gateway, resolved: ResolvedConfig) -> None:
    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError) -> Response:
        return render.error(exc, _request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        error = GatewayError(exc.status_code, code, str(exc.detail), headers=exc.headers or {})
        return render.error(error, _request_id(request))

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        gateway.metrics.store_round_trips.set(getattr(gateway.store, "round_trips", 0))
        return Response(generate_latest(gateway.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        store_state = "ok"
        try:
            await gateway.store.ping()
        except StoreUnavailable:
            store_state = "unavailable"
        body = {
            "status": "ready" if store_state == "ok" else "not_ready",
            "config": "loaded",
            "accounts": len(resolved.config.accounts),
            "state_store": {"kind": gateway.store.kind, "status": store_state},
        }
        return JSONResponse(body, status_code=200 if store_state == "ok" else 503)

    @app.get("/unified/ats/meta", tags=["meta"], operation_id="gateway_meta")
    async def meta(request: Request) -> JSONResponse:
        """Operations this account's connector supports, with the JSON Schema of each write."""
        auth = gateway.services.auth
        caller = auth.caller(request.headers.get("authorization"))
        account = auth.account(caller, request.headers.get("x-account-id"))
        connector = gateway.services.connector(account)
        required = await vendor_rules(gateway.services, account)
        return JSONResponse(describe(connector, gateway.services.contexts[account.id], required))


def _customise_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        add_operations(schema, CATALOGUE.values())
        schema["components"]["securitySchemes"] = {
            "basic": {
                "type": "http",
                "scheme": "basic",
                "description": "API key as user name, empty password",
            },
            "bearer": {"type": "http", "scheme": "bearer"},
        }
        schema["security"] = [{"basic": []}, {"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
