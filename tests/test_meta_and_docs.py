"""Capability discovery and the generated mapping documentation agree with what the connectors enforce."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema

from connectors.docs import render
from gateway.app import create_app
from tests.conftest import ROOT, Harness, basic, demo_with, running


def operations(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation"]: op for op in meta["operations"]}


async def test_meta_lists_every_operation_with_support_and_reasons(harness: Harness) -> None:
    stackone = operations((await harness.call("GET", "/unified/ats/meta")).json())
    bindbee = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-demo")).json())
    greenhouse = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    assert set(stackone) == set(bindbee) == set(greenhouse)
    assert all(op["supported"] for op in stackone.values())
    assert bindbee["ats_update_job"] == {
        "operation": "ats_update_job",
        "method": "PATCH",
        "path": "/unified/ats/jobs/{id}",
        "supported": False,
        "reason": "Bindbee has no job update endpoint",
    }
    assert not bindbee["ats_update_candidate"]["supported"]
    assert greenhouse["ats_update_candidate"]["supported"]
    assert not bindbee["ats_order_assessments_request"]["supported"]
    # Deprecated spellings are listed beside what they stand for (filter[status] is read as filter[job_status]).
    assert bindbee["ats_list_jobs"]["filters"] == ["updated_after", "status", "job_status"]
    assert stackone["ats_list_candidates"]["filters"] == ["updated_after", "created_after", "email"]
    # A parameter honoured for some values lists them; one not honoured at all is false.
    assert bindbee["ats_list_applications"]["parameters"]["include"] == ["custom_fields"]
    assert bindbee["ats_list_applications"]["parameters"]["expand"] is False
    assert stackone["ats_list_applications"]["parameters"]["include"] is True


async def test_meta_schema_carries_the_greenhouse_rules_and_agrees_with_enforcement(harness: Harness) -> None:
    meta = operations((await harness.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    schema = meta["ats_create_job"]["schema"]
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
    assert "template_id" not in plain["ats_create_job"]["schema"].get("required", [])


async def test_meta_drops_requirements_the_account_defaults_supply() -> None:
    def defaults(raw: dict[str, Any]) -> None:
        raw["accounts"][1]["defaults"] = {"openings": 1}

    async with running(demo_with(defaults)) as h:
        meta = operations((await h.call("GET", "/unified/ats/meta", "bindbee-greenhouse-demo")).json())
    required = meta["ats_create_job"]["schema"]["required"]
    assert "openings" not in required
    assert "template_id" in required


async def test_meta_needs_a_caller_and_an_account_it_may_use(harness: Harness) -> None:
    assert (await harness.call("GET", "/unified/ats/meta", key=None)).status_code == 401
    assert (await harness.call("GET", "/unified/ats/meta", "bindbee-demo", "other-key")).status_code == 404


def test_docs_mappings_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "mappings.md").read_text()
    assert committed == render(), "docs/mappings.md is stale: run `make docs`"


async def test_a_middleware_added_to_the_app_sees_unified_requests(demo_config: Any) -> None:
    """The unified operations are a route of the app, so `app.add_middleware` applies to them."""
    seen: list[str] = []

    class Spy:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope.get("path", ""))
            await self.app(scope, receive, send)

    app = create_app(demo_config)
    app.add_middleware(Spy)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        response = await client.get(
            "/unified/ats/jobs", headers={"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
        )
    await app.state.gateway.aclose()
    assert response.status_code == 200
    assert "/unified/ats/jobs" in seen


async def test_the_gateway_answers_under_a_root_path(demo_config: Any) -> None:
    app = create_app(demo_config)
    transport = httpx.ASGITransport(app=app, root_path="/ats-gateway")
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        listed = await client.get("/ats-gateway/unified/ats/jobs", headers=headers)
        one = await client.get(f"/ats-gateway/unified/ats/jobs/{listed.json()['data'][0]['id']}", headers=headers)
    await app.state.gateway.aclose()
    assert (listed.status_code, one.status_code) == (200, 200)
