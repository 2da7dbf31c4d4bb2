"""Drives a connector's plan against the vendor: each request through the gate, retried within the policy, its
answer fed back; everything that goes wrong leaves through the one error translator (gateway/translate.py) as a
`GatewayError`, never as an unhandled exception.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

import structlog
from pydantic import ValidationError

from connectors.base import Connector, Plan, ProviderRequest, ProviderResponse, Result
from connectors.errors import InvalidInput, UnexpectedResponse, VendorRefused
from gateway import limits, logs, translate
from gateway.errors import GatewayError, invalid_input
from gateway.metrics import Metrics
from gateway.state.base import Health
from gateway.upstream import Sent, Upstream

log = structlog.get_logger()


@dataclass
class Execution:
    result: Result
    exchanges: list[Sent] = field(default_factory=list)


class RetryBudget:
    """Retries may add at most `ratio` of the calls made (plus a small floor per second), so a failing vendor
    is not hit harder by the gateway's own retries (Envoy's and Finagle's retry budgets)."""

    def __init__(self, ratio: float, floor_per_second: float = 3.0, cap: float = 10.0) -> None:
        self.ratio = ratio
        self.floor = floor_per_second
        self.cap = cap
        self.tokens = cap
        self.updated = time.monotonic()

    def deposit(self) -> None:
        self.tokens = min(self.cap, self.tokens + self.ratio)

    def withdraw(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.cap, self.tokens + (now - self.updated) * self.floor)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    base_s: float
    max_s: float
    budget: RetryBudget

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Capped exponential backoff with full jitter; the vendor's Retry-After when it asks for longer."""
        jittered = random.uniform(0, min(self.max_s, self.base_s * 2**attempt))  # noqa: S311 - not security
        return max(jittered, retry_after or 0.0)


def retryable(request: ProviderRequest, error: GatewayError | None, status: int | None) -> bool:
    """Safe to send again: a read, or anything that never reached the vendor or that the vendor refused (429).
    Never a write after an ambiguous failure."""
    if status == 429 or (error is not None and error.outcome == "not_sent"):
        return True
    if request.is_write:
        return False
    return error is not None or (status is not None and (status == 408 or status >= 500))


class Gate(Protocol):
    """Vendor admission around each call: budget before it, the shared cooldown when the vendor pushes back,
    and the shared cache of what a connector marked cacheable."""

    dispatched: bool
    """Whether a write of this plan may have reached the vendor, for whoever must settle an interrupted request.
    Set here alone: just before a write's bytes leave, and back when the vendor says it did nothing (not sent, or
    its 429), so an interruption while waiting to retry does not leave a key claiming an unknown outcome."""

    async def cached(self, request: ProviderRequest) -> ProviderResponse | None: ...

    async def remember(self, request: ProviderRequest, response: ProviderResponse) -> None: ...

    async def before(self, request: ProviderRequest) -> None: ...

    def observed(self, health: Health) -> None:
        """The last call's verdict on the vendor: answered (ok), failed (fail), or a 429 (neutral)."""

    async def pushed_back(self, response: ProviderResponse) -> None: ...


def peek(plan: Plan) -> tuple[ProviderRequest | None, Plan]:
    """The plan's first request (whether it is a write decides the idempotency claim's phase), and a plan that
    makes that request and the rest, as `plan` would have."""
    try:
        first = next(plan)
    except InvalidInput as exc:
        raise invalid_input(exc.errors, exc.status) from exc
    except StopIteration as stop:
        return None, _resumed(None, stop.value, plan)
    return first, _resumed(first, None, plan)


def _resumed(first: ProviderRequest | None, done: Result | None, plan: Plan) -> Plan:
    if first is None:
        assert done is not None
        return done
    request = first
    while True:
        response = yield request
        try:
            request = plan.send(response)
        except StopIteration as stop:
            result: Result = stop.value
            return result


def first_requests(plan: Plan) -> list[ProviderRequest]:
    """The requests a plan makes before it needs a vendor answer (all of them, for today's plans)."""
    try:
        return [next(plan)]
    except InvalidInput as exc:
        raise invalid_input(exc.errors, exc.status) from exc
    except StopIteration:
        return []


@dataclass
class _Driver:
    """One plan's run: each request sent through the gate, retried within the policy, its answer fed back."""

    plan: Plan
    connector: Connector
    provider: str
    upstream: Upstream
    gate: Gate | None
    metrics: Metrics | None
    operation: str
    retry: RetryPolicy | None
    exchanges: list[Sent] = field(default_factory=list)
    attempt: int = 0
    delivered: bool = False
    """A write of this plan reached the vendor and was processed, or may have been."""

    async def run(self) -> Execution:
        if self.retry is not None:
            self.retry.budget.deposit()
        try:
            request = next(self.plan)
        except InvalidInput as exc:
            raise invalid_input(exc.errors, exc.status) from exc
        except StopIteration as stop:
            return Execution(stop.value, self.exchanges)
        while True:
            response = await self._exchange(request)
            if response is None:
                continue  # retried
            try:
                request = self.plan.send(response)
            except StopIteration as stop:
                return Execution(stop.value, self.exchanges)
            except Exception as exc:
                raise self._plan_failed(request, response, exc) from exc

    async def _exchange(self, request: ProviderRequest) -> ProviderResponse | None:
        """The vendor's answer to one request, None when it failed and is being retried; or the error."""
        refused = self.upstream.refusal(self.provider, request)
        if refused is not None:
            # A file URL the vendor's answer gave, outside download_hosts: no budget taken, nothing sent.
            raise GatewayError(502, "unexpected_provider_response", f"{self.provider}: {refused}")
        gate = self.gate
        cached = await gate.cached(request) if gate is not None else None
        if cached is not None:
            return cached
        # Encoded before anything is marked: a body that cannot be encoded has not left.
        outbound = self.upstream.encode(self.provider, request)
        if gate is not None:
            await gate.before(request)
            gate.dispatched = self.delivered or request.is_write
        try:
            sent = await translate.send(self.upstream, self.provider, request, outbound)
        except GatewayError as error:
            self._count(error.outcome)
            if gate is not None:
                gate.observed("fail")
                gate.dispatched = self.delivered or error.outcome != "not_sent"
            if await self._again(request, error, None):
                return None
            if not self.delivered:
                raise
            raise self._after_write(error) from error
        self.exchanges.append(sent)
        response = sent.response
        self._record(request, sent)
        if gate is not None:
            if request.is_write and response.status == 429:
                gate.dispatched = self.delivered  # the vendor processed nothing
            failed = response.status >= 500 or response.status == 408
            gate.observed("neutral" if response.status == 429 else "fail" if failed else "ok")
        if response.status not in request.ok_statuses:
            if gate is not None and response.status in (408, 429):
                await gate.pushed_back(response)
            if await self._again(request, None, response):
                return None
            refusal = translate.provider_error(self.connector, request, response)
            if not self.delivered:
                raise refusal
            raise self._after_write(refusal) from refusal
        self.delivered = self.delivered or request.is_write
        if gate is not None:
            await gate.remember(request, response)
        return response

    def _after_write(self, error: GatewayError) -> GatewayError:
        """A later call of a plan whose write the vendor processed failed: the write stands, so its key must never
        be released for a retry to send it again, and the caller must check before writing again (a create
        retried with its key is then reconciled by natural key)."""
        return GatewayError(
            502,
            "outcome_unknown",
            f"The write was applied by {self.provider}, but a later call of the same operation failed "
            f"({error.code}): check the record before writing again.",
            provider_errors=error.provider_errors,
            outcome="unknown",
        )

    async def _again(
        self, request: ProviderRequest, error: GatewayError | None, response: ProviderResponse | None
    ) -> bool:
        """Wait and say yes when this failure may be retried within the policy and the budget."""
        retry = self.retry
        status = response.status if response is not None else None
        if retry is None or self.attempt + 1 >= retry.attempts or not retryable(request, error, status):
            return False
        if not retry.budget.withdraw():
            return False
        delay = retry.delay(
            self.attempt, limits.retry_after_seconds(response.headers) if response is not None else None
        )
        if delay > retry.max_s:
            return False  # the vendor wants longer than a caller should wait: answer now
        self.attempt += 1
        await asyncio.sleep(delay)
        return True

    def _plan_failed(self, request: ProviderRequest, response: ProviderResponse, exc: Exception) -> GatewayError:
        """What the plan raised on reading an answer, in the one error vocabulary."""
        if isinstance(exc, InvalidInput):
            # A requirement only the vendor's answer revealed (Merge's /meta/post): refused before any write.
            return invalid_input(exc.errors, exc.status)
        if isinstance(exc, VendorRefused):
            return translate.provider_error(
                self.connector, request, ProviderResponse(exc.status, {}, exc.body, exc.url)
            )
        if not isinstance(exc, UnexpectedResponse | ValidationError | KeyError | TypeError | ValueError):
            raise exc
        return translate.unreadable(exc, request, response)

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.upstream_calls.labels(self.connector.name, self.operation, outcome).inc()

    def _record(self, request: ProviderRequest, sent: Sent) -> None:
        response, latency = sent.response, round(sent.latency_ms, 2)
        calls = logs.bound("upstream_calls") or []
        logs.bind(
            upstream_status=response.status,
            upstream_latency_ms=latency,
            upstream_calls=[*calls, {"status": response.status, "latency_ms": latency}],
        )
        self._count(str(response.status))
        if self.metrics is not None:
            self.metrics.upstream_seconds.labels(self.connector.name, self.operation).observe(sent.latency_ms / 1000)
        # The request's one info event carries every call (upstream_calls); this one is for debugging.
        log.debug(
            "upstream_call",
            logger="gateway.upstream",
            provider=self.provider,
            method=request.method,
            path=request.path,
            status=response.status,
            latency_ms=latency,
        )


async def execute(
    plan: Plan,
    connector: Connector,
    provider: str,
    upstream: Upstream,
    gate: Gate | None = None,
    metrics: Metrics | None = None,
    operation: str = "",
    retry: RetryPolicy | None = None,
) -> Execution:
    return await _Driver(plan, connector, provider, upstream, gate, metrics, operation, retry).run()
