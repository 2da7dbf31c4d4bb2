"""The embedded store: the same semantics as Redis, for one process (`make run`), and the local fallback that
keeps rate limits working on a replica while Redis is unreachable."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from gateway.state import claims
from gateway.state.base import (
    Admission,
    Claim,
    ClaimOutcome,
    Health,
    Limit,
    LimitDecision,
    Outcome,
    Sending,
    Settled,
    VendorBudget,
    VendorDecision,
)
from gateway.state.claims import PendingClaim, Phase, StoredOutcome


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
        self._active: dict[str, dict[str, tuple[float, float]]] = {}
        """Per credential: caller → (weight, last seen), the callers its rate is shared among."""
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

    @staticmethod
    def _clock_ms() -> int:
        """The clock of the values' own times (leases, starts): wall-clock milliseconds, as Redis TIME."""
        return int(time.time() * 1000)

    def _record(self, key: str) -> StoredOutcome | PendingClaim | None:
        value = self._get(key)
        return claims.decode(value) if value is not None else None

    def _owned(self, claim: Claim) -> PendingClaim | None:
        record = self._record(claim.key)
        return record if isinstance(record, PendingClaim) and record.owner == claim.owner else None

    def _keep(self, key: str, value: bytes) -> None:
        """Replace a key's value, keeping its expiry (Redis SET … KEEPTTL)."""
        self._values[key] = (value, self._values[key][1])

    def _claim(self, claim: Claim) -> ClaimOutcome:
        now = self._clock_ms()
        record = self._record(claim.key)
        if isinstance(record, PendingClaim):
            if record.owner == claim.owner:  # our own claim, seen again
                return ClaimOutcome("new", started_ms=record.started_ms)
            if record.lease_until_ms > now:
                if record.fingerprint != claim.fingerprint:
                    return ClaimOutcome("mismatch")
                return ClaimOutcome("in_flight", retry_after_ms=record.lease_until_ms - now)
            if record.phase == "sending":
                unknown = claims.expired_unknown(record, now)
                self._set(claim.key, claims.encode(unknown, record.fingerprint), claim.retention_ms)
                record = unknown
            else:
                record = None  # nothing was sent: taken over
        if record is None:
            phase: Phase = "sending" if claim.sending else "admitted"
            pending = PendingClaim(phase, claim.fingerprint, claim.owner, now + claim.lease_ms, now)
            self._set(claim.key, claims.encode_pending(pending), claim.retention_ms)
            return ClaimOutcome("new", started_ms=now)
        if claims.fingerprint_of(self._values[claim.key][0]) != claim.fingerprint:
            return ClaimOutcome("mismatch")
        return ClaimOutcome("replay", stored=record)

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
            refused = self._quota(vendor, now)
            if refused is not None:
                return refused
        slots[vendor.owner] = now + vendor.slot_lease_ms / 1000
        self._slots[vendor.slots_key] = slots
        return VendorDecision("ok")

    def _quota(self, vendor: VendorBudget, now: float) -> VendorDecision | None:
        """Within the caller's share: admitted, the credential charged even into debt; over it: borrowed from the
        credential while it is not in debt (VendorBudget)."""
        self._active.setdefault(vendor.callers_key, {})[vendor.caller] = (vendor.weight, now)
        self._forget_stale(vendor, now)
        rate, burst = self._share(vendor)
        within, share_tat, _, _, share_retry = gcra(self._tats.get(vendor.share_key), now, rate, burst)
        if within:
            self._tats[vendor.share_key] = share_tat
            self._tats[vendor.gcra_key] = max(self._tats.get(vendor.gcra_key, now), now) + 1.0 / vendor.rate
            return None
        borrowed, tat, _, _, retry = gcra(self._tats.get(vendor.gcra_key), now, vendor.rate, vendor.burst)
        if not borrowed:
            return VendorDecision("quota", math.ceil(min(retry, share_retry) * 1000))
        self._tats[vendor.gcra_key] = tat
        return None

    def _forget_stale(self, vendor: VendorBudget, now: float) -> None:
        active = self._active.get(vendor.callers_key, {})
        for name, (_, seen) in list(active.items()):
            if seen <= now - vendor.active_window_ms / 1000:
                del active[name]

    def _share(self, vendor: VendorBudget) -> tuple[float, int]:
        """The caller's rate and burst: its weight's part of the credential's, among the callers active on it."""
        active = self._active.get(vendor.callers_key, {})
        others = sum(weight for name, (weight, _) in active.items() if name != vendor.caller)
        part = vendor.weight / (others + vendor.weight)
        return vendor.rate * part, max(1, math.floor(vendor.burst * part + 1e-9))

    async def admit(self, limits: Sequence[Limit], claim: Claim | None, vendor: VendorBudget | None) -> Admission:
        decisions = [self._limit(limit) for limit in limits]
        return Admission(
            decisions,
            self._claim(claim) if claim else None,
            self._vendor(vendor) if vendor else None,
        )

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> Settled:
        settled = Settled(True)
        if outcome is not None:
            key = outcome.claim.key
            if self._owned(outcome.claim) is None:
                settled = Settled(False, self._record(key))
            elif outcome.record is None:
                del self._values[key]
            else:
                self._set(key, claims.encode(outcome.record, outcome.claim.fingerprint), outcome.ttl_ms)
        if vendor is not None:
            self._slots.get(vendor.slots_key, {}).pop(vendor.owner, None)
            self._tell_breaker(vendor, health)
        return settled

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

    async def mark_sending(self, claim: Claim, vendor: VendorBudget | None) -> Sending:
        held = self._hold(claim, "sending")
        return Sending(held, self._vendor(vendor) if vendor is not None else None)

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        now = self._now()
        if vendor.rate > 0:
            self._forget_stale(vendor, now)
            for key, rate in ((vendor.gcra_key, vendor.rate), (vendor.share_key, self._share(vendor)[0])):
                tat = self._tats.get(key)
                if tat is not None:
                    self._tats[key] = max(tat - 1.0 / rate, now)
        self._slots.get(vendor.slots_key, {}).pop(vendor.owner, None)

    async def reopen(self, claim: Claim, stored: StoredOutcome) -> bool:
        if self._get(claim.key) != claims.encode(stored, claim.fingerprint):
            return False
        now = self._clock_ms()
        pending = PendingClaim("sending", claim.fingerprint, claim.owner, now + claim.lease_ms, stored.started_ms)
        self._keep(claim.key, claims.encode_pending(pending))
        return True

    async def renew(self, claim: Claim, phase: Phase | None = None) -> bool:
        return self._hold(claim, phase)

    def _hold(self, claim: Claim, phase: Phase | None) -> bool:
        record = self._owned(claim)
        if record is None:
            return False
        lease_until = self._clock_ms() + claim.lease_ms
        renewed = PendingClaim(phase or record.phase, record.fingerprint, record.owner, lease_until, record.started_ms)
        self._keep(claim.key, claims.encode_pending(renewed))
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
