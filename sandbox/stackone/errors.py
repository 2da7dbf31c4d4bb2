"""StackOne's error envelope (spec `BadRequestResponse` and friends; reference §7).

Every error is `{statusCode, message, timestamp}`; a 400 adds `data` (`UnifiedError`: what was wrong with the
request), and an error the provider behind StackOne raised adds `provider_errors` (`ProviderError`: the provider's
status, URL and raw body), which is how StackOne relays a 422 for references the ATS does not know.
"""

from __future__ import annotations

from typing import Any

from connectors.unified import schema as s
from sandbox.common import now_iso

MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden resource",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request timed out",
    409: "Conflict",
    412: "Precondition failed",
    422: "Unprocessable Entity",
    429: "Too many requests",
    500: "Internal server error",
    501: "Not Implemented",
    502: "Bad Gateway",
}
"""The messages of the spec's error examples."""


def envelope(status: int, message: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {"statusCode": status, "message": message or MESSAGES.get(status, "Error"), "timestamp": now_iso(), **extra}
    return s.BadRequestResponse.model_validate(body, extra="forbid").model_dump(mode="json", exclude_unset=True)


class StackOneError(Exception):
    def __init__(self, status: int, message: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return envelope(self.status, self.message, **self.extra)


def bad_request(detail: str) -> StackOneError:
    """A request StackOne refuses before reaching the provider; `data.message` says what and why."""
    return StackOneError(400, data={"statusCode": 400, "message": detail, "headers": {}})


def not_found() -> StackOneError:
    return StackOneError(404)


def provider_url(ats: str, path: str) -> str:
    """The provider endpoint behind a StackOne path, as `provider_errors` and `raw` name it."""
    base = "https://harvest.greenhouse.io/v1" if ats == "greenhouse" else f"https://api.{ats}.example/v1"
    return f"{base}/{path.removeprefix('/unified/ats/')}"


def provider_refused(ats: str, path: str, problems: list[tuple[str, str]]) -> StackOneError:
    """The provider's validation error relayed by StackOne: 422 with `provider_errors` (`(field, message)` pairs)."""
    raw = {"message": "Validation error", "errors": [{"message": message, "field": name} for name, message in problems]}
    error = {"status": 422, "url": provider_url(ats, path), "raw": raw, "headers": {}}
    return StackOneError(422, provider_errors=[error])
