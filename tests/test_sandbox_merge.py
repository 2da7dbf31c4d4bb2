"""The Merge sandbox answers as Merge documents it (../shared/vendor/merge/ats.openapi.json, reference §2): auth,
every endpoint the connector uses, paging, filters, writes with their warnings and problems, `/meta`, rate limits,
idempotency and the files it serves. Well-formed requests go through `RecordingTransport`, so each is also checked
against Merge's own document; answers are checked against its response schemas."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from gateway import cli
from gateway.config import GatewayConfig, ResolvedConfig
from gateway.sandboxes import wire
from sandbox import merge, merge_idempotency, merge_reads
from sandbox.common import stable_id
from sandbox.merge_seed import JOBS, STAGES
from tests.contract import RecordingTransport, VendorContract, check, contract

KEY, GH, GEN = "merge-key", "gh-token", "generic-token"
BASE = "http://merge.test"
API = "/api/ats/v1"
MARIE, NIKOLA = "marie.curie@example.com", "nikola.tesla@example.com"
PAGES = {
    "activities": "PaginatedActivityList",
    "applications": "PaginatedApplicationList",
    "attachments": "PaginatedAttachmentList",
    "candidates": "PaginatedCandidateList",
    "interviews": "PaginatedScheduledInterviewList",
    "job-interview-stages": "PaginatedJobInterviewStageList",
    "reject-reasons": "PaginatedRejectReasonList",
    "offers": "PaginatedOfferList",
    "scorecards": "PaginatedScorecardList",
    "job-postings": "PaginatedJobPostingList",
    "users": "PaginatedRemoteUserList",
    "departments": "PaginatedDepartmentList",
    "offices": "PaginatedOfficeList",
    "jobs": "PaginatedJobList",
}


def sid(token: str, *parts: str) -> str:
    return stable_id(token, *parts)


def auth(token: str = GH) -> dict[str, str]:
    return {"authorization": f"Bearer {KEY}", "x-account-token": token}


def conforms(name: str, body: Any) -> None:
    errors = contract("merge").component_errors(name, body)
    assert not errors, f"{name}: " + "; ".join(errors[:5])


def make(**options: Any) -> merge.MergeSandbox:
    return merge.MergeSandbox(api_key=KEY, accounts={GH: "greenhouse", GEN: "generic"}, base_url=BASE, **options)


class _Documented(httpx.AsyncBaseTransport):
    """Merge's API requests checked against Merge's document; the sandbox's controls and files passed through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.checked = RecordingTransport("merge", inner)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        api = request.url.path.startswith(API)
        return await (self.checked if api else self.inner).handle_async_request(request)


def documented(sandbox: merge.MergeSandbox) -> httpx.AsyncClient:
    """A client whose every API request is checked against Merge's document before the sandbox sees it."""
    return httpx.AsyncClient(transport=_Documented(httpx.ASGITransport(app=merge.create_app(sandbox))), base_url=BASE)


def raw(sandbox: merge.MergeSandbox) -> httpx.AsyncClient:
    """A client that sends anything, for what Merge answers to requests its document does not allow."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=merge.create_app(sandbox)), base_url=BASE)


@pytest.fixture
def sandbox() -> merge.MergeSandbox:
    return make()


@pytest.fixture
async def client(sandbox: merge.MergeSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with documented(sandbox) as c:
        yield c


@pytest.fixture
async def loose(sandbox: merge.MergeSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with raw(sandbox) as c:
        yield c


def candidate_body(**model: Any) -> dict[str, Any]:
    return {"model": {"first_name": "Ada", "last_name": "Byron", **model}, "remote_user_id": sid(GH, "user", ADA)}


ADA = "ada.lovelace@example.com"
GRACE = "grace.hopper@example.com"


def kinds(problems: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(p["problem_type"], (p.get("source") or {}).get("pointer")) for p in problems]


# --- auth -----------------------------------------------------------------------------------------------------------


async def test_credentials_are_checked_on_every_call(loose: httpx.AsyncClient) -> None:
    missing_key = await loose.get(f"{API}/candidates", headers={"x-account-token": GH})
    assert (missing_key.status_code, missing_key.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
    assert missing_key.headers["www-authenticate"] == "Bearer"
    wrong_key = await loose.get(f"{API}/candidates", headers={"authorization": "Bearer nope", "x-account-token": GH})
    assert (wrong_key.status_code, wrong_key.json()) == (401, {"detail": "Invalid token."})
    basic = await loose.get(f"{API}/candidates", headers={"authorization": f"Basic {KEY}", "x-account-token": GH})
    assert basic.status_code == 401
    no_account = await loose.get(f"{API}/candidates", headers={"authorization": f"Bearer {KEY}"})
    assert (no_account.status_code, no_account.json()) == (401, {"detail": "The X-Account-Token header is required."})
    other = await loose.get(f"{API}/jobs", headers=auth("someone-elses"))
    assert (other.status_code, other.json()) == (401, {"detail": "Invalid X-Account-Token."})


async def test_each_linked_account_is_its_own_tenant(client: httpx.AsyncClient) -> None:
    mine = (await client.get(f"{API}/candidates", headers=auth(GH))).json()["results"]
    theirs = (await client.get(f"{API}/candidates", headers=auth(GEN))).json()["results"]
    assert {c["id"] for c in mine}.isdisjoint({c["id"] for c in theirs})
    assert (await client.get(f"{API}/candidates/{mine[0]['id']}", headers=auth(GEN))).status_code == 404


# --- reads ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(PAGES))
async def test_every_list_and_retrieve_answers_merge_schemas(client: httpx.AsyncClient, kind: str) -> None:
    listed = await client.get(f"{API}/{kind}", headers=auth())
    assert listed.status_code == 200
    conforms(PAGES[kind], listed.json())
    results = listed.json()["results"]
    assert results, f"{kind} is seeded"
    one = await client.get(f"{API}/{kind}/{results[0]['id']}", headers=auth())
    assert one.json() == results[0]
    conforms(PAGES[kind].removeprefix("Paginated").removesuffix("List"), one.json())


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_list_reads_exactly_the_parameters_merge_documents(kind: str) -> None:
    operation = contract("merge").document["paths"][f"/{kind}"]["get"]
    documented = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
    resource = merge_reads.RESOURCES[kind]
    assert set(documented) - set(merge_reads.COMMON_PARAMETERS) == set(resource.filters)

    def listed(name: str) -> set[str]:
        choices = documented.get(name, {}).get("anyOf", [documented.get(name, {})])[0].get("enum", [])
        return {n for choice in choices for n in choice.split(",")}

    unexpanded = {"screening_question_answers", "screening_question_answers.question"}
    assert listed("expand") - unexpanded == set(resource.expands)
    assert listed("show_enum_origins") == listed("remote_fields") == set(resource.enums)


async def test_unknown_ids_and_routes_are_404_and_jobs_are_read_only(loose: httpx.AsyncClient) -> None:
    for path in (f"{API}/jobs/not-a-uuid", f"{API}/jobs/{sid(GH, 'job', 'nope')}", f"{API}/tags-and-more"):
        answer = await loose.get(path, headers=auth())
        assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."})
    job = sid(GH, "job", JOBS[0][0])
    for method, path in (("POST", f"{API}/jobs"), ("PATCH", f"{API}/jobs/{job}")):
        answer = await loose.request(method, path, headers=auth(), json={"model": {"name": "x"}})
        assert (answer.status_code, answer.json()) == (405, {"detail": f'Method "{method}" not allowed.'})


async def test_seed_ids_are_stable_and_the_seed_is_complete(client: httpx.AsyncClient) -> None:
    again = make()
    assert again.tenants[GH]["candidates"].records.keys() == make().tenants[GH]["candidates"].records.keys()
    marie = (await client.get(f"{API}/candidates/{sid(GH, 'candidate', MARIE)}", headers=auth())).json()
    assert [(e["value"], e["email_address_type"]) for e in marie["email_addresses"]] == [
        (MARIE, "PERSONAL"),
        ("m.curie@sorbonne.example.com", "WORK"),
    ]
    assert [p["phone_number_type"] for p in marie["phone_numbers"]] == ["MOBILE"]
    assert [u["url_type"] for u in marie["urls"]] == ["SOCIAL_MEDIA", "PORTFOLIO"]
    assert marie["applications"] == [sid(GH, "application", MARIE, JOBS[0][0])]
    assert marie["attachments"] == [sid(GH, "attachment", MARIE, "marie-curie-resume.pdf")]
    jobs = (await client.get(f"{API}/jobs", headers=auth())).json()["results"]
    assert sorted(j["status"] for j in jobs) == ["CLOSED", "OPEN", "OPEN"]
    for name, *_ in JOBS:
        stages = await client.get(
            f"{API}/job-interview-stages", params={"job_id": sid(GH, "job", name)}, headers=auth()
        )
        assert [(s["name"], s["stage_order"]) for s in stages.json()["results"]] == [
            (s, i) for i, s in enumerate(STAGES)
        ]
    application = (await client.get(f"{API}/applications/{marie['applications'][0]}", headers=auth())).json()
    assert application["current_stage"] == sid(GH, "stage", JOBS[0][0], "Onsite")
    assert application["offers"] == [sid(GH, "offer", MARIE, JOBS[0][0])]
    rejected = (
        await client.get(f"{API}/applications/{sid(GH, 'application', NIKOLA, JOBS[2][0])}", headers=auth())
    ).json()
    assert rejected["reject_reason"] == sid(GH, "reject-reason", "Hired elsewhere")
    assert rejected["rejected_at"] is not None


async def test_a_page_walk_sees_every_record_once_forward_and_back() -> None:
    sandbox = make(seed_candidates=95)
    async with documented(sandbox) as client:
        seen: list[str] = []
        pages = []
        cursor = None
        while True:
            params = {"page_size": "30", **({"cursor": cursor} if cursor else {})}
            body = (await client.get(f"{API}/candidates", params=params, headers=auth())).json()
            pages.append(body)
            seen += [c["id"] for c in body["results"]]
            cursor = body["next"]
            if cursor is None:
                break
        assert [len(p["results"]) for p in pages] == [30, 30, 30, 7]
        assert len(seen) == len(set(seen)) == 97
        assert pages[0]["previous"] is None
        back = await client.get(
            f"{API}/candidates", params={"cursor": pages[3]["previous"], "page_size": "30"}, headers=auth()
        )
        assert back.json()["results"] == pages[2]["results"]
        # DRF's cursor, the form of Merge's documented example: base64 of `p=<created_at of the last record>`.
        assert base64.b64decode(pages[0]["next"]).decode().startswith("p=")


async def test_page_size_defaults_to_30_and_is_cut_at_100(loose: httpx.AsyncClient) -> None:
    sandbox = make(seed_candidates=120)
    async with raw(sandbox) as client:
        sizes = {}
        for asked in (None, "500", "0", "-3", "many"):
            params = {"page_size": asked} if asked else {}
            sizes[asked] = len((await client.get(f"{API}/candidates", params=params, headers=auth())).json()["results"])
        assert sizes == {None: 30, "500": 100, "0": 30, "-3": 30, "many": 30}
        for cursor in ("not base64!", base64.b64encode(b"p=yesterday").decode()):
            answer = await client.get(f"{API}/candidates", params={"cursor": cursor}, headers=auth())
            assert (answer.status_code, answer.json()) == (404, {"detail": "Invalid cursor"})


async def test_records_created_during_a_walk_come_at_its_end(client: httpx.AsyncClient) -> None:
    first = (await client.get(f"{API}/candidates", params={"page_size": "1"}, headers=auth())).json()
    created = await client.post(f"{API}/candidates", json=candidate_body(), headers=auth())
    rest = (
        await client.get(f"{API}/candidates", params={"cursor": first["next"], "page_size": "5"}, headers=auth())
    ).json()
    assert [c["id"] for c in rest["results"]][-1] == created.json()["model"]["id"]
    assert first["results"][0]["id"] not in [c["id"] for c in rest["results"]]


async def _ids(client: httpx.AsyncClient, kind: str, **params: str) -> list[str]:
    answer = await client.get(f"{API}/{kind}", params=params, headers=auth())
    assert answer.status_code == 200, answer.text
    return [r["id"] for r in answer.json()["results"]]


async def test_documented_filters_select_records(client: httpx.AsyncClient) -> None:
    marie, nikola = sid(GH, "candidate", MARIE), sid(GH, "candidate", NIKOLA)
    assert await _ids(client, "candidates", email_addresses=f"nobody@x.example, {MARIE.upper()}") == [marie]
    assert await _ids(client, "candidates", email_addresses="m.curie@sorbonne.example.com") == [marie]
    assert await _ids(client, "candidates", first_name="Nikola") == [nikola]
    assert await _ids(client, "candidates", last_name="Curie") == [marie]
    assert await _ids(client, "candidates", tags="chemistry,engineering") == [nikola]
    assert await _ids(client, "candidates", remote_id="6300001") == [marie]
    assert len(await _ids(client, "applications", candidate_id=nikola)) == 2
    engineer = sid(GH, "job", JOBS[0][0])
    assert await _ids(client, "applications", job_id=engineer) == [sid(GH, "application", MARIE, JOBS[0][0])]
    onsite = sid(GH, "stage", JOBS[0][0], "Onsite")
    assert await _ids(client, "applications", current_stage_id=onsite) == [sid(GH, "application", MARIE, JOBS[0][0])]
    reason = sid(GH, "reject-reason", "Hired elsewhere")
    assert await _ids(client, "applications", reject_reason_id=reason) == [sid(GH, "application", NIKOLA, JOBS[2][0])]
    assert await _ids(client, "applications", source="Referral") == [sid(GH, "application", NIKOLA, JOBS[1][0])]
    assert await _ids(client, "attachments", candidate_id=nikola) == [
        sid(GH, "attachment", NIKOLA, "nikola-tesla-cover-letter.txt")
    ]
    assert len(await _ids(client, "job-interview-stages", job_id=engineer)) == 4
    assert await _ids(client, "interviews", job_id=engineer) == [sid(GH, "interview", MARIE, JOBS[0][0], "Onsite")]
    assert await _ids(client, "offers", application_id=sid(GH, "application", MARIE, JOBS[0][0])) == [
        sid(GH, "offer", MARIE, JOBS[0][0])
    ]
    assert len(await _ids(client, "scorecards", interviewer_id=sid(GH, "user", "alan.turing@example.com"))) == 1
    assert await _ids(client, "activities", user_id=sid(GH, "user", ADA)) == []
    assert await _ids(client, "users", email=GRACE) == [sid(GH, "user", GRACE)]
    assert await _ids(client, "jobs", status="CLOSED") == [sid(GH, "job", JOBS[2][0])]
    assert await _ids(client, "jobs", code="SAL-1") == [sid(GH, "job", JOBS[1][0])]
    assert await _ids(client, "jobs", offices=sid(GH, "office", "Remote")) == [sid(GH, "job", JOBS[2][0])]
    assert await _ids(client, "job-postings", status="CLOSED") == [sid(GH, "job-posting", JOBS[2][0])]
    assert await _ids(client, "candidates", created_after="2100-01-01T00:00:00Z") == []
    assert len(await _ids(client, "candidates", modified_before="2100-01-01T00:00:00Z")) == 2


async def test_unreadable_filters_are_400_and_undeclared_ones_ignored(loose: httpx.AsyncClient) -> None:
    bad_date = await loose.get(f"{API}/candidates", params={"created_after": "last tuesday"}, headers=auth())
    assert (bad_date.status_code, bad_date.json()) == (400, {"created_after": ["Enter a valid date/time."]})
    bad_status = await loose.get(f"{API}/jobs", params={"status": "open"}, headers=auth())
    assert bad_status.status_code == 400
    assert bad_status.json() == {"status": ["Select a valid choice. open is not one of the available choices."]}
    everything = await loose.get(f"{API}/jobs", headers=auth())
    ignored = await loose.get(f"{API}/jobs", params={"filter[name]": "x", "job_id": "y"}, headers=auth())
    assert ignored.json() == everything.json()


async def test_remote_data_deleted_records_expansion_and_enum_origins(
    client: httpx.AsyncClient, sandbox: merge.MergeSandbox
) -> None:
    marie = sid(GH, "candidate", MARIE)
    plain = (await client.get(f"{API}/candidates/{marie}", headers=auth())).json()
    assert plain["remote_data"] is None
    remote = (
        await client.get(f"{API}/candidates/{marie}", params={"include_remote_data": "true"}, headers=auth())
    ).json()
    assert remote["remote_data"] == [
        {"path": "/v1/candidates", "data": {"id": 6300001, "first_name": "Marie", "last_name": "Curie"}}
    ]

    expanded = await client.get(
        f"{API}/candidates/{marie}", params={"expand": "applications,attachments"}, headers=auth()
    )
    conforms("Candidate", {**expanded.json(), "applications": [], "attachments": []})
    assert expanded.json()["applications"][0]["job"] == sid(GH, "job", JOBS[0][0])
    assert expanded.json()["attachments"][0]["file_name"] == "marie-curie-resume.pdf"
    job = await client.get(
        f"{API}/applications/{plain['applications'][0]}", params={"expand": "candidate,job"}, headers=auth()
    )
    assert (job.json()["candidate"]["first_name"], job.json()["job"]["name"]) == ("Marie", JOBS[0][0])

    statuses = await client.get(f"{API}/jobs", params={"show_enum_origins": "status"}, headers=auth())
    assert sorted(j["status"] for j in statuses.json()["results"]) == ["closed", "open", "open"]
    deprecated = await client.get(f"{API}/jobs", params={"remote_fields": "status"}, headers=auth())
    assert deprecated.json() == statuses.json()

    record = sandbox.tenants[GH]["candidates"].records[marie]
    record["remote_was_deleted"] = True
    assert marie not in await _ids(client, "candidates")
    assert marie in await _ids(client, "candidates", include_deleted_data="true")


# --- writes ---------------------------------------------------------------------------------------------------------


async def _stats(client: httpx.AsyncClient) -> dict[str, int]:
    created: dict[str, int] = (await client.get("/_sandbox/stats")).json()["created"]
    return created


async def test_create_candidate_with_typed_contacts(client: httpx.AsyncClient) -> None:
    body = candidate_body(
        email_addresses=[{"value": "ada@example.com", "email_address_type": "WORK"}],
        phone_numbers=[{"value": "+44 20 7946 0000", "phone_number_type": "HOME"}],
        urls=[{"value": "https://github.com/ada", "url_type": "SOCIAL_MEDIA"}],
        tags=["math"],
    )
    answer = await client.post(f"{API}/candidates", json=body, headers=auth())
    assert answer.status_code == 201
    conforms("CandidateResponse", answer.json())
    model = answer.json()["model"]
    assert (answer.json()["warnings"], answer.json()["errors"], "logs" in answer.json()) == ([], [], False)
    assert [(e["value"], e["email_address_type"]) for e in model["email_addresses"]] == [("ada@example.com", "WORK")]
    assert [p["phone_number_type"] for p in model["phone_numbers"]] == ["HOME"]
    assert [u["url_type"] for u in model["urls"]] == ["SOCIAL_MEDIA"]
    read = await client.get(f"{API}/candidates/{model['id']}", headers=auth())
    assert read.json() == model
    assert await _stats(client) == {"candidates": 1}


async def test_writes_need_the_model_wrapper_and_a_known_remote_user(loose: httpx.AsyncClient) -> None:
    no_user = await loose.post(
        f"{API}/candidates", json={"model": {"first_name": "A", "last_name": "B"}}, headers=auth()
    )
    assert no_user.status_code == 400
    assert kinds(no_user.json()["errors"]) == [("MISSING_REQUIRED_FIELD", "/remote_user_id")]
    conforms("ErrorValidationProblem", no_user.json()["errors"][0])
    unwrapped = await loose.post(f"{API}/candidates", json={"first_name": "A", "remote_user_id": "x"}, headers=auth())
    assert ("MISSING_REQUIRED_FIELD", "/model") in kinds(unwrapped.json()["errors"])
    assert ("UNSUPPORTED_FIELD", "/first_name") in kinds(unwrapped.json()["warnings"])
    stranger = await loose.post(
        f"{API}/candidates", json={**candidate_body(), "remote_user_id": "nobody"}, headers=auth()
    )
    assert kinds(stranger.json()["errors"]) == [("ERROR", "/remote_user_id")]
    assert (await loose.get("/_sandbox/stats")).json()["created"] == {}


async def test_values_are_checked_against_merge_types_and_enums(loose: httpx.AsyncClient) -> None:
    choice = await loose.post(
        f"{API}/candidates",
        json=candidate_body(email_addresses=[{"value": "a@example.com", "email_address_type": "HOME"}]),
        headers=auth(GEN),
    )
    assert kinds(choice.json()["errors"]) == [("INVALID_FIELD_CHOICE", "/model/email_addresses/0/email_address_type")]
    wrong = await loose.post(
        f"{API}/candidates",
        json=candidate_body(tags="math", email_addresses=[{"value": "not an address"}]),
        headers=auth(GEN),
    )
    assert sorted(kinds(wrong.json()["errors"])) == [
        ("INCORRECT_FIELD_TYPE", "/model/email_addresses/0/value"),
        ("INCORRECT_FIELD_TYPE", "/model/tags"),
    ]
    converted = await loose.post(
        f"{API}/candidates",
        json={**candidate_body(is_private="true"), "remote_user_id": sid(GEN, "user", ADA)},
        headers=auth(GEN),
    )
    assert converted.status_code == 201
    assert kinds(converted.json()["warnings"]) == [("INCORRECT_FIELD_TYPE", "/model/is_private")]
    assert converted.json()["model"]["is_private"] is True


async def test_fields_merge_or_the_ats_cannot_take_are_dropped_with_a_warning(loose: httpx.AsyncClient) -> None:
    user = sid(GEN, "user", ADA)
    generic = await loose.post(
        f"{API}/candidates",
        json={"model": {"first_name": "A", "stage": "Onsite"}, "remote_user_id": user, "job_id": "j"},
        headers=auth(GEN),
    )
    assert generic.status_code == 201
    assert kinds(generic.json()["warnings"]) == [
        ("UNSUPPORTED_FIELD", "/model/stage"),
        ("UNSUPPORTED_FIELD", "/job_id"),
    ]
    assert generic.json()["warnings"][0]["detail"] == (
        "This request contained a field that is not supported in Candidate POST Requests to Generic: stage"
    )
    greenhouse = await loose.post(f"{API}/candidates", json=candidate_body(can_email=True), headers=auth(GH))
    assert greenhouse.status_code == 201
    assert greenhouse.json()["warnings"] == [
        {
            "title": "Unsupported Field",
            "detail": (
                "This request contained a field that is not supported in Candidate POST Requests to Greenhouse: "
                "can_email"
            ),
            "problem_type": "UNSUPPORTED_FIELD",
            "source": {"pointer": "/model/can_email"},
        }
    ]
    assert greenhouse.json()["model"]["can_email"] is None


async def test_greenhouse_requires_more_and_meta_post_says_so(client: httpx.AsyncClient) -> None:
    nameless = {"model": {"first_name": "Ada"}, "remote_user_id": sid(GH, "user", ADA)}
    refused = await client.post(f"{API}/candidates", json=nameless, headers=auth(GH))
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "title": "Missing Required Field",
            "detail": "last_name is a required field on model.",
            "problem_type": "MISSING_REQUIRED_FIELD",
            "source": {"pointer": "/model/last_name"},
        }
    ]
    accepted = await client.post(
        f"{API}/candidates", json={**nameless, "remote_user_id": sid(GEN, "user", ADA)}, headers=auth(GEN)
    )
    assert accepted.status_code == 201
    gh = (await client.get(f"{API}/candidates/meta/post", headers=auth(GH))).json()
    conforms("MetaResponse", gh)
    model = gh["request_schema"]["properties"]["model"]
    assert model["required"] == ["first_name", "last_name"]
    assert "can_email" not in model["properties"]
    assert model["properties"]["email_addresses"]["items"]["properties"]["email_address_type"]["enum"] == [
        "PERSONAL",
        "WORK",
        "OTHER",
    ]
    assert gh["request_schema"]["required"] == ["model", "remote_user_id"]
    assert gh["status"] == {"linked_account_status": "COMPLETE", "can_make_request": True}
    generic = (await client.get(f"{API}/candidates/meta/post", headers=auth(GEN))).json()
    assert generic["request_schema"]["properties"]["model"]["required"] == []
    assert "can_email" in generic["request_schema"]["properties"]["model"]["properties"]


def complete(token: str) -> dict[str, dict[str, Any]]:
    """For each write, a model with every field any ATS here requires (and valid ids)."""
    marie = sid(token, "candidate", MARIE)
    return {
        "candidates": {"first_name": "Ada", "last_name": "Byron"},
        "applications": {"candidate": marie, "job": sid(token, "job", JOBS[1][0])},
        "attachments": {
            "candidate": marie,
            "file_name": "cv.pdf",
            "file_url": "https://files.example.com/cv.pdf",
            "attachment_type": "RESUME",
        },
        "activities": {"candidate": marie, "user": sid(token, "user", GRACE), "body": "Hi", "visibility": "PUBLIC"},
        "interviews": {
            "application": sid(token, "application", MARIE, JOBS[0][0]),
            "interviewers": [sid(token, "user", ADA)],
            "start_at": "2030-02-01T10:00:00Z",
            "end_at": "2030-02-01T11:00:00Z",
        },
    }


@pytest.mark.parametrize("token", [GH, GEN])
@pytest.mark.parametrize("kind", ["candidates", "applications", "attachments", "activities", "interviews"])
async def test_meta_post_declares_exactly_what_the_write_enforces(
    client: httpx.AsyncClient, kind: str, token: str
) -> None:
    meta = (await client.get(f"{API}/{kind}/meta/post", headers=auth(token))).json()
    conforms("MetaResponse", meta)
    required = meta["request_schema"]["properties"]["model"]["required"]
    model = complete(token)[kind]
    user = sid(token, "user", ADA)
    for name in required:
        without = {k: v for k, v in model.items() if k != name}
        refused = await client.post(
            f"{API}/{kind}", json={"model": without, "remote_user_id": user}, headers=auth(token)
        )
        assert kinds(refused.json()["errors"]) == [("MISSING_REQUIRED_FIELD", f"/model/{name}")]
    minimal = {k: v for k, v in model.items() if k in required}
    made = await client.post(f"{API}/{kind}", json={"model": minimal, "remote_user_id": user}, headers=auth(token))
    assert made.status_code == 201, made.text
    assert made.json()["warnings"] == []


async def test_patch_candidate(client: httpx.AsyncClient, loose: httpx.AsyncClient) -> None:
    marie = sid(GH, "candidate", MARIE)
    before = (await client.get(f"{API}/candidates/{marie}", headers=auth())).json()
    body = {
        "model": {
            "title": "Nobel laureate",
            "email_addresses": [{"value": "marie@nobel.example.org", "email_address_type": "WORK"}],
        },
        "remote_user_id": sid(GH, "user", GRACE),
    }
    answer = await client.patch(f"{API}/candidates/{marie}", json=body, headers=auth())
    assert answer.status_code == 200
    conforms("CandidateResponse", answer.json())
    model = answer.json()["model"]
    assert (model["title"], model["first_name"], model["company"]) == ("Nobel laureate", "Marie", "Sorbonne")
    assert [e["value"] for e in model["email_addresses"]] == ["marie@nobel.example.org"]
    assert model["modified_at"] > before["modified_at"]
    assert model["created_at"] == before["created_at"]
    files = await client.patch(
        f"{API}/candidates/{marie}",
        json={"model": {"applications": []}, "remote_user_id": sid(GH, "user", GRACE)},
        headers=auth(),
    )
    assert kinds(files.json()["warnings"]) == [("UNSUPPORTED_FIELD", "/model/applications")]
    assert files.json()["model"]["applications"] == before["applications"]
    missing = await loose.patch(f"{API}/candidates/{sid(GH, 'candidate', 'nobody')}", json=body, headers=auth())
    assert missing.status_code == 404
    meta = await client.get(f"{API}/candidates/meta/patch/{marie}", headers=auth())
    assert meta.json()["request_schema"]["properties"]["model"]["required"] == []
    assert "applications" not in meta.json()["request_schema"]["properties"]["model"]["properties"]
    assert (await loose.get(f"{API}/candidates/meta/patch/{sid(GH, 'job', 'x')}", headers=auth())).status_code == 404
    assert await _stats(client) == {}


async def test_new_application_starts_at_the_first_stage_and_change_stage_moves_it(
    client: httpx.AsyncClient, loose: httpx.AsyncClient
) -> None:
    nikola, engineer = sid(GH, "candidate", NIKOLA), JOBS[0][0]
    body = {"model": {"candidate": nikola, "job": sid(GH, "job", engineer)}, "remote_user_id": sid(GH, "user", GRACE)}
    created = await client.post(f"{API}/applications", json=body, headers=auth())
    assert created.status_code == 201
    conforms("ApplicationResponse", created.json())
    application = created.json()["model"]
    assert application["current_stage"] == sid(GH, "stage", engineer, STAGES[0])
    owner = (await client.get(f"{API}/candidates/{nikola}", headers=auth())).json()
    assert owner["applications"][-1] == application["id"]

    move = {"job_interview_stage": sid(GH, "stage", engineer, STAGES[1]), "remote_user_id": sid(GH, "user", GRACE)}
    moved = await client.post(f"{API}/applications/{application['id']}/change-stage", json=move, headers=auth())
    assert moved.status_code == 201
    conforms("ApplicationResponse", moved.json())
    assert moved.json()["model"]["current_stage"] == move["job_interview_stage"]

    elsewhere = {**move, "job_interview_stage": sid(GH, "stage", JOBS[1][0], STAGES[1])}
    refused = await client.post(f"{API}/applications/{application['id']}/change-stage", json=elsewhere, headers=auth())
    assert kinds(refused.json()["errors"]) == [("ERROR", "/job_interview_stage")]
    anonymous = {"job_interview_stage": move["job_interview_stage"]}
    greenhouse = await client.post(
        f"{API}/applications/{application['id']}/change-stage", json=anonymous, headers=auth()
    )
    assert kinds(greenhouse.json()["errors"]) == [("MISSING_REQUIRED_FIELD", "/remote_user_id")]
    generic_app = sid(GEN, "application", NIKOLA, JOBS[1][0])
    generic = {"job_interview_stage": sid(GEN, "stage", JOBS[1][0], "Onsite")}
    assert (
        await client.post(f"{API}/applications/{generic_app}/change-stage", json=generic, headers=auth(GEN))
    ).status_code == 201
    nothing = await loose.post(f"{API}/applications/{generic_app}/change-stage", headers=auth(GEN))
    assert kinds(nothing.json()["errors"]) == [("MISSING_REQUIRED_FIELD", "/job_interview_stage")]
    null_user = {**generic, "remote_user_id": None}
    refused = await loose.post(f"{API}/applications/{generic_app}/change-stage", json=null_user, headers=auth(GEN))
    assert kinds(refused.json()["errors"]) == [("INCORRECT_FIELD_TYPE", "/remote_user_id")]

    rejected = sid(GH, "application", NIKOLA, JOBS[2][0])
    again = {**move, "job_interview_stage": sid(GH, "stage", JOBS[2][0], "Onsite")}
    stuck = await client.post(f"{API}/applications/{rejected}/change-stage", json=again, headers=auth())
    assert stuck.status_code == 400
    assert "rejected" in stuck.json()["errors"][0]["detail"]


async def test_references_must_name_records_of_the_account(client: httpx.AsyncClient) -> None:
    user = sid(GH, "user", GRACE)
    wrong_stage = {
        "model": {
            "candidate": sid(GH, "candidate", NIKOLA),
            "job": sid(GH, "job", JOBS[0][0]),
            "current_stage": sid(GH, "stage", JOBS[1][0], STAGES[0]),
        },
        "remote_user_id": user,
    }
    answer = await client.post(f"{API}/applications", json=wrong_stage, headers=auth())
    assert kinds(answer.json()["errors"]) == [("ERROR", "/model/current_stage")]
    other_account = {
        "model": {"candidate": sid(GEN, "candidate", NIKOLA), "job": sid(GH, "job", JOBS[0][0])},
        "remote_user_id": user,
    }
    answer = await client.post(f"{API}/applications", json=other_account, headers=auth())
    assert kinds(answer.json()["errors"]) == [("ERROR", "/model/candidate")]
    interviewers = {**complete(GH)["interviews"], "interviewers": [user, sid(GH, "user", "nobody")]}
    answer = await client.post(
        f"{API}/interviews", json={"model": interviewers, "remote_user_id": user}, headers=auth()
    )
    assert kinds(answer.json()["errors"]) == [("ERROR", "/model/interviewers/1")]


async def test_attachments_activities_and_interviews_are_created(client: httpx.AsyncClient) -> None:
    user = sid(GH, "user", GRACE)
    body = complete(GH)
    for kind, schema in (
        ("attachments", "AttachmentResponse"),
        ("activities", "ActivityResponse"),
        ("interviews", "ScheduledInterviewResponse"),
    ):
        answer = await client.post(f"{API}/{kind}", json={"model": body[kind], "remote_user_id": user}, headers=auth())
        assert answer.status_code == 201, answer.text
        conforms(schema, answer.json())
    marie = (await client.get(f"{API}/candidates/{sid(GH, 'candidate', MARIE)}", headers=auth())).json()
    attachments = await _ids(client, "attachments", candidate_id=marie["id"])
    assert marie["attachments"] == attachments
    assert len(attachments) == 2
    interview = await client.post(
        f"{API}/interviews",
        json={"model": {**body["interviews"], "status": "COMPLETE"}, "remote_user_id": user},
        headers=auth(),
    )
    assert kinds(interview.json()["warnings"]) == [("UNSUPPORTED_FIELD", "/model/status")]
    assert interview.json()["model"]["status"] == "SCHEDULED"
    assert await _stats(client) == {"attachments": 1, "activities": 1, "interviews": 2}


async def test_debug_mode_adds_the_log_of_the_ats_call(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        f"{API}/candidates",
        params={"is_debug_mode": "true", "run_async": "false"},
        json=candidate_body(),
        headers=auth(),
    )
    conforms("CandidateResponse", answer.json())
    [log] = answer.json()["logs"]
    assert log["log_summary"] == {
        "url": "https://harvest.greenhouse.io/v1/candidates",
        "method": "POST",
        "status_code": 201,
    }
    assert log["dashboard_view"].endswith(log["log_id"])


async def test_bodies_that_are_not_json_objects(loose: httpx.AsyncClient) -> None:
    broken = await loose.post(f"{API}/candidates", content=b"{", headers={**auth(), "content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["detail"].startswith("JSON parse error - ")
    text = await loose.post(
        f"{API}/candidates", content=b"first_name=A", headers={**auth(), "content-type": "text/plain"}
    )
    assert (text.status_code, text.json()) == (415, {"detail": 'Unsupported media type "text/plain" in request.'})
    listed = await loose.post(f"{API}/candidates", json=[candidate_body()], headers=auth())
    assert kinds(listed.json()["errors"]) == [("INCORRECT_FIELD_TYPE", "")]


# --- files, limits, idempotency, faults -----------------------------------------------------------------------------


async def test_seeded_files_are_served_byte_for_byte(client: httpx.AsyncClient, sandbox: merge.MergeSandbox) -> None:
    for attachment in (await client.get(f"{API}/attachments", headers=auth())).json()["results"]:
        assert attachment["file_url"] == f"{BASE}/files/{attachment['id']}/{attachment['file_name']}"
        served = await client.get(attachment["file_url"])
        stored = sandbox.files[attachment["id"]]
        assert served.status_code == 200
        assert served.content == stored.content
        assert served.headers["content-type"].startswith(stored.content_type)
    resume = sandbox.files[sid(GH, "attachment", MARIE, "marie-curie-resume.pdf")].content
    assert resume.startswith(b"%PDF-1.4")
    assert resume.endswith(b"%%EOF\n")
    assert (
        await client.get(f"{BASE}/files/{sid(GH, 'attachment', MARIE, 'marie-curie-resume.pdf')}/other.pdf")
    ).status_code == 404


async def test_rate_limit_is_per_linked_account() -> None:
    async with raw(make(requests_per_minute=3)) as client:
        answers = [await client.get(f"{API}/departments", headers=auth(GH)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        limited = answers[3]
        wait = int(limited.headers["retry-after"])
        assert 1 <= wait <= 60
        assert limited.json() == {"detail": f"Request was throttled. Expected available in {wait} seconds."}
        assert (await client.get(f"{API}/departments", headers=auth(GEN))).status_code == 200
        assert (await client.get(f"{API}/candidates/meta/post", headers=auth(GH))).status_code == 429
    assert merge.PLANS == {"launch": 100, "professional": 400, "enterprise": 600}
    assert make().quota.limit == merge.RATE_LIMIT_PER_MINUTE == 100


async def test_idempotency_key_replays_the_answer_and_refuses_another_request(client: httpx.AsyncClient) -> None:
    keyed = {**auth(), "idempotency-key": "9f0c5c1e-1111-4d1e-9c1a-000000000001"}
    first = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
    again = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert await _stats(client) == {"candidates": 1}
    other = await client.post(f"{API}/candidates", json=candidate_body(title="CTO"), headers=keyed)
    assert other.status_code == 400
    assert kinds(other.json()["errors"]) == [("ERROR", None)]
    debug = await client.post(
        f"{API}/candidates", params={"is_debug_mode": "true"}, json=candidate_body(), headers=keyed
    )
    assert debug.status_code == 400, "the URL is part of the request"
    elsewhere = await client.post(
        f"{API}/candidates",
        json={**candidate_body(), "remote_user_id": sid(GEN, "user", ADA)},
        headers={**keyed, **auth(GEN)} | {"idempotency-key": keyed["idempotency-key"]},
    )
    assert elsewhere.status_code == 201, "keys are per linked account"
    invalid = {"model": {"first_name": "A"}, "remote_user_id": sid(GH, "user", ADA)}
    refused = [
        await client.post(f"{API}/candidates", json=invalid, headers={**auth(), "idempotency-key": "k2"})
        for _ in range(2)
    ]
    assert [r.status_code for r in refused] == [400, 400]
    assert refused[0].content == refused[1].content
    marie = sid(GH, "candidate", MARIE)
    for title in ("A", "B"):  # Merge documents the key for POST only: a PATCH's is ignored
        patch = {"model": {"title": title}, "remote_user_id": sid(GH, "user", ADA)}
        assert (
            await client.patch(f"{API}/candidates/{marie}", json=patch, headers={**auth(), "idempotency-key": "k3"})
        ).json()["model"]["title"] == title


async def test_a_key_still_in_flight_waits_for_the_first_answer() -> None:
    app, handled, arrived, second_arrived = FastAPI(), [], [], asyncio.Event()

    @app.post("/slow", status_code=201)
    async def slow() -> dict[str, int]:
        handled.append(1)
        await second_arrived.wait()  # still running when the retry with the same key comes in
        return {"n": len(handled)}

    merge_idempotency.install(app, merge_idempotency.IdempotencyLog(), lambda _: "account")

    @app.middleware("http")
    async def arrivals(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        arrived.append(1)
        if len(arrived) == 2:
            second_arrived.set()
        return await call_next(request)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        keyed = {"idempotency-key": "twice-at-once"}
        first, second = await asyncio.gather(*(client.post("/slow", json={}, headers=keyed) for _ in range(2)))
    assert (first.status_code, first.json(), second.content) == (201, {"n": 1}, first.content)
    assert handled == [1]


async def test_a_lost_answer_is_replayed_to_the_retry_with_its_key(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_sandbox/faults", json={"method": "POST", "path": f"{API}/candidates", "status": 503, "after_handling": True}
    )
    keyed = {**auth(), "idempotency-key": "lost-answer"}
    lost = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
    assert (lost.status_code, lost.json()) == (503, {"detail": "Injected failure (503)"})
    retry = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
    assert retry.status_code == 201
    assert await _stats(client) == {"candidates": 1}
    assert retry.json()["model"]["id"] in await _ids(client, "candidates", last_name="Byron")


async def test_a_refused_request_leaves_its_key_unused() -> None:
    async with raw(make(requests_per_minute=1)) as client:
        keyed = {**auth(), "idempotency-key": "throttled"}
        await client.get(f"{API}/departments", headers=auth())
        assert (await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)).status_code == 429
    sandbox = make()
    async with raw(sandbox) as client:
        await client.post("/_sandbox/faults", json={"status": 503})
        keyed = {**auth(), "idempotency-key": "before"}
        assert (await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)).status_code == 503
        assert (await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)).status_code == 201


async def test_without_merges_idempotency_beta_a_key_changes_nothing() -> None:
    async with documented(make(idempotency=False)) as client:
        keyed = {**auth(), "idempotency-key": "same"}
        first = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
        second = await client.post(f"{API}/candidates", json=candidate_body(), headers=keyed)
        assert first.json()["model"]["id"] != second.json()["model"]["id"]
        assert await _stats(client) == {"candidates": 2}


async def test_faults_are_injected_and_requests_counted(client: httpx.AsyncClient) -> None:
    await client.post("/_sandbox/faults", json={"path": f"{API}/jobs", "status": 500})
    failed = await client.get(f"{API}/jobs", headers=auth())
    assert (failed.status_code, failed.json()) == (500, {"detail": "Injected failure (500)"})
    assert (await client.get(f"{API}/jobs", headers=auth())).status_code == 200
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["requests"][f"GET {API}/jobs"] == 2


# --- wiring ---------------------------------------------------------------------------------------------------------


def _merge_config() -> ResolvedConfig:
    config = GatewayConfig.model_validate(
        {
            "callers": [{"name": "t", "api_key_sha256": "a" * 64, "accounts": ["*"]}],
            "providers": {
                "merge-sandbox": {
                    "connector": "merge",
                    "base_url": "http://merge.sandbox.invalid/api",
                    "sandbox": "merge",
                }
            },
            "accounts": [
                {"id": "merge-greenhouse", "provider": "merge-sandbox", "ats": "greenhouse"},
                {"id": "merge-plain", "provider": "merge-sandbox"},
            ],
        }
    )
    return ResolvedConfig(config=config, secrets={}, caller_key_hashes={"t": "a" * 64})


async def test_a_merge_provider_is_served_in_process() -> None:
    wiring = wire(_merge_config())
    creds = wiring.credentials["merge-greenhouse"]
    assert set(creds) == {"api_key", "account_token"}
    assert creds["api_key"] == wiring.credentials["merge-plain"]["api_key"]
    assert creds["account_token"] != wiring.credentials["merge-plain"]["account_token"]
    headers = {"authorization": f"Bearer {creds['api_key']}", "x-account-token": creds["account_token"]}
    async with httpx.AsyncClient(
        transport=wiring.transports["merge-sandbox"], base_url="http://merge.sandbox.invalid"
    ) as client:
        marie = (
            await client.get(f"{API}/candidates/{stable_id('merge-greenhouse', 'candidate', MARIE)}", headers=headers)
        ).json()
        assert marie["first_name"] == "Marie"
        meta = (await client.get(f"{API}/candidates/meta/post", headers=headers)).json()
        assert meta["request_schema"]["properties"]["model"]["required"] == ["first_name", "last_name"]
        [resume] = (
            await client.get(f"{API}/attachments", params={"candidate_id": marie["id"]}, headers=headers)
        ).json()["results"]
        assert resume["file_url"].startswith("http://merge.sandbox.invalid/files/")
        assert (await client.get(resume["file_url"])).content.startswith(b"%PDF")


def test_gateway_sandbox_merge_reads_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    monkeypatch.setenv("MERGE_SANDBOX_API_KEY", "cli-key")
    monkeypatch.setenv("MERGE_SANDBOX_ACCOUNTS", "t1=greenhouse,t2=lever")
    monkeypatch.setenv("MERGE_SANDBOX_RATE_PER_MINUTE", "400")
    assert cli.main(["sandbox", "merge", "--port", "9013"]) == 0
    sandbox: merge.MergeSandbox = served["app"].state.sandbox
    assert (sandbox.api_key, sandbox.accounts, sandbox.quota.limit) == (
        "cli-key",
        {"t1": "greenhouse", "t2": "lever"},
        400,
    )
    assert sandbox.base_url == "http://127.0.0.1:9013"
    assert served["port"] == 9013


# --- reading Merge's OpenAPI 3.0.3 ----------------------------------------------------------------------------------


def test_openapi_30_is_read_as_merge_wrote_it() -> None:
    enum = {"type": "string", "enum": ["A", "B"]}
    document = {
        "openapi": "3.0.3",
        "servers": [{"url": "https://api.example.com/api/v1"}],
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}
                }
            }
        },
        "components": {
            "schemas": {
                "Kind": enum,
                "Thing": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "nullable": True},
                        "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": True},
                        "size": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
                        # 3.0.3: a `$ref`'s siblings are ignored, so this `nullable` does not widen Kind.
                        "strict_kind": {"$ref": "#/components/schemas/Kind", "nullable": True},
                    },
                },
            }
        },
    }
    open_contract, closed_contract = VendorContract(document), VendorContract(document, closed=True)
    assert open_contract.component_errors("Thing", {"name": None, "kind": None, "size": 1.5}) == []
    assert open_contract.component_errors("Thing", {"name": "x", "kind": "A", "size": 2, "extra": 1}) == []
    assert open_contract.component_errors("Thing", {"name": "x", "kind": "C"})
    assert open_contract.component_errors("Thing", {"name": "x", "strict_kind": None})
    assert open_contract.component_errors("Thing", {"kind": "A"})
    assert closed_contract.component_errors("Thing", {"name": "x", "extra": 1})
    assert closed_contract.check("POST", "/api/v1/things", {}, {}, {"name": "x"}) == "/api/v1/things"
    with pytest.raises(AssertionError, match="not an operation"):
        closed_contract.check("POST", "/things", {}, {}, {"name": "x"})


def test_merge_requests_are_checked_against_merges_document() -> None:
    headers = {"X-Account-Token": "t"}
    body = {
        "model": {"email_addresses": [{"value": "a@example.com", "email_address_type": None}]},
        "remote_user_id": "u",
    }
    assert check("merge", "POST", f"{API}/candidates", {"is_debug_mode": "true"}, headers, body) == f"{API}/candidates"
    with pytest.raises(AssertionError, match="remote_user_id"):
        check("merge", "POST", f"{API}/candidates", {}, headers, {"model": {}})
    with pytest.raises(AssertionError, match="HOME"):
        check(
            "merge",
            "POST",
            f"{API}/candidates",
            {},
            headers,
            {**body, "model": {"email_addresses": [{"email_address_type": "HOME"}]}},
        )
    with pytest.raises(AssertionError, match="stage"):
        check("merge", "POST", f"{API}/candidates", {}, headers, {**body, "model": {"stage": "Onsite"}})
    with pytest.raises(AssertionError, match="x-account-token"):
        check("merge", "GET", f"{API}/jobs", {}, {}, None)
    with pytest.raises(AssertionError, match="not an operation"):
        check("merge", "POST", f"{API}/jobs", {}, headers, {"model": {}, "remote_user_id": "u"})
    assert (
        check("merge", "GET", f"{API}/jobs", {"status": "CLOSED", "page_size": "100"}, headers, None) == f"{API}/jobs"
    )
    with pytest.raises(AssertionError, match="page"):
        check("merge", "GET", f"{API}/jobs", {"page": "2"}, headers, None)
    assert json.dumps(contract("merge").document).count('"nullable"') == 0
