"""Drives a connector's plan against the vendor, and translates everything that can go wrong on the way.

This is the one error translator around every connector: vendor statuses, transport failures and connector
surprises all leave here as a `GatewayError` with a stable code, never as an unhandled exception.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

import structlog
from pydantic import ValidationError

from connectors.base import Connector, Plan, ProviderRequest, ProviderResponse, Result
from connectors.errors import InvalidInput, NotSupported, UnexpectedResponse, VendorRefused, field_errors
from gateway import limits, logs
from gateway.errors import GatewayError, ProviderErrorDetail, invalid_input
from gateway.metrics import Metrics
from gateway.state.base import Health
from gateway.transport import Outbound
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


class Gate(Protocol):
    """Vendor admission around each call: budget before it, the shared cooldown when the vendor pushes back."""

    dispatched: bool
    """Whether a write of this plan may have reached the vendor, for whoever must settle an interrupted request.
    Set here alone: just before a write's bytes leave, and back when the vendor says it did nothing (not sent, or
    its 429), so an interruption while waiting to retry does not leave a key claiming an unknown outcome."""

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
    exchanges: list[Sent] = []
    if retry is not None:
        retry.budget.deposit()
    attempt = 0

    async def again(error: GatewayError | None, response: ProviderResponse | None) -> bool:
        """Wait and say yes when this failure may be retried within the policy and the budget."""
        nonlocal attempt
        status = response.status if response is not None else None
        if retry is None or attempt + 1 >= retry.attempts or not retryable(request, error, status):
            return False
        if not retry.budget.withdraw():
            return False
        delay = retry.delay(attempt, limits.retry_after_seconds(response.headers) if response is not None else None)
        if delay > retry.max_s:
            return False  # the vendor wants longer than a caller should wait: answer now
        attempt += 1
        await asyncio.sleep(delay)
        return True

    try:
        request = next(plan)
    except InvalidInput as exc:
        raise invalid_input(exc.errors, exc.status) from exc
    except StopIteration as stop:
        return Execution(stop.value, exchanges)
    delivered = False  # a write of this plan reached the vendor and was processed, or may have been
    while True:
        # Encoded before anything is marked: a body that cannot be encoded has not left.
        outbound = upstream.encode(provider, request)
        if gate is not None:
            await gate.before(request)
            gate.dispatched = delivered or request.is_write
        try:
            sent = await _send(upstream, provider, request, outbound)
        except GatewayError as error:
            if metrics is not None:
                metrics.upstream_calls.labels(connector.name, operation, error.outcome).inc()
            if gate is not None:
                gate.observed("fail")
                gate.dispatched = delivered or error.outcome != "not_sent"
            if await again(error, None):
                continue
            if not delivered:
                raise
            raise _after_write(error, provider) from error
        exchanges.append(sent)
        response = sent.response
        if gate is not None and request.is_write and response.status == 429:
            gate.dispatched = delivered
        calls = logs.bound("upstream_calls") or []
        logs.bind(
            upstream_status=response.status,
            upstream_latency_ms=round(sent.latency_ms, 2),
            upstream_calls=[*calls, {"status": response.status, "latency_ms": round(sent.latency_ms, 2)}],
        )
        if metrics is not None:
            metrics.upstream_calls.labels(connector.name, operation, str(response.status)).inc()
            metrics.upstream_seconds.labels(connector.name, operation).observe(sent.latency_ms / 1000)
        # The request's one info event carries every call (upstream_calls); this one is for debugging.
        log.debug(
            "upstream_call",
            logger="gateway.upstream",
            provider=provider,
            method=request.method,
            path=request.path,
            status=response.status,
            latency_ms=round(sent.latency_ms, 2),
        )
        if gate is not None:
            failed = response.status >= 500 or response.status == 408
            gate.observed("neutral" if response.status == 429 else "fail" if failed else "ok")
        if response.status not in request.ok_statuses:
            if gate is not None and response.status in (408, 429):
                await gate.pushed_back(response)
            if await again(None, response):
                continue
            refusal = provider_error(connector, request, response)
            if not delivered:
                raise refusal
            raise _after_write(refusal, provider) from refusal
        delivered = delivered or request.is_write
        try:
            request = plan.send(response)
        except StopIteration as stop:
            return Execution(stop.value, exchanges)
        except VendorRefused as refused:
            inner = ProviderResponse(refused.status, {}, refused.body, refused.url)
            raise provider_error(connector, request, inner) from refused
        except (UnexpectedResponse, ValidationError, KeyError, TypeError, ValueError) as exc:
            logging.getLogger("gateway.upstream").warning("unreadable vendor response", exc_info=True)
            what = "The vendor accepted the write but its answer" if request.is_write else "The vendor's answer"
            raise GatewayError(
                502,
                "unexpected_provider_response",
                f"{what} could not be read: {_unreadable(exc)}",
                provider_errors=[ProviderErrorDetail(response.status, response.url, response.body)],
                outcome="processed",
            ) from exc


def _unreadable(exc: Exception) -> str:
    """What in the vendor's answer could not be read, by field and rule, without the values: pydantic's own text
    repeats them (a record's e-mail, phone, name), and the caller has the answer itself in `provider_errors`."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e.field}: {e.rule}" for e in field_errors(exc))
    return logs.scrub_message(str(exc)) or type(exc).__name__


def _after_write(error: GatewayError, provider: str) -> GatewayError:
    """A later call of a plan whose write the vendor processed failed: the write stands, so its key must never be
    released for a retry to send it again, and the caller must check before writing again (a create retried with
    its key is then reconciled by natural key)."""
    return GatewayError(
        502,
        "outcome_unknown",
        f"The write was applied by {provider}, but a later call of the same operation failed ({error.code}): "
        "check the record before writing again.",
        provider_errors=error.provider_errors,
        outcome="unknown",
    )


async def _send(upstream: Upstream, provider: str, request: ProviderRequest, outbound: Outbound) -> Sent:
    try:
        return await upstream.transmit(provider, request, outbound)
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
            422, "provider_validation_error", f"{name} rejected the request{suffix}", provider_errors=detail
        )
    if status == 429:
        # The wait every replica now keeps for this credential (the same cap), not the vendor's raw figure.
        retry_after = str(math.ceil(limits.cooldown_ms(response.headers) / 1000))
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
