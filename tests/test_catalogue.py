"""The operation catalogue against StackOne's own document, and every connector's table against the catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from connectors.base import AccountContext
from connectors.catalogue import CATALOGUE
from connectors.registry import Registry
from connectors.unified import generate, schema
from connectors.unified.base import write_body
from gateway.errors import ERROR_CODES
from gateway.examples import EXAMPLES
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
            # OpenAPI's default for a query object is the form style: `updated_after=…`, not `filter[…]=…`.
            assert op.filter_style == filters.get("style", "form"), op.id
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


def test_every_write_has_a_worked_example_the_gateway_accepts() -> None:
    writes = {op.id: op for op in CATALOGUE.values() if op.request is not None}
    assert set(EXAMPLES) == set(writes)
    for op_id, example in EXAMPLES.items():
        request = writes[op_id].request
        assert request is not None
        write_body(request, example)


def test_every_error_code_is_documented_and_every_documented_code_is_declared() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("| status | `code` | when |") :].split("\n\n", 1)[0]
    documented = {code for line in table.splitlines()[2:] for code in re.findall(r"`([a-z_]+)`", line.split("|")[2])}
    assert documented == set(ERROR_CODES)


def test_every_error_the_code_builds_uses_a_declared_code() -> None:
    root = Path(__file__).resolve().parents[1]
    built: set[str] = set()
    for path in [*root.glob("gateway/**/*.py"), *root.glob("connectors/**/*.py")]:
        text = path.read_text()
        built |= set(re.findall(r"GatewayError\(\s*\d{3},\s*\"([a-z_]+)\"", text))
        built |= set(re.findall(r"code=\"([a-z_]+)\"", text))
        built |= set(re.findall(r"FieldError\([^()]*?\"([a-z_]+)\"\)", text))
    assert built, "the patterns found nothing: they no longer match the code"
    assert built - set(ERROR_CODES) == set()
