"""What an idempotency key keeps: the answer the first request got, or the fact that its outcome is unknown.

Stored outcomes are the answer's status digits and its bytes, so a replay is byte-identical to the first answer.
An unknown outcome is the gateway's own `outcome_unknown` error, built here and only here.
"""

from __future__ import annotations

import json
from datetime import datetime

from gateway import idempotency
from gateway.errors import GatewayError


def unknown(message: str) -> GatewayError:
    return GatewayError(502, "outcome_unknown", message, outcome="unknown")


def unknown_since(stored: bytes) -> datetime | None:
    """When the attempt whose outcome this is failed, if it is an unknown outcome; None for an answer."""
    status, body = idempotency.decode_response(stored)
    if status not in (502, 504):
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    if not isinstance(answer, dict) or answer.get("code") != "outcome_unknown":
        return None
    try:
        return datetime.fromisoformat(str(answer.get("timestamp", "")).replace("Z", "+00:00"))
    except ValueError:
        return None
