"""Bindbee's `custom_fields` (an object of the ATS's field names and values) ↔ StackOne's list of `{name, value}`.

Bindbee answers them on jobs, candidates and applications when asked (`include_custom_fields`), and takes none on
any create it documents, so the row reads them and refuses a value sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import FieldError
from connectors.mapping import Direction


@dataclass(frozen=True)
class CustomFieldsRow:
    record: str
    """The record whose create refuses them, for the message: `job`, `candidate`."""
    unified: str = "custom_fields"
    aliases: tuple[str, ...] = ()
    vendor: str = "custom_fields"
    direction: Direction = "read"
    transform: str = "object `{name: value}` → list of `{name, value}`"

    @property
    def notes(self) -> str:
        return f"Read only: Bindbee's {self.record} create takes no custom fields (a value sent is rejected)."

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        if body.get("custom_fields"):
            message = f"Bindbee's {self.record} create has no custom fields"
            errors.append(FieldError("custom_fields", "vendor.unsupported_field", message, code="unsupported_field"))
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        fields = record.get("custom_fields")
        if not isinstance(fields, dict):
            return {"custom_fields": None}
        return {"custom_fields": [{"name": name, "value": value} for name, value in fields.items()]}
