"""Reconciliation of unknown outcomes: a retried create whose first attempt may have reached the vendor.

The connector's lookup searches by the create's natural key (job code, candidate e-mail) from when the attempt
began. The answer is a decision for the pipeline: found (answer with it), proven absent (send the create now) or
still unknown (replay the unknown outcome). It never calls into execution itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors.base import LookupResult, WriteResult
from gateway.admission import Reconcile
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.execution import drive, gate_for
from gateway.outcomes import unknown_since
from gateway.state.base import Health

log = logging.getLogger("gateway")

SETTLE_SECONDS = 90.0
"""After this long, the vendor is done with a request (StackOne's lifetime is 60 s): absence is then proof."""


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


async def reconcile(services: Services, exchange: Exchange, decision: Reconcile) -> Found | Absent | Unknown | None:
    """None when this key cannot be reconciled (no natural key, or the key changed hands): replay it as stored."""
    failed_at = unknown_since(decision.stored)
    assert failed_at is not None
    assert exchange.call is not None
    assert exchange.store is not None
    provider = services.provider(exchange.account)
    # The attempt began at most one total timeout before it failed; look from a little before that.
    since = failed_at - timedelta(seconds=provider.timeouts.total + 5)
    settled = datetime.now(UTC) - failed_at > timedelta(seconds=SETTLE_SECONDS)
    stamp = since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    lookup = exchange.connector.lookup(exchange.call, exchange.context, stamp, settled)
    if lookup is None or exchange.claim is None or not await exchange.store.reopen(exchange.claim, decision.stored):
        return None
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
