"""The state every replica must agree on, behind one small interface: Redis for many processes, memory for one.

A request touches the store twice on its success path: `admit` (inbound limits, the idempotency claim and the
vendor budget, pipelined in one round trip) and `finish` (the stored outcome and the vendor slot, one round trip).
Each piece is a single-key-slot script, so a Redis Cluster can run them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol


class StoreUnavailable(Exception):
    """The store could not be reached in time; the caller decides whether to fail open or closed."""


@dataclass(frozen=True)
class Limit:
    """A GCRA limit: `rate` requests per second on average, bursts of up to `burst`."""

    key: str
    policy: str
    rate: float
    burst: int


@dataclass(frozen=True)
class LimitDecision:
    policy: str
    allowed: bool
    burst: int
    remaining: int
    reset_s: float
    """Seconds until the full burst is available again."""
    retry_after_s: float
    """Seconds until one more request would be allowed (0 when allowed)."""
    window_s: float


@dataclass(frozen=True)
class Claim:
    key: str
    fingerprint: str
    """32 hex characters."""
    owner: str
    """32 hex characters, unique per request."""
    lease_ms: int


ClaimKind = Literal["new", "in_flight", "mismatch", "replay"]


@dataclass(frozen=True)
class ClaimOutcome:
    kind: ClaimKind
    retry_after_ms: int = 0
    stored: bytes | None = None


@dataclass(frozen=True)
class VendorBudget:
    """A vendor credential's share of its quota, its concurrency cap and its cooldown, shared by every replica."""

    tag: str
    """Hash tag naming the credential (a digest, never the secret)."""
    rate: float
    """Requests per second this gateway may spend; 0 when the vendor's quota is not configured."""
    burst: int
    max_concurrency: int
    owner: str
    slot_lease_ms: int
    breaker_failures: int = 5
    """Consecutive failed calls (5xx, timeouts, lost connections) that open the circuit breaker."""
    breaker_open_ms: int = 30_000

    @property
    def gcra_key(self) -> str:
        return f"vendor:{{{self.tag}}}:gcra"

    @property
    def cooldown_key(self) -> str:
        return f"vendor:{{{self.tag}}}:cooldown"

    @property
    def slots_key(self) -> str:
        return f"vendor:{{{self.tag}}}:slots"

    @property
    def breaker_key(self) -> str:
        return f"vendor:{{{self.tag}}}:breaker"


VendorVerdict = Literal["ok", "cooldown", "open", "quota", "concurrency"]
Health = Literal["ok", "fail", "neutral"]
"""What a finished vendor call says about the vendor: answered, failed (5xx, timeout, lost), or nothing (4xx)."""


@dataclass(frozen=True)
class VendorDecision:
    verdict: VendorVerdict
    retry_after_ms: int = 0

    @property
    def allowed(self) -> bool:
        return self.verdict == "ok"


@dataclass(frozen=True)
class Admission:
    limits: Sequence[LimitDecision]
    claim: ClaimOutcome | None
    vendor: VendorDecision | None


@dataclass(frozen=True)
class Outcome:
    """What `finish` records: `record` stored for replay, or None to release the key for a retry."""

    claim: Claim
    record: bytes | None
    ttl_ms: int


class StateStore(Protocol):
    kind: str

    async def ping(self) -> None: ...

    async def admit(self, limits: Sequence[Limit], claim: Claim | None, vendor: VendorBudget | None) -> Admission: ...

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> bool:
        """Store or release the claim, free the vendor slot and tell the breaker; False when the lease was lost."""

    async def admit_vendor(self, vendor: VendorBudget) -> VendorDecision: ...

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        """Give back an admission that was not used (the request stopped before the vendor call)."""

    async def renew(self, claim: Claim) -> bool: ...

    async def reopen(self, claim: Claim, stored: bytes) -> bool:
        """Take back a key whose stored outcome is `stored` (an unknown one) to settle it; False if it changed."""

    async def cooldown(self, vendor: VendorBudget, ms: int) -> None:
        """Make every replica hold calls on this credential for `ms` (never shortening a longer cooldown)."""

    async def recall(self, key: str) -> bytes | None:
        """A value `remember` kept, while it lasts."""

    async def remember(self, key: str, value: bytes, ttl_ms: int) -> None: ...

    async def aclose(self) -> None: ...


def pending_value(claim: Claim) -> bytes:
    return f"P{claim.fingerprint}{claim.owner}".encode()


def completed_value(claim: Claim, record: bytes) -> bytes:
    return b"C" + claim.fingerprint.encode() + record
