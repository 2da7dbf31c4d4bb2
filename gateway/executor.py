"""Drives a connector's plan against the vendor, and translates everything that can go wrong on the way.

This is the one error translator around every connector: vendor statuses, transport failures and connector
surprises all leave here as a `GatewayError` with a stable code, never as an unhandled exception.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

import structlog
from pydantic import ValidationError

from connectors.base import Connector, Plan, ProviderRequest, ProviderResponse, Result
from connectors.errors import InvalidInput, NotSupported, UnexpectedResponse, VendorRefused
from gateway import logs
from gateway.errors import GatewayError, ProviderErrorDetail, invalid_input
from gateway.metrics import Metrics
from gateway.state.base import Health
from gateway.upstream import NotSent, OutcomeUnknown, Sent, Upstream

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


def _retry_after(response: ProviderResponse) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


class Gate(Protocol):
    """Vendor admission around each call: budget before it, the shared cooldown when the vendor pushes back,
    and the shared cache of what a connector marked cacheable."""

    async def cached(self, request: ProviderRequest) -> ProviderResponse | None: ...

    async def remember(self, request: ProviderRequest, response: ProviderResponse) -> None: ...

    async def before(self, request: ProviderRequest) -> None: ...

    def observed(self, health: Health) -> None:
        """The last call's verdict on the vendor: answered (ok), failed (fail), or a 429 (neutral)."""

    async def pushed_back(self, response: ProviderResponse) -> None: ...


def not_supported(exc: NotSupported) -> GatewayError:
    return GatewayError(501, "not_implemented", str(exc))


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
        cached = await self.gate.cached(request) if self.gate is not None else None
        if cached is not None:
            return cached
        if self.gate is not None:
            await self.gate.before(request)
        try:
            sent = await _send(self.upstream, self.provider, request)
        except GatewayError as error:
            self._count(error.outcome)
            if self.gate is not None:
                self.gate.observed("fail")
            if await self._again(request, error, None):
                return None
            raise
        self.exchanges.append(sent)
        response = sent.response
        self._record(request, sent)
        if self.gate is not None:
            failed = response.status >= 500 or response.status == 408
            self.gate.observed("neutral" if response.status == 429 else "fail" if failed else "ok")
        if response.status not in request.ok_statuses:
            if self.gate is not None and response.status in (408, 429):
                await self.gate.pushed_back(response)
            if await self._again(request, None, response):
                return None
            raise provider_error(self.connector, request, response)
        if self.gate is not None:
            await self.gate.remember(request, response)
        return response

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
        delay = retry.delay(self.attempt, _retry_after(response) if response is not None else None)
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
            return provider_error(self.connector, request, ProviderResponse(exc.status, {}, exc.body, exc.url))
        if not isinstance(exc, UnexpectedResponse | ValidationError | KeyError | TypeError | ValueError):
            raise exc
        logging.getLogger("gateway.upstream").warning("unreadable vendor response", exc_info=True)
        what = "The vendor accepted the write but its answer" if request.is_write else "The vendor's answer"
        return GatewayError(
            502,
            "unexpected_provider_response",
            f"{what} could not be read: {exc}",
            provider_errors=[ProviderErrorDetail(response.status, response.url, response.body)],
            outcome="processed",
        )

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


async def _send(upstream: Upstream, provider: str, request: ProviderRequest) -> Sent:
    try:
        return await upstream.send(provider, request)
    except NotSent as exc:
        raise GatewayError(
            503,
            "provider_unavailable",
            f"{provider} could not be reached ({exc.reason}); nothing was sent",
            retryable=True,
            headers={"Retry-After": "1"},
        ) from exc
    except OutcomeUnknown as exc:
        if request.is_write:
            raise GatewayError(
                504 if exc.timed_out else 502,
                "outcome_unknown",
                f"The write was sent to {provider} but {exc.reason}: it may or may not have been applied. "
                "Check the record before writing again.",
                outcome="unknown",
            ) from exc
        raise GatewayError(
            504 if exc.timed_out else 502,
            "provider_timeout" if exc.timed_out else "provider_error",
            f"{provider}: {exc.reason}",
            retryable=True,
            outcome="unknown",
        ) from exc


def provider_error(connector: Connector, request: ProviderRequest, response: ProviderResponse) -> GatewayError:
    """The vendor answered: a 429 means it processed nothing; an ambiguous write status means we cannot know."""
    error = _status_error(connector, request, response)
    error.outcome = (
        "not_sent" if response.status == 429 else "unknown" if error.code == "outcome_unknown" else "processed"
    )
    return error


def _status_error(connector: Connector, request: ProviderRequest, response: ProviderResponse) -> GatewayError:
    status = response.status
    detail = [ProviderErrorDetail(status, response.url, response.body)]
    said = connector.error_message(response)
    suffix = f": {said}" if said else ""
    name = connector.name
    if status in (401, 403):
        return GatewayError(
            502,
            "provider_auth_failed",
            f"{name} refused the gateway's credentials for this account ({status}){suffix}",
            provider_errors=detail,
        )
    if status == 404:
        return GatewayError(404, "not_found", f"{name} has no such record{suffix}", provider_errors=detail)
    if status == 409:
        return GatewayError(409, "provider_conflict", f"{name} reports a conflict{suffix}", provider_errors=detail)
    if status in (400, 422):
        return GatewayError(
            422,
            "provider_validation_error",
            f"{name} rejected the request{suffix}",
            errors=connector.field_errors(response),
            provider_errors=detail,
        )
    if status == 429:
        retry_after = response.headers.get("retry-after", "60")
        return GatewayError(
            429,
            "provider_rate_limited",
            f"{name} is rate limiting this account; nothing was processed{suffix}",
            retryable=True,
            provider_errors=detail,
            headers={"Retry-After": retry_after},
        )
    if request.is_write and (status == 408 or status >= 500):
        return GatewayError(
            504 if status == 408 else 502,
            "outcome_unknown",
            f"{name} answered {status} to a write: it may or may not have been applied{suffix}",
            provider_errors=detail,
        )
    if status == 408:
        return GatewayError(
            504, "provider_timeout", f"{name} timed out{suffix}", retryable=True, provider_errors=detail
        )
    return GatewayError(
        502,
        "provider_error",
        f"{name} answered {status}{suffix}",
        retryable=status >= 500,
        provider_errors=detail,
    )
