"""Bindbee's references: a relation is an id, or the related object when it is expanded (PROVENANCE.md,
ambiguity 3). These rows read both forms into the unified id and, when the object is there, its remote id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.errors import FieldError
from connectors.mapping import Direction, Rename


def ref_id(value: Any) -> str | None:
    if isinstance(value, dict):
        return None if value.get("id") is None else str(value["id"])
    return None if value is None else str(value)


def remote_of(value: Any) -> str | None:
    return str(value["remote_id"]) if isinstance(value, dict) and value.get("remote_id") is not None else None


@dataclass(frozen=True)
class Reference(Rename):
    """One relation → `x_id` and, for an `_id` field, `remote_x_id`."""

    transform: str = "id (remote id when expanded)"

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        out = {self.unified: ref_id(value)}
        if self.unified.endswith("_id"):
            out[f"remote_{self.unified}"] = remote_of(value)
        return out


@dataclass(frozen=True)
class IdListRow:
    """A list of unified ids ↔ a list of Bindbee ids; expanded Bindbee objects also yield the remote ids."""

    unified: str
    vendor: str
    remote_unified: str
    direction: Direction = "both"
    notes: str = "Ids are Bindbee model ids, as the unified reference-data endpoints return them."
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        return f"copied; on read, expanded objects also fill `{self.remote_unified}`"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        value = body.get(self.unified)
        return {} if value is None or self.direction == "read" else {self.vendor: list(value)}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        items = record.get(self.vendor)
        if items is None:
            return {self.unified: None, self.remote_unified: None}
        ids = [ref_id(item) for item in items]
        remote = [item.get("remote_id") for item in items if isinstance(item, dict)]
        return {
            self.unified: [i for i in ids if i is not None],
            self.remote_unified: [r for r in remote if r is not None] if remote else None,
        }
