"""The readers the answers go through (connectors.unified.reading) read exactly as the unified models do.

The oracle is the model itself: for every model an answer is read into, records drawn from its own schema (any
subset of its fields, values of every type it allows, enum values StackOne never listed, fields it does not have,
and values of the wrong type) are read both ways; the reader gives what the model's dump gives, or refuses what the
model refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from connectors.catalogue import CATALOGUE
from connectors.unified.base import read_record
from connectors.unified.reading import page_reader, reader, wire_name
from connectors.unified.schema import DownloadHeadersApiModel

READ_MODELS = sorted(
    {model for op in CATALOGUE.values() for model in (op.record, op.response) if model is not None},
    key=lambda model: model.__name__,
)

# Numbers as a vendor answer parses: JSON has no NaN or Infinity (gateway.upstream refuses them).
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | _FLOATS | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _values(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values a vendor might send where `schema` is expected: mostly fitting ones, now and then not."""
    kind = schema["type"]
    if kind == "model":
        fields = schema["schema"]["fields"]
        return st.fixed_dictionaries(
            {},
            optional={
                **{field.get("validation_alias") or name: _values(field["schema"]) for name, field in fields.items()},
                "not_a_unified_field": _JSON,
            },
        )
    if kind in ("default", "nullable"):
        inner = _values(schema["schema"])
        return st.none() | inner if kind == "nullable" else inner
    if kind == "function-wrap":  # an open enum
        return _values(schema["schema"]) | st.sampled_from(["a_value_stackone_never_listed", ""])
    if kind == "literal":
        return st.sampled_from(schema["expected"])
    if kind == "union":
        return st.one_of([_values(choice) for choice in schema["choices"]])
    if kind == "list":
        return _now_and_then(st.lists(_values(schema["items_schema"]), max_size=3), st.just("not a list"))
    if kind == "dict":
        return st.dictionaries(st.text(max_size=5), _JSON, max_size=3)
    scalar: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=8),
        "int": st.integers(-(2**70), 2**70),
        "float": _FLOATS,
        "bool": st.booleans(),
        "any": _JSON,
    }
    return _now_and_then(scalar[kind], st.sampled_from([["wrong"], {"wrong": 1}]))


def _now_and_then(fitting: st.SearchStrategy[Any], wrong: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One value in 30 of the wrong type, so most records fit and some do not: the reader must refuse exactly what
    the model refuses."""
    return st.integers(0, 29).flatmap(lambda roll: wrong if roll == 0 else fitting)


def _model_read(model: type[BaseModel], data: Any) -> Any:
    return read_record(model, data).model_dump(mode="json", by_alias=True)


@pytest.mark.parametrize("model", READ_MODELS, ids=lambda model: model.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_reader_reads_as_its_model_does(model: type[BaseModel], data: st.DataObject) -> None:
    record = data.draw(_values(model.__pydantic_core_schema__))
    try:
        expected = _model_read(model, record)
    except ValidationError:
        with pytest.raises(ValidationError):
            reader(model).validate_python(record)
        return
    assert reader(model).validate_python(record) == expected
    assert page_reader(model).validate_python([record, record]) == [expected, expected]


def test_every_model_an_answer_is_read_into_has_a_reader() -> None:
    assert len(READ_MODELS) > 50
    for model in READ_MODELS:
        reader(model)


def test_a_field_with_an_alias_is_read_and_answered_by_it() -> None:
    read = reader(DownloadHeadersApiModel).validate_python({"content-type": "a/b", "content_length": 3})
    assert (read["content-type"], read["content-length"]) == ("a/b", 3)
    assert wire_name("content_type", DownloadHeadersApiModel) == "content-type"


def test_a_model_with_something_a_reader_cannot_carry_is_refused() -> None:
    from pydantic import field_validator

    class Checked(BaseModel):
        name: str

        @field_validator("name")
        @classmethod
        def upper(cls, value: str) -> str:
            return value.upper()

    with pytest.raises(TypeError, match="cannot carry"):
        reader(Checked)


def test_a_table_with_two_rows_reading_one_field_is_refused_where_it_is_declared() -> None:
    from connectors.mapping import Rename, Table

    with pytest.raises(ValueError, match="more than one row reads name"):
        Table(rows=(Rename("name", "first"), Rename("name", "full")))
    assert Table(rows=(Rename("name", "first"), Rename("name", "full", direction="write"))).rows
