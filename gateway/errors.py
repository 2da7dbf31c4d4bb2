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

ERROR_CODES: tuple[str, ...] = (
    # 400: what the caller sent cannot be read
    "malformed_json",
    "json_too_deep",
    "unknown_parameter",
    "invalid_parameter",
    "unsupported_filter",
    "unsupported_parameter",
    "invalid_cursor",
    "missing_account_id",
    "invalid_idempotency_key",
    "idempotency_key_required",
    "invalid_header",
    "malformed_request",
    # 401, 404, 405, 408, 409, 413, 431
    "unauthorized",
    "account_not_found",
    "not_found",
    "route_not_found",
    "method_not_allowed",
    "http_error",
    "request_timeout",
    "provider_conflict",
    "idempotency_key_in_flight",
    "payload_too_large",
    "headers_too_large",
    # 422: the body, or the vendor's refusal of it
    "unknown_field",
    "invalid_value",
    "missing_required_field",
    "too_many_items",
    "unsupported_value",
    "unsupported_field",
    "passthrough_conflict",
    "conflicting_values",
    "validation_error",
    "idempotency_key_reused",
    "provider_validation_error",
    # 429, 501, 5xx
    "rate_limited",
    "provider_rate_limited",
    "not_implemented",
    "internal_error",
    "provider_auth_failed",
    "provider_error",
    "unexpected_provider_response",
    "outcome_unknown",
    "provider_unavailable",
    "state_store_unavailable",
    "idempotency_lease_lost",
    "circuit_open",
    "provider_timeout",
)
"""Every `code` the gateway answers with, declared once: the OpenAPI gives `code` this enum, and a test holds the
README's table and every error the code builds to it."""


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
