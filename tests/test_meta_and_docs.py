"""Capability discovery and the generated mapping documentation agree with what the connectors enforce."""

from __future__ import annotations

from typing import Any

import jsonschema

from connectors.docs import render
from tests.conftest import ROOT, Harness, demo_with, running


def operations(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation"]: op for op in meta["operations"]}


async def test_meta_lists_every_operation_with_support_and_reasons(harness: Harness) -> None:
    stackone = operations((await harness.call("GET", "/unified/ats/meta")).json())
    bindbee = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-demo")).json())
    greenhouse = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    assert set(stackone) == set(bindbee) == set(greenhouse)
    assert all(op["supported"] for op in stackone.values())
    assert bindbee["update_jobs"] == {
        "operation": "update_jobs",
        "method": "PATCH",
        "path": "/unified/ats/jobs/{id}",
        "supported": False,
        "reason": "Bindbee has no job update endpoint",
    }
    assert not bindbee["update_candidates"]["supported"]
    assert greenhouse["update_candidates"]["supported"]
    assert not bindbee["create_assessment_orders"]["supported"]
    assert bindbee["list_jobs"]["filters"] == ["updated_after", "job_status"]
    assert stackone["list_candidates"]["filters"] == ["updated_after", "created_after", "email"]


async def test_meta_schema_carries_the_greenhouse_rules_and_agrees_with_enforcement(harness: Harness) -> None:
    meta = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    schema = meta["create_jobs"]["schema"]
    assert {"template_id", "acting_user_id", "openings"} <= set(schema["required"])
    users = (await harness.call("GET", "/unified/ats/users", "bindbee-greenhouse-demo")).json()["data"]
    valid = {"title": "T", "template_id": "4033879009", "acting_user_id": users[0]["id"], "openings": 1}
    invalid = {"title": "T", "department_ids": ["a", "b"]}
    jsonschema.validate(valid, schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(invalid))
    assert errors  # the schema refuses what the gateway refuses...
    refused = await harness.call("POST", "/unified/ats/jobs?dry_run=true", "bindbee-greenhouse-demo", json=invalid)
    accepted = await harness.call("POST", "/unified/ats/jobs?dry_run=true", "bindbee-greenhouse-demo", json=valid)
    assert (refused.status_code, accepted.status_code) == (422, 200)  # ...and accepts what it accepts
    plain = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-demo")).json())
    assert "template_id" not in plain["create_jobs"]["schema"].get("required", [])


async def test_meta_drops_requirements_the_account_defaults_supply() -> None:
    def defaults(raw: dict[str, Any]) -> None:
        raw["accounts"][1]["defaults"] = {"openings": 1}

    async with running(demo_with(defaults)) as h:
        meta = operations((await h.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    required = meta["create_jobs"]["schema"]["required"]
    assert "openings" not in required
    assert "template_id" in required


async def test_meta_needs_a_caller_and_an_account_it_may_use(harness: Harness) -> None:
    assert (await harness.call("GET", "/unified/ats/meta", key=None)).status_code == 401
    assert (await harness.call("GET", "/unified/ats/meta", "bindbee-demo", "other-key")).status_code == 404


def test_docs_mappings_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "mappings.md").read_text()
    assert committed == render(), "docs/mappings.md is stale: run `make docs`"
