"""Records as StackOne shows them, built with StackOne's own schemas (`connectors/unified/schema.py`, generated from
StackOne's document): every field of the schema present, `null` where the provider has nothing.

The sandbox builds its records with `extra="forbid"`, so a field the schema does not have is a bug here rather
than a value silently lost; callers' bodies are read as StackOne reads them (unknown keys accepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.unified.base import Dto

Record = dict[str, Any]


def build(model: type[Dto], **fields: Any) -> Record:
    return model.model_validate(fields, extra="forbid").model_dump(mode="json")


def written(body: Dto, *leave_out: str) -> Record:
    """What a write body sets, without `passthrough` (StackOne hands that to the provider, it is no field)."""
    return body.model_dump(mode="json", exclude_unset=True, exclude={"passthrough", *leave_out})


def select(record: Record, fields: Iterable[str]) -> Record:
    """StackOne's `fields`: only the named fields, when any are named."""
    wanted = set(fields)
    return {k: v for k, v in record.items() if k in wanted} if wanted else record


def enum(value: str | None, source: Any = None) -> dict[str, Any] | None:
    """StackOne's `{value, source_value}` pair; the source value defaults to the provider's spelling of it."""
    if value is None:
        return None
    return {"value": value, "source_value": source if source is not None else value.replace("_", " ").title()}
