"""The settle stage: the second round trip, which records the outcome for the idempotency key and frees the
vendor slot (telling the shared circuit breaker how the vendor did).

An outcome must reach the store before the lease ends, or a retry could send the write again: when the store is
briefly away, the outcome is written in the background until the lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from gateway import idempotency
from gateway.exchange import Exchange, Services
from gateway.gate import LeaseRenewal
from gateway.state import StateStore, StoreUnavailable
from gateway.state.base import Health, Outcome
from gateway.state.claims import StoredOutcome, describe

log = logging.getLogger("gateway")


async def settle(
    services: Services,
    exchange: Exchange,
    record: StoredOutcome | None,
    health: Health,
    renewal: LeaseRenewal | None = None,
) -> None:
    """Store `record` for the key (None releases it for a retry) and release the vendor slot."""
    if renewal is not None:
        renewal.cancel()
    store, claim = exchange.store, exchange.claim
    assert store is not None
    outcome = Outcome(claim, record, idempotency.RETENTION_MS) if claim is not None else None
    if claim is not None:
        services.metrics.idempotency.labels("released" if record is None else "stored").inc()
    try:
        settled = await store.finish(outcome, exchange.budget, health)
    except StoreUnavailable as exc:
        if outcome is None:
            return  # the vendor slot expires by itself
        log.error("state store unavailable while recording an outcome; retrying in the background (%s)", exc)
        services.spawn(_settle_later(store, outcome))
        return
    if not settled.held:
        log.error(
            "idempotency lease was lost before the outcome was recorded; the key holds %s", describe(settled.current)
        )


async def _settle_later(store: StateStore, outcome: Outcome) -> None:
    deadline = time.monotonic() + outcome.claim.lease_ms / 1000
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        with contextlib.suppress(StoreUnavailable):
            settled = await store.finish(outcome, None)
            if settled.held:
                log.warning("a delayed idempotency outcome was recorded")
            else:
                log.error(
                    "a delayed idempotency outcome was not recorded: the lease was lost, and the key holds %s",
                    describe(settled.current),
                )
            return
    log.critical("an idempotency outcome could not be recorded before its lease ended")
