"""What runs around each vendor call of an admitted request: the credential's shared budget and the claim's lease.

`VendorGate` admits each call against the vendor budget (the first was admitted with the claim, in the same round
trip), lets a write leave only while the idempotency claim is marked sending and its lease still held, and
remembers whether a write may have left, which decides what an interruption means. `LeaseRenewal` keeps the
lease alive while the calls run. The interleavings are in gateway/state/claims.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time

from connectors.base import ProviderRequest, ProviderResponse
from gateway import idempotency, limits
from gateway.errors import GatewayError
from gateway.metrics import Metrics
from gateway.state import StateStore, StoreUnavailable
from gateway.state.base import Health, Sending, VendorBudget, VendorDecision

log = logging.getLogger("gateway")


class VendorGate:
    """Admits each vendor call against the credential's shared budget; the first was admitted with the claim.

    With an idempotency claim (`lease`), a write leaves only while the claim is marked sending in the store and
    this process still holds its lease by its own clock (gateway/state/claims.py)."""

    def __init__(
        self,
        store: StateStore,
        budget: VendorBudget | None,
        provider: str,
        max_wait_s: float,
        metrics: Metrics,
        connector: str,
        lease: idempotency.Lease | None = None,
    ) -> None:
        self.store = store
        self.budget = budget
        self.provider = provider
        self.max_wait_s = max_wait_s
        self.metrics = metrics
        self.connector = connector
        self.lease = lease
        self.admitted = False
        self.dispatched = False
        """Set once a vendor call may have left: from then on an interruption leaves the outcome unknown."""
        self.health: Health | None = None
        """What the last vendor call said about the vendor, for the circuit breaker; None when no call was made
        (the request stopped at our own checks or refusals, which say nothing about the vendor)."""

    async def wait(self, decision: VendorDecision) -> None:
        """Wait for budget up to the configured bound; past it, 429 with the vendor's own delay."""
        assert self.budget is not None
        deadline = time.monotonic() + self.max_wait_s
        if not decision.allowed:
            await self._stand_down()
        while not decision.allowed:
            delay = decision.retry_after_ms / 1000
            # An open breaker is answered at once: failing fast is its point.
            if decision.verdict == "open" or time.monotonic() + delay > deadline:
                self.metrics.vendor_refusals.labels(self.connector, decision.verdict).inc()
                raise limits.vendor_refused(self.provider, decision)
            await asyncio.sleep(delay)
            decision = await self.store.admit_vendor(self.budget)
        self.admitted = True

    def _cache_key(self, request: ProviderRequest) -> str | None:
        if request.cache_seconds <= 0 or request.is_write or self.budget is None:
            return None
        # The credential's tag scopes the entry to one vendor account; the digest keeps the query out of the key.
        what = json.dumps([request.method, request.path, sorted(request.query.items())]).encode()
        return f"cache:{{{self.budget.tag}}}:{hashlib.sha256(what).hexdigest()[:32]}"

    async def cached(self, request: ProviderRequest) -> ProviderResponse | None:
        """A kept answer to a request the connector marked cacheable; a store outage only means a fresh call."""
        key = self._cache_key(request)
        if key is None:
            return None
        with contextlib.suppress(StoreUnavailable):
            kept = await self.store.recall(key)
            if kept is not None:
                return ProviderResponse(200, {}, json.loads(kept), f"cache:{request.path}")
        return None

    async def remember(self, request: ProviderRequest, response: ProviderResponse) -> None:
        key = self._cache_key(request)
        if key is not None:
            with contextlib.suppress(StoreUnavailable):
                await self.store.remember(key, json.dumps(response.body).encode(), int(request.cache_seconds * 1000))

    async def before(self, request: ProviderRequest) -> None:
        try:
            await self._admit_call(request)
        except StoreUnavailable as exc:
            # Between the calls of a plan: what left before stands, nothing more leaves.
            if self.dispatched:
                raise idempotency.outcome_unknown(
                    502,
                    "A write of this request was sent, then the state store became unreachable before the "
                    "next vendor call: the outcome is unknown. Check the record before writing again.",
                ) from exc
            raise GatewayError(
                503,
                "state_store_unavailable",
                "The state store became unreachable before the next vendor call of this request; nothing was sent",
                retryable=True,
                headers={"Retry-After": "1"},
            ) from exc

    async def _admit_call(self, request: ProviderRequest) -> None:
        """The vendor admission, the mark of a write and the last check of the lease before a call leaves."""
        lease = self.lease if request.is_write else None
        if self.budget is not None and not self.admitted:
            if lease is not None and lease.unmarked:
                decision = (await self._mark(self.budget)).vendor  # one round trip: the mark and the admission
                assert decision is not None
            else:
                decision = await self.store.admit_vendor(self.budget)
            await self.wait(decision)
        if lease is not None and lease.unmarked:
            await self._mark(None)  # admitted without the mark, or stood down while waiting for budget
        self.admitted = False  # the next call of a multi-call plan needs its own admission
        if lease is not None and not lease.held():
            # The last check before the write leaves: a process that was paused past its lease must not send.
            if self.dispatched:
                raise idempotency.outcome_unknown(
                    502,
                    "An earlier write of this request was sent, then the gateway lost the Idempotency-Key's "
                    "lease before the next: the outcome is unknown. Check the record before writing again.",
                )
            raise idempotency.lease_lost()

    async def _mark(self, budget: VendorBudget | None) -> Sending:
        assert self.lease is not None
        started = time.monotonic()
        sending = await self.store.mark_sending(self.lease.claim, budget)
        if sending.held:
            self.lease.confirm(started)
            self.lease.sending = True
        else:
            self.lease.lose()
        return sending

    async def _stand_down(self) -> None:
        """Waiting for budget before any write left: a claim that is sending only because its first request is a
        write goes back to admitted, so that a death while waiting frees the key instead of leaving it unknown."""
        lease = self.lease
        if lease is None or not lease.sending or lease.reopened or self.dispatched:
            return
        started = time.monotonic()
        with contextlib.suppress(StoreUnavailable):
            if await self.store.renew(lease.claim, "admitted"):
                lease.confirm(started)
                lease.sending = False
            else:
                lease.lose()

    def observed(self, health: Health) -> None:
        self.health = health

    async def pushed_back(self, response: ProviderResponse) -> None:
        self.metrics.cooldowns.labels(self.connector).inc()
        if self.budget is not None:
            with contextlib.suppress(StoreUnavailable):
                await self.store.cooldown(self.budget, limits.cooldown_ms(response.headers))


class LeaseRenewal:
    """Keeps a claim's lease while its vendor calls run: every third of the lease, the lease is renewed.

    A timer until the first renewal is due, and a task only from then on: nearly every call ends long before that,
    and a timer costs far less to start and cancel than a task does."""

    def __init__(self, store: StateStore, lease: idempotency.Lease) -> None:
        self.store = store
        self.lease = lease
        self.task: asyncio.Task[None] | None = None
        self.timer = asyncio.get_running_loop().call_later(lease.claim.lease_ms / 3000, self._start)

    def _start(self) -> None:
        self.task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while True:
            started = time.monotonic()
            with contextlib.suppress(StoreUnavailable):
                if not await self.store.renew(self.lease.claim):
                    self.lease.lose()  # no later write of this request may leave
                    log.error("idempotency lease lost while the vendor call was running")
                    return
                self.lease.confirm(started)
            await asyncio.sleep(self.lease.claim.lease_ms / 3000)

    def cancel(self) -> None:
        self.timer.cancel()
        if self.task is not None:
            self.task.cancel()
