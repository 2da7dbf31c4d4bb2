"""The gateway over Merge, with respx in Merge's place: Merge's problems, warnings and 429s translated, its
`/meta/post` cached for every replica and shown by `/unified/ats/meta`, the caller's key forwarded, the connector's
default quota, and file downloads fetched only from the provider's `download_hosts`."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import respx

from connectors.base import ProviderRequest
from connectors.registry import Registry
from gateway.app import create_app
from gateway.config import ResolvedConfig, parse_config, resolve
from gateway.state import StateStore
from gateway.upstream import HostNotAllowed, Upstream, refusal
from tests.conftest import basic
from tests.contract import check_httpx_request

MERGE = "https://api.merge.test"
API = f"{MERGE}/api/ats/v1"
FILES = "https://files.merge.test"
USER, CAND, APP, DOC = (str(uuid.uuid4()) for _ in range(4))
ENV = {"MERGE_API_KEY": "mk", "ACME_TOKEN": "acme-token"}


def config(**provider: Any) -> ResolvedConfig:
    raw = {
        "callers": [{"name": "c", "api_key_sha256": hashlib.sha256(b"k").hexdigest(), "accounts": ["*"]}],
        "providers": {
            "merge": {
                "connector": "merge",
                "base_url": MERGE,
                "credentials": {"api_key": {"env": "MERGE_API_KEY"}},
                "retries": {"attempts": 1},
                **provider,
            }
        },
        "accounts": [
            {
                "id": "acme",
                "provider": "merge",
                "ats": "greenhouse",
                "credentials": {"account_token": {"env": "ACME_TOKEN"}},
                "defaults": {"acting_user_id": USER},
            }
        ],
    }
    return resolve(parse_config(raw), Registry.discover(), environ=ENV)


@pytest.fixture
def merge() -> Iterator[respx.MockRouter]:
    """respx as Merge; every API request it saw is held to Merge's document."""
    with respx.mock(assert_all_called=False) as router:
        yield router
        for seen in router.calls:
            if seen.request.url.path.startswith("/api/ats/v1"):
                check_httpx_request("merge", seen.request)


@asynccontextmanager
async def gateway(resolved: ResolvedConfig, store: StateStore | None = None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(resolved, http_transport="httpx", store=store)
    headers = {"authorization": basic("k"), "x-account-id": "acme"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw", headers=headers) as c:
        yield c
    await app.state.gateway.aclose()


def meta(*required: str) -> dict[str, Any]:
    return {
        "request_schema": {
            "type": "object",
            "properties": {"model": {"type": "object", "properties": {}, "required": list(required)}},
            "required": ["model", "remote_user_id"],
        },
        "status": {"linked_account_status": "COMPLETE", "can_make_request": True},
        "has_conditional_params": False,
        "has_required_linked_account_params": False,
    }


def created(warnings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    model = {"id": CAND, "remote_id": "77", "first_name": "Ada", "last_name": "Lovelace"}
    return {"model": model, "warnings": warnings or [], "errors": []}


ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}


async def test_merges_problems_are_the_envelopes_field_errors(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/candidates/meta/post").respond(json=meta())
    problems = [
        {
            "title": "Missing Required Field",
            "detail": "last_name is required.",
            "problem_type": "MISSING_REQUIRED_FIELD",
            "source": {"pointer": "/model/last_name"},
        },
        {
            "title": "Incorrect Field Type",
            "detail": "Enter a valid email address.",
            "problem_type": "INCORRECT_FIELD_TYPE",
            "source": {"pointer": "/model/email_addresses/0/value"},
        },
    ]
    merge.post(f"{API}/candidates").respond(400, json={"warnings": [], "errors": problems})
    async with gateway(config()) as client:
        response = await client.post("/unified/ats/candidates", json=ADA)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "provider_validation_error"
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [
        ("last_name", "merge.missing_required_field"),
        ("email", "merge.incorrect_field_type"),
    ]
    assert "last_name is required." in body["message"]
    assert body["provider_errors"][0]["raw"]["errors"] == problems


async def test_merges_warnings_are_answered_as_unified_warnings(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/candidates/meta/post").respond(json=meta())
    said = {
        "title": "Unsupported Field",
        "detail": "not supported in Candidate POST Requests to Greenhouse: is_private",
        "problem_type": "UNSUPPORTED_FIELD",
        "source": {"pointer": "/model/is_private"},
    }
    merge.post(f"{API}/candidates").respond(201, json=created([said]))
    async with gateway(config()) as client:
        response = await client.post("/unified/ats/candidates", json={**ADA, "passthrough": {"is_private": True}})
    assert response.status_code == 201, response.text
    assert response.json()["data"] == {"id": CAND, "remote_id": "77"}
    assert response.json()["unified_warnings"] == [{"message": f"passthrough.is_private: {said['detail']}"}]


async def test_the_callers_key_reaches_merge_and_a_retry_is_replayed_by_the_gateway(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/candidates/meta/post").respond(json=meta())
    posted = merge.post(f"{API}/candidates").respond(201, json=created())
    async with gateway(config()) as client:
        first = await client.post("/unified/ats/candidates", json=ADA, headers={"idempotency-key": "create-ada-1"})
        again = await client.post("/unified/ats/candidates", json=ADA, headers={"idempotency-key": "create-ada-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert posted.call_count == 1
    assert posted.calls.last.request.headers["idempotency-key"] == "create-ada-1"


async def test_a_field_meta_post_requires_is_a_422_before_any_write(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/candidates/meta/post").respond(json=meta("first_name", "last_name", "remote_template_id"))
    posted = merge.post(f"{API}/candidates").respond(201, json=created())
    async with gateway(config()) as client:
        response = await client.post(
            "/unified/ats/candidates", json={"first_name": "Ada"}, headers={"idempotency-key": "k"}
        )
        retried = await client.post(
            "/unified/ats/candidates",
            json={**ADA, "passthrough": {"remote_template_id": "x"}},
            headers={"idempotency-key": "k2"},
        )
    assert response.status_code == 422
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
        ("last_name", "merge.account_requires"),
        ("passthrough.remote_template_id", "merge.account_requires"),
    ]
    assert retried.status_code == 201, retried.text
    assert posted.call_count == 1
    assert posted.calls.last.request.content.count(b"remote_template_id") == 1


async def test_meta_post_is_read_once_for_every_replica_and_meta_shows_it(
    merge: respx.MockRouter, store_factory: Callable[[], StateStore]
) -> None:
    read = merge.get(f"{API}/candidates/meta/post").respond(json=meta("first_name", "last_name", "remote_template_id"))
    for kind in ("applications", "attachments", "activities"):
        merge.get(f"{API}/{kind}/meta/post").respond(json=meta("candidate"))
    merge.post(f"{API}/candidates").respond(201, json=created())
    store = store_factory()
    body = {**ADA, "passthrough": {"remote_template_id": "x"}}
    async with gateway(config(), store) as a, gateway(config(), store) as b:
        assert (await a.post("/unified/ats/candidates", json=body)).status_code == 201
        assert (await b.post("/unified/ats/candidates", json=body)).status_code == 201
        described = (await b.get("/unified/ats/meta")).json()
    await store.aclose()
    assert read.call_count == 1
    schema = {op["operation"]: op for op in described["operations"]}["ats_create_candidate"]["schema"]
    # acting_user_id is not asked for: the account's defaults give it
    assert schema["required"] == ["first_name", "last_name", "passthrough"]
    assert schema["properties"]["passthrough"]["anyOf"][0]["required"] == ["remote_template_id"]


async def test_merges_429_cools_every_replica_down(
    merge: respx.MockRouter, store_factory: Callable[[], StateStore]
) -> None:
    throttled = merge.get(f"{API}/candidates").respond(
        429, json={"detail": "Request was throttled. Expected available in 30 seconds."}, headers={"Retry-After": "30"}
    )
    store = store_factory()
    async with gateway(config(), store) as a, gateway(config(), store) as b:
        first = await a.get("/unified/ats/candidates")
        second = await b.get("/unified/ats/candidates")
    await store.aclose()
    assert (first.status_code, first.json()["code"], first.headers["retry-after"]) == (
        429,
        "provider_rate_limited",
        "30",
    )
    assert "Expected available in 30 seconds" in first.json()["message"]
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) >= 29
    assert throttled.call_count == 1


def test_merges_quota_per_linked_account_is_the_default_and_a_plan_overrides_it() -> None:
    default = config().config.providers["merge"].quota
    assert default is not None
    assert (default.requests_per_minute, default.share) == (100, 0.8)
    professional = config(quota={"requests_per_minute": 400}).config.providers["merge"].quota
    assert professional is not None
    assert professional.requests_per_minute == 400


async def test_a_document_is_downloaded_byte_for_byte_from_an_allowed_host(merge: respx.MockRouter) -> None:
    content = bytes(range(256)) * 3
    merge.get(f"{API}/applications/{APP}").respond(json={"id": APP, "candidate": CAND})
    attachment = {"id": DOC, "candidate": CAND, "file_name": "cv.pdf", "file_url": f"{FILES}/signed/cv.pdf?sig=1"}
    merge.get(f"{API}/attachments/{DOC}").respond(json=attachment)
    fetched = merge.get(f"{FILES}/signed/cv.pdf").respond(content=content, headers={"content-type": "application/pdf"})
    async with gateway(config(download_hosts=["files.merge.test"])) as client:
        response = await client.get(f"/unified/ats/applications/{APP}/documents/{DOC}/download")
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="cv.pdf"' in response.headers["content-disposition"]
    sent = fetched.calls.last.request
    assert "authorization" not in sent.headers
    assert "x-account-token" not in sent.headers


async def test_a_file_the_host_no_longer_has_is_a_404_in_the_envelope(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/applications/{APP}").respond(json={"id": APP, "candidate": CAND})
    attachment = {"id": DOC, "candidate": CAND, "file_name": "cv.pdf", "file_url": f"{FILES}/expired/cv.pdf"}
    merge.get(f"{API}/attachments/{DOC}").respond(json=attachment)
    merge.get(f"{FILES}/expired/cv.pdf").respond(404, text="<Error><Code>NoSuchKey</Code></Error>")
    async with gateway(config(download_hosts=["files.merge.test"])) as client:
        response = await client.get(f"/unified/ats/applications/{APP}/documents/{DOC}/download")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert response.json()["provider_errors"][0]["raw"] == "<Error><Code>NoSuchKey</Code></Error>"


async def test_a_file_url_on_another_host_is_refused_and_nothing_is_fetched(merge: respx.MockRouter) -> None:
    merge.get(f"{API}/applications/{APP}").respond(json={"id": APP, "candidate": CAND})
    attachment = {"id": DOC, "candidate": CAND, "file_name": "x", "file_url": "http://169.254.169.254/latest/meta-data"}
    merge.get(f"{API}/attachments/{DOC}").respond(json=attachment)
    elsewhere = merge.get(url__startswith="http://169.254.169.254").respond(content=b"secret")
    async with gateway(config()) as client:
        response = await client.get(f"/unified/ats/applications/{APP}/documents/{DOC}/download")
    assert response.status_code == 502
    assert response.json()["code"] == "unexpected_provider_response"
    assert "169.254.169.254" in response.json()["message"]
    assert "download_hosts" in response.json()["message"]
    assert elsewhere.call_count == 0


@pytest.mark.parametrize(
    ("hosts", "url", "allowed"),
    [
        (None, f"{MERGE}/files/cv.pdf", True),
        (None, f"{FILES}/cv.pdf", False),
        (["files.merge.test"], f"{FILES}/cv.pdf", True),
        (["*.merge.test"], f"{FILES}/cv.pdf", True),
        (["*.merge.test"], "https://merge.test/cv.pdf", False),
        (["*.merge.test"], "https://files.merge.test.evil.example/cv.pdf", False),
        (["files.merge.test"], "https://FILES.merge.test/cv.pdf", True),
    ],
)
def test_download_hosts_name_exactly_where_files_may_come_from(
    hosts: list[str] | None, url: str, allowed: bool
) -> None:
    provider = config(download_hosts=hosts).config.providers["merge"]
    assert (refusal(provider, ProviderRequest("GET", url, {})) is None) is allowed
    assert refusal(provider, ProviderRequest("GET", "/api/ats/v1/candidates", {})) is None


async def test_upstream_itself_never_fetches_from_a_host_outside_download_hosts(merge: respx.MockRouter) -> None:
    elsewhere = merge.get(url__startswith="https://elsewhere.example").respond(content=b"x")
    upstream = Upstream(config().config.providers, kind="httpx")
    with pytest.raises(HostNotAllowed):
        await upstream.send("merge", ProviderRequest("GET", "https://elsewhere.example/f", {}, binary=True))
    await upstream.aclose()
    assert elsewhere.call_count == 0
