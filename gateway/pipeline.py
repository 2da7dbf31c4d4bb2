"""The request pipeline every unified operation runs, stage by stage.

1. authenticate: the caller and the account (401 / 404)                      gateway/prepare.py
2. prepare: support, query, body, extensions, rules, the connector's plan     gateway/prepare.py
3. admit: limits, idempotency claim and vendor budget in one round trip       gateway/admission.py
4. execute the plan against the vendor (or show it: a dry run)                gateway/execution.py, executor.py
5. settle: the outcome and the vendor slot in the second round trip           gateway/settle.py
6. render the answer in StackOne's envelope                                   gateway/render.py

A replayed key stops after admit; an unknown outcome on a retried create goes through reconciliation
(gateway/reconcile.py), whose decision sends the request back here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from connectors.base import AccountContext
from connectors.catalogue import Operation
from connectors.registry import Registry
from gateway import idempotency, limits, logs, render
from gateway.admission import Reconcile, Replay, StoreState, admit, claim_and_budget, limits_only, undo
from gateway.auth import Authenticator
from gateway.config import ResolvedConfig
from gateway.cursors import CursorSigner
from gateway.errors import GatewayError
from gateway.exchange import Exchange, Services
from gateway.execution import run
from gateway.executor import RetryBudget, RetryPolicy, first_requests, peek
from gateway.metrics import Metrics
from gateway.prepare import authenticate, prepare
from gateway.reconcile import Absent, Found, reconcile
from gateway.settle import settle
from gateway.state import MemoryStore, StateStore
from gateway.upstream import Upstream

RECONCILED_MESSAGE = "Record created successfully (found after an unknown outcome)."


class Gateway:
    """The shared services and the sequence of stages; the app's one unified route calls `handle`."""

    def __init__(
        self,
        resolved: ResolvedConfig,
        registry: Registry,
        upstream: Upstream,
        credentials: Mapping[str, Mapping[str, str]],
        signer: CursorSigner,
        store: StateStore,
        metrics: Metrics | None = None,
    ) -> None:
        config = resolved.config
        self.services = Services(
            config=config,
            registry=registry,
            upstream=upstream,
            auth=Authenticator.from_config(resolved),
            signer=signer,
            store=store,
            local=store if isinstance(store, MemoryStore) else MemoryStore(),
            metrics=metrics or Metrics(),
            contexts={
                a.id: AccountContext(
                    a.id, a.ats, a.vendor_account_id, credentials[a.id], a.defaults.model_dump(exclude_none=True)
                )
                for a in config.accounts
            },
            retries={
                name: RetryPolicy(r.attempts, r.base_seconds, r.max_seconds, RetryBudget(r.budget_ratio))
                for name, r in ((name, p.retries) for name, p in config.providers.items())
            },
        )
        self.store_state = StoreState()

    async def handle(self, request: Request, operation: Operation) -> Response:
        exchange = authenticate(self.services, request, operation)
        try:
            await prepare(self.services, exchange)
        except GatewayError as error:
            raise await self._counted(exchange, error) from None
        if exchange.options.dry_run:
            return await self._dry_run(exchange)
        first = None
        if exchange.key is not None:
            assert exchange.plan is not None
            try:
                first, exchange.plan = peek(exchange.plan)
            except GatewayError as error:
                raise await self._counted(exchange, error) from None
        claim_and_budget(self.services, exchange, first is not None and first.is_write)
        decision = await admit(self.services, self.store_state, exchange)
        if isinstance(decision, Replay):
            logs.bind(idempotency="replayed")
            return render.replay(decision.stored, dict(exchange.rate_headers))
        if isinstance(decision, Reconcile):
            return await self._reconcile(exchange, decision)
        return await run(self.services, exchange, decision.vendor)

    async def _counted(self, exchange: Exchange, error: GatewayError) -> GatewayError:
        """Refused requests count against the caller's limits too, and say so in their headers."""
        decisions = await limits_only(self.services, self.store_state, exchange.inbound)
        return limits.limited(decisions) or replace(error, headers={**limits.headers(decisions), **error.headers})

    async def _dry_run(self, exchange: Exchange) -> Response:
        assert exchange.plan is not None
        shown = render.dry_run(self.services, exchange, first_requests(exchange.plan))
        decisions = await limits_only(self.services, self.store_state, exchange.inbound)
        refusal = limits.limited(decisions)
        if refusal is not None:
            raise refusal
        shown.headers.update(limits.headers(decisions))
        return shown

    async def _reconcile(self, exchange: Exchange, decision: Reconcile) -> Response:
        """Found: answer with it and keep that. Proven absent: send the create now. Otherwise: still unknown."""
        outcome = await reconcile(self.services, exchange, decision)
        metrics = self.services.metrics.idempotency
        headers = dict(exchange.rate_headers)
        if outcome is None:
            await undo(exchange)
            logs.bind(idempotency="replayed")
            return render.replay(decision.stored, headers)
        if isinstance(outcome, Found):
            metrics.labels("reconciled").inc()
            found = replace(outcome.record, message=RECONCILED_MESSAGE)
            response = render.written(exchange.operation, found)
            assert exchange.lease is not None
            record = idempotency.record("answered", 201, bytes(response.body), exchange.lease.started_ms)
            await settle(self.services, exchange, record, outcome.health)
            response.headers.update({**headers, "Idempotent-Reconciled": "true"})
            return response
        if isinstance(outcome, Absent):
            metrics.labels("resent").inc()
            logs.bind(idempotency="resent_after_proven_absent")
            return await run(self.services, exchange, None)
        await settle(self.services, exchange, decision.stored, outcome.health)
        return render.replay(decision.stored, headers)

    @property
    def metrics(self) -> Metrics:
        return self.services.metrics

    @property
    def store(self) -> StateStore:
        return self.services.store

    async def aclose(self) -> None:
        for task in list(self.services.background):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.services.upstream.aclose()
        await self.services.store.aclose()
