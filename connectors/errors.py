"""Errors a connector raises while translating: they say which field broke which rule, before any vendor call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message: str
    code: str = "validation_error"
    """The stable error code this failure stands for (see docs/errors.md)."""


class InvalidInput(Exception):
    """The unified input cannot be sent to this vendor as it is; every failed rule is listed."""

    def __init__(self, errors: Sequence[FieldError], status: int = 422) -> None:
        self.errors = list(errors)
        self.status = status
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class NotSupported(Exception):
    """The connector does not offer this operation."""

    def __init__(self, connector: str, operation: str, reason: str | None = None) -> None:
        self.connector = connector
        self.operation = operation
        self.reason = reason
        text = f"The {connector} connector does not support {operation}"
        super().__init__(f"{text}: {reason}" if reason else text)


class VendorRefused(Exception):
    """A vendor error carried inside a 2xx (a passthrough's inner status): translated like any vendor error."""

    def __init__(self, status: int, body: object, url: str) -> None:
        self.status = status
        self.body = body
        self.url = url
        super().__init__(f"vendor answered {status}")


class UnexpectedResponse(Exception):
    """The vendor answered with a status the plan accepts but a body it cannot read."""


def field_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def field_errors(exc: ValidationError, prefix: Sequence[int | str] = ()) -> list[FieldError]:
    """Turn pydantic's errors into ours: one entry per field, with the rule it broke in words."""
    errors = []
    for item in exc.errors(include_url=False):
        kind = item["type"]
        loc = [*prefix, *item["loc"]]
        if kind == "extra_forbidden":
            errors.append(FieldError(field_path(loc), "unknown_field", "Unknown field", code="unknown_field"))
        elif kind == "missing":
            errors.append(FieldError(field_path(loc), "required", "Field required", code="missing_required_field"))
        else:
            errors.append(FieldError(field_path(loc), kind, item["msg"], code="invalid_value"))
    return errors
