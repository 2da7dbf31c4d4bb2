"""Hostile input: control characters in headers, ids that try to walk the vendor's paths, other tenants' state."""

from __future__ import annotations

from tests.conftest import Harness


async def test_header_values_with_control_characters_are_refused(harness: Harness) -> None:
    response = await harness.client.get(
        "/unified/ats/jobs", headers={"authorization": "Bearer demo-key", "x-account-id": "stackone-demo\x01"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_header"
    bad_key = await harness.client.get(
        "/unified/ats/jobs", headers={"authorization": "Bearer demo-key\x7f", "x-account-id": "stackone-demo"}
    )
    assert bad_key.status_code == 401


async def test_a_record_id_cannot_reach_another_vendor_path(harness: Harness) -> None:
    headers = {"authorization": "Bearer demo-key", "x-account-id": "stackone-demo"}
    before = len(harness.sent("stackone-sandbox"))
    walking = await harness.client.get("/unified/ats/jobs/..%2F..%2Fdepartments", headers=headers)
    assert walking.status_code == 404
    assert walking.json()["code"] == "route_not_found"
    assert len(harness.sent("stackone-sandbox")) == before  # nothing sent anywhere
    query = await harness.client.get("/unified/ats/jobs/x%3Fpage_size%3D1", headers=headers)
    assert query.status_code == 404
    [(_, path, _)] = harness.sent("stackone-sandbox")[before:]
    assert path == "/unified/ats/jobs/x%3Fpage_size%3D1"  # the id stays one encoded path segment


async def test_the_upstream_host_comes_from_configuration_only(harness: Harness) -> None:
    before = len(harness.sent("stackone-sandbox"))
    await harness.call("GET", "/unified/ats/jobs", headers={"host": "evil.example", "x-forwarded-host": "evil.example"})
    assert len(harness.sent("stackone-sandbox")) == before + 1  # still the configured sandbox, nothing else


async def test_another_callers_idempotency_key_is_a_different_key(harness: Harness) -> None:
    body = {"title": "mine", "code": "iso-1"}
    mine = await harness.call("POST", "/unified/ats/jobs", json=body, headers={"Idempotency-Key": "shared"})
    theirs = await harness.call(
        "POST", "/unified/ats/jobs", key="other-key", json={"title": "theirs"}, headers={"Idempotency-Key": "shared"}
    )
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers  # not my stored answer, and no 422 mismatch either
    assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]
