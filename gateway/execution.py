"""The execute stage: drive the admitted plan against the vendor, then settle what happened.

Outcomes follow what the vendor may have done: a vendor answer (2xx or 4xx) is stored and replayed for the
idempotency key; nothing sent releases the key so a retry runs; sent-but-unknown is stored as `outcome_unknown`
and replayed, never silently re-sent.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import ValidationError
from starlette.responses import Response

from connectors.base import Plan, ProviderRequest
from gateway import idempotency, render
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.executor import Execution, execute
from gateway.gate import LeaseRenewal, VendorGate
from gateway.settle import settle
from gateway.state.base import VendorDecision
from gateway.state.claims import Kind
from gateway.translate import unreadable


def gate_for(services: Services, exchange: Exchange) -> VendorGate:
    assert exchange.store is not None
    quota = services.provider(exchange.account).quota
    max_wait = quota.max_wait_seconds if quota else 0.0
    return VendorGate(
        exchange.store,
        exchange.budget,
        exchange.provider,
        max_wait,
        services.metrics,
        exchange.connector.name,
        exchange.lease,
    )


async def drive(services: Services, exchange: Exchange, plan: Plan, gate: VendorGate) -> Execution:
    return await execute(
        plan,
        exchange.connector,
        exchange.provider,
        services.upstream,
        gate,
        services.metrics,
        exchange.operation.id,
        services.retries[exchange.provider],
    )


async def run(services: Services, exchange: Exchange, preadmitted: VendorDecision | None) -> Response:
    """Execute the plan and record its outcome for the idempotency key.

    `preadmitted` is the vendor admission taken with the claim; without it the first call takes its own."""
    assert exchange.plan is not None
    assert exchange.store is not None
    gate = gate_for(services, exchange)
    lease = exchange.lease
    renewal = LeaseRenewal(exchange.store, lease) if lease is not None else None
    started_ms = lease.started_ms if lease is not None else 0
    request_id = str(getattr(exchange.request.state, "request_id", ""))
    try:
        if preadmitted is not None:
            await gate.wait(preadmitted)
        execution = await drive(services, exchange, exchange.plan, gate)
        try:
            response = render.render(services, exchange, execution.result, execution.exchanges)
        except ValidationError as exc:
            # The records are read into the unified models here: what the vendor sent may not fit them.
            last = execution.exchanges[-1] if execution.exchanges else None
            request = last.request if last is not None else ProviderRequest("GET", exchange.operation.path, {})
            raise unreadable(exc, request, last.response if last is not None else None) from exc
    except GatewayError as error:
        error = replace(error, headers={**exchange.rate_headers, **error.headers})
        body = error.body_bytes(request_id)
        kind: Kind = "unknown" if error.code == "outcome_unknown" else "answered"
        stored = None if error.outcome == "not_sent" else idempotency.record(kind, error.status, body, started_ms)
        await settle(services, exchange, stored, gate.health or "neutral", renewal)
        # The very bytes that were stored, so the first answer and its replays are identical.
        return Response(body, error.status, media_type=render.JSON, headers=dict(error.headers))
    except BaseException:
        # Interrupted (a crash, or shutdown cancelling the request): before any write left, the key is released
        # for a retry; after, the outcome is unknown and the key must keep saying so.
        interrupted = idempotency.interrupted(started_ms) if gate.dispatched else None
        await settle(services, exchange, interrupted, gate.health or "neutral", renewal)
        raise
    answered = idempotency.record("answered", response.status_code, bytes(response.body), started_ms)
    await settle(services, exchange, answered, "ok", renewal)
    response.headers.update(exchange.rate_headers)
    return response
