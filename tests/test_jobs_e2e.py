"""Jobs end to end: the gateway in-process over both sandboxes, as a product backend would call it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import Harness
from tests.seeds import curl_body, greenhouse_job_example

GH = "bindbee-greenhouse-demo"


async def ids(h: Harness, account: str, resource: str) -> list[str]:
    response = await h.call("GET", f"/unified/ats/{resource}", account)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


# --- the seed payloads ------------------------------------------------------------------------------------------


async def test_seed_000_create_job_goes_to_stackone_unchanged(harness: Harness) -> None:
    departments = await ids(harness, "stackone-demo", "departments")
    locations = await ids(harness, "stackone-demo", "locations")
    users = await ids(harness, "stackone-demo", "users")
    body = curl_body("000")
    body["department_ids"] = departments[:3]
    body["location_ids"] = locations[:3]
    body["hiring_team"][0]["user_id"] = users[0]

    response = await harness.call("POST", "/unified/ats/jobs", json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == {"statusCode", "message", "timestamp", "data"}
    assert created["statusCode"] == 201
    assert created["message"] == "Record created successfully."
    method, path, sent = harness.sent("stackone-sandbox")[-1]
    assert (method, path) == ("POST", "/unified/ats/jobs")
    assert sent == body  # StackOne is the unified model: nothing added, nothing lost

    # StackOne returns custom fields when asked for them (`include=custom_fields`).
    fetched = await harness.call("GET", f"/unified/ats/jobs/{created['data']['id']}?include=custom_fields")
    job = fetched.json()["data"]
    assert job["remote_id"] == created["data"]["remote_id"]
    for field in ("code", "title", "job_status", "department_ids", "location_ids", "confidential", "custom_fields"):
        assert job[field] == body[field], field
    assert job["hiring_team"] == body["hiring_team"]


async def test_seed_000_verbatim_reports_the_vendor_error_with_provider_errors(harness: Harness) -> None:
    response = await harness.call("POST", "/unified/ats/jobs", json=curl_body("000"))
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "provider_validation_error"
    [provider_error] = error["provider_errors"]
    assert provider_error["status"] == 422
    assert provider_error["raw"]["provider_errors"][0]["raw"]["errors"]


async def test_seed_004_greenhouse_job_goes_to_bindbee_as_documented(harness: Harness) -> None:
    example = greenhouse_job_example()
    users = await ids(harness, GH, "users")
    departments = await ids(harness, GH, "departments")
    offices = await ids(harness, GH, "locations")
    expected = {
        **example,
        "remote_user_id": users[0],
        "departments": departments[:1],
        "offices": offices[:2],
    }
    unified = {
        "title": example["name"],
        "template_id": example["template_id"],
        "acting_user_id": users[0],
        "department_ids": departments[:1],
        "location_ids": offices[:2],
        "openings": example["openings"],
    }

    response = await harness.call("POST", "/unified/ats/jobs", GH, json=unified)

    assert response.status_code == 201, response.text
    assert harness.sent("bindbee-sandbox")[-1] == ("POST", "/api/ats/v1/jobs", expected)
    created = response.json()["data"]
    job = (await harness.call("GET", f"/unified/ats/jobs/{created['id']}", GH)).json()["data"]
    assert (job["title"], job["department_ids"], job["location_ids"]) == (
        "Sales Manager",
        departments[:1],
        offices[:2],
    )
    assert job["remote_id"] == created["remote_id"]


# --- Greenhouse rules before any upstream call -------------------------------------------------------------------


async def test_greenhouse_rules_are_enforced_before_any_vendor_call(harness: Harness) -> None:
    departments = await ids(harness, GH, "departments")
    before = len(harness.sent("bindbee-sandbox"))
    response = await harness.call("POST", "/unified/ats/jobs", GH, json={"title": "X", "department_ids": departments})
    assert response.status_code == 422
    body = response.json()
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("template_id", "greenhouse.requires_template"),
        ("acting_user_id", "greenhouse.requires_acting_user"),
        ("openings", "greenhouse.requires_openings"),
        ("department_ids", "greenhouse.single_department"),
    }
    assert body["provider_errors"] == []
    assert len(harness.sent("bindbee-sandbox")) == before


async def test_the_sandbox_enforces_greenhouse_rules_too(harness: Harness) -> None:
    """The backstop: sent around the gateway's checks (through passthrough tricks it cannot see), Bindbee refuses."""
    sandbox = harness.wiring.apps["bindbee-sandbox"].state.sandbox
    token = next(t for t, tenant in sandbox.tenants.items() if tenant.ats == "greenhouse")
    import httpx

    transport = harness.wiring.transports["bindbee-sandbox"]
    async with httpx.AsyncClient(transport=transport, base_url="http://bindbee") as vendor:
        response = await vendor.post(
            "/api/ats/v1/jobs",
            json={"name": "X"},
            headers={"authorization": f"Bearer {sandbox.api_key}", "x-connector-token": token},
        )
    assert response.status_code == 422
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {
        ("body", "template_id"),
        ("body", "remote_user_id"),
        ("body", "openings"),
    }


# --- reads, updates, unsupported operations ----------------------------------------------------------------------


async def test_stackone_update_job(harness: Harness) -> None:
    [job_id, *_] = await ids(harness, "stackone-demo", "jobs")
    response = await harness.call(
        "PATCH", f"/unified/ats/jobs/{job_id}", json={"title": "Renamed", "acting_user_id": "u-1"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["message"] == "Record updated successfully."
    assert harness.sent("stackone-sandbox")[-1][2] == {"title": "Renamed", "passthrough": {"acting_user_id": "u-1"}}
    assert (await harness.call("GET", f"/unified/ats/jobs/{job_id}")).json()["data"]["title"] == "Renamed"


async def test_bindbee_update_job_is_501_naming_the_connector(harness: Harness) -> None:
    [job_id, *_] = await ids(harness, GH, "jobs")
    before = len(harness.sent("bindbee-sandbox"))
    response = await harness.call("PATCH", f"/unified/ats/jobs/{job_id}", GH, json={"title": "X"})
    assert response.status_code == 501
    assert response.json()["code"] == "not_implemented"
    assert "bindbee" in response.json()["message"]
    assert "no job update" in response.json()["message"]
    assert len(harness.sent("bindbee-sandbox")) == before


async def test_get_unknown_job_is_404(harness: Harness) -> None:
    for account, job_id in (("stackone-demo", "nope"), (GH, "00000000-0000-4000-8000-000000000000"), (GH, "x")):
        response = await harness.call("GET", f"/unified/ats/jobs/{job_id}", account)
        assert response.status_code == 404, (account, response.text)
        assert response.json()["code"] == "not_found"


async def test_fields_parameter_limits_the_output(harness: Harness) -> None:
    response = await harness.call("GET", "/unified/ats/jobs?fields=id,title", GH)
    assert all(set(job) == {"id", "title"} for job in response.json()["data"])
    bad = await harness.call("GET", "/unified/ats/jobs?fields=id,colour", GH)
    assert bad.status_code == 400
    assert "colour" in bad.json()["message"]


async def test_job_status_filter_translates(harness: Harness) -> None:
    for account in ("stackone-demo", GH):
        response = await harness.call("GET", "/unified/ats/jobs?filter[job_status]=draft", account)
        assert response.status_code == 200
        assert {j["job_status"]["value"] for j in response.json()["data"]} <= {"draft"}
    response = await harness.call("GET", "/unified/ats/jobs?filter[created_after]=2020-01-01T00:00:00Z", GH)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "filter[created_after]"


# --- dry run -----------------------------------------------------------------------------------------------------


async def test_dry_run_shows_the_vendor_request_and_sends_nothing(harness: Harness) -> None:
    users = await ids(harness, GH, "users")
    jobs_before = await ids(harness, GH, "jobs")
    before = len(harness.sent("bindbee-sandbox"))
    body = {"title": "Dry", "template_id": "4033879009", "acting_user_id": users[0], "openings": 1}
    response = await harness.call("POST", "/unified/ats/jobs?dry_run=true", GH, json=body)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["dry_run"] is True
    assert shown["connector"] == "bindbee"
    [request] = shown["requests"]
    assert request["method"] == "POST"
    assert request["url"] == "http://bindbee.sandbox.invalid/api/ats/v1/jobs"
    assert request["headers"]["authorization"] == "[redacted]"
    assert request["headers"]["x-connector-token"] == "[redacted]"
    assert request["body"] == {"name": "Dry", "template_id": "4033879009", "remote_user_id": users[0], "openings": 1}
    assert len(harness.sent("bindbee-sandbox")) == before
    assert await ids(harness, GH, "jobs") == jobs_before


async def test_dry_run_still_validates(harness: Harness) -> None:
    response = await harness.call("POST", "/unified/ats/jobs?dry_run=true", GH, json={"title": "x"})
    assert response.status_code == 422


# --- paging -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-demo"])
async def test_paging_walk_returns_each_job_once(harness: Harness, account: str) -> None:
    for n in range(9):
        created = await harness.call("POST", "/unified/ats/jobs", account, json={"title": f"Job {n}", "code": f"C{n}"})
        assert created.status_code == 201, created.text
    seen: list[str] = []
    url = "/unified/ats/jobs?page_size=2"
    while True:
        page = (await harness.call("GET", url, account)).json()
        seen += [job["id"] for job in page["data"]]
        if not page["next"]:
            break
        url = f"/unified/ats/jobs?page_size=2&next={page['next']}"
    assert len(seen) == len(set(seen)) == 11  # 9 created + the two seeded jobs


async def test_cursor_is_bound_to_caller_account_and_filters(harness: Harness) -> None:
    page = (await harness.call("GET", "/unified/ats/jobs?page_size=1")).json()
    cursor = page["next"]
    assert cursor
    ok = await harness.call("GET", f"/unified/ats/jobs?page_size=1&next={cursor}")
    assert ok.status_code == 200
    attempts = [
        ("other-key", "stackone-demo", f"/unified/ats/jobs?page_size=1&next={cursor}"),
        ("demo-key", "bindbee-demo", f"/unified/ats/jobs?page_size=1&next={cursor}"),
        ("demo-key", "stackone-demo", f"/unified/ats/users?page_size=1&next={cursor}"),
        ("demo-key", "stackone-demo", f"/unified/ats/jobs?filter[job_status]=open&next={cursor}"),
        ("demo-key", "stackone-demo", f"/unified/ats/jobs?next={cursor[:-2]}xx"),
        ("demo-key", "stackone-demo", "/unified/ats/jobs?next=garbage"),
    ]
    for key, account, url in attempts:
        response = await harness.call("GET", url, account, key)
        assert response.status_code == 400, (key, account, url)
        assert response.json()["code"] == "invalid_cursor"


# --- errors ---------------------------------------------------------------------------------------------------------


async def test_error_envelope_for_bad_requests(harness: Harness) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"content": b"{not json"}, 400, "malformed_json"),
        ({"content": b""}, 400, "malformed_json"),
        ({"content": b"[1, 2]"}, 422, "invalid_value"),
        ({"content": b"[" * 100 + b"]" * 100}, 400, "json_too_deep"),
        ({"content": b'{"a":' * 100 + b"1" + b"}" * 100}, 400, "json_too_deep"),
        ({"content": b"[" * 200_000}, 400, "json_too_deep"),
        ({"content": b"{" + b" " * (1024 * 1024) + b"}"}, 413, "payload_too_large"),
        ({"json": {"titel": "typo"}}, 422, "unknown_field"),
        ({"json": {"confidential": True}}, 422, "invalid_value"),
        ({"json": {"openings": 0}}, 422, "invalid_value"),
    ]
    for kwargs, status, code in cases:
        response = await harness.call("POST", "/unified/ats/jobs", **kwargs)
        assert response.status_code == status, (kwargs.keys(), response.text)
        body = response.json()
        assert body["code"] == code
        assert set(body) == {
            "statusCode",
            "message",
            "timestamp",
            "code",
            "retryable",
            "request_id",
            "errors",
            "provider_errors",
        }
        assert body["statusCode"] == status
        assert body["request_id"] == response.headers["x-request-id"]
    typo = await harness.call("POST", "/unified/ats/jobs", json={"titel": "typo"})
    assert typo.json()["errors"] == [{"field": "titel", "rule": "unknown_field", "message": "Unknown field"}]


async def test_auth_and_tenant_isolation(harness: Harness) -> None:
    assert (await harness.call("GET", "/unified/ats/jobs", key=None)).status_code == 401
    assert (await harness.call("GET", "/unified/ats/jobs", key="wrong")).status_code == 401
    bearer = await harness.client.get(
        "/unified/ats/jobs", headers={"authorization": "Bearer demo-key", "x-account-id": "stackone-demo"}
    )
    assert bearer.status_code == 200
    unknown = await harness.call("GET", "/unified/ats/jobs", "no-such-account")
    foreign = await harness.call("GET", "/unified/ats/jobs", GH, "other-key")
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json()["message"] == foreign.json()["message"]
    assert (await harness.call("GET", "/unified/ats/jobs", "stackone-demo", "other-key")).status_code == 200
    missing = await harness.call("GET", "/unified/ats/jobs", None)
    assert missing.status_code == 400
    assert missing.json()["code"] == "missing_account_id"


async def test_unknown_query_parameters_are_refused(harness: Harness) -> None:
    for url in (
        "/unified/ats/jobs?pagesize=5",
        "/unified/ats/jobs?page_size=0",
        "/unified/ats/jobs?page_size=101",
        "/unified/ats/jobs?filter[colour]=red",
        "/unified/ats/jobs?filter[updated_after]=yesterday",
    ):
        response = await harness.call("GET", url)
        assert response.status_code == 400, url
        assert response.json()["errors"], url


async def test_a_parameter_repeated_with_one_value_is_read_once_and_with_two_is_refused(harness: Harness) -> None:
    """StackOne's TypeScript SDK sends `updated_after` twice where StackOne's document declares `filter`
    form-exploded beside the deprecated `updated_after` (list assessment and background-check packages; the SDK
    compatibility test runs those): one value is unambiguous, two are not."""
    when = "2020-01-01T00:00:00.000Z"
    same = await harness.call("GET", f"/unified/ats/jobs?updated_after={when}&updated_after={when}")
    assert same.status_code == 200, same.text
    other = await harness.call("GET", "/unified/ats/jobs?page_size=1&page_size=2")
    assert other.status_code == 400
    assert [(e["field"], e["rule"]) for e in other.json()["errors"]] == [("page_size", "query.repeated")]


async def test_vendor_refusing_our_credentials_is_502_not_401(harness: Harness) -> None:
    harness.wiring.apps["bindbee-sandbox"].state.sandbox.api_key = "rotated"
    response = await harness.call("GET", "/unified/ats/jobs", GH)
    assert response.status_code == 502
    body = response.json()
    assert body["code"] == "provider_auth_failed"
    assert body["provider_errors"][0]["status"] == 401
    assert body["provider_errors"][0]["raw"] == {"detail": "Invalid or missing API key"}


async def test_request_id_is_echoed_or_generated(harness: Harness) -> None:
    echoed = await harness.call("GET", "/healthz", headers={"x-request-id": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = await harness.call("GET", "/healthz", headers={"x-request-id": "bad\x01id"})
    assert generated.headers["x-request-id"] != "bad\x01id"
    assert len(generated.headers["x-request-id"]) == 32


async def test_operations_endpoints(harness: Harness) -> None:
    assert (await harness.client.get("/healthz")).json() == {"status": "ok"}
    assert (await harness.client.get("/readyz")).status_code == 200
    schema = (await harness.client.get("/openapi.json")).json()
    assert {"/unified/ats/jobs", "/unified/ats/jobs/{id}", "/unified/ats/users"} <= set(schema["paths"])
    assert "JobWrite" in schema["components"]["schemas"]
    assert (await harness.client.get("/docs")).status_code == 200
    missing = await harness.client.get("/nope")
    assert missing.status_code == 404
    assert missing.json()["code"] == "route_not_found"
    wrong = await harness.client.delete("/unified/ats/jobs")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


async def test_extension_fields_travel_in_stackone_passthrough(harness: Harness) -> None:
    body = {"title": "T", "openings": 2, "template_id": "tpl", "passthrough": {"acting_user_id": "u9", "x": 1}}
    response = await harness.call("POST", "/unified/ats/jobs", json=copy.deepcopy(body))
    assert response.status_code == 201, response.text
    sent = harness.sent("stackone-sandbox")[-1][2]
    assert sent == {"title": "T", "passthrough": {"x": 1, "acting_user_id": "u9", "openings": 2, "template_id": "tpl"}}


async def test_greenhouse_templates_are_found_through_raw_data(harness: Harness) -> None:
    response = await harness.call("GET", "/unified/ats/jobs?raw=true", GH)
    [exchange] = response.json()["raw"]
    templates = [item["remote_id"] for item in exchange["response"]["items"] if item["raw_data"]["is_template"]]
    assert templates == ["4033879009"]
    plain = await harness.call("GET", "/unified/ats/jobs", GH)
    assert "raw" not in plain.json()
