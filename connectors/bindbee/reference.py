"""Unified reference data ↔ Bindbee's departments, offices, remote users and reject reasons, row by row.

Read only: these are the ids a write needs (reference bindbee-merge-greenhouse.md §1.6; the excerpt's models).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import FieldError
from connectors.mapping import Direction, Rename, Table

_IDS = (Rename("id", "id", direction="read"), Rename("remote_id", "remote_id", direction="read"))


@dataclass(frozen=True)
class FullNameRow:
    """StackOne's `name` beside its parts; Bindbee keeps only the parts."""

    unified: str = "name"
    aliases: tuple[str, ...] = ()
    vendor: str = "first_name, last_name"
    direction: Direction = "read"
    transform: str = "joined with a space"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        parts = (record.get("first_name"), record.get("last_name"))
        return {"name": " ".join(part for part in parts if part) or None}


DEPARTMENT_TABLE = Table(rows=(*_IDS, Rename("name", "name", direction="read")))
LOCATION_TABLE = Table(rows=(*_IDS, Rename("name", "name", direction="read")))
USER_TABLE = Table(
    rows=(
        *_IDS,
        Rename("first_name", "first_name", direction="read"),
        Rename("last_name", "last_name", direction="read"),
        FullNameRow(),
        Rename("email", "email", direction="read"),
    )
)
REJECTED_REASON_TABLE = Table(rows=(*_IDS, Rename("label", "name", direction="read")))
"""Bindbee's reject reasons carry no type: `rejected_reason_type` stays null rather than being guessed."""
