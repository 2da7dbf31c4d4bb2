"""Mapping rows Merge's shapes need beyond a rename: references (ids, or records when expanded), Merge's enums
read into StackOne's `{value, source_value}`, and records Merge expands in place."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import FieldError
from connectors.mapping import Direction
from connectors.merge.api import ref_id


def _uuid(value: Any, where: str, errors: list[FieldError]) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        errors.append(
            FieldError(
                where,
                "merge.id_format",
                f"'{value}' is not a Merge id: give the id a unified read returned (a uuid)",
                code="invalid_value",
            )
        )
        return None


def _remote(value: Any) -> str | None:
    return None if not isinstance(value, dict) or value.get("remote_id") is None else str(value["remote_id"])


@dataclass(frozen=True)
class Ref:
    """A unified id ↔ a Merge reference; an expanded record also gives its remote id."""

    unified: str
    vendor: str
    remote: str | None = None
    """The unified field the ATS's id goes to, when Merge expands the record."""
    direction: Direction = "read"
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        write = "a Merge id (uuid)" if self.direction != "read" else ""
        read = f"the id; expanded, its remote id fills `{self.remote}`" if self.remote else "the id"
        return {"write": write, "read": read, "both": f"{write}; read: {read}"}[self.direction]

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        value = body.get(self.unified)
        if self.direction == "read" or value is None:
            return {}
        checked = _uuid(value, self.unified, errors)
        return {} if checked is None else {self.vendor: checked}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        if self.direction == "write":
            return {}
        value = record.get(self.vendor)
        out = {self.unified: ref_id(value)}
        if self.remote:
            out[self.remote] = _remote(value)
        return out


@dataclass(frozen=True)
class Refs:
    """A list of unified ids ↔ a list of Merge references."""

    unified: str
    vendor: str
    remote: str | None = None
    direction: Direction = "read"
    notes: str = ""
    aliases: tuple[str, ...] = ()
    single: bool = False
    """Merge holds one reference where the unified model has a list (an application's reject reason)."""

    @property
    def transform(self) -> str:
        shape = "one id → a list of it" if self.single else "ids"
        read = f"{shape}; expanded, remote ids fill `{self.remote}`" if self.remote else shape
        return read if self.direction == "read" else f"Merge ids (uuids); read: {read}"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        values = body.get(self.unified)
        if self.direction == "read" or values is None:
            return {}
        checked = [_uuid(v, f"{self.unified}[{i}]", errors) for i, v in enumerate(values)]
        return {self.vendor: [c for c in checked if c is not None]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        items = ([] if value is None else [value]) if self.single else value
        if items is None or (self.single and not items):
            return {self.unified: None, **({self.remote: None} if self.remote else {})}
        out: dict[str, Any] = {self.unified: [i for i in map(ref_id, items) if i is not None]}
        if self.remote:
            remote = [r for r in map(_remote, items) if r is not None]
            out[self.remote] = remote or None
        return out


@dataclass(frozen=True)
class Choice:
    """A Merge enum ↔ a unified one: StackOne's `{value, source_value}` object (`wrapped`), or a plain value.

    Read: Merge's value through `decode`, an unknown one as `unmapped_value`, the original kept in `source_value`.
    Write: the unified value through `encode`; one Merge cannot take is refused, never sent or dropped."""

    unified: str
    vendor: str
    decode: Mapping[Any, str]
    encode: Mapping[str, Any] = field(default_factory=dict)
    wrapped: bool = True
    direction: Direction = "read"
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        read = "read: " + ", ".join(f"`{_show(k)}`→`{_show(v)}`" for k, v in self.decode.items())
        if self.direction == "read":
            return read
        write = ", ".join(f"`{_show(k)}`→`{_show(v)}`" for k, v in self.encode.items())
        return f"write: {write}; other values are refused (`unsupported_value`); {read}"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        given = body.get(self.unified)
        value = given.get("value") if self.wrapped and isinstance(given, dict) else given
        if self.direction == "read" or value is None:
            return {}
        if value not in self.encode:
            allowed = ", ".join(f"'{v}'" for v in self.encode)
            where = f"{self.unified}.value" if self.wrapped else self.unified
            errors.append(
                FieldError(
                    where, "merge.enum", f"Merge cannot take '{value}'; use one of {allowed}", "unsupported_value"
                )
            )
            return {}
        return {self.vendor: self.encode[value]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        raw = record.get(self.vendor)
        if raw is None:
            return {self.unified: None}
        value = self.decode.get(raw, "unmapped_value")
        return {self.unified: {"value": value, "source_value": raw} if self.wrapped else value}


@dataclass(frozen=True)
class Expanded:
    """A record Merge expands in place (`expand=…`), read through its own table into a unified object; null when
    Merge answered only the id."""

    unified: str
    vendor: str
    read: Callable[[Mapping[str, Any]], dict[str, Any]]
    what: str
    many: bool = False
    """The unified field is a list (of one, when Merge holds a single record)."""
    direction: Direction = "read"
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        return f"expanded {self.what}, read as its own table" + (" (a list)" if self.many else "")

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        records = value if isinstance(value, list) else [value]
        found = [self.read(r) for r in records if isinstance(r, dict)]
        if self.many:
            return {self.unified: found or None}
        return {self.unified: found[0] if found else None}


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
