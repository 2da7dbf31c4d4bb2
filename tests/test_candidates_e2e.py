"""Candidates, applications and assessment orders end to end, and the seed payloads on every connector."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import Harness, running
from tests.seeds import create_candidate_example, curl_body

GH = "bindbee-greenhouse-demo"
ALL = ("stackone-demo", GH, "bindbee-demo")


async def first_id(h: Harness, account: str, resource: str) -> str:
    response = await h.call("GET", f"/unified/ats/{resource}", account)
    assert response.status_code == 200, response.text
    return str(response.json()["data"][0]["id"])


# --- the seeds, on every connector -----------------------------------------------------------------------------


async def test_seed_003_create_candidate_on_stackone_goes_through_unchanged(harness: Harness) -> None:
    body = create_candidate_example()
    response = await harness.call("POST", "/unified/ats/candidates", json=body)
    assert response.status_code == 201, response.text
    assert harness.sent("stackone-sandbox")[-1][2] == body
    candidate = (await harness.call("GET", f"/unified/ats/candidates/{response.json()['data']['id']}")).json()["data"]
    for field in ("first_name", "last_name", "email", "company", "title", "country", "social_links"):
        assert candidate[field] == body[field], field


async def test_seed_003_on_bindbee_lists_what_bindbee_cannot_carry(harness: Harness) -> None:
    response = await harness.call("POST", "/unified/ats/candidates", "bindbee-demo", json=create_candidate_example())
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"hired_at", "custom_fields", "unified_custom_fields"}


async def test_seed_003_candidate_on_bindbee_without_those_fields(harness: Harness) -> None:
    body = create_candidate_example()
    for field in ("hired_at", "custom_fields", "unified_custom_fields", "passthrough"):
        del body[field]
    response = await harness.call("POST", "/unified/ats/candidates", "bindbee-demo", json=body)
    assert response.status_code == 201, response.text
    method, path, sent = harness.sent("bindbee-sandbox")[-1]
    assert (method, path) == ("POST", "/api/ats/v1/candidates")
    assert sent == {
        "data": {
            "first_name": "Romain",
            "last_name": "Sestier",
            "email_addresses": ["sestier.romain123@gmail.com"],
            "phone_numbers": ["+447700112233", "+1234567890"],
            "urls": [{"value": "https://www.linkedin.com/in/romainsestier/", "url_type": "SOCIAL_MEDIA"}],
            "company": "Company Inc.",
            "title": "Software Engineer",
            "locations": ["United States"],
        }
    }
    candidate = (
        await harness.call("GET", f"/unified/ats/candidates/{response.json()['data']['id']}", "bindbee-demo")
    ).json()["data"]
    assert candidate["name"] == "Romain Sestier"
    assert candidate["email"] == "sestier.romain123@gmail.com"
    assert candidate["emails"] == [{"type": None, "value": "sestier.romain123@gmail.com"}]
    assert candidate["phone_numbers"][0] == {"type": None, "phone": "+447700112233"}
    assert candidate["social_links"] == [{"type": "linkedin", "url": "https://www.linkedin.com/in/romainsestier/"}]
    assert candidate["country"] == "United States"


async def test_seed_001_update_candidate_on_stackone(harness: Harness) -> None:
    candidate_id = await first_id(harness, "stackone-demo", "candidates")
    body = curl_body("001")
    body["application_ids"] = []
    response = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", json=body)
    assert response.status_code == 200, response.text
    assert harness.sent("stackone-sandbox")[-1][2] == body
    updated = (await harness.call("GET", f"/unified/ats/candidates/{candidate_id}")).json()["data"]
    assert (updated["first_name"], updated["company"]) == ("Romain", "Company Inc.")


async def test_seed_001_update_on_greenhouse_goes_through_harvest(harness: Harness) -> None:
    candidate_id = await first_id(harness, GH, "candidates")
    users = (await harness.call("GET", "/unified/ats/users", GH)).json()["data"]
    body = curl_body("001")
    refused = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", GH, json=body)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "acting_user_id",
        "country",
        "hired_at",
        "application_ids",
        "custom_fields",
        "unified_custom_fields",
    }
    for field in ("country", "hired_at", "application_ids", "custom_fields", "unified_custom_fields", "passthrough"):
        del body[field]
    body["acting_user_id"] = users[0]["id"]
    response = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", GH, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == candidate_id
    method, path, sent = harness.sent("bindbee-sandbox")[-1]
    assert (method, path) == ("POST", "/api/v1/passthrough")
    assert sent["method"] == "PATCH"
    assert sent["path"].startswith("/v1/candidates/")
    assert sent["headers"] == {"On-Behalf-Of": users[0]["remote_id"]}
    assert sent["data"] == {
        "first_name": "Romain",
        "last_name": "Sestier",
        "company": "Company Inc.",
        "title": "Software Engineer",
        "email_addresses": [{"value": "sestier.romain123@gmail.com", "type": "personal"}],
        "phone_numbers": [{"value": "+447700112233", "type": "mobile"}, {"value": "+16178294093", "type": "other"}],
        "social_media_addresses": [{"value": "https://www.linkedin.com/in/romainsestier/"}],
        "website_addresses": [],
    }
    updated = (await harness.call("GET", f"/unified/ats/candidates/{candidate_id}", GH)).json()["data"]
    assert (updated["first_name"], updated["title"], updated["email"]) == (
        "Romain",
        "Software Engineer",
        "sestier.romain123@gmail.com",
    )


async def test_candidate_update_elsewhere_on_bindbee_is_501_saying_why(harness: Harness) -> None:
    candidate_id = await first_id(harness, "bindbee-demo", "candidates")
    response = await harness.call(
        "PATCH", f"/unified/ats/candidates/{candidate_id}", "bindbee-demo", json={"title": "x"}
    )
    assert response.status_code == 501
    assert "Greenhouse" in response.json()["message"]


async def test_seed_002_assessment_order(harness: Harness) -> None:
    body = curl_body("002")
    response = await harness.call("POST", "/unified/ats/assessments/orders", json=body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"id", "remote_id", "test_url"}
    assert harness.sent("stackone-sandbox")[-1][2] == body
    for account in (GH, "bindbee-demo"):
        unsupported = await harness.call("POST", "/unified/ats/assessments/orders", account, json=body)
        assert unsupported.status_code == 501
        assert "assessments" in unsupported.json()["message"]


async def test_seed_000_on_bindbee_is_a_clear_422_never_a_500(harness: Harness) -> None:
    for account in (GH, "bindbee-demo"):
        response = await harness.call("POST", "/unified/ats/jobs", account, json=curl_body("000"))
        assert response.status_code == 422
        assert {"hiring_team[0].role", "interview_stages", "custom_fields"} <= {
            e["field"] for e in response.json()["errors"]
        }


# --- applications --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-greenhouse-demo"])
async def test_apply_an_existing_candidate_to_a_job(harness: Harness, account: str) -> None:
    candidate_id = await first_id(harness, account, "candidates")
    job_id = await first_id(harness, account, "jobs")
    body: dict[str, Any] = {"candidate_id": candidate_id, "job_id": job_id}
    if account == "stackone-demo":
        body["source"] = {"name": "Referral"}
    else:  # Greenhouse, through Harvest: On-Behalf-Of from the acting user
        body["acting_user_id"] = await first_id(harness, account, "users")
    response = await harness.call("POST", "/unified/ats/applications", account, json=body)
    assert response.status_code == 201, response.text
    application = (
        await harness.call("GET", f"/unified/ats/applications/{response.json()['data']['id']}", account)
    ).json()["data"]
    assert (application["candidate_id"], application["job_id"]) == (candidate_id, job_id)
    listed = (await harness.call("GET", "/unified/ats/applications", account)).json()["data"]
    assert any(a["id"] == response.json()["data"]["id"] for a in listed)


async def test_an_existing_candidate_on_bindbee_outside_greenhouse_is_a_501(harness: Harness) -> None:
    candidate_id = await first_id(harness, "bindbee-demo", "candidates")
    job_id = await first_id(harness, "bindbee-demo", "jobs")
    before = len(harness.sent("bindbee-sandbox"))
    body = {"candidate_id": candidate_id, "job_id": job_id}
    response = await harness.call("POST", "/unified/ats/applications", "bindbee-demo", json=body)
    assert response.status_code == 501, response.text
    assert response.json()["code"] == "not_implemented"
    assert "documents no request body" in response.json()["message"]
    assert len(harness.sent("bindbee-sandbox")) == before


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-demo"])
async def test_apply_a_new_candidate_in_one_write(harness: Harness, account: str) -> None:
    job_id = await first_id(harness, account, "jobs")
    before = len(harness.sent("bindbee-sandbox" if account != "stackone-demo" else "stackone-sandbox"))
    response = await harness.call(
        "POST",
        "/unified/ats/applications",
        account,
        json={
            "job_id": job_id,
            "candidate": {"first_name": "Grace", "last_name": "Brewster", "email": "gb@example.org"},
        },
    )
    assert response.status_code == 201, response.text
    writes = harness.sent("bindbee-sandbox" if account != "stackone-demo" else "stackone-sandbox")[before:]
    assert len(writes) == 1
    found = (await harness.call("GET", "/unified/ats/candidates?filter[email]=gb@example.org", account)).json()
    assert [c["last_name"] for c in found["data"]] == ["Brewster"]


async def test_application_needs_exactly_one_candidate(harness: Harness) -> None:
    job_id = await first_id(harness, "bindbee-demo", "jobs")
    neither = await harness.call("POST", "/unified/ats/applications", "bindbee-demo", json={"job_id": job_id})
    assert neither.status_code == 422
    assert neither.json()["errors"][0]["field"] == "candidate_id"


# --- lists, filters, raw -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ALL)
async def test_filter_candidates_by_email(harness: Harness, account: str) -> None:
    response = await harness.call("GET", "/unified/ats/candidates?filter[email]=marie.curie@example.com", account)
    assert response.status_code == 200
    assert [c["last_name"] for c in response.json()["data"]] == ["Curie"]


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-demo"])
async def test_a_thousand_candidates_walked_seven_at_a_time_each_exactly_once(account: str) -> None:
    from tests.conftest import demo_with

    def unlimited(raw: dict[str, Any]) -> None:
        """This walk is about paging, not about the demo's rate limits and vendor quotas."""
        for caller in raw["callers"]:
            caller.pop("rate_limit", None)
            caller.pop("rate_limit_per_account", None)
        for provider in raw["providers"].values():
            provider.pop("quota", None)

    config = demo_with(unlimited)
    async with running(config, seed_candidates=1000) as h:
        seen: list[str] = []
        url = "/unified/ats/candidates?page_size=7"
        pages = 0
        short_pages = 0
        while True:
            page = (await h.call("GET", url, account)).json()
            pages += 1
            short_pages += len(page["data"]) < 7 and bool(page["next"])
            seen += [c["id"] for c in page["data"]]
            if not page["next"]:
                break
            url = f"/unified/ats/candidates?page_size=7&next={page['next']}"
        assert len(seen) == len(set(seen)) == 1002
        if account == "stackone-demo":
            assert short_pages > 0  # StackOne's documented short pages did not end the walk


async def test_raw_adds_the_vendor_exchanges(harness: Harness) -> None:
    response = await harness.call("GET", "/unified/ats/candidates?raw=true&page_size=1", "bindbee-demo")
    [exchange] = response.json()["raw"]
    assert exchange["method"] == "GET"
    assert "include_raw_data=true" in exchange["url"]
    assert exchange["response"]["items"][0]["raw_data"] is not None


async def test_a_vendor_error_inside_the_passthrough_is_translated(harness: Harness) -> None:
    candidate_id = await first_id(harness, GH, "candidates")
    users = (await harness.call("GET", "/unified/ats/users", GH)).json()["data"]
    # A documented Harvest field with a value Harvest refuses: the caller's passthrough is not checked by us.
    addresses = [{"value": "1 Main St", "type": "castle"}]
    body = {"acting_user_id": users[0]["id"], "passthrough": {"addresses": addresses}}
    response = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", GH, json=copy.deepcopy(body))
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "provider_validation_error"
    assert error["provider_errors"][0]["raw"]["errors"] == [
        {"message": "Must be one of: home, work, other", "field": "addresses.type"}
    ]
