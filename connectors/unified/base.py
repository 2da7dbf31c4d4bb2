"""What every unified (StackOne-shaped) model shares, and the two ways the gateway validates one.

One model per StackOne schema serves both directions; what differs is the validation call:
- a caller's write body is validated with `extra="forbid"`, so a misspelt field comes back as an error naming it
  instead of vanishing on its way to the vendor, and an enum value outside StackOne's list is refused;
- a record read from a vendor is validated with the read context: unknown fields are ignored and enum values
  StackOne has not listed are kept as they are (its document marks every enum `x-speakeasy-unknown-values: allow`,
  which its own SDKs honour), so one new value upstream never turns a whole page into an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator

JSONValue = Any
"""A value that came out of `json.loads`; the precise union is not worth the casts it would force."""

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

_READ = {"read": True}


def open_enum_validator(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    if isinstance(value, str) and isinstance(info.context, Mapping) and info.context.get("read"):
        return value
    return handler(value)


OpenEnum = Annotated[T, WrapValidator(open_enum_validator)]
"""A StackOne enum: closed for what callers send, open for what vendors return."""


class Dto(BaseModel):
    """Base of every unified model. Fields that are not Python names (`content-type`) travel by their alias."""

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)


def read_record(model: type[M], data: Any) -> M:
    """A vendor's record, as the unified model reads it (lenient, see the module docstring)."""
    return model.model_validate(data, context=_READ)


def write_body(model: type[M], data: Any) -> M:
    """A caller's write body, as the unified model accepts it (strict, see the module docstring)."""
    return model.model_validate(data, extra="forbid")
