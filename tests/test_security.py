"""Hostile input: control characters in headers, ids that try to walk the vendor's paths, other tenants' state."""

from __future__ import annotations

import pytest

from tests.conftest import Harness, basic


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


AUTH = [("authorization", basic("demo-key")), ("x-account-id", "stackone-demo")]
"""Headers as a list: the harness's `call` takes a mapping, which cannot repeat a header."""


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        # The second would pass: a proxy that keeps the last copy must not make this another caller or account.
        ("Authorization", basic("other-key"), basic("demo-key")),
        ("x-account-id", "stackone-demo", "bindbee-demo"),
        ("x-account-id", "stackone-demo", "stackone-demo"),
    ],
)
async def test_a_header_naming_who_or_what_sent_twice_is_refused(
    harness: Harness, name: str, first: str, second: str
) -> None:
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
    sent = [(k, v) for k, v in headers.items() if k != name.lower()] + [(name, first), (name, second)]
    before = len(harness.sent("stackone-sandbox"))
    response = await harness.client.get("/unified/ats/jobs", headers=sent)
    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid_header"
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [(name, "header.repeated")]
    assert len(harness.sent("stackone-sandbox")) == before
    meta = await harness.client.get("/unified/ats/meta", headers=sent)
    assert (meta.status_code, meta.json()["code"]) == (400, "invalid_header")


async def test_two_idempotency_keys_are_refused_and_neither_is_taken(harness: Harness) -> None:
    body = {"title": "Twice keyed", "code": "dup-key-1"}
    twice = [*AUTH, ("idempotency-key", "key-a"), ("idempotency-key", "key-b")]
    refused = await harness.client.post("/unified/ats/jobs", json=body, headers=twice)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["Idempotency-Key"]
    assert not [s for s in harness.sent("stackone-sandbox") if s[0] == "POST"]
    for key in ("key-a", "key-b"):  # neither key was claimed
        response = await harness.call("POST", "/unified/ats/jobs", json=body, headers={"Idempotency-Key": key})
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers


async def test_two_request_ids_are_neither_echoed(harness: Harness) -> None:
    """A correlation id sent twice is no one id: the request gets its own, as for one that is not sane."""
    twice = [*AUTH, ("x-request-id", "trace-a"), ("x-request-id", "trace-b")]
    response = await harness.client.get("/unified/ats/jobs", headers=twice)
    assert response.status_code == 200
    assert response.headers["x-request-id"] not in ("trace-a", "trace-b")
    once = await harness.call("GET", "/unified/ats/jobs", headers={"x-request-id": "trace-a"})
    assert once.headers["x-request-id"] == "trace-a"
