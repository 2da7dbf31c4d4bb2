"""Idempotency keys on writes, with Stripe's semantics and the IETF draft's status codes.

A key is scoped to (caller, account, method, path) and kept 24 h. The fingerprint is the hash of the canonical JSON
body, so the same body replays, a different one is refused (422), and one still running answers 409. What the store
keeps, and how claims, leases and settles interleave, is in gateway/state/claims.py.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from gateway.errors import GatewayError, ProviderErrorDetail
from gateway.state.base import Claim
from gateway.state.claims import RETENTION_MS as RETENTION_MS  # the retention the README and CONTRACT.md publish
from gateway.state.claims import UNKNOWN_STATUS, Kind, StoredOutcome


def parse_key(raw: str | None) -> str | None:
    """The caller's key: 1–255 printable ASCII characters; an RFC 8941 quoted string is unquoted."""
    if raw is None:
        return None
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    # ASCII and printable is exactly 0x20..0x7E.
    if not 1 <= len(value) <= 255 or not (value.isascii() and value.isprintable()):
        raise GatewayError(
            400,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 printable ASCII characters (a UUID is a good choice)",
        )
    return value


def claim_for(
    *,
    caller: str,
    account: str,
    method: str,
    path: str,
    key: str,
    body: Any,
    owner: str,
    lease_ms: int,
    sending: bool = False,
) -> Claim:
    """The claim for this request; the lease should outlast a vendor call (StackOne holds one up to 60 s).
    `sending`: the plan's first vendor request is a write, so the claim is created sending (claims.py, Phases)."""
    scope = hashlib.sha256("\0".join((caller, method, path, key)).encode()).hexdigest()[:32]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return Claim(f"idem:{{acct:{account}}}:{scope}", fingerprint, owner, lease_ms, sending)


def _now_ms() -> int:
    return int(time.time() * 1000)


def record(kind: Kind, status: int, body: bytes, started_ms: int) -> StoredOutcome:
    """The outcome to store for a key whose first claim was made at `started_ms`."""
    return StoredOutcome(kind, status, body, _now_ms(), started_ms)


def interrupted(started_ms: int) -> StoredOutcome:
    """What a request interrupted after its write left records: an unknown, its answer rendered at replay."""
    return record("unknown", UNKNOWN_STATUS, b"", started_ms)


def outcome_unknown(status: int, message: str, provider_errors: Sequence[ProviderErrorDetail] = ()) -> GatewayError:
    """The one builder of the `outcome_unknown` answer: a write that may or may not have been applied."""
    return GatewayError(status, "outcome_unknown", message, provider_errors=provider_errors, outcome="unknown")


INTERRUPTED = (
    "The gateway stopped while the write was being sent, before it could record the outcome: it may or may not "
    "have been applied. Check the record before writing again."
)


def replay(stored: StoredOutcome) -> tuple[int, bytes]:
    """The status and bytes a stored outcome answers with. An unknown without a body (a replica that stopped
    while sending, or the store turning its expired claim into one) gets its envelope here, dated when it became
    unknown, so every replay of it is the same bytes."""
    if stored.body or stored.kind == "answered":
        return stored.status, stored.body
    body = outcome_unknown(stored.status, INTERRUPTED).body("")
    when = datetime.fromtimestamp(stored.when_ms / 1000, UTC)
    body["timestamp"] = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return stored.status, json.dumps(body, separators=(",", ":")).encode()


class Lease:
    """How long this request may still act on its claim, by this process's own clock.

    The store's lease runs from when its script ran, which is after this process sent the call: counting one lease
    from just before the call, less a tenth for clock drift, ends first. A process paused (SIGSTOP, a stalled VM,
    a long GC) past that deadline must not send, whatever it last heard from the store (claims.py)."""

    def __init__(
        self, claim: Claim, confirmed_at: float, started_ms: int, *, sending: bool, reopened: bool = False
    ) -> None:
        self.claim = claim
        self.started_ms = started_ms
        """When the key's first claim was made, by the store's clock."""
        self.length_s = claim.lease_ms / 1000 * 0.9
        self.until = confirmed_at + self.length_s
        self.sending = sending
        """Whether the store has the claim as sending."""
        self.reopened = reopened
        """Taken back to reconcile an unknown outcome: sending for good, since the vendor may have the original."""
        self.lost = False

    def confirm(self, started_at: float) -> None:
        """The store call sent at `started_at` (monotonic) renewed the lease."""
        if not self.lost:
            self.until = max(self.until, started_at + self.length_s)

    def lose(self) -> None:
        self.lost = True

    @property
    def unmarked(self) -> bool:
        """Still held, and a write must mark it sending before it leaves."""
        return not self.sending and not self.lost

    def held(self) -> bool:
        return not self.lost and time.monotonic() < self.until


def lease_lost() -> GatewayError:
    return GatewayError(
        503,
        "idempotency_lease_lost",
        "This request lost its hold on the Idempotency-Key before its write was sent (the gateway was paused or "
        "the store was unreachable for longer than the lease); nothing was sent; retry with the same key",
        retryable=True,
        headers={"Retry-After": "1"},
    )


def in_flight(retry_after_ms: int) -> GatewayError:
    seconds = max(1, math.ceil(min(retry_after_ms, 5_000) / 1000))
    return GatewayError(
        409,
        "idempotency_key_in_flight",
        "A request with this Idempotency-Key is still being processed; retry after it completes",
        retryable=True,
        headers={"Retry-After": str(seconds)},
    )


def reused() -> GatewayError:
    return GatewayError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request body; use a new key for a new request",
    )


def required() -> GatewayError:
    return GatewayError(
        400,
        "idempotency_key_required",
        "This account requires an Idempotency-Key header on creates",
    )
