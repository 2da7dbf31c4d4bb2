"""Inbound rate limits and vendor budgets: which keys and numbers apply to a request, and how they are told.

Headers follow draft-ietf-httpapi-ratelimit-headers (-10): `RateLimit-Policy: "caller";q=100;w=2` and
`RateLimit: "caller";r=99;t=1`, one item per policy that applies.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from gateway.config import Account, Caller, Provider, RateLimit
from gateway.errors import GatewayError
from gateway.inputs import ascii_int
from gateway.state.base import Limit, LimitDecision, VendorBudget, VendorDecision

MAX_COOLDOWN_MS = 300_000
"""A vendor's Retry-After is obeyed up to five minutes; a larger value is more likely a bug than a plan."""


def inbound_limits(caller: Caller, account: Account) -> list[Limit]:
    limits = []
    if caller.rate_limit is not None:
        limits.append(_limit(f"rl:{{caller:{caller.name}}}", "caller", caller.rate_limit))
    if caller.rate_limit_per_account is not None:
        key = f"rl:{{acct:{account.id}}}:{caller.name}"
        limits.append(_limit(key, "caller-account", caller.rate_limit_per_account))
    return limits


def _limit(key: str, policy: str, config: RateLimit) -> Limit:
    return Limit(key, policy, config.requests_per_second, config.burst)


def headers(decisions: Sequence[LimitDecision]) -> dict[str, str]:
    if not decisions:
        return {}
    return {
        "RateLimit-Policy": ", ".join(f'"{d.policy}";q={d.burst};w={max(1, math.ceil(d.window_s))}' for d in decisions),
        "RateLimit": ", ".join(f'"{d.policy}";r={d.remaining};t={math.ceil(d.reset_s)}' for d in decisions),
    }


def _retry_after(seconds: float) -> str:
    # Jitter spreads the clients a limit turned away, so they do not all come back in the same instant.
    return str(max(1, math.ceil(seconds + random.uniform(0, 0.5))))  # noqa: S311 - not security


def limited(decisions: Sequence[LimitDecision]) -> GatewayError | None:
    denied = [d for d in decisions if not d.allowed]
    if not denied:
        return None
    wait = max(d.retry_after_s for d in denied)
    return GatewayError(
        429,
        "rate_limited",
        f"Rate limit '{denied[0].policy}' exceeded; retry after the Retry-After delay",
        retryable=True,
        headers={**headers(decisions), "Retry-After": _retry_after(wait)},
    )


@functools.lru_cache(maxsize=4096)
def _credential_tag(base_url: str, name: str, credential: str) -> str:
    """The credential named by a digest (keys and logs must never carry the secret), computed once per credential
    rather than on every request."""
    return "cred:" + hashlib.sha256(f"{base_url}\0{name}\0{credential}".encode()).hexdigest()[:16]


ACTIVE_CALLER_WINDOW_MS = 10_000
"""A caller counts among those sharing a credential's quota for this long after its last call on it."""


def vendor_budget(
    provider: Provider, credential: str, credential_name: str, owner: str, caller: Caller
) -> VendorBudget:
    """The shared state of one vendor credential: quota share (when configured, shared fairly among the callers
    using it: VendorBudget), concurrency, breaker."""
    quota = provider.quota
    rate = quota.requests_per_minute * quota.share / 60 if quota else 0.0
    burst = (quota.burst if quota else None) or max(1, round(rate * 5))
    tag = _credential_tag(provider.base_url, credential_name, credential)
    lease_ms = int((provider.timeouts.total + 5) * 1000)
    concurrency = quota.max_concurrency if quota else provider.max_connections
    breaker = provider.breaker
    return VendorBudget(
        tag,
        rate,
        burst,
        concurrency,
        owner,
        lease_ms,
        breaker.failures,
        int(breaker.open_seconds * 1000),
        caller.name,
        caller.vendor_weight,
        ACTIVE_CALLER_WINDOW_MS,
    )


def vendor_refused(provider: str, decision: VendorDecision) -> GatewayError:
    if decision.verdict == "open":
        return GatewayError(
            503,
            "circuit_open",
            f"{provider} has been failing; calls on this credential are paused (circuit breaker); nothing was sent",
            retryable=True,
            headers={"Retry-After": _retry_after(decision.retry_after_ms / 1000)},
        )
    reason = {
        "cooldown": "the vendor asked us to wait",
        "quota": "this credential's share of the vendor quota is used up",
        "concurrency": "too many calls on this credential are in flight",
    }[decision.verdict]
    return GatewayError(
        429,
        "provider_rate_limited",
        f"{provider}: {reason}; nothing was sent",
        retryable=True,
        headers={"Retry-After": _retry_after(decision.retry_after_ms / 1000)},
    )


def retry_after_seconds(response_headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """A vendor's Retry-After (delay-seconds or an HTTP date), capped at MAX_COOLDOWN_MS; None when it sent none
    it could mean. Its only reader, so the retry delay, the shared cooldown and the caller's Retry-After agree."""
    value = response_headers.get("retry-after", "").strip()
    if not value:
        return None
    delay = ascii_int(value)
    if delay is not None:
        seconds = float(delay)
    else:
        try:
            seconds = (parsedate_to_datetime(value) - (now or datetime.now(UTC))).total_seconds()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_COOLDOWN_MS / 1000)


def cooldown_ms(response_headers: Mapping[str, str], now: datetime | None = None) -> int:
    """How long a vendor's 429 (or StackOne's 408) asks every replica to hold off, in milliseconds: its
    Retry-After, else its X-RateLimit-Reset (epoch seconds), else StackOne's documented default of 60 s;
    at least 1 s and at most MAX_COOLDOWN_MS."""
    now = now or datetime.now(UTC)
    seconds = retry_after_seconds(response_headers, now)
    reset = ascii_int(response_headers.get("x-ratelimit-reset", "").strip())
    if seconds is None and reset is not None:
        seconds = reset - now.timestamp()
    if seconds is None:
        seconds = 60.0
    return int(min(max(seconds, 1.0) * 1000, MAX_COOLDOWN_MS))
