"""Reconciliation of unknown outcomes: a retried create whose first attempt may have reached the vendor.

The connector's lookup searches by the create's natural key (job code, candidate e-mail) from when the key's
first claim was made, so the search is bounded by what the claim knows rather than a window of recent pages. The
answer is a decision for the pipeline: found (answer with it), proven absent (send the create now) or still
unknown (replay the unknown outcome). It never calls into execution itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.base import LookupResult, WriteResult
from gateway import idempotency
from gateway.admission import Reconcile
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.execution import drive, gate_for
from gateway.state.base import Health

log = logging.getLogger("gateway")

SETTLE_SECONDS = 90.0
"""After this long, the vendor is done with a request (StackOne's lifetime is 60 s): absence is then proof."""
CLOCK_MARGIN_S = 5.0
"""A lookup starts this long before the claim did: the vendor stamps records by its own clock, not the store's."""


@dataclass(frozen=True)
class Found:
    record: WriteResult
    health: Health


@dataclass(frozen=True)
class Absent:
    """Proven not there: the create may be sent."""


@dataclass(frozen=True)
class Unknown:
    health: Health


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def reconcile(services: Services, exchange: Exchange, decision: Reconcile) -> Found | Absent | Unknown | None:
    """None when this key cannot be reconciled (no natural key, or the key changed hands): replay it as stored."""
    stored = decision.stored
    assert exchange.call is not None
    assert exchange.store is not None
    since = datetime.fromtimestamp(stored.started_ms / 1000, UTC) - timedelta(seconds=CLOCK_MARGIN_S)
    failed_at = datetime.fromtimestamp(stored.when_ms / 1000, UTC)
    settled = datetime.now(UTC) - failed_at > timedelta(seconds=SETTLE_SECONDS)
    lookup = exchange.connector.lookup(exchange.call, exchange.context, _stamp(since), settled)
    if lookup is None or exchange.claim is None:
        return None
    reopened_at = time.monotonic()
    if not await exchange.store.reopen(exchange.claim, stored):
        return None
    exchange.lease = idempotency.Lease(exchange.claim, reopened_at, stored.started_ms, sending=True, reopened=True)
    gate = gate_for(services, exchange)
    result = None
    try:
        if decision.vendor is not None:
            await gate.wait(decision.vendor)
        result = (await drive(services, exchange, lookup, gate)).result
    except GatewayError:
        log.warning("reconciliation lookup failed; the outcome stays unknown")
    if isinstance(result, LookupResult) and result.found is not None:
        return Found(result.found, gate.health or "ok")
    if isinstance(result, LookupResult) and result.conclusive:
        return Absent()
    return Unknown(gate.health or "neutral")
