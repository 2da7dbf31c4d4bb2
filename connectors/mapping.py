"""Field-by-field translation tables, shared by connectors whose vendor shape differs from the unified one.

A table is a list of rows; each row knows both directions of one mapping and describes itself, so the same
declaration translates, is tested row by row, and renders the mapping documentation. A unified field that no row
carries must be declared unsupported with a reason: a value sent in it is an error, never silently dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from connectors.errors import FieldError, InvalidInput
from connectors.unified.base import Dto

Direction = Literal["both", "write", "read"]


class Row(Protocol):
    @property
    def unified(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]:
        """Further unified fields the row reads (a deprecated alias, say)."""

    @property
    def vendor(self) -> str: ...

    @property
    def direction(self) -> Direction: ...

    @property
    def transform(self) -> str: ...

    @property
    def notes(self) -> str: ...

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]: ...

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Rename:
    """The same value under another name."""

    unified: str
    vendor: str
    direction: Direction = "both"
    notes: str = ""
    transform: str = "copied"
    aliases: tuple[str, ...] = ()

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        if self.direction == "read" or body.get(self.unified) is None:
            return {}
        return {self.vendor: body[self.unified]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        if self.direction == "write":
            return {}
        return {self.unified: record.get(self.vendor)}


@dataclass(frozen=True)
class Enum:
    """A closed value table in each direction; a unified value the vendor cannot take is an error."""

    unified: str
    vendor: str
    encode: Mapping[Any, Any]
    decode: Mapping[Any, Any]
    rule: str
    direction: Direction = "both"
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        pairs = ", ".join(f"`{_show(k)}`→`{_show(v)}`" for k, v in self.encode.items())
        return f"write: {pairs}; read: " + ", ".join(f"`{_show(k)}`→`{_show(v)}`" for k, v in self.decode.items())

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        value = body.get(self.unified)
        if value is None:
            return {}
        if value not in self.encode:
            allowed = ", ".join(f"'{v}'" for v in self.encode)
            errors.append(
                FieldError(
                    self.unified,
                    self.rule,
                    f"'{value}' cannot be sent to this vendor; use one of {allowed}",
                    code="unsupported_value",
                )
            )
            return {}
        return {self.vendor: self.encode[value]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        value = record.get(self.vendor)
        return {self.unified: None if value is None else self.decode.get(value, "unmapped_value")}


@dataclass(frozen=True)
class EnumValue:
    """A StackOne enum object `{value, source_value}` ↔ one vendor value. On read the vendor's own value is kept
    as `source_value` and one the table does not know reads as `unmapped_value`; on write a value the vendor
    cannot take is an error."""

    unified: str
    vendor: str
    encode: Mapping[str, str]
    decode: Mapping[str, str]
    rule: str
    direction: Direction = "both"
    notes: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def transform(self) -> str:
        read = ", ".join(f"`{k}`→`{v}`" for k, v in self.decode.items())
        if self.direction == "read":
            return f"read: {read}; others `unmapped_value`"
        write = ", ".join(f"`{k}`→`{v}`" for k, v in self.encode.items())
        return f"write: {write}; read: {read}; others `unmapped_value`"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        value = (body.get(self.unified) or {}).get("value")
        if value is None or self.direction == "read":
            return {}
        if value not in self.encode:
            allowed = ", ".join(f"'{v}'" for v in self.encode)
            message = f"'{value}' cannot be sent to this vendor; use one of {allowed}"
            errors.append(FieldError(f"{self.unified}.value", self.rule, message, code="unsupported_value"))
            return {}
        return {self.vendor: self.encode[value]}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        raw = record.get(self.vendor)
        if raw is None:
            return {self.unified: None}
        return {self.unified: {"value": self.decode.get(raw, "unmapped_value"), "source_value": raw}}


@dataclass(frozen=True)
class NoteContent:
    """StackOne's note content, a list of `{body}` parts ↔ a vendor note's one body (Bindbee's and Merge's
    activities): the parts' bodies joined by a blank line on write, one part on read."""

    notes: str = ""
    unified: str = "content"
    aliases: tuple[str, ...] = ()
    vendor: str = "body"
    direction: Direction = "both"
    transform: str = "write: the parts' bodies joined by a blank line; read: one part"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        parts = [part.get("body") for part in body.get("content") or [] if part.get("body")]
        return {self.vendor: "\n\n".join(parts)} if parts else {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        text = record.get(self.vendor)
        return {self.unified: None if text is None else [{"body": text}]}


def _show(value: Any) -> str:
    """JSON spelling, so the string "true" and the boolean true read differently."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Table:
    rows: Sequence[Row]
    unsupported: Mapping[str, str] = field(default_factory=dict)
    """Unified write fields this vendor cannot carry, with the reason shown to the caller."""

    def __post_init__(self) -> None:
        read = [row.unified for row in self.rows if row.direction != "write"]
        twice = sorted({name for name in read if read.count(name) > 1})
        if twice:
            raise ValueError(f"more than one row reads {', '.join(twice)}")

    def to_vendor(self, body: Dto, extra_errors: Sequence[FieldError] = ()) -> dict[str, Any]:
        """Translate a write body; every problem found, here or by the caller, is raised together."""
        data = body.model_dump(exclude_unset=True)
        errors = list(extra_errors)
        out: dict[str, Any] = {}
        for row in self.rows:
            out.update(row.to_vendor(data, errors))
        for name, reason in self.unsupported.items():
            if _has_value(data.get(name)):
                errors.append(FieldError(name, "vendor.unsupported_field", reason, code="unsupported_field"))
        merge_passthrough(out, data.get("passthrough"), errors)
        if errors:
            raise InvalidInput(errors)
        return out

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        copies, others = self._reading
        out = {unified: record.get(vendor) for unified, vendor in copies}
        for row in others:
            out.update(row.to_unified(record))
        return out

    @functools.cached_property
    def _reading(self) -> tuple[tuple[tuple[str, str], ...], tuple[Row, ...]]:
        """A page maps a table 100 times: its plain copies are read in one comprehension, and only the rows that
        transform are called. No two rows read into the same field (see `__post_init__`), so order is moot."""
        copies = tuple(
            (row.unified, row.vendor) for row in self.rows if type(row) is Rename and row.direction != "write"
        )
        others = tuple(row for row in self.rows if type(row) is not Rename)
        return copies, others

    def covered(self) -> set[str]:
        """Unified fields a row or the unsupported list accounts for (a test holds this to the model)."""
        rows = {name for row in self.rows for name in (row.unified, *row.aliases)}
        return rows | set(self.unsupported) | {"passthrough"}


def merge_passthrough(out: dict[str, Any], passthrough: Mapping[str, Any] | None, errors: list[FieldError]) -> None:
    """Vendor fields the unified model lacks ride in `passthrough`; one that clashes with a mapped field is refused."""
    for key, value in (passthrough or {}).items():
        if key in out:
            errors.append(
                FieldError(
                    f"passthrough.{key}",
                    "passthrough.clash",
                    f"passthrough.{key} would overwrite the vendor field {key} mapped from the unified body",
                    code="passthrough_conflict",
                )
            )
        else:
            out[key] = value


def _has_value(value: Any) -> bool:
    return value not in (None, [], {})
