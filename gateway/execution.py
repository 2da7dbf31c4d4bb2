"""The execute stage: drive the admitted plan against the vendor, then settle what happened.

Outcomes follow what the vendor may have done: a vendor answer (2xx or 4xx) is stored and replayed for the
idempotency key; nothing sent releases the key so a retry runs; sent-but-unknown is stored as `outcome_unknown`
and replayed, never silently re-sent.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response

from connectors.base import Plan
from gateway import idempotency, render
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.executor import Execution, execute
from gateway.gate import LeaseRenewal, VendorGate
from gateway.outcomes import unknown
from gateway.settle import settle
from gateway.state.base import VendorDecision


def gate_for(services: Services, exchange: Exchange) -> VendorGate:
    assert exchange.store is not None
    quota = services.provider(exchange.account).quota
    max_wait = quota.max_wait_seconds if quota else 0.0
    return VendorGate(
        exchange.store, exchange.budget, exchange.provider, max_wait, services.metrics, exchange.connector.name
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
    renewal = LeaseRenewal(exchange.store, exchange.claim) if exchange.claim is not None else None
    request_id = str(getattr(exchange.request.state, "request_id", ""))
    try:
        if preadmitted is not None:
            await gate.wait(preadmitted)
        execution = await drive(services, exchange, exchange.plan, gate)
        response = render.render(services, exchange, execution.result, execution.exchanges)
    except GatewayError as error:
        error = replace(error, headers={**exchange.rate_headers, **error.headers})
        body = error.body_bytes(request_id)
        stored = None if error.outcome == "not_sent" else idempotency.encode_response(error.status, body)
        await settle(services, exchange, stored, gate.health or "neutral", renewal)
        # The very bytes that were stored, so the first answer and its replays are identical.
        return Response(body, error.status, media_type=render.JSON, headers=dict(error.headers))
    except BaseException:
        # Interrupted (a crash, or shutdown cancelling the request): before any write left, the key is released
        # for a retry; after, the outcome is unknown and the key must keep saying so.
        record = None
        if gate.dispatched:
            lost = unknown("The gateway was interrupted while the write was sent")
            record = idempotency.encode_response(lost.status, lost.body_bytes(""))
        await settle(services, exchange, record, gate.health or "neutral", renewal)
        raise
    await settle(
        services, exchange, idempotency.encode_response(response.status_code, bytes(response.body)), "ok", renewal
    )
    response.headers.update(exchange.rate_headers)
    return response
