"""Records read from a vendor, validated straight into the JSON the gateway answers.

The unified models say what a record is, and `read_record` (connectors.unified.base) reads one into a model. On the
answer path that costs twice: building a model instance per record and per nested object, then dumping them all
again. For a page of 100 StackOne candidates that was 2.5 ms of validation and 0.7 ms of dumping; validated into
plain dicts by the same rules and encoded by orjson it is 0.7 ms and 0.2 ms.

So the reader derives, once per model, a pydantic-core schema from the model's own: every model becomes a typed
dict with the same fields, types and defaults, keyed by each field's name on the wire (its alias, when it has one,
as the model would dump it); StackOne's open enums take any string, as the read mode does. Nothing is declared
twice: a model changes, its reader follows. A schema feature the derivation does not carry (a custom validator, a
model setting beyond the unified models' own) is refused when the reader is built, not silently dropped;
tests/test_reading.py holds the reader's output equal to the model's dump for every record model.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from pydantic import BaseModel
from pydantic_core import CoreSchema, SchemaValidator, core_schema

from connectors.unified.base import open_enum_validator

# The settings of connectors.unified.base.Dto, which the typed dicts below carry by construction.
_CARRIED_CONFIG = {"title", "extra_fields_behavior", "validate_by_name", "validate_by_alias", "serialize_by_alias"}


@functools.cache
def reader(model: type[BaseModel]) -> SchemaValidator:
    """Validates one record of `model`, as a vendor sent it, into the dict the answer carries."""
    return SchemaValidator(_plain(model.__pydantic_core_schema__))


@functools.cache
def page_reader(model: type[BaseModel]) -> SchemaValidator:
    """Validates a page of `model` records."""
    return SchemaValidator(core_schema.list_schema(_plain(model.__pydantic_core_schema__)))


def wire_name(name: str, model: type[BaseModel]) -> str:
    """The key a field of `model` has in an answer."""
    return model.model_fields[name].alias or name


def _plain(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind == "model":
        return _typed_dict(cast(core_schema.ModelSchema, schema))
    if kind in ("function-wrap", "function-before", "function-after", "function-plain"):
        if schema["function"]["function"] is not open_enum_validator:
            raise TypeError(f"a reader cannot carry the validator {schema['function']['function']!r}")
        return core_schema.union_schema([core_schema.str_schema(strict=True), _plain(schema["schema"])])
    return {key: _plain(value) for key, value in schema.items()}


def _typed_dict(schema: core_schema.ModelSchema) -> CoreSchema:
    name = schema["cls"].__name__
    config = dict(schema.get("config") or {})
    if set(config) - _CARRIED_CONFIG or config.get("extra_fields_behavior", "ignore") != "ignore":
        raise TypeError(f"a reader cannot carry the settings of {name}: {config}")
    fields = schema["schema"]
    if fields["type"] != "model-fields" or fields.get("computed_fields") or schema.get("custom_init"):
        raise TypeError(f"a reader cannot carry {name}: only plain fields are derived")
    typed: dict[str, core_schema.TypedDictField] = {}
    for field_name, field in fields["fields"].items():
        alias = field.get("serialization_alias")
        typed[alias or field_name] = core_schema.typed_dict_field(
            _plain(field["schema"]),
            required=field["schema"]["type"] != "default",
            validation_alias=[[alias], [field_name]] if alias else None,
        )
    return core_schema.typed_dict_schema(typed, extra_behavior="ignore")
