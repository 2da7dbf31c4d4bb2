"""The request pipeline every unified route runs.

1. Authenticate the caller and resolve the account (401 / 404).
2. Prepare: check the connector offers the operation, read and validate the input, let the connector plan the
   vendor calls. Everything here fails before any vendor is involved.
3. Admit, in one state-store round trip: the caller's rate limits, the idempotency claim, the vendor budget.
4. Execute the plan (or show it, for a dry run), then record the outcome in a second round trip.

Outcomes follow what the vendor may have done: a vendor answer (2xx or 4xx) is stored and replayed for the
idempotency key; nothing sent releases the key so a retry runs; sent-but-unknown is stored as `outcome_unknown`
and replayed, never silently re-sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.base import (
    AccountContext,
    Action,
    Call,
    Connector,
    ListQuery,
    LookupResult,
    Operation,
    PageResult,
    PlainResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    RecordResult,
    Resource,
    WriteResult,
)
from connectors.errors import InvalidInput, NotSupported, field_errors
from connectors.extensions import resolve_extensions
from connectors.registry import Registry
from connectors.unified.applications import Application, ApplicationCreate, AssessmentOrder
from connectors.unified.candidates import Candidate, CandidateCreate, CandidateUpdate
from connectors.unified.common import WriteModel
from connectors.unified.jobs import Job, JobWrite
from connectors.unified.reference import Department, Location, User
from gateway import idempotency, limits, logs
from gateway.auth import Authenticator
from gateway.config import Account, Caller, ResolvedConfig
from gateway.cursors import CursorScope, CursorSigner
from gateway.errors import GatewayError, invalid_input, timestamp
from gateway.executor import Execution, RetryBudget, RetryPolicy, execute, first_requests, not_supported
from gateway.inputs import QueryOptions, parse_query, path_parameter, read_json_body, single_header
from gateway.metrics import Metrics
from gateway.state import MemoryStore, StateStore, StoreUnavailable
from gateway.state.base import (
    Admission,
    Claim,
    Health,
    Limit,
    LimitDecision,
    Outcome,
    VendorBudget,
    VendorDecision,
)
from gateway.upstream import Upstream

log = logging.getLogger("gateway")

READ_MODELS: Mapping[Resource, type[BaseModel]] = {
    Resource.JOBS: Job,
    Resource.CANDIDATES: Candidate,
    Resource.APPLICATIONS: Application,
    Resource.DEPARTMENTS: Department,
    Resource.LOCATIONS: Location,
    Resource.USERS: User,
}
WRITE_MODELS: Mapping[Operation, type[WriteModel]] = {
    Operation(Resource.JOBS, Action.CREATE): JobWrite,
    Operation(Resource.JOBS, Action.UPDATE): JobWrite,
    Operation(Resource.CANDIDATES, Action.CREATE): CandidateCreate,
    Operation(Resource.CANDIDATES, Action.UPDATE): CandidateUpdate,
    Operation(Resource.APPLICATIONS, Action.CREATE): ApplicationCreate,
    Operation(Resource.ASSESSMENT_ORDERS, Action.CREATE): AssessmentOrder,
}

RECONCILE_SETTLE_SECONDS = 90.0
"""After this long, the vendor is done with a request (StackOne's lifetime is 60 s): absence is then proof."""
STORE_RETRY_S = 1.0
"""After the store fails, requests that may fail open skip it for this long instead of waiting on its timeout."""


@dataclass
class Prepared:
    operation: Operation
    connector: Connector
    provider: str
    options: QueryOptions
    scope: CursorScope
    plan: Plan
    raw_body: dict[str, Any] | None
    call: Call
    context: AccountContext


class VendorGate:
    """Admits each vendor call against the credential's shared budget; the first was admitted with the claim."""

    def __init__(
        self,
        store: StateStore,
        budget: VendorBudget | None,
        provider: str,
        max_wait_s: float,
        metrics: Metrics,
        connector: str,
    ) -> None:
        self.store = store
        self.budget = budget
        self.provider = provider
        self.max_wait_s = max_wait_s
        self.metrics = metrics
        self.connector = connector
        self.admitted = False
        self.dispatched = False
        """Set (by the executor) while a write may have reached the vendor: an interruption then leaves the outcome
        unknown."""
        self.health: Health | None = None
        """What the last vendor call said about the vendor, for the circuit breaker; None when no call was made
        (the request stopped at our own checks or refusals, which say nothing about the vendor)."""

    async def wait(self, decision: VendorDecision) -> None:
        """Wait for budget up to the configured bound; past it, 429 with the vendor's own delay."""
        assert self.budget is not None
        deadline = time.monotonic() + self.max_wait_s
        while not decision.allowed:
            delay = decision.retry_after_ms / 1000
            # An open breaker is answered at once: failing fast is its point.
            if decision.verdict == "open" or time.monotonic() + delay > deadline:
                self.metrics.vendor_refusals.labels(self.connector, decision.verdict).inc()
                raise limits.vendor_refused(self.provider, decision)
            await asyncio.sleep(delay)
            decision = await self.store.admit_vendor(self.budget)
        self.admitted = True

    async def before(self, request: ProviderRequest) -> None:
        if self.budget is not None and not self.admitted:
            await self.wait(await self.store.admit_vendor(self.budget))
        self.admitted = False  # the next call of a multi-call plan needs its own admission

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

    def __init__(self, store: StateStore, claim: Claim) -> None:
        self.store = store
        self.claim = claim
        self.task: asyncio.Task[None] | None = None
        self.timer = asyncio.get_running_loop().call_later(claim.lease_ms / 3000, self._start)

    def _start(self) -> None:
        self.task = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        while True:
            with contextlib.suppress(StoreUnavailable):
                if not await self.store.renew(self.claim):
                    log.error("idempotency lease lost while the vendor call was running")
                    return
            await asyncio.sleep(self.claim.lease_ms / 3000)

    def cancel(self) -> None:
        self.timer.cancel()
        if self.task is not None:
            self.task.cancel()


class Gateway:
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
        self.config = resolved.config
        self.metrics = metrics or Metrics()
        self.registry = registry
        self.upstream = upstream
        self.auth = Authenticator.from_config(resolved)
        self.signer = signer
        self.store = store
        # Limits keep working on one replica while the shared store is away (fail open, counted and logged).
        self.local: StateStore = store if isinstance(store, MemoryStore) else MemoryStore()
        self.store_down_until = 0.0
        self.pending_settles: set[asyncio.Task[None]] = set()
        self.retries = {
            name: RetryPolicy(
                p.retries.attempts, p.retries.base_seconds, p.retries.max_seconds, RetryBudget(p.retries.budget_ratio)
            )
            for name, p in self.config.providers.items()
        }
        self.contexts = {
            a.id: AccountContext(
                account_id=a.id,
                ats=a.ats,
                vendor_account_id=a.vendor_account_id,
                credentials=credentials[a.id],
                defaults=a.defaults.model_dump(exclude_none=True),
            )
            for a in self.config.accounts
        }

    # --- the pipeline ------------------------------------------------------------------------------------------

    async def handle(self, request: Request, operation: Operation) -> Response:
        caller, account = self.auth.identify(request.headers)
        inbound = limits.inbound_limits(caller, account)
        try:
            prepared = await self._prepare(request, operation, caller, account)
            key = self._idempotency_key(request, operation, account)
        except GatewayError as error:
            raise await self._count_refusal(error, inbound) from None
        if prepared.options.dry_run:
            shown = self._dry_run(prepared.connector, prepared.provider, first_requests(prepared.plan))
            return await self._with_limits(shown, inbound)
        owner = os.urandom(16).hex()
        claim = None
        if key is not None:
            claim = idempotency.claim_for(
                caller=caller.name,
                account=account.id,
                method=request.method,
                path=request.scope["path"],
                key=key,
                body=prepared.raw_body,
                owner=owner,
                lease_ms=int(self.config.idempotency_lease_seconds * 1000),
            )
        provider = self.config.providers[account.provider]
        credential = self.contexts[account.id].credentials.get(prepared.connector.quota_credential, "")
        budget = limits.vendor_budget(provider, credential, prepared.connector.quota_credential, owner)
        return await self._admitted(request, prepared, inbound, claim, budget)

    async def _admitted(
        self,
        request: Request,
        prepared: Prepared,
        inbound: Sequence[Limit],
        claim: Claim | None,
        budget: VendorBudget | None,
    ) -> Response:
        store, admission = await self._admit(inbound, claim, budget)
        self._count_limits(admission.limits)
        if admission.claim is not None:
            outcome = {"new": "claimed", "in_flight": "conflict", "mismatch": "mismatch", "replay": "replayed"}
            self.metrics.idempotency.labels(outcome[admission.claim.kind]).inc()
        rate_headers = limits.headers(admission.limits)
        refusal = limits.limited(admission.limits) or _claim_refusal(admission)
        lookup = self._lookup(prepared, admission) if refusal is None and claim is not None else None
        stored = admission.claim.stored if admission.claim else None
        if lookup is not None and claim is not None and stored is not None and await store.reopen(claim, stored):
            return await self._reconcile(request, prepared, lookup, store, claim, budget, admission, rate_headers)
        if refusal is not None or (admission.claim is not None and admission.claim.kind == "replay"):
            await self._undo(store, claim if _claimed(admission) else None, budget if _vendor_ok(admission) else None)
            if refusal is not None:
                raise replace(refusal, headers={**rate_headers, **refusal.headers})
            assert admission.claim is not None
            assert admission.claim.stored is not None
            logs.bind(idempotency="replayed")
            status, body = idempotency.decode_response(admission.claim.stored)
            return Response(
                body,
                status,
                media_type="application/json",
                headers={**rate_headers, "Idempotent-Replayed": "true"},
            )
        logs.bind(idempotency="claimed" if claim else "none")
        gate = self._gate(store, budget, prepared)
        return await self._run(request, prepared, gate, store, claim, budget, admission.vendor, rate_headers)

    def _gate(self, store: StateStore, budget: VendorBudget | None, prepared: Prepared) -> VendorGate:
        quota = self.config.providers[prepared.provider].quota
        max_wait = quota.max_wait_seconds if quota else 0.0
        return VendorGate(store, budget, prepared.provider, max_wait, self.metrics, prepared.connector.name)

    async def _run(
        self,
        request: Request,
        prepared: Prepared,
        gate: VendorGate,
        store: StateStore,
        claim: Claim | None,
        budget: VendorBudget | None,
        preadmitted: VendorDecision | None,
        rate_headers: Mapping[str, str],
    ) -> Response:
        """Execute the plan and record its outcome for the idempotency key.

        `preadmitted` is the vendor admission taken with the claim; without it the first call takes its own."""
        renewal = LeaseRenewal(store, claim) if claim is not None else None
        try:
            if preadmitted is not None:
                await gate.wait(preadmitted)
            execution = await self._execute(prepared.plan, prepared, gate)
            response = self._render(execution, prepared.options, prepared.scope)
            record = idempotency.encode_response(response.status_code, bytes(response.body))
        except GatewayError as error:
            error = replace(error, headers={**rate_headers, **error.headers})
            request_id = str(getattr(request.state, "request_id", ""))
            body = json.dumps(error.body(request_id), separators=(",", ":")).encode()
            stored = None if error.outcome == "not_sent" else idempotency.encode_response(error.status, body)
            await self._settle(store, claim, stored, budget, renewal, gate.health or "neutral")
            # The very bytes that were stored, so the first answer and its replays are identical.
            return Response(body, error.status, media_type="application/json", headers=dict(error.headers))
        except BaseException:
            # Interrupted (a crash, or shutdown cancelling the request): before any write left, the key is released
            # for a retry; after, the outcome is unknown and the key must keep saying so.
            record = None
            if gate.dispatched:
                unknown = GatewayError(502, "outcome_unknown", "The gateway was interrupted while the write was sent")
                record = idempotency.encode_response(502, json.dumps(unknown.body(""), separators=(",", ":")).encode())
            await self._settle(store, claim, record, budget, renewal, gate.health or "neutral")
            raise
        await self._settle(store, claim, record, budget, renewal, "ok")
        response.headers.update(rate_headers)
        return response

    async def _execute(self, plan: Plan, prepared: Prepared, gate: VendorGate) -> Execution:
        return await execute(
            plan,
            prepared.connector,
            prepared.provider,
            self.upstream,
            gate,
            self.metrics,
            str(prepared.operation),
            self.retries[prepared.provider],
        )

    # --- reconciliation of unknown outcomes --------------------------------------------------------------------

    def _lookup(self, prepared: Prepared, admission: Admission) -> Plan | None:
        """For a create replaying an unknown outcome: the connector's plan to find what the attempt made."""
        stored = admission.claim.stored if admission.claim and admission.claim.kind == "replay" else None
        if stored is None or prepared.operation.action != Action.CREATE:
            return None
        status, body = idempotency.decode_response(stored)
        try:
            answer = json.loads(body)
        except ValueError:
            return None
        if status not in (502, 504) or not isinstance(answer, dict) or answer.get("code") != "outcome_unknown":
            return None
        failed_at = datetime.fromisoformat(str(answer.get("timestamp", "")).replace("Z", "+00:00"))
        provider = self.config.providers[prepared.provider]
        # The attempt began at most one total timeout before it failed; look from a little before that.
        since = failed_at - timedelta(seconds=provider.timeouts.total + 5)
        settled = datetime.now(UTC) - failed_at > timedelta(seconds=RECONCILE_SETTLE_SECONDS)
        return prepared.connector.lookup(
            prepared.call, prepared.context, since.isoformat(timespec="milliseconds").replace("+00:00", "Z"), settled
        )

    async def _reconcile(
        self,
        request: Request,
        prepared: Prepared,
        lookup: Plan,
        store: StateStore,
        claim: Claim,
        budget: VendorBudget | None,
        admission: Admission,
        rate_headers: Mapping[str, str],
    ) -> Response:
        """Found: answer with it and keep that. Proven absent: send the create now. Otherwise: still unknown."""
        assert admission.claim is not None
        assert admission.claim.stored is not None
        gate = self._gate(store, budget, prepared)
        result: Any = None
        try:
            if admission.vendor is not None:
                await gate.wait(admission.vendor)
            result = (await self._execute(lookup, prepared, gate)).result
        except GatewayError:
            log.warning("reconciliation lookup failed; the outcome stays unknown")
        if isinstance(result, LookupResult) and result.found is not None:
            self.metrics.idempotency.labels("reconciled").inc()
            found = result.found
            response = JSONResponse(
                {
                    "statusCode": 201,
                    "message": "Record created successfully (found after an unknown outcome).",
                    "timestamp": timestamp(),
                    "data": {"id": found.id, "remote_id": found.remote_id},
                },
                status_code=201,
                headers={**rate_headers, "Idempotent-Reconciled": "true"},
            )
            record = idempotency.encode_response(201, bytes(response.body))
            await self._settle(store, claim, record, budget, None, gate.health or "ok")
            return response
        if isinstance(result, LookupResult) and result.conclusive:
            self.metrics.idempotency.labels("resent").inc()
            logs.bind(idempotency="resent_after_proven_absent")
            fresh = self._gate(store, budget, prepared)
            return await self._run(request, prepared, fresh, store, claim, budget, None, rate_headers)
        await self._settle(store, claim, admission.claim.stored, budget, None, gate.health or "neutral")
        status, body = idempotency.decode_response(admission.claim.stored)
        return Response(
            body, status, media_type="application/json", headers={**rate_headers, "Idempotent-Replayed": "true"}
        )

    async def _prepare(self, request: Request, operation: Operation, caller: Caller, account: Account) -> Prepared:
        provider = self.config.providers[account.provider]
        connector = self.registry[provider.connector]
        logs.bind(caller=caller.name, account=account.id, connector=connector.name, operation=str(operation))
        request.state.connector = connector.name
        context = self.contexts[account.id]
        capability = connector.capabilities(context).get(operation)
        if capability is None or not capability.supported:
            reason = capability.reason if capability else None
            raise not_supported(NotSupported(connector.name, str(operation), reason))
        options = parse_query(
            request.query_params, list(request.query_params.keys()), operation.resource, operation.action
        )
        readable = READ_MODELS.get(operation.resource)
        unknown = [f for f in options.fields if readable is None or f not in readable.model_fields]
        if unknown:
            raise GatewayError(400, "invalid_parameter", f"fields: unknown field(s) {', '.join(unknown)}")
        scope = CursorScope(caller.name, account.id, operation.resource.value, options.filters)
        raw_body, body = await self._body(request, operation, context) if operation.is_write else (None, None)
        call = Call(
            operation,
            record_id=path_parameter("id", request.path_params["id"]) if "id" in request.path_params else None,
            body=body,
            list_query=self._list_query(operation, options, scope),
            include_raw=options.raw,
        )
        try:
            plan = connector.plan(call, context)
        except InvalidInput as exc:
            raise invalid_input(exc.errors, exc.status) from exc
        except NotSupported as exc:
            raise not_supported(exc) from exc
        return Prepared(operation, connector, account.provider, options, scope, plan, raw_body, call, context)

    def _idempotency_key(self, request: Request, operation: Operation, account: Account) -> str | None:
        if not operation.is_write:
            return None
        key = idempotency.parse_key(single_header(request.headers, "Idempotency-Key"))
        if key is None and account.require_idempotency_key and operation.action == Action.CREATE:
            raise idempotency.required()
        return key

    async def _body(
        self, request: Request, operation: Operation, context: AccountContext
    ) -> tuple[dict[str, Any], WriteModel]:
        raw = await read_json_body(request, self.config.max_body_bytes)
        try:
            body = WRITE_MODELS[operation].model_validate(raw)
        except ValidationError as exc:
            raise invalid_input(field_errors(exc)) from exc
        try:
            return raw, resolve_extensions(body, context.defaults, creating=operation.action == Action.CREATE)
        except InvalidInput as exc:
            raise invalid_input(exc.errors, exc.status) from exc

    def _list_query(self, operation: Operation, options: QueryOptions, scope: CursorScope) -> ListQuery | None:
        if operation.action != Action.LIST:
            return None
        cursor = self.signer.unwrap(options.next, scope) if options.next else None
        return ListQuery(page_size=options.page_size, cursor=cursor, filters=options.filters)

    # --- the state store -----------------------------------------------------------------------------------------

    async def _admit(
        self, inbound: Sequence[Limit], claim: Claim | None, budget: VendorBudget | None
    ) -> tuple[StateStore, Admission]:
        """One round trip. Without a claim, a store outage fails open to this replica's limits; with one, closed."""
        if claim is None and time.monotonic() < self.store_down_until:
            self.metrics.store_fallbacks.inc()
            return self.local, await self.local.admit(inbound, None, budget)
        try:
            admission = await self.store.admit(inbound, claim, budget)
            self.metrics.store_up.set(1)
            return self.store, admission
        except StoreUnavailable as exc:
            self.store_down_until = time.monotonic() + STORE_RETRY_S
            self.metrics.store_errors.labels("admit").inc()
            self.metrics.store_up.set(0)
            # The pipeline may have reached Redis before the deadline: undo what it may have taken, in the
            # background (the claim only if it is still ours), so a retry is not held by our lease.
            self._background(self._release_later(claim, budget))
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
            self.metrics.store_fallbacks.inc()
            return self.local, await self.local.admit(inbound, None, budget)

    async def _limits_only(self, inbound: Sequence[Limit]) -> Sequence[LimitDecision]:
        if not inbound:
            return []
        _, admission = await self._admit(inbound, None, None)
        self._count_limits(admission.limits)
        return admission.limits

    def _count_limits(self, decisions: Sequence[LimitDecision]) -> None:
        for decision in decisions:
            self.metrics.rate_limit.labels(decision.policy, "allowed" if decision.allowed else "limited").inc()
        if decisions:
            limited = any(not d.allowed for d in decisions)
            logs.bind(rate_limit="limited" if limited else "allowed")

    async def _count_refusal(self, error: GatewayError, inbound: Sequence[Limit]) -> GatewayError:
        """Refused requests count against the caller's limits too, and say so in their headers."""
        decisions = await self._limits_only(inbound)
        refusal = limits.limited(decisions)
        if refusal is not None:
            return refusal
        return replace(error, headers={**limits.headers(decisions), **error.headers})

    async def _with_limits(self, response: Response, inbound: Sequence[Limit]) -> Response:
        decisions = await self._limits_only(inbound)
        refusal = limits.limited(decisions)
        if refusal is not None:
            raise refusal
        response.headers.update(limits.headers(decisions))
        return response

    async def _undo(self, store: StateStore, claim: Claim | None, budget: VendorBudget | None) -> None:
        """Give back what `admit` took for a request that stops there."""
        with contextlib.suppress(StoreUnavailable):
            if budget is not None:
                await store.refund_vendor(budget)
            if claim is not None:
                await store.finish(Outcome(claim, None, 0), None)

    async def _settle(
        self,
        store: StateStore,
        claim: Claim | None,
        record: bytes | None,
        budget: VendorBudget | None,
        renewal: LeaseRenewal | None,
        health: Health,
    ) -> None:
        if renewal is not None:
            renewal.cancel()
        outcome = Outcome(claim, record, idempotency.RETENTION_MS) if claim is not None else None
        if claim is not None:
            self.metrics.idempotency.labels("released" if record is None else "stored").inc()
        try:
            held = await store.finish(outcome, budget, health)
        except StoreUnavailable as exc:
            if outcome is None:
                return  # the vendor slot expires by itself
            # The outcome must reach the store before the lease ends, or a retry could send the write again.
            log.error("state store unavailable while recording an outcome; retrying in the background (%s)", exc)
            self._background(self._settle_later(store, outcome))
            return
        if not held and outcome is not None:
            log.error("idempotency lease was lost before the outcome was recorded")

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.pending_settles.add(task)
        task.add_done_callback(self.pending_settles.discard)

    async def _release_later(self, claim: Claim | None, budget: VendorBudget | None) -> None:
        for _ in range(10):
            with contextlib.suppress(StoreUnavailable):
                if claim is not None:
                    await self.store.finish(Outcome(claim, None, 0), budget)
                elif budget is not None:
                    await self.store.refund_vendor(budget)
                return
            await asyncio.sleep(0.5)

    async def _settle_later(self, store: StateStore, outcome: Outcome) -> None:
        deadline = time.monotonic() + outcome.claim.lease_ms / 1000
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            with contextlib.suppress(StoreUnavailable):
                await store.finish(outcome, None)
                log.warning("a delayed idempotency outcome was recorded")
                return
        log.critical("an idempotency outcome could not be recorded before its lease ended")

    # --- answers -----------------------------------------------------------------------------------------------

    def _dry_run(self, connector: Connector, provider: str, requests: list[ProviderRequest]) -> Response:
        base = self.config.providers[provider].base_url.rstrip("/")
        shown = [
            {
                "method": r.method,
                "url": base + r.path + (f"?{urlencode(dict(r.query))}" if r.query else ""),
                "headers": {
                    k: "[redacted]" if k.lower() in connector.secret_headers else v for k, v in r.headers.items()
                },
                "body": r.json,
            }
            for r in requests
        ]
        return JSONResponse({"dry_run": True, "connector": connector.name, "requests": shown})

    def _render(self, execution: Execution, options: QueryOptions, scope: CursorScope) -> Response:
        result = execution.result
        if isinstance(result, PlainResult):
            return JSONResponse(result.data.model_dump(mode="json"), status_code=result.status_code)
        if isinstance(result, WriteResult):
            return JSONResponse(
                {
                    "statusCode": result.status_code,
                    "message": result.message,
                    "timestamp": timestamp(),
                    "data": {"id": result.id, "remote_id": result.remote_id},
                },
                status_code=result.status_code,
            )
        out: dict[str, Any]
        if isinstance(result, RecordResult):
            out = {"data": _dump(result.data, options.fields)}
        else:
            assert isinstance(result, PageResult)
            next_cursor = self.signer.wrap(result.next_cursor, scope) if result.next_cursor else None
            out = {"next": next_cursor, "data": [_dump(item, options.fields) for item in result.data]}
        if options.raw:
            out["raw"] = [
                {"method": s.request.method, "url": s.response.url, "body": s.request.json, "response": s.response.body}
                for s in execution.exchanges
            ]
        return JSONResponse(out)

    async def aclose(self) -> None:
        for task in list(self.pending_settles):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.upstream.aclose()
        await self.store.aclose()


def _dump(model: BaseModel, fields: tuple[str, ...]) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    return {k: v for k, v in data.items() if k in fields} if fields else data


def _claim_refusal(admission: Admission) -> GatewayError | None:
    if admission.claim is None:
        return None
    if admission.claim.kind == "in_flight":
        return idempotency.in_flight(admission.claim.retry_after_ms)
    if admission.claim.kind == "mismatch":
        return idempotency.reused()
    return None


def _claimed(admission: Admission) -> bool:
    return admission.claim is not None and admission.claim.kind == "new"


def _vendor_ok(admission: Admission) -> bool:
    return admission.vendor is not None and admission.vendor.allowed
