"""Values of StackOne's enums, read from the unified models, so tests can walk every one of them."""

from __future__ import annotations

from typing import Any, get_args

from connectors.unified.schema import AtsJobStatusEnum


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The strings of a `OpenEnum[Literal[...]] | None` annotation."""
    if isinstance(annotation, str):
        return (annotation,)
    found = [value for arg in get_args(annotation) for value in literal_values(arg)]
    return tuple(dict.fromkeys(found))


JOB_STATUS_VALUES = literal_values(AtsJobStatusEnum.model_fields["value"].annotation)
