"""The admit stage: one state-store round trip that takes the caller's rate limits, the idempotency claim and the
vendor budget together, and decides what happens to the request.

Without a claim, a store outage fails open to this replica's own limits (reads keep working); with one it fails
closed, since an unprotected write could be sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gateway import idempotency, limits, logs
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.state import StateStore, StoreUnavailable
from gateway.state.base import Admission, Claim, Limit, LimitDecision, Outcome, VendorBudget, VendorDecision
from gateway.state.claims import StoredOutcome

log = logging.getLogger("gateway")

STORE_RETRY_S = 1.0
"""After the store fails, requests that may fail open skip it for this long instead of waiting on its timeout."""


@dataclass(frozen=True)
class Run:
    """Admitted: execute the plan. `vendor` is the first call's admission, taken in the same round trip."""

    vendor: VendorDecision | None


@dataclass(frozen=True)
class Replay:
    """The key's stored answer, replayed as it is."""

    stored: StoredOutcome


@dataclass(frozen=True)
class Reconcile:
    """The key's stored outcome is unknown and this is a create: look for what the attempt made."""

    stored: StoredOutcome
    vendor: VendorDecision | None


Decision = Run | Replay | Reconcile


class StoreState:
    """Whether the shared store answered lately, so reads skip it during an outage instead of waiting on it."""

    def __init__(self) -> None:
        self.down_until = 0.0

    def skip(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self) -> None:
        self.down_until = time.monotonic() + STORE_RETRY_S


def claim_and_budget(services: Services, exchange: Exchange, first_is_write: bool) -> None:
    """The idempotency claim (when keyed) and the vendor budget this request will take. A plan whose first vendor
    request is a write makes its claim sending at once (gateway/state/claims.py, Phases)."""
    owner = os.urandom(16).hex()
    if exchange.key is not None:
        exchange.claim = idempotency.claim_for(
            caller=exchange.caller.name,
            account=exchange.account.id,
            method=exchange.operation.method,
            path=exchange.request.scope["path"],
            key=exchange.key,
            body=exchange.raw_body,
            owner=owner,
            lease_ms=int(services.config.idempotency_lease_seconds * 1000),
            sending=first_is_write,
        )
    exchange.budget = services.vendor_budget(exchange.account, exchange.caller, owner)


async def admit(services: Services, health: StoreState, exchange: Exchange) -> Decision:
    """Take limits, claim and budget in one round trip and say what to do; a refusal is raised, with what the
    round trip took given back."""
    admitted_at = time.monotonic()
    store, admission = await _round_trip(services, health, exchange.inbound, exchange.claim, exchange.budget)
    exchange.store, exchange.admission = store, admission
    count_limits(services, admission.limits)
    exchange.rate_headers = limits.headers(admission.limits)
    claim = admission.claim
    if claim is not None:
        outcome = {"new": "claimed", "in_flight": "conflict", "mismatch": "mismatch", "replay": "replayed"}
        services.metrics.idempotency.labels(outcome[claim.kind]).inc()
    refusal = limits.limited(admission.limits) or _claim_refusal(admission)
    if refusal is not None:
        await undo(exchange)
        raise replace(refusal, headers={**exchange.rate_headers, **refusal.headers})
    if claim is None or claim.kind == "new":
        logs.bind(idempotency="claimed" if claim else "none")
        if exchange.claim is not None and claim is not None:
            sending = exchange.claim.sending
            exchange.lease = idempotency.Lease(exchange.claim, admitted_at, claim.started_ms, sending=sending)
        return Run(admission.vendor)
    assert claim.stored is not None
    if exchange.operation.method == "POST" and claim.stored.kind == "unknown":
        return Reconcile(claim.stored, admission.vendor)
    await undo(exchange)
    return Replay(claim.stored)


async def _round_trip(
    services: Services, health: StoreState, inbound: Sequence[Limit], claim: Claim | None, budget: VendorBudget | None
) -> tuple[StateStore, Admission]:
    if claim is None and health.skip():
        services.metrics.store_fallbacks.inc()
        return services.local, await services.local.admit(inbound, None, budget)
    try:
        admission = await services.store.admit(inbound, claim, budget)
    except StoreUnavailable as exc:
        health.failed()
        services.metrics.store_errors.labels("admit").inc()
        services.metrics.store_up.set(0)
        # The pipeline may have reached Redis before the deadline: undo what it may have taken, in the
        # background (the claim only if it is still ours), so a retry is not held by our lease.
        services.spawn(_release_later(services.store, claim, budget))
        if claim is not None:
            log.error("state store unavailable: refusing a keyed write (%s)", exc)
            raise GatewayError(
                503,
                "state_store_unavailable",
                "The idempotency store is unreachable, so this write cannot be protected; nothing was sent",
                retryable=True,
                headers={"Retry-After": "1"},
            ) from exc
        log.warning("state store unavailable: rate limits fall back to this replica (%s)", exc)
        logs.bind(state_store="fallback")
        services.metrics.store_fallbacks.inc()
        return services.local, await services.local.admit(inbound, None, budget)
    services.metrics.store_up.set(1)
    return services.store, admission


async def undo(exchange: Exchange) -> None:
    """Give back what `admit` took for a request that stops there: the claim if it became ours, the vendor
    admission if it was granted."""
    admission, store = exchange.admission, exchange.store
    if admission is None or store is None:
        return
    claim = exchange.claim if admission.claim is not None and admission.claim.kind == "new" else None
    budget = exchange.budget if admission.vendor is not None and admission.vendor.allowed else None
    with contextlib.suppress(StoreUnavailable):
        if budget is not None:
            await store.refund_vendor(budget)
        if claim is not None:
            await store.finish(Outcome(claim, None, 0), None)


async def _release_later(store: StateStore, claim: Claim | None, budget: VendorBudget | None) -> None:
    for _ in range(10):
        with contextlib.suppress(StoreUnavailable):
            if claim is not None:
                await store.finish(Outcome(claim, None, 0), budget)
            elif budget is not None:
                await store.refund_vendor(budget)
            return
        await asyncio.sleep(0.5)


def _claim_refusal(admission: Admission) -> GatewayError | None:
    if admission.claim is None:
        return None
    if admission.claim.kind == "in_flight":
        return idempotency.in_flight(admission.claim.retry_after_ms)
    if admission.claim.kind == "mismatch":
        return idempotency.reused()
    return None


def count_limits(services: Services, decisions: Sequence[LimitDecision]) -> None:
    for decision in decisions:
        services.metrics.rate_limit.labels(decision.policy, "allowed" if decision.allowed else "limited").inc()
    if decisions:
        logs.bind(rate_limit="limited" if any(not d.allowed for d in decisions) else "allowed")


async def limits_only(services: Services, health: StoreState, inbound: Sequence[Limit]) -> Sequence[LimitDecision]:
    """The caller's limits alone, for requests that stop before admission (refused, or dry runs)."""
    if not inbound:
        return []
    _, admission = await _round_trip(services, health, inbound, None, None)
    count_limits(services, admission.limits)
    return admission.limits
