"""The embedded store: the same semantics as Redis, for one process (`make run`), and the local fallback that
keeps rate limits working on a replica while Redis is unreachable."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from gateway.state.base import (
    Admission,
    Claim,
    ClaimOutcome,
    Health,
    Limit,
    LimitDecision,
    Outcome,
    VendorBudget,
    VendorDecision,
    completed_value,
    pending_value,
)


def gcra(tat: float | None, now: float, rate: float, burst: int) -> tuple[bool, float, int, float, float]:
    """One GCRA step: (allowed, new TAT, remaining, reset seconds, retry-after seconds).

    The same arithmetic as the Redis script, so both stores limit alike.
    """
    emission = 1.0 / rate
    tat = max(tat if tat is not None else now, now)
    new_tat = tat + emission
    allow_at = new_tat - emission * burst
    if now < allow_at:
        return False, tat, 0, tat - now, allow_at - now
    remaining = math.floor((now - allow_at) / emission + 1e-9)  # clocks are floats; 3.9999… requests means 4
    return True, new_tat, remaining, new_tat - now, 0.0


class MemoryStore:
    kind = "memory"

    SWEEP_EVERY = 1000
    """Writes between sweeps of expired entries, so a long-running process does not grow without bound."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[bytes, float]] = {}
        self._tats: dict[str, float] = {}
        self._slots: dict[str, dict[str, float]] = {}
        self._breakers: dict[str, dict[str, float]] = {}
        self._writes = 0

    def _sweep(self) -> None:
        now = self._now()
        self._values = {k: v for k, v in self._values.items() if v[1] > now}
        self._tats = {k: t for k, t in self._tats.items() if t > now}
        self._slots = {k: live for k, s in self._slots.items() if (live := {o: t for o, t in s.items() if t > now})}

    @staticmethod
    def _now() -> float:
        return time.monotonic()

    def _get(self, key: str) -> bytes | None:
        item = self._values.get(key)
        if item is None:
            return None
        if item[1] <= self._now():
            del self._values[key]
            return None
        return item[0]

    def _set(self, key: str, value: bytes, ttl_ms: int) -> None:
        self._values[key] = (value, self._now() + ttl_ms / 1000)
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            self._sweep()

    def _ttl_ms(self, key: str) -> int:
        item = self._values.get(key)
        return max(0, int((item[1] - self._now()) * 1000)) if item else 0

    async def ping(self) -> None:
        return None

    def _limit(self, limit: Limit) -> LimitDecision:
        now = self._now()
        allowed, tat, remaining, reset, retry = gcra(self._tats.get(limit.key), now, limit.rate, limit.burst)
        if allowed:
            self._tats[limit.key] = tat
        return LimitDecision(limit.policy, allowed, limit.burst, remaining, reset, retry, limit.burst / limit.rate)

    def _claim(self, claim: Claim) -> ClaimOutcome:
        value = self._get(claim.key)
        if value is None:
            self._set(claim.key, pending_value(claim), claim.lease_ms)
            return ClaimOutcome("new")
        if value[1:33].decode() != claim.fingerprint:
            return ClaimOutcome("mismatch")
        if value[:1] == b"P":
            return ClaimOutcome("in_flight", retry_after_ms=self._ttl_ms(claim.key))
        return ClaimOutcome("replay", stored=value[33:])

    def _vendor(self, vendor: VendorBudget) -> VendorDecision:
        now = self._now()
        cooldown = self._ttl_ms(vendor.cooldown_key) if self._get(vendor.cooldown_key) else 0
        if cooldown > 0:
            return VendorDecision("cooldown", cooldown)
        breaker = self._breakers.get(vendor.breaker_key, {})
        open_until = breaker.get("open_until", 0.0)
        if open_until > now:
            return VendorDecision("open", math.ceil((open_until - now) * 1000))
        if open_until:  # half open: one probe at a time
            if breaker.get("probe_until", 0.0) > now:
                return VendorDecision("open", math.ceil((breaker["probe_until"] - now) * 1000))
            breaker["probe_until"] = now + vendor.slot_lease_ms / 1000
        slots = {o: t for o, t in self._slots.get(vendor.slots_key, {}).items() if t > now}
        if len(slots) >= vendor.max_concurrency:
            return VendorDecision("concurrency", 50)
        if vendor.rate > 0:
            allowed, tat, _, _, retry = gcra(self._tats.get(vendor.gcra_key), now, vendor.rate, vendor.burst)
            if not allowed:
                return VendorDecision("quota", math.ceil(retry * 1000))
            self._tats[vendor.gcra_key] = tat
        slots[vendor.owner] = now + vendor.slot_lease_ms / 1000
        self._slots[vendor.slots_key] = slots
        return VendorDecision("ok")

    async def admit(self, limits: Sequence[Limit], claim: Claim | None, vendor: VendorBudget | None) -> Admission:
        decisions = [self._limit(limit) for limit in limits]
        return Admission(
            decisions,
            self._claim(claim) if claim else None,
            self._vendor(vendor) if vendor else None,
        )

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> bool:
        held = True
        if outcome is not None:
            held = self._get(outcome.claim.key) == pending_value(outcome.claim)
            if held and outcome.record is None:
                del self._values[outcome.claim.key]
            elif held and outcome.record is not None:
                self._set(outcome.claim.key, completed_value(outcome.claim, outcome.record), outcome.ttl_ms)
        if vendor is not None:
            self._slots.get(vendor.slots_key, {}).pop(vendor.owner, None)
            self._tell_breaker(vendor, health)
        return held

    def _tell_breaker(self, vendor: VendorBudget, health: Health) -> None:
        if health == "ok":
            self._breakers.pop(vendor.breaker_key, None)
        elif health == "fail":
            breaker = self._breakers.setdefault(vendor.breaker_key, {})
            breaker["fails"] = breaker.get("fails", 0) + 1
            # A failed probe of a half-open breaker opens it again at once.
            if breaker["fails"] >= vendor.breaker_failures or breaker.get("open_until"):
                breaker["open_until"] = self._now() + vendor.breaker_open_ms / 1000
                breaker["probe_until"] = 0.0

    async def admit_vendor(self, vendor: VendorBudget) -> VendorDecision:
        return self._vendor(vendor)

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        tat = self._tats.get(vendor.gcra_key)
        if tat is not None and vendor.rate > 0:
            self._tats[vendor.gcra_key] = max(tat - 1.0 / vendor.rate, self._now())
        self._slots.get(vendor.slots_key, {}).pop(vendor.owner, None)

    async def reopen(self, claim: Claim, stored: bytes) -> bool:
        if self._get(claim.key) != completed_value(claim, stored):
            return False
        self._set(claim.key, pending_value(claim), claim.lease_ms)
        return True

    async def renew(self, claim: Claim) -> bool:
        if self._get(claim.key) != pending_value(claim):
            return False
        self._set(claim.key, pending_value(claim), claim.lease_ms)
        return True

    async def cooldown(self, vendor: VendorBudget, ms: int) -> None:
        if self._ttl_ms(vendor.cooldown_key) < ms:
            self._set(vendor.cooldown_key, b"1", ms)

    async def recall(self, key: str) -> bytes | None:
        return self._get(key)

    async def remember(self, key: str, value: bytes, ttl_ms: int) -> None:
        self._set(key, value, ttl_ms)

    async def aclose(self) -> None:
        return None
