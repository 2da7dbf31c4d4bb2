"""Idempotency keys on writes, with Stripe's semantics and the IETF draft's status codes.

A key is scoped to (caller, account, method, path) and kept 24 h. The fingerprint is the hash of the canonical JSON
body, so the same body replays, a different one is refused (422), and one still running answers 409.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from gateway.errors import GatewayError
from gateway.state.base import Claim

RETENTION_MS = 24 * 3600 * 1000


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
    *, caller: str, account: str, method: str, path: str, key: str, body: Any, owner: str, lease_ms: int
) -> Claim:
    """The claim for this request; the lease should outlast a vendor call (StackOne holds one up to 60 s)."""
    scope = hashlib.sha256("\0".join((caller, method, path, key)).encode()).hexdigest()[:32]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:32]
    return Claim(f"idem:{{acct:{account}}}:{scope}", fingerprint, owner, lease_ms)


def encode_response(status: int, body: bytes) -> bytes:
    return f"{status:03d}".encode() + body


def decode_response(stored: bytes) -> tuple[int, bytes]:
    return int(stored[:3]), stored[3:]


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
