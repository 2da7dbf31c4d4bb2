"""Resolution of the gateway's extension fields (`acting_user_id`, `openings`, `template_id`, `file_url`).

One order for every connector, as CONTRACT.md fixes it: the explicit field, then the same key in `passthrough`,
then the account's configured defaults. A key taken from `passthrough` is removed from it so that it is not also
sent to the vendor verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from connectors.errors import FieldError, InvalidInput, field_errors
from connectors.unified.base import Dto

EXTENSION_FIELDS = ("acting_user_id", "openings", "template_id", "file_url")
UPDATE_DEFAULTS = ("acting_user_id",)
"""Defaults that also apply to updates; a template or an opening count only means something on create."""

M = TypeVar("M", bound=Dto)


def resolve_extensions(body: M, defaults: Mapping[str, Any], *, creating: bool) -> M:
    data = body.model_dump(exclude_unset=True)
    passthrough = dict(data.get("passthrough") or {})
    errors: list[FieldError] = []
    for name in EXTENSION_FIELDS:
        if name not in type(body).model_fields:
            continue
        explicit = data.get(name)
        if name in passthrough:
            carried = passthrough.pop(name)
            if explicit is not None and carried != explicit:
                errors.append(
                    FieldError(
                        f"passthrough.{name}",
                        "extension.conflict",
                        f"passthrough.{name} disagrees with the explicit {name}",
                        code="passthrough_conflict",
                    )
                )
            elif explicit is None:
                data[name] = carried
        if data.get(name) is None and name in defaults and (creating or name in UPDATE_DEFAULTS):
            data[name] = defaults[name]
    if errors:
        raise InvalidInput(errors)
    if "passthrough" in data:
        data["passthrough"] = passthrough or None
    try:
        return type(body).model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc
