"""The operation catalogue against StackOne's own document, and every connector's table against the catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.base import AccountContext
from connectors.catalogue import CATALOGUE
from connectors.registry import Registry
from connectors.unified import generate, schema
from tests.contract import SPECS, require_shared

ACCOUNTS = (
    AccountContext("generic", None, "linked", {"api_key": "k", "connector_token": "t"}),
    AccountContext("greenhouse", "greenhouse", "linked", {"api_key": "k", "connector_token": "t"}),
)


def stackone() -> dict[str, Any]:
    require_shared()
    document: dict[str, Any] = json.loads(SPECS["stackone"].read_text())
    return document


def test_the_generated_models_are_stackones_schemas_as_committed() -> None:
    committed = Path(schema.__file__).read_text()
    assert generate.render(stackone()) == committed, "run `python -m connectors.unified.generate`"


def test_every_catalogue_operation_is_stackones_own() -> None:
    operations = {
        o["operationId"]: (method.upper(), path, o)
        for path, item in stackone()["paths"].items()
        for method, o in item.items()
    }
    for op in CATALOGUE.values():
        method, path, spec = operations[op.id]
        assert (op.method, op.path) == (method, path), op.id
        documented = {p["name"] for p in spec.get("parameters", []) if p["in"] == "query"}
        declared = {p.name for p in op.params} | ({"filter"} if op.filters else set())
        assert declared == documented, op.id
        filters = next((p for p in spec.get("parameters", []) if p["name"] == "filter"), None)
        if filters is not None:
            assert {f.name for f in op.filters} == set(filters["schema"]["properties"]), op.id
        assert op.deprecated == bool(spec.get("deprecated")), op.id


@pytest.mark.parametrize("name", sorted(Registry.discover()))
@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.account_id)
def test_every_connector_names_every_operation(name: str, account: AccountContext) -> None:
    """Served, or refused with a reason of its own: never an operation a connector forgot."""
    connector = Registry.discover()[name]
    support = connector.support(account)
    assert set(support) == set(CATALOGUE)
    for op_id, entry in support.items():
        if entry.supported:
            assert connector.handler(CATALOGUE[op_id]) is not None
        else:
            assert entry.reason, op_id


def test_stackones_job_create_and_update_dtos_are_one_shape() -> None:
    """Why one `JobWrite` serves both job writes."""
    create, update = schema.AtsCreateJobRequestDto, schema.AtsUpdateJobRequestDto
    assert create.model_json_schema()["properties"] == update.model_json_schema()["properties"]
