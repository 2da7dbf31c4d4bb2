"""Unified reference data ↔ the departments, offices, remote users and reject reasons of Merge's common model, which
Bindbee shares (reference bindbee-merge-greenhouse.md §1.6): one declaration for both vendors, each bringing the id
rows that say what its ids are.

Read only: these are the ids a write needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from connectors.errors import FieldError
from connectors.mapping import Direction, Rename, Row, Table


@dataclass(frozen=True)
class FullNameRow:
    """StackOne's `name` beside its parts; the common model keeps only the parts."""

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


class ReferenceTables(NamedTuple):
    department: Table
    location: Table
    """Offices; their free-text `location` has no unified field."""
    user: Table
    rejected_reason: Table
    """Reject reasons carry no type: `rejected_reason_type` stays null rather than being guessed."""


def reference_tables(ids: tuple[Row, ...]) -> ReferenceTables:
    return ReferenceTables(
        department=Table(rows=(*ids, Rename("name", "name", direction="read"))),
        location=Table(rows=(*ids, Rename("name", "name", direction="read"))),
        user=Table(
            rows=(
                *ids,
                Rename("first_name", "first_name", direction="read"),
                Rename("last_name", "last_name", direction="read"),
                FullNameRow(),
                Rename("email", "email", direction="read"),
            )
        ),
        rejected_reason=Table(rows=(*ids, Rename("label", "name", direction="read"))),
    )
