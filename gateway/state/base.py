"""The state every replica must agree on, behind one small interface: Redis for many processes, memory for one.

A request touches the store twice on its success path: `admit` (inbound limits, the idempotency claim and the
vendor budget, pipelined in one round trip) and `finish` (the stored outcome and the vendor slot, one round trip).
Each piece is a single-key-slot script, so a Redis Cluster can run them all. The idempotency records and every
interleaving of claims, leases and settles are described in `claims.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from gateway.state.claims import RETENTION_MS, PendingClaim, Phase, StoredOutcome


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
    sending: bool = False
    """Create the claim already sending: the plan's first vendor request is a write (claims.py, Phases)."""
    retention_ms: int = RETENTION_MS


ClaimKind = Literal["new", "in_flight", "mismatch", "replay"]


@dataclass(frozen=True)
class ClaimOutcome:
    kind: ClaimKind
    retry_after_ms: int = 0
    stored: StoredOutcome | None = None
    """The outcome to replay (`replay`)."""
    started_ms: int = 0
    """When the claim was made, by the store's clock (`new`)."""


@dataclass(frozen=True)
class VendorBudget:
    """A vendor credential's share of its quota, its concurrency cap and its cooldown, shared by every replica.

    Fairness: while several callers use one credential, each has a share of its rate and burst in proportion to
    its weight among the callers active on it (seen within `active_window_ms`). A request within its caller's
    share is always admitted (the credential's bucket is charged, and may run into debt); one over it borrows
    from the credential's bucket, only while that bucket is not in debt, that is while the others leave capacity
    unused. So a caller at or under its share is never refused or made to wait by another, and over any interval
    T the credential sees at most rate·T + burst + the sum of the shares' bursts (≤ rate·T + 2·burst)."""

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
    caller: str = ""
    """The inbound caller spending it (its name: names are plain, see config `_NAME`)."""
    weight: float = 1.0
    active_window_ms: int = 10_000

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

    @property
    def callers_key(self) -> str:
        return f"vendor:{{{self.tag}}}:callers"

    @property
    def share_key(self) -> str:
        return f"vendor:{{{self.tag}}}:share:{self.caller}"


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
    record: StoredOutcome | None
    ttl_ms: int


@dataclass(frozen=True)
class Settled:
    held: bool
    """False when the claim was no longer this request's (taken over, or made unknown): nothing was changed."""
    current: StoredOutcome | PendingClaim | None = None
    """What the key holds now, when it was not held."""


@dataclass(frozen=True)
class Sending:
    """The answer to `mark_sending`: whether the claim is still this request's, and the vendor admission."""

    held: bool
    vendor: VendorDecision | None


class StateStore(Protocol):
    kind: str

    async def ping(self) -> None: ...

    async def admit(self, limits: Sequence[Limit], claim: Claim | None, vendor: VendorBudget | None) -> Admission: ...

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> Settled:
        """Store or release the claim (only if it is still this request's), free the vendor slot, tell the breaker."""

    async def admit_vendor(self, vendor: VendorBudget) -> VendorDecision: ...

    async def mark_sending(self, claim: Claim, vendor: VendorBudget | None) -> Sending:
        """Mark the claim sending and renew its lease, with the vendor admission of the write in the same round
        trip; the write may leave only if `held`."""

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        """Give back an admission that was not used (the request stopped before the vendor call)."""

    async def renew(self, claim: Claim, phase: Phase | None = None) -> bool:
        """Extend the lease of a claim that is still this request's (and set its phase); False when it is not."""

    async def reopen(self, claim: Claim, stored: StoredOutcome) -> bool:
        """Take back a key whose stored outcome is `stored` (an unknown one) to settle it, as a sending claim that
        keeps the original start; False if the key holds anything else now."""

    async def cooldown(self, vendor: VendorBudget, ms: int) -> None:
        """Make every replica hold calls on this credential for `ms` (never shortening a longer cooldown)."""

    async def recall(self, key: str) -> bytes | None:
        """A value `remember` kept, while it lasts."""

    async def remember(self, key: str, value: bytes, ttl_ms: int) -> None: ...

    async def aclose(self) -> None: ...
