"""The one error type the gateway answers with, and its JSON envelope (CONTRACT.md § Errors).

Every failure, ours or a vendor's, becomes a `GatewayError` with a stable `code`; docs/errors.md lists them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from connectors.errors import FieldError


def timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ProviderErrorDetail:
    status: int | None
    url: str
    raw: Any


Outcome = Literal["not_sent", "processed", "unknown"]
"""What the vendor may have done: nothing (safe to retry), something it told us about, or we cannot know."""


@dataclass
class GatewayError(Exception):
    status: int
    code: str
    message: str
    retryable: bool = False
    errors: Sequence[FieldError] = ()
    provider_errors: Sequence[ProviderErrorDetail] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    outcome: Outcome = "not_sent"

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "statusCode": self.status,
            "message": self.message,
            "timestamp": timestamp(),
            "code": self.code,
            "retryable": self.retryable,
            "request_id": request_id,
            "errors": [{"field": e.field, "rule": e.rule, "message": e.message} for e in self.errors],
            "provider_errors": [{"status": p.status, "url": p.url, "raw": p.raw} for p in self.provider_errors],
        }

    def body_bytes(self, request_id: str) -> bytes:
        """The envelope as sent: what an idempotency key stores, so the first answer and its replays are identical."""
        return json.dumps(self.body(request_id), separators=(",", ":")).encode()


def invalid_input(errors: Sequence[FieldError], status: int = 422) -> GatewayError:
    """One error for every failed rule; `code` is theirs when they agree, `validation_error` otherwise. A 400
    (a query or header) says what is wrong in the message itself; a 422 points at the fields."""
    codes = {e.code for e in errors}
    code = codes.pop() if len(codes) == 1 else "validation_error"
    if status == 404:
        message = errors[0].message
    elif status == 400:
        message = "; ".join(f"{e.field}: {e.message}" for e in errors)
    else:
        fields = ", ".join(dict.fromkeys(e.field for e in errors))
        noun = "field" if len(errors) == 1 else "fields"
        message = f"The request cannot be processed: check {noun} {fields}"
    return GatewayError(status, code, message, errors=errors)
