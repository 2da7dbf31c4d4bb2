"""The Bindbee sandbox against the documents it emulates: every operation of the excerpt, the seed, the attachment
files, and the Greenhouse Harvest calls behind the passthrough, each with its success and its documented refusals.

Requests expected to be valid go through `RecordingTransport`, so each is also held to the excerpt (and, inside
the passthrough, to tests/contract.py's Harvest facts): what the sandbox accepts is what the documents allow.
Requests meant to be refused go through an unchecked client.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from sandbox.bindbee import BindbeeSandbox, create_app
from sandbox.bindbee import harvest as emulator
from sandbox.bindbee.harvest_protocol import Kind
from sandbox.bindbee.resources import RESOURCES
from sandbox.common import stable_id
from tests.contract import HARVEST_CALLS, RecordingTransport, contract

KEY, GH, GEN = "bb-key", "gh-token", "generic-token"
BASE_URL = "http://bindbee.sandbox.test"
ADA, GRACE, ALAN = 4000301, 4000302, 4000303
MARIE, NIKOLA = 4100001, 4100002
MARIE_APP, NIKOLA_APP = 4400001, 4400002
AE_JOB, TEMPLATE_JOB = 4033879010, 4033879009
AE_STAGES = {"Application Review": 4200020, "Phone Screen": 4200021, "Onsite": 4200022, "Offer": 4200023}
TEMPLATE_ONSITE = 4200012
PDF = b"%PDF-1.4\nnot much of a file\n%%EOF\n"


def harvest_file(**change: Any) -> dict[str, Any]:
    """A Harvest Add Attachment body carrying PDF as its content."""
    body = {"filename": "cv.pdf", "type": "resume", "content": base64.b64encode(PDF).decode()}
    return {**body, "content_type": "application/pdf", **change}


def auth(token: str = GH) -> dict[str, str]:
    return {"authorization": f"Bearer {KEY}", "x-connector-token": token}


@dataclass
class Bindbee:
    sandbox: BindbeeSandbox
    checked: httpx.AsyncClient
    """Requests held to the excerpt and the Harvest facts before they reach the sandbox."""
    raw: httpx.AsyncClient
    """Requests sent as they are: the refusals."""

    async def items(self, kind: str, token: str = GH, **params: Any) -> list[dict[str, Any]]:
        response = await self.checked.get(f"/api/ats/v1/{kind}", headers=auth(token), params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def by_remote(self, kind: str, remote: int, token: str = GH) -> dict[str, Any]:
        found = [r for r in await self.items(kind, token, page_size=200) if r["remote_id"] == str(remote)]
        assert len(found) == 1, (kind, remote)
        return found[0]

    async def one(self, kind: str, record_id: str, token: str = GH, **params: Any) -> dict[str, Any]:
        response = await self.checked.get(f"/api/ats/v1/{kind}/{record_id}", headers=auth(token), params=params)
        assert response.status_code == 200, response.text
        record: dict[str, Any] = response.json()
        return record

    async def harvest(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        on_behalf: str | None = str(GRACE),
        params: dict[str, Any] | None = None,
        valid: bool = True,
        token: str = GH,
    ) -> dict[str, Any]:
        """One Harvest call through the passthrough; Harvest's answer `{status, headers, data}`."""
        body: dict[str, Any] = {"method": method, "path": path, "request_format": "JSON", "response_format": "JSON"}
        if on_behalf is not None:
            body["headers"] = {"On-Behalf-Of": on_behalf}
        if data is not None:
            body["data"] = data
        if params is not None:
            body["params"] = params
        client = self.checked if valid else self.raw
        response = await client.post("/api/v1/passthrough", headers=auth(token), json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
async def bb() -> AsyncIterator[Bindbee]:
    contract("bindbee")  # skips without ../shared, as every contract test does
    sandbox = BindbeeSandbox(api_key=KEY, connectors={GH: "greenhouse", GEN: "generic"}, base_url=BASE_URL)
    transport = httpx.ASGITransport(app=create_app(sandbox))
    async with (
        httpx.AsyncClient(transport=RecordingTransport("bindbee", transport), base_url=BASE_URL) as checked,
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as raw,
    ):
        yield Bindbee(sandbox, checked, raw)


def _excerpt() -> dict[str, Any]:
    document: dict[str, Any] = contract("bindbee").document
    return document


def _open_enums(node: Any) -> Any:
    """The excerpt's schemas with enums opened (PROVENANCE.md, ambiguity 1): an unlisted value is valid."""
    if isinstance(node, list):
        return [_open_enums(n) for n in node]
    if not isinstance(node, dict):
        return node
    return {k: _open_enums(v) for k, v in node.items() if not (k == "enum" and "anyOf" in node)}


def _response_validator(method: str, template: str) -> Draft202012Validator:
    document = _excerpt()
    schema = document["paths"][template][method]["responses"]["200"]["content"]["application/json"]["schema"]
    root = {"components": _open_enums(document["components"]), **schema}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


# --- the surface: every operation of the excerpt, and nothing it does not document ------------------------------

EMULATOR_ONLY = {"/api/v1/passthrough"}  # documented in reference §1.3, outside the excerpt


def _sandbox_operations(bb: Bindbee) -> dict[tuple[str, str], dict[str, Any]]:
    schema = create_app(bb.sandbox).openapi()
    return {
        (method, path): spec
        for path, item in schema["paths"].items()
        if path not in EMULATOR_ONLY
        for method, spec in item.items()
    }


async def test_the_sandbox_serves_exactly_the_excerpts_operations(bb: Bindbee) -> None:
    ours = set(_sandbox_operations(bb))
    theirs = {(m, p) for p, item in _excerpt()["paths"].items() for m in item if p not in EMULATOR_ONLY}
    assert ours == theirs
    assert len(theirs) == 50


async def test_each_operation_takes_the_excerpts_parameters_and_body(bb: Bindbee) -> None:
    """Query and path parameters by name, the connector token, and the request body by schema: what the sandbox
    accepts is what the excerpt documents (its own OpenAPI is generated from the routes that serve)."""
    excerpt = _excerpt()
    for (method, path), spec in _sandbox_operations(bb).items():
        theirs = excerpt["paths"][path][method]
        ours_params = {(p["in"], p["name"].lower()) for p in spec.get("parameters", [])} - {("header", "authorization")}
        theirs_params = {(p["in"], p["name"].lower()) for p in theirs.get("parameters", [])}
        assert ours_params == theirs_params, (method, path)
        ours_body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        theirs_body = theirs.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        assert _refs(ours_body) == _refs(theirs_body), (method, path)


def _refs(schema: Any) -> set[str]:
    if schema is None:
        return set()
    alternatives = schema.get("anyOf", [schema])
    return {alt["$ref"].rsplit("/", 1)[1] for alt in alternatives}


@pytest.mark.parametrize("resource", [r.path for r in RESOURCES])
async def test_every_list_and_get_answers_the_excerpts_model(bb: Bindbee, resource: str) -> None:
    """Each list (raw data, custom fields and every relation expanded) and get validates against the excerpt's
    schema (types, required fields, formats), with enums read as open."""
    spec = next(r for r in RESOURCES if r.path == resource)
    params: dict[str, Any] = {"include_raw_data": "true", "include_custom_fields": "true"}
    if spec.expand:
        params["expand"] = ",".join(spec.relations)
    for token in (GH, GEN):
        response = await bb.checked.get(f"/api/ats/v1/{resource}", headers=auth(token), params=params)
        assert response.status_code == 200
        page = response.json()
        assert page["items"], f"{resource} is seeded"
        errors = list(_response_validator("get", f"/api/ats/v1/{resource}").iter_errors(page))
        assert not errors, [e.message for e in errors]
        one = await bb.checked.get(f"/api/ats/v1/{resource}/{page['items'][0]['id']}", headers=auth(token))
        errors = list(_response_validator("get", f"/api/ats/v1/{resource}/{{id}}").iter_errors(one.json()))
        assert not errors, [e.message for e in errors]


# --- auth, rate limits, faults, errors on every route ------------------------------------------------------------


@pytest.mark.parametrize("resource", [r.path for r in RESOURCES])
async def test_every_resource_is_authenticated_and_rate_limited(bb: Bindbee, resource: str) -> None:
    path = f"/api/ats/v1/{resource}"
    no_key = await bb.raw.get(path, headers={"x-connector-token": GH})
    assert (no_key.status_code, no_key.json()) == (401, {"detail": "Invalid or missing API key"})
    assert no_key.headers["www-authenticate"] == "Bearer"
    other = await bb.raw.get(path, headers=auth("not-a-connector"))
    assert other.status_code == 403
    assert isinstance(other.json()["detail"], str)
    ok = await bb.raw.get(path, headers=auth())
    assert int(ok.headers["x-ratelimit-remaining"]) < int(ok.headers["x-ratelimit-limit"]) == 200
    write = await bb.raw.post(path, headers={"x-connector-token": GH}, json={})
    assert write.status_code == 401


async def test_faults_reach_the_new_routes_and_the_passthrough(bb: Bindbee) -> None:
    await bb.raw.post("/_sandbox/faults", json={"method": "GET", "path": "/api/ats/v1/offers", "status": 503})
    await bb.raw.post("/_sandbox/faults", json={"method": "POST", "path": "/api/v1/passthrough", "status": 502})
    offers = await bb.raw.get("/api/ats/v1/offers", headers=auth())
    assert (offers.status_code, offers.json()) == (503, {"detail": "Injected failure (503)"})
    assert (await bb.raw.get("/api/ats/v1/offers", headers=auth())).status_code == 200  # times: 1
    harvest = await bb.raw.post("/api/v1/passthrough", headers=auth(), json={"method": "GET", "path": "/v1/x"})
    assert harvest.status_code == 502


async def test_a_missing_record_is_a_404_and_a_malformed_id_a_422(bb: Bindbee) -> None:
    missing = await bb.raw.get(f"/api/ats/v1/offers/{stable_id('nothing')}", headers=auth())
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found"})
    malformed = await bb.raw.get("/api/ats/v1/scorecards/4700001", headers=auth())
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["path", "id"]


# --- lists: paging, filters, expand, raw data, custom fields -----------------------------------------------------


async def test_a_cursor_walk_returns_each_record_once(bb: Bindbee) -> None:
    everything = [s["id"] for s in await bb.items("job-interview-stages")]
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        page = (await bb.checked.get("/api/ats/v1/job-interview-stages", headers=auth(), params=params)).json()
        assert page["page_size"] == len(page["items"]) <= 3
        seen += [s["id"] for s in page["items"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert len(everything) == 8  # four stages on each of the two jobs
    bad = await bb.raw.get("/api/ats/v1/job-interview-stages?cursor=%%%", headers=auth())
    assert bad.status_code == 400


async def test_comma_separated_ids_and_remote_id(bb: Bindbee) -> None:
    stages = await bb.items("job-interview-stages")
    picked = await bb.items("job-interview-stages", ids=f"{stages[1]['id']},{stages[5]['id']}")
    assert [s["id"] for s in picked] == [stages[1]["id"], stages[5]["id"]]
    [application] = await bb.items("applications", remote_id=str(NIKOLA_APP))
    assert application["remote_id"] == str(NIKOLA_APP)


async def test_each_documented_filter(bb: Bindbee) -> None:
    marie_app = await bb.by_remote("applications", MARIE_APP)
    nikola_app = await bb.by_remote("applications", NIKOLA_APP)
    marie, grace, alan = (
        marie_app["candidate"],
        marie_app["credited_to"],
        (await bb.by_remote("remote-users", ALAN))["id"],
    )
    job = marie_app["job"]
    stages = await bb.items("job-interview-stages", job=job)
    assert [(s["name"], s["stage_order"]) for s in stages] == [(n, i) for i, n in enumerate(AE_STAGES)]
    assert {a["candidate"] for a in await bb.items("activities", candidate=marie)} == {marie}
    assert [a["body"] for a in await bb.items("activities", user=grace)] == ["Strong fundamentals; ready for an offer."]
    assert [a["file_name"] for a in await bb.items("attachments", candidate=marie)] == ["Marie_Curie_resume.pdf"]
    assert [e["gender"] for e in await bb.items("eeocs", candidate=marie)] == ["FEMALE"]
    assert len(await bb.items("offers", application=marie_app["id"])) == 2
    # A single application id, as Bindbee documents it here: a list matches nothing.
    assert await bb.items("offers", application=f"{marie_app['id']},{nikola_app['id']}") == []
    assert len(await bb.items("offers", creator=grace)) == 2
    both = f"{marie_app['id']},{nikola_app['id']}"
    assert len(await bb.items("scheduled-interviews", application=both)) == 2
    assert len(await bb.items("scheduled-interviews", organizer=grace)) == 2
    onsite = next(s["id"] for s in stages if s["name"] == "Onsite")
    [interview] = await bb.items("scheduled-interviews", job_interview_stage=onsite)
    assert interview["application"] == marie_app["id"]
    assert len(await bb.items("scorecards", application=marie_app["id"])) == 1
    assert len(await bb.items("scorecards", interview=interview["id"])) == 1
    assert len(await bb.items("scorecards", interviewer=alan)) == 1
    assert await bb.items("scorecards", interviewer=grace) == []
    assert len(await bb.items("screening-questions", job=job)) == 3
    assert await bb.items("screening-questions", job=stable_id("no job")) == []
    assert [c["last_name"] for c in await bb.items("candidates", email_addresses="MARIE.CURIE@example.com")] == [
        "Curie"
    ]
    assert [c["last_name"] for c in await bb.items("candidates", first_name="Nikola")] == ["Tesla"]


async def test_candidates_filter_by_tag(bb: Bindbee) -> None:
    body = {"data": {"first_name": "Rosalind", "last_name": "Franklin", "tags": ["Top talent"]}}
    assert (await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json=body)).status_code == 200
    assert [c["last_name"] for c in await bb.items("candidates", tag="Top talent")] == ["Franklin"]
    assert await bb.items("candidates", tag="Top") == []


async def test_modified_after_is_bindbees_sync_time(bb: Bindbee) -> None:
    assert len(await bb.items("offers", modified_after="2000-01-01T00:00:00")) == 2
    assert await bb.items("offers", modified_after="2999-01-01T00:00:00Z") == []
    bad = await bb.raw.get("/api/ats/v1/offers?modified_after=yesterday", headers=auth())
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "modified_after"]


async def test_expand_opens_relations_and_keeps_listed_fields(bb: Bindbee) -> None:
    [plain] = await bb.items("applications", remote_id=str(MARIE_APP))
    assert isinstance(plain["current_stage"], str)
    params = {"remote_id": str(MARIE_APP), "expand": "current_stage,candidate[first_name,last_name],job[name],nope"}
    [expanded] = await bb.items("applications", **params)
    assert expanded["current_stage"]["id"] == plain["current_stage"]
    assert (expanded["current_stage"]["name"], expanded["current_stage"]["remote_id"]) == ("Offer", "4200023")
    assert expanded["candidate"] == {"id": plain["candidate"], "first_name": "Marie", "last_name": "Curie"}
    assert expanded["job"] == {"id": plain["job"], "name": "Account Executive"}
    assert expanded["reject_reason"] is None  # not asked for, and null anyway
    [interview] = await bb.items("scheduled-interviews", application=plain["id"], expand="interviewers[email]")
    assert sorted(i["email"] for i in interview["interviewers"]) == [
        "ada.lovelace@example.com",
        "alan.turing@example.com",
    ]
    got = await bb.one("scorecards", (await bb.items("scorecards"))[0]["id"], expand="interview,interviewer[last_name]")
    assert got["interview"]["status"] == "COMPLETE"
    assert got["interviewer"]["last_name"] == "Turing"


async def test_raw_data_and_custom_fields_only_when_asked(bb: Bindbee) -> None:
    [plain] = await bb.items("applications", remote_id=str(MARIE_APP))
    assert "raw_data" not in plain
    assert plain["custom_fields"] is None
    [raw] = await bb.items("applications", remote_id=str(MARIE_APP), include_raw_data="true")
    assert raw["raw_data"]["id"] == MARIE_APP
    assert raw["raw_data"]["status"] == "active"
    [custom] = await bb.items("applications", remote_id=str(MARIE_APP), include_custom_fields="true")
    assert custom["custom_fields"] == {}


# --- the seed ---------------------------------------------------------------------------------------------------


async def test_the_seed_is_a_small_greenhouse_pipeline(bb: Bindbee) -> None:
    counts = {r.path: len(await bb.items(r.path, page_size=200)) for r in RESOURCES}
    assert counts == {
        "jobs": 2,
        "candidates": 2,
        "applications": 2,
        "departments": 3,
        "offices": 3,
        "remote-users": 3,
        "activities": 2,
        "attachments": 2,
        "eeocs": 2,
        "job-interview-stages": 8,
        "offers": 2,
        "reject-reasons": 3,
        "scheduled-interviews": 2,
        "scorecards": 1,
        "screening-questions": 3,
        "tags": 2,
    }
    marie_app = await bb.by_remote("applications", MARIE_APP)
    nikola_app = await bb.by_remote("applications", NIKOLA_APP)
    stages = {s["id"]: s for s in await bb.items("job-interview-stages")}
    assert stages[marie_app["current_stage"]]["remote_id"] == str(AE_STAGES["Offer"])
    assert stages[nikola_app["current_stage"]]["remote_id"] == str(AE_STAGES["Phone Screen"])
    assert {r["remote_id"]: r["name"] for r in await bb.items("reject-reasons")} == {
        "262": "Missing resume",
        "8": "Lacking skill(s)/qualification(s)",
        "815": "Higher Salary Offer Made",
    }
    assert sorted(((o["status"], o["sent_at"]) for o in await bb.items("offers")), key=str) == [
        ("DEPRECATED", None),
        ("SENT", "2026-02-03"),
    ]
    # Greenhouse's own wording, passed through Bindbee's open enum.
    assert {e["gender"] for e in await bb.items("eeocs")} == {"FEMALE", "Decline To Self Identify"}
    marie = await bb.one("candidates", marie_app["candidate"])
    assert marie["applications"] == [marie_app["id"]]
    assert len(marie["attachments"]) == 1


async def test_seed_ids_are_stable_and_greenhouse_ids_agree_with_harvest(bb: Bindbee) -> None:
    again = BindbeeSandbox(api_key=KEY, connectors={GH: "greenhouse"}, base_url=BASE_URL)
    for kind in ("applications", "job-interview-stages", "offers", "scorecards", "attachments", "activities"):
        ours = {r["id"]: r["remote_id"] for r in bb.sandbox.tenants[GH][kind].records.values()}
        theirs = {r["id"]: r["remote_id"] for r in again.tenants[GH][kind].records.values()}
        assert ours == theirs, kind
    assert (await bb.by_remote("applications", MARIE_APP))["id"] == stable_id(
        GH, "application", "marie.curie@example.com", "Account Executive"
    )
    application = (await bb.harvest("GET", f"/v1/applications/{MARIE_APP}", on_behalf=None))["data"]
    assert application["candidate_id"] == MARIE
    assert application["jobs"] == [{"id": AE_JOB, "name": "Account Executive"}]
    assert application["current_stage"] == {"id": AE_STAGES["Offer"], "name": "Offer"}
    assert application["recruiter"]["id"] == GRACE


async def test_seed_resumes_are_served_as_pdf_files(bb: Bindbee) -> None:
    for attachment in await bb.items("attachments"):
        assert attachment["file_url"].startswith(f"{BASE_URL}/files/{attachment['id']}/")
        served = await bb.raw.get(attachment["file_url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "application/pdf"
        assert served.content.startswith(b"%PDF-1.4\n")
        assert served.content.rstrip().endswith(b"%%EOF")
        startxref = int(served.content.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
        assert served.content[startxref:].startswith(b"xref")


# --- the documented creates ---------------------------------------------------------------------------------------


def _note(candidate: str | None, user: str | None, **extra: Any) -> dict[str, Any]:
    body = {"user": user, "activity_type": "NOTE", "body": "Met at the fair", "visibility": "PUBLIC"}
    return {**body, "candidate": candidate, **extra}


async def test_create_activity_is_a_note_in_bindbee_and_in_harvest(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA))["id"]
    ada = (await bb.by_remote("remote-users", ADA))["id"]
    created = await bb.checked.post("/api/ats/v1/activities", headers=auth(), json=_note(nikola, ada, subject="Fair"))
    assert created.status_code == 201, created.text
    activity = created.json()
    assert (activity["candidate"], activity["user"], activity["subject"]) == (nikola, ada, "Fair")
    assert activity["remote_id"].isdigit()
    assert activity["id"] in [a["id"] for a in await bb.items("activities", candidate=nikola)]
    feed = (await bb.harvest("GET", f"/v1/candidates/{NIKOLA}/activity_feed", on_behalf=None))["data"]
    assert {"id": int(activity["remote_id"]), "body": "Met at the fair", "visibility": "public"}.items() <= next(
        n for n in feed["notes"] if n["id"] == int(activity["remote_id"])
    ).items()


async def test_create_activity_keys_are_required_though_nullable(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA, GEN))["id"]
    body = _note(nikola, None)
    del body["visibility"]
    missing = await bb.raw.post("/api/ats/v1/activities", headers=auth(GEN), json=body)
    assert missing.status_code == 422
    assert [d["loc"] for d in missing.json()["detail"]] == [["body", "visibility"]]
    nulls = {**_note(nikola, None), "body": None, "visibility": None, "activity_type": None}
    # Unchecked: the excerpt's enum lists no null beside its nullable type (ambiguity 1), so the gateway's checker
    # refuses to send one; Bindbee's schema types the keys nullable, and the sandbox accepts what it types.
    created = await bb.raw.post("/api/ats/v1/activities", headers=auth(GEN), json=nulls)
    assert created.status_code == 201, created.text  # outside Greenhouse, null is a value
    wrong = await bb.raw.post(
        "/api/ats/v1/activities", headers=auth(GEN), json=_note(nikola, None, visibility="SECRET")
    )
    assert wrong.status_code == 422  # write enums are the documented ones
    nobody = await bb.checked.post("/api/ats/v1/activities", headers=auth(GEN), json=_note(None, None))
    assert nobody.status_code == 422
    ghost = await bb.checked.post("/api/ats/v1/activities", headers=auth(GEN), json=_note(stable_id("x"), None))
    assert ghost.json()["detail"][0]["loc"] == ["body", "candidate"]


async def test_on_greenhouse_an_activity_is_a_complete_note(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA))["id"]
    ada = (await bb.by_remote("remote-users", ADA))["id"]
    nulls = await bb.checked.post("/api/ats/v1/activities", headers=auth(), json=_note(nikola, None, body=None))
    assert nulls.status_code == 422
    assert {tuple(d["loc"]) for d in nulls.json()["detail"]} == {("body", "user"), ("body", "body")}
    email = await bb.checked.post(
        "/api/ats/v1/activities", headers=auth(), json=_note(nikola, ada, activity_type="EMAIL")
    )
    assert email.json()["detail"][0]["loc"] == ["body", "activity_type"]


async def test_upload_file_content_and_download_it_byte_for_byte(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA))["id"]
    body = {
        "file_name": "Cover letter (final).pdf",
        "file_content": base64.b64encode(PDF).decode(),
        "attachment_type": "COVER_LETTER",
        "content_type": "application/pdf",
    }
    created = await bb.checked.post(f"/api/ats/v1/candidates/{nikola}/attachments", headers=auth(), json=body)
    assert created.status_code == 200, created.text
    attachment = created.json()
    assert attachment["candidate"] == nikola
    assert attachment["file_url"].startswith(BASE_URL)
    served = await bb.raw.get(attachment["file_url"])
    assert (served.status_code, served.content, served.headers["content-type"]) == (200, PDF, "application/pdf")
    assert "filename*=UTF-8''Cover%20letter%20%28final%29.pdf" in served.headers["content-disposition"]
    assert attachment["id"] in (await bb.one("candidates", nikola))["attachments"]
    assert (await bb.raw.get(attachment["file_url"].rsplit("/", 1)[0] + "/other.pdf")).status_code == 404


async def test_upload_by_url_records_the_url_and_fetches_nothing(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA, GEN))["id"]
    url = "https://files.example.com/cv.pdf?sig=abc"
    body = {"file_name": "cv.pdf", "file_url": url, "attachment_type": "RESUME"}
    created = await bb.checked.post(f"/api/ats/v1/candidates/{nikola}/attachments", headers=auth(GEN), json=body)
    assert created.status_code == 200, created.text
    assert created.json()["file_url"] == url
    assert created.json()["id"] not in bb.sandbox.files.files


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"file_url": "https://x.example/cv.pdf"}, "file_content"),  # both
        ({"file_content": None}, "file_content"),  # neither
        ({"file_content": "not base64!"}, "file_content"),
        ({"content_type": None}, "content_type"),  # Greenhouse needs it with content
        ({"content_type": "application/x-msdownload"}, "content_type"),
        ({"attachment_type": "OFFER_LETTER"}, "attachment_type"),  # not a Greenhouse candidate attachment
        ({"file_name": None}, "file_name"),
        ({"candidate": stable_id("someone else")}, "candidate"),
        ({"remote_user_id": stable_id("nobody")}, "remote_user_id"),
        ({"file_url": "ftp://x.example/cv.pdf", "file_content": None}, "file_url"),
    ],
)
async def test_upload_refusals(bb: Bindbee, change: dict[str, Any], loc: str) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA))["id"]
    body = {
        "file_name": "cv.pdf",
        "file_content": base64.b64encode(PDF).decode(),
        "attachment_type": "RESUME",
        "content_type": "application/pdf",
        **change,
    }
    refused = await bb.raw.post(f"/api/ats/v1/candidates/{nikola}/attachments", headers=auth(), json=body)
    assert refused.status_code == 422, refused.text
    assert loc in {d["loc"][-1] for d in refused.json()["detail"]}


async def test_upload_to_an_unknown_candidate_is_a_404(bb: Bindbee) -> None:
    body = {"file_name": "cv.pdf", "file_url": "https://x.example/cv.pdf", "attachment_type": "RESUME"}
    refused = await bb.checked.post(f"/api/ats/v1/candidates/{stable_id('x')}/attachments", headers=auth(), json=body)
    assert (refused.status_code, refused.json()) == (404, {"detail": "Not found"})


async def test_offer_letters_are_attachments_outside_greenhouse(bb: Bindbee) -> None:
    nikola = (await bb.by_remote("candidates", NIKOLA, GEN))["id"]
    body = {"file_name": "offer.pdf", "file_content": base64.b64encode(PDF).decode(), "attachment_type": "OFFER_LETTER"}
    created = await bb.checked.post(f"/api/ats/v1/candidates/{nikola}/attachments", headers=auth(GEN), json=body)
    assert created.status_code == 200, created.text
    served = await bb.raw.get(created.json()["file_url"])
    assert (served.content, served.headers["content-type"]) == (PDF, "application/octet-stream")


async def test_the_flat_candidate_body_uploads_its_attachments(bb: Bindbee) -> None:
    job = (await bb.by_remote("jobs", AE_JOB))["id"]
    upload = {"file_name": "cv.txt", "file_content": base64.b64encode(b"CV\n").decode(), "attachment_type": "RESUME"}
    body = {
        "first_name": "Lise",
        "last_name": "Meitner",
        "job": job,
        "attachments": [{**upload, "content_type": "text/plain"}],
    }
    created = await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json=body)
    assert created.status_code == 200, created.text
    candidate = created.json()
    [attachment] = await bb.items("attachments", candidate=candidate["id"])
    assert (await bb.raw.get(attachment["file_url"])).content == b"CV\n"
    [application] = await bb.items("applications", ids=candidate["applications"][0])
    stage = await bb.one("job-interview-stages", application["current_stage"])
    assert (application["job"], stage["name"]) == (job, "Application Review")
    refused = await bb.raw.post("/api/ats/v1/candidates", headers=auth(), json={**body, "attachments": [upload]})
    assert refused.json()["detail"][0]["loc"] == ["body", "attachments", 0, "content_type"]


async def test_a_new_candidate_on_a_job_in_a_given_stage(bb: Bindbee) -> None:
    job = (await bb.by_remote("jobs", AE_JOB))["id"]
    onsite = (await bb.by_remote("job-interview-stages", AE_STAGES["Onsite"]))["id"]
    data = {"first_name": "Emmy", "last_name": "Noether", "job_id": job, "job_interview_stage_id": onsite}
    created = await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json={"data": data})
    assert created.status_code == 200, created.text
    [application] = await bb.items("applications", ids=created.json()["applications"][0])
    assert application["current_stage"] == onsite
    elsewhere = (await bb.by_remote("job-interview-stages", TEMPLATE_ONSITE))["id"]
    wrong = {"data": {**data, "job_interview_stage_id": elsewhere}}
    refused = await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json=wrong)
    assert refused.json()["detail"][0]["loc"] == ["body", "data", "job_interview_stage_id"]


async def test_a_new_candidate_takes_no_existing_ids_and_keeps_ats_specific_fields(bb: Bindbee) -> None:
    existing = (await bb.by_remote("attachments", 4800001))["id"]
    data = {"first_name": "Ada", "last_name": "Byron", "attachments": [existing]}
    refused = await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json={"data": data})
    assert refused.json()["detail"][0]["loc"] == ["body", "data", "attachments"]
    flat = {"first_name": "Ada", "last_name": "Byron", "additional_attributes": {"gh_source": "fair"}}
    created = await bb.checked.post("/api/ats/v1/candidates", headers=auth(), json=flat)
    assert created.status_code == 200, created.text
    assert (await bb.one("candidates", created.json()["id"], include_raw_data="true"))["raw_data"][
        "gh_source"
    ] == "fair"


async def test_a_created_job_gets_greenhouses_stages(bb: Bindbee) -> None:
    user = (await bb.by_remote("remote-users", ADA))["id"]
    body = {"name": "Data Engineer", "template_id": str(TEMPLATE_JOB), "remote_user_id": user, "openings": 1}
    created = await bb.checked.post("/api/ats/v1/jobs", headers=auth(), json=body)
    assert created.status_code == 201, created.text
    stages = await bb.items("job-interview-stages", job=created.json()["id"])
    assert [s["name"] for s in stages] == list(AE_STAGES)
    harvest = await bb.harvest("GET", f"/v1/jobs/{created.json()['remote_id']}/stages", on_behalf=None)
    assert [s["id"] for s in harvest["data"]] == [int(s["remote_id"]) for s in stages]


UNDOCUMENTED = [r.path for r in RESOURCES if r.undocumented_create]


async def test_the_creates_without_a_documented_body_are_the_excerpts() -> None:
    excerpt = _excerpt()
    noted = {p.rsplit("/", 1)[1] for p, item in excerpt["paths"].items() if "x-excerpt-note" in item.get("post", {})}
    assert set(UNDOCUMENTED) == noted
    assert len(noted) == 13


@pytest.mark.parametrize("resource", UNDOCUMENTED)
async def test_a_create_bindbee_documents_no_body_for_is_refused(bb: Bindbee, resource: str) -> None:
    for body in (None, {"name": "x"}):
        refused = await bb.raw.post(f"/api/ats/v1/{resource}", headers=auth(), json=body)
        assert refused.status_code == 422
        assert refused.json() == {
            "detail": [
                {
                    "loc": ["body"],
                    "msg": "Bindbee documents no request body for this operation",
                    "type": "value_error",
                    "input": None,
                }
            ]
        }
    assert len(await bb.items(resource, page_size=200)) == len(bb.sandbox.tenants[GH][resource].records)


async def test_create_candidate_meta_on_greenhouse_only(bb: Bindbee) -> None:
    meta = await bb.checked.get("/api/ats/v1/candidates/create/meta", headers=auth())
    assert meta.status_code == 200
    assert meta.json()["data"]["model"]["first_name"] == {"required": True}
    none = await bb.checked.get("/api/ats/v1/candidates/create/meta", headers=auth(GEN))
    assert none.status_code == 501


# --- Harvest: what every call shares -----------------------------------------------------------------------------


def test_the_emulator_and_the_checker_read_harvest_alike() -> None:
    """Two readings of the same documents, held to each other: the emulator's routes (sandbox/bindbee/harvest.py)
    and the checker every gateway request passes (tests/contract.py), call for call, field for field."""
    integer_kinds = {Kind.INTEGER, Kind.INTEGER_OR_DIGITS}
    checked = list(HARVEST_CALLS)
    for call in emulator.HARVEST_CALLS:
        sample = re.sub(r"\{\w+\}", "12345", call.path)
        [fact] = [c for c in HARVEST_CALLS if c.method == call.method and c.path.fullmatch(sample)]
        checked.remove(fact)
        where = f"{call.method} {call.path}"
        assert fact.fields == set(call.fields), where
        assert fact.required == call.required, where
        assert fact.integers == {k for k, v in call.fields.items() if v in integer_kinds}, where
        assert fact.source == call.source, where
    assert checked == [], "calls the gateway may make that the sandbox does not emulate"


@pytest.mark.parametrize(
    ("call", "status", "body"),
    [
        ({"method": "GET", "path": "/v1/nothing"}, 404, {"message": "Resource not found"}),
        ({"method": "GET", "path": "/v1/applications/abc"}, 404, {"message": "Resource not found"}),
        ({"method": "GET", "path": "/v1/applications/999"}, 404, {"message": "Resource not found"}),
        ({"method": "DELETE", "path": f"/v1/applications/{MARIE_APP}"}, 404, {"message": "Resource not found"}),
    ],
)
async def test_unknown_routes_and_ids_are_404(bb: Bindbee, call: dict[str, Any], status: int, body: Any) -> None:
    answer = (await bb.raw.post("/api/v1/passthrough", headers=auth(), json=call)).json()
    assert (answer["status"], answer["data"]) == (status, body)


async def test_a_get_with_a_body_is_403(bb: Bindbee) -> None:
    answer = await bb.harvest("GET", f"/v1/applications/{MARIE_APP}", {}, on_behalf=None, valid=False)
    assert answer["status"] == 403


@pytest.mark.parametrize(("header", "status"), [(None, 422), ("grace", 422), ("999", 403)])
async def test_writes_need_on_behalf_of_a_greenhouse_user(bb: Bindbee, header: str | None, status: int) -> None:
    data = {"from_stage_id": AE_STAGES["Phone Screen"]}
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/advance", data, on_behalf=header, valid=False)
    assert answer["status"] == status
    if status == 422:
        assert answer["data"]["errors"] == [
            {"message": "Required: the id of the Greenhouse user issuing the request", "field": "On-Behalf-Of"}
        ]
    application = (await bb.harvest("GET", f"/v1/applications/{NIKOLA_APP}", on_behalf=None))["data"]
    assert application["current_stage"]["name"] == "Phone Screen"  # nothing happened


async def test_on_behalf_of_is_a_header_in_any_case(bb: Bindbee) -> None:
    body = {"method": "POST", "path": f"/v1/applications/{NIKOLA_APP}/advance", "headers": {"on-behalf-of": str(ADA)}}
    body["data"] = {"from_stage_id": AE_STAGES["Phone Screen"]}
    answer = (await bb.raw.post("/api/v1/passthrough", headers=auth(), json=body)).json()
    assert answer["status"] == 200


async def test_passthrough_outside_greenhouse(bb: Bindbee) -> None:
    answer = await bb.harvest("GET", f"/v1/applications/{MARIE_APP}", on_behalf=None, token=GEN)
    assert answer["status"] == 404


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, [{"message": "Required", "field": "from_stage_id"}, {"message": "Required", "field": "to_stage_id"}]),
        (
            {"from_stage_id": str(AE_STAGES["Phone Screen"]), "to_stage_id": AE_STAGES["Onsite"]},
            [{"message": "Must be an integer", "field": "from_stage_id"}],
        ),
        (
            {"from_stage_id": AE_STAGES["Phone Screen"], "to_stage_id": AE_STAGES["Onsite"], "stage": 1},
            [{"message": "Unknown field", "field": "stage"}],
        ),
        (
            {"from_stage_id": AE_STAGES["Application Review"], "to_stage_id": AE_STAGES["Onsite"]},
            [{"message": "The application is not in this stage", "field": "from_stage_id"}],
        ),
        (
            {"from_stage_id": AE_STAGES["Phone Screen"], "to_stage_id": TEMPLATE_ONSITE},
            [{"message": "Must be a stage of the application's job", "field": "to_stage_id"}],
        ),
    ],
)
async def test_move_refusals(bb: Bindbee, data: dict[str, Any], errors: list[dict[str, str]]) -> None:
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/move", data, valid=False)
    assert (answer["status"], answer["data"]) == (422, {"message": "Validation error", "errors": errors})


# --- Harvest: applications ------------------------------------------------------------------------------------


async def test_move_shows_in_bindbee_and_in_the_activity_feed(bb: Bindbee) -> None:
    data = {"from_stage_id": AE_STAGES["Phone Screen"], "to_stage_id": AE_STAGES["Onsite"]}
    before = await bb.by_remote("applications", NIKOLA_APP)
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/move", data)
    assert answer["status"] == 200
    assert answer["data"]["current_stage"] == {"id": AE_STAGES["Onsite"], "name": "Onsite"}
    after = await bb.by_remote("applications", NIKOLA_APP)
    assert after["current_stage"] == (await bb.by_remote("job-interview-stages", AE_STAGES["Onsite"]))["id"]
    assert after["modified_at"] > before["modified_at"]
    feed = (await bb.harvest("GET", f"/v1/candidates/{NIKOLA}/activity_feed", on_behalf=None))["data"]
    [event] = feed["activities"]
    assert event["subject"] == "Candidate Stage Change"
    assert event["body"] == "Nikola Tesla was moved into Onsite for Account Executive by Grace Hopper"
    assert event["user"]["id"] == GRACE
    [activity] = [
        a for a in await bb.items("activities", candidate=after["candidate"]) if a["activity_type"] == "OTHER"
    ]
    assert activity["remote_id"] == str(event["id"])


async def test_advance_to_the_next_stage_until_the_last(bb: Bindbee) -> None:
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/advance", {"from_stage_id": 4200021})
    assert answer["data"]["current_stage"]["name"] == "Onsite"
    stale = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/advance", {"from_stage_id": 4200021}, valid=False)
    assert stale["data"]["errors"] == [{"message": "The application is not in this stage", "field": "from_stage_id"}]
    last = await bb.harvest("POST", f"/v1/applications/{MARIE_APP}/advance", {"from_stage_id": AE_STAGES["Offer"]})
    assert last["status"] == 422
    assert last["data"]["errors"] == [
        {"message": "The application is in the job's last stage", "field": "from_stage_id"}
    ]


async def test_reject_with_reason_notes_and_email(bb: Bindbee) -> None:
    email = {"send_email_at": "2026-03-01T09:00:00Z", "email_template_id": 42}
    data = {"rejection_reason_id": 815, "notes": "Took another offer.", "rejection_email": email}
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", data)
    assert answer["status"] == 200
    rejected = answer["data"]
    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == {
        "id": 815,
        "name": "Higher Salary Offer Made",
        "type": {"id": 2, "name": "They rejected us"},
    }
    assert rejected["rejected_at"] is not None
    assert rejected["current_stage"] == {"id": AE_STAGES["Phone Screen"], "name": "Phone Screen"}  # kept
    synced = await bb.by_remote("applications", NIKOLA_APP)
    reason = await bb.by_remote("reject-reasons", 815)
    assert (synced["reject_reason"], synced["rejected_at"]) == (reason["id"], rejected["rejected_at"])
    assert synced["current_stage"] == (await bb.by_remote("job-interview-stages", AE_STAGES["Phone Screen"]))["id"]
    feed = (await bb.harvest("GET", f"/v1/candidates/{NIKOLA}/activity_feed", on_behalf=None))["data"]
    [event] = feed["activities"]
    assert event["subject"] == "Candidate Rejected"
    assert event["body"].endswith("Higher Salary Offer Made\n\nTook another offer.")
    [sent] = feed["emails"]
    assert (sent["subject"], sent["to"], sent["created_at"]) == (
        "Standard rejection",
        "nikola.tesla@example.com",
        "2026-03-01T09:00:00Z",
    )
    again = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", {}, valid=False)
    assert again["data"] == {"errors": [{"message": "Application must be 'active', is currently 'rejected'"}]}
    moved = await bb.harvest(
        "POST", f"/v1/applications/{NIKOLA_APP}/move", {"from_stage_id": 4200021, "to_stage_id": 4200022}
    )
    assert moved["data"] == {"errors": [{"message": "Application must be 'active', is currently 'rejected'"}]}


async def test_reject_without_anything_is_allowed(bb: Bindbee) -> None:
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", {})
    assert (answer["status"], answer["data"]["rejection_reason"]) == (200, None)
    assert (await bb.by_remote("applications", NIKOLA_APP))["reject_reason"] is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rejection_reason_id": 9999}, "rejection_reason_id"),
        ({"rejection_reason_id": "815"}, "rejection_reason_id"),
        ({"notes": 5}, "notes"),
        ({"rejection_email": {"send_email_at": "2026-03-01T09:00:00Z"}}, "rejection_email.email_template_id"),
        ({"rejection_email": {"email_template_id": 43}}, "rejection_email.email_template_id"),  # not org-wide
        ({"rejection_email": {"email_template_id": "42", "send_email_at": "soon"}}, "rejection_email.send_email_at"),
        ({"rejection_email": {"email_template_id": 42, "cc": "x"}}, "rejection_email.cc"),
        ({"rejection_email": "yes"}, "rejection_email"),
    ],
)
async def test_reject_refusals(bb: Bindbee, data: dict[str, Any], field: str) -> None:
    answer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", data, valid=False)
    assert answer["status"] == 422
    assert field in {e["field"] for e in answer["data"]["errors"]}
    assert (await bb.by_remote("applications", NIKOLA_APP))["rejected_at"] is None


async def test_change_the_rejection_reason_then_unreject(bb: Bindbee) -> None:
    active = await bb.harvest("PATCH", f"/v1/applications/{NIKOLA_APP}/reject", {"rejection_reason_id": 8})
    assert active["data"] == {"errors": [{"message": "Application must be 'rejected', is currently 'active'"}]}
    await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", {"rejection_reason_id": 262})
    changed = await bb.harvest("PATCH", f"/v1/applications/{NIKOLA_APP}/reject", {"rejection_reason_id": 8})
    assert changed["data"] == {
        "id": NIKOLA_APP,
        "message": "Rejection reason updated to 8 (Lacking skill(s)/qualification(s))",
        "success": True,
    }
    assert (await bb.by_remote("applications", NIKOLA_APP))["reject_reason"] == (
        await bb.by_remote("reject-reasons", 8)
    )["id"]
    unknown = await bb.harvest(
        "PATCH", f"/v1/applications/{NIKOLA_APP}/reject", {"rejection_reason_id": 1}, valid=False
    )
    assert unknown["status"] == 422
    required = await bb.harvest("PATCH", f"/v1/applications/{NIKOLA_APP}/reject", {}, valid=False)
    assert required["data"]["errors"] == [{"message": "Required", "field": "rejection_reason_id"}]
    for body in (None, {"why": "x"}):
        refused = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/unreject", body, valid=False)
        assert refused["status"] == 422
    unrejected = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/unreject", {})
    data = unrejected["data"]
    assert (data["status"], data["rejected_at"], data["rejection_reason"], data["rejection_details"]) == (
        "active",
        None,
        None,
        None,
    )
    assert data["current_stage"]["name"] == "Phone Screen"
    synced = await bb.by_remote("applications", NIKOLA_APP)
    assert (synced["reject_reason"], synced["rejected_at"]) == (None, None)
    twice = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/unreject", {})
    assert (twice["status"], twice["data"]) == (
        422,
        {"errors": [{"message": "Application must be 'rejected', is currently 'active'"}]},
    )


async def test_update_application(bb: Bindbee) -> None:
    data = {
        "source_id": 7,
        "referrer": {"type": "id", "value": ALAN},
        "recruiter_id": ADA,
        "custom_fields": [{"name_key": "salary_band", "value": "B2"}, {"id": 77, "value": 3}],
    }
    answer = await bb.harvest("PATCH", f"/v1/applications/{MARIE_APP}", data)
    assert answer["status"] == 200, answer
    updated = answer["data"]
    assert updated["source"] == {"id": 7, "public_name": "LinkedIn"}
    assert (updated["credited_to"]["id"], updated["recruiter"]["id"]) == (ALAN, ADA)
    assert updated["custom_fields"] == {"salary_band": "B2", "77": 3}
    [synced] = await bb.items("applications", remote_id=str(MARIE_APP), include_custom_fields="true")
    assert (synced["source"], synced["custom_fields"]) == ("LinkedIn", {"salary_band": "B2", "77": 3})
    assert synced["credited_to"] == (await bb.by_remote("remote-users", ALAN))["id"]
    cleared = await bb.harvest(
        "PATCH",
        f"/v1/applications/{MARIE_APP}",
        {"custom_fields": [{"name_key": "salary_band", "delete_value": "true"}]},
    )
    assert cleared["data"]["custom_fields"] == {"77": 3}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source_id": 99}, "source_id"),
        ({"recruiter_id": 1}, "recruiter_id"),
        ({"referrer": {"type": "friend", "value": "x"}}, "referrer.type"),
        ({"referrer": {"type": "id", "value": 1}}, "referrer.value"),
        ({"referrer": {"type": "id"}}, "referrer.value"),
        ({"custom_fields": [{"name_key": "x", "value": None}]}, "custom_fields[0].value"),
        ({"custom_fields": [{"value": "x"}]}, "custom_fields[0].id"),
        ({"custom_fields": [{"id": 1, "value": 5, "unit": "dollars"}]}, "custom_fields[0].unit"),
        ({"prospect_pool_id": 1}, "prospect_pool_id"),
        ({"rejection_details": {"custom_fields": []}}, "rejection_details"),  # the application is active
        ({"status": "hired"}, "status"),
    ],
)
async def test_update_application_refusals(bb: Bindbee, data: dict[str, Any], field: str) -> None:
    answer = await bb.harvest("PATCH", f"/v1/applications/{MARIE_APP}", data, valid=False)
    assert answer["status"] == 422, answer
    assert field in {e.get("field") for e in answer["data"]["errors"]}


async def test_rejection_details_on_a_rejected_application(bb: Bindbee) -> None:
    await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/reject", {"rejection_reason_id": 262})
    details = {"custom_fields": [{"name_key": "good_fit", "value": "Not this time"}]}
    answer = await bb.harvest("PATCH", f"/v1/applications/{NIKOLA_APP}", {"rejection_details": details})
    assert answer["data"]["rejection_details"]["custom_fields"] == {"good_fit": "Not this time"}


async def test_add_application_in_a_stage_with_an_attachment(bb: Bindbee) -> None:
    resume = harvest_file()
    data = {"job_id": TEMPLATE_JOB, "initial_stage_id": TEMPLATE_ONSITE, "source_id": 16, "attachments": [resume]}
    answer = await bb.harvest("POST", f"/v1/candidates/{NIKOLA}/applications", data)
    assert answer["status"] == 200, answer
    created = answer["data"]
    assert (created["current_stage"]["id"], created["source"]["id"], created["status"]) == (
        TEMPLATE_ONSITE,
        16,
        "active",
    )
    [attachment] = created["attachments"]
    assert (await bb.raw.get(attachment["url"])).content == PDF
    synced = await bb.by_remote("applications", created["id"])
    assert synced["source"] == "Referral"
    nikola = await bb.one("candidates", synced["candidate"])
    assert synced["id"] in nikola["applications"]
    assert len(nikola["attachments"]) == 2  # the seed résumé and this one, on the candidate at Bindbee


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "job_id"),
        ({"job_id": "4033879010"}, "job_id"),
        ({"job_id": 1}, "job_id"),
        ({"job_id": AE_JOB, "initial_stage_id": TEMPLATE_ONSITE}, "initial_stage_id"),
        ({"job_id": AE_JOB, "source_id": 1}, "source_id"),
        ({"job_id": AE_JOB, "coordinator_id": 1}, "coordinator_id"),
        ({"job_id": AE_JOB, "attachments": [{"filename": "a.pdf"}]}, "attachments[0].type"),
        (
            {
                "job_id": AE_JOB,
                "attachments": [{"filename": "a", "type": "offer_letter", "url": "https://x.example/a"}],
            },
            "attachments[0].type",
        ),
        ({"job_id": AE_JOB, "prospect": "true"}, "prospect"),  # prospects are not emulated
    ],
)
async def test_add_application_refusals(bb: Bindbee, data: dict[str, Any], field: str) -> None:
    before = len(bb.sandbox.tenants[GH]["applications"].records)
    answer = await bb.harvest("POST", f"/v1/candidates/{NIKOLA}/applications", data, valid=False)
    assert answer["status"] == 422
    assert field in {e["field"] for e in answer["data"]["errors"]}
    assert len(bb.sandbox.tenants[GH]["applications"].records) == before


# --- Harvest: candidates (edit, notes, attachments) -----------------------------------------------------------------


async def test_edit_candidate_as_a_sync_shows_it(bb: Bindbee) -> None:
    data = {
        "title": "Inventor",
        "tags": ["Top talent"],
        "is_private": "true",
        "email_addresses": [{"value": "n@t.io", "type": "work"}],
    }
    answer = await bb.harvest("PATCH", f"/v1/candidates/{NIKOLA}", data)
    assert answer["status"] == 200
    assert answer["data"]["application_ids"] == [NIKOLA_APP]
    synced = await bb.by_remote("candidates", NIKOLA)
    assert (synced["title"], synced["tags"], synced["is_private"], synced["email_addresses"]) == (
        "Inventor",
        ["Top talent"],
        True,
        ["n@t.io"],
    )
    refused = await bb.harvest(
        "PATCH", f"/v1/candidates/{NIKOLA}", {"phone_numbers": [{"value": "1", "type": "fax"}]}, valid=False
    )
    assert refused["data"]["errors"] == [
        {"message": "Must be one of: home, work, mobile, skype, other", "field": "phone_numbers.type"}
    ]


@pytest.mark.parametrize("user_id", [ADA, str(ADA)])  # typed integer; the docs' example sends a string
async def test_add_note(bb: Bindbee, user_id: int | str) -> None:
    answer = await bb.harvest(
        "POST",
        f"/v1/candidates/{MARIE}/activity_feed/notes",
        {"user_id": user_id, "body": "Call back", "visibility": "admin_only"},
        valid=isinstance(user_id, int),
    )
    assert answer["status"] == 200
    note = answer["data"]
    assert (note["visibility"], note["visiblity"], note["private"], note["user"]["id"]) == (
        "admin_only",
        "admin_only",
        False,
        ADA,
    )
    [activity] = [a for a in await bb.items("activities") if a["remote_id"] == str(note["id"])]
    ada = (await bb.by_remote("remote-users", ADA))["id"]
    assert (activity["activity_type"], activity["visibility"], activity["user"], activity["body"]) == (
        "NOTE",
        "ADMIN_ONLY",
        ada,
        "Call back",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"user_id": ADA, "body": "x", "visibility": "everyone"}, "visibility"),
        ({"user_id": 1, "body": "x", "visibility": "public"}, "user_id"),
        ({"user_id": "ada", "body": "x", "visibility": "public"}, "user_id"),
        ({"user_id": ADA, "visibility": "public"}, "body"),
    ],
)
async def test_add_note_refusals(bb: Bindbee, data: dict[str, Any], field: str) -> None:
    answer = await bb.harvest("POST", f"/v1/candidates/{MARIE}/activity_feed/notes", data, valid=False)
    assert answer["status"] == 422
    assert field in {e["field"] for e in answer["data"]["errors"]}


async def test_add_attachments_to_a_candidate_and_an_application(bb: Bindbee) -> None:
    cover = harvest_file(filename="cover.pdf", type="cover_letter")
    on_candidate = await bb.harvest("POST", f"/v1/candidates/{NIKOLA}/attachments", cover)
    assert on_candidate["data"]["type"] == "cover_letter"
    assert (await bb.raw.get(on_candidate["data"]["url"])).content == PDF
    linked = {"filename": "portfolio", "type": "other", "url": "https://files.example.com/p", "visibility": "private"}
    on_application = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/attachments", linked)
    assert on_application["data"]["url"] == "https://files.example.com/p"
    bindbee = {
        a["file_name"]: a
        for a in await bb.items("attachments", candidate=(await bb.by_remote("candidates", NIKOLA))["id"])
    }
    assert (bindbee["cover.pdf"]["attachment_type"], bindbee["portfolio"]["attachment_type"]) == (
        "COVER_LETTER",
        "OTHER",
    )
    application = (await bb.harvest("GET", f"/v1/applications/{NIKOLA_APP}", on_behalf=None))["data"]
    assert [a["filename"] for a in application["attachments"]] == ["Nikola_Tesla_resume.pdf", "portfolio"]


async def test_offer_letters_need_an_offer_and_signed_ones_a_sent_letter(bb: Bindbee) -> None:
    letter = harvest_file(filename="offer.pdf", type="offer_letter")
    signed = {**letter, "filename": "signed.pdf", "type": "signed_offer_letter"}
    no_offer = await bb.harvest("POST", f"/v1/applications/{NIKOLA_APP}/attachments", letter, valid=False)
    assert no_offer["data"]["errors"] == [{"message": "The application has no offer", "field": "type"}]
    early = await bb.harvest("POST", f"/v1/applications/{MARIE_APP}/attachments", signed, valid=False)
    assert early["data"]["errors"] == [
        {"message": "The application has no approved, sent offer letter", "field": "type"}
    ]
    assert (await bb.harvest("POST", f"/v1/applications/{MARIE_APP}/attachments", letter))["status"] == 200
    assert (await bb.harvest("POST", f"/v1/applications/{MARIE_APP}/attachments", signed))["status"] == 200
    test = {**letter, "type": "take_home_test"}
    refused = await bb.harvest("POST", f"/v1/applications/{MARIE_APP}/attachments", test, valid=False)
    assert refused["data"]["errors"][0]["field"] == "type"


@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        (f"/v1/candidates/{NIKOLA}/attachments", {"type": "other"}, "type"),  # an application type only
        (f"/v1/applications/{NIKOLA_APP}/attachments", {"type": "admin_only"}, "type"),  # a candidate type only
        (f"/v1/candidates/{NIKOLA}/attachments", {"url": "https://x.example/cv"}, "content"),  # both
        (f"/v1/candidates/{NIKOLA}/attachments", {"content": "%%%"}, "content"),
        (f"/v1/candidates/{NIKOLA}/attachments", {"content_type": "application/x-msdownload"}, "content_type"),
        (f"/v1/applications/{NIKOLA_APP}/attachments", {"visibility": "everyone"}, "visibility"),
        (f"/v1/candidates/{NIKOLA}/attachments", {"visibility": "public"}, "visibility"),  # application only
        (f"/v1/candidates/{NIKOLA}/attachments", {"filename": None}, "filename"),
    ],
)
async def test_add_attachment_refusals(bb: Bindbee, path: str, change: dict[str, Any], field: str) -> None:
    data = {k: v for k, v in harvest_file(**change).items() if v is not None}
    answer = await bb.harvest("POST", path, data, valid=False)
    assert answer["status"] == 422
    assert field in {e["field"] for e in answer["data"]["errors"]}


async def test_content_type_is_required_with_content_only(bb: Bindbee) -> None:
    content = {k: v for k, v in harvest_file().items() if k != "content_type"}
    refused = await bb.harvest("POST", f"/v1/candidates/{NIKOLA}/attachments", content, valid=False)
    assert refused["data"]["errors"] == [{"message": "Required with content", "field": "content_type"}]
    by_url = {"filename": "cv.pdf", "type": "resume", "url": "https://files.example.com/cv.pdf"}
    assert (await bb.harvest("POST", f"/v1/candidates/{NIKOLA}/attachments", by_url))["status"] == 200


# --- Harvest: reads -----------------------------------------------------------------------------------------------


async def test_job_stages_and_one_stage(bb: Bindbee) -> None:
    stages = (await bb.harvest("GET", f"/v1/jobs/{AE_JOB}/stages", on_behalf=None))["data"]
    assert [(s["id"], s["name"], s["priority"], s["job_id"], s["active"]) for s in stages] == [
        (remote, name, n, AE_JOB, True) for n, (name, remote) in enumerate(AE_STAGES.items())
    ]
    assert [i["name"] for i in stages[2]["interviews"]] == ["Onsite Interview"]
    one = (await bb.harvest("GET", f"/v1/job_stages/{AE_STAGES['Offer']}", on_behalf=None))["data"]
    assert one == stages[3]


async def test_rejection_reasons_with_and_without_defaults_and_pages(bb: Bindbee) -> None:
    own = await bb.harvest("GET", "/v1/rejection_reasons", on_behalf=None)
    assert ([r["id"] for r in own["data"]], own["headers"]) == ([262], {})
    everything = await bb.harvest("GET", "/v1/rejection_reasons", on_behalf=None, params={"include_defaults": "true"})
    assert [r["id"] for r in everything["data"]] == [262, 8, 815]
    params = {"include_defaults": "true", "per_page": 2}
    first = await bb.harvest("GET", "/v1/rejection_reasons", on_behalf=None, params=params)
    assert [r["id"] for r in first["data"]] == [262, 8]
    link = first["headers"]["Link"]
    assert 'page=2&per_page=2>; rel="next"' in link
    assert 'rel="last"' in link
    assert 'rel="prev"' not in link
    second = await bb.harvest(
        "GET", "/v1/rejection_reasons", on_behalf=None, params={**params, "page": 2, "skip_count": "true"}
    )
    assert [r["id"] for r in second["data"]] == [815]
    assert 'rel="prev"' in second["headers"]["Link"]
    assert 'rel="last"' not in second["headers"]["Link"]
    too_big = await bb.harvest("GET", "/v1/rejection_reasons", on_behalf=None, params={"per_page": 501})
    assert too_big["data"]["errors"] == [{"message": "Must be an integer from 1 to 500", "field": "per_page"}]


async def test_offers_interviews_and_scorecards(bb: Bindbee) -> None:
    offers = (await bb.harvest("GET", f"/v1/applications/{MARIE_APP}/offers", on_behalf=None))["data"]
    assert [(o["version"], o["status"]) for o in offers] == [(1, "deprecated"), (2, "unresolved")]
    current = (await bb.harvest("GET", f"/v1/applications/{MARIE_APP}/offers/current_offer", on_behalf=None))["data"]
    assert current == offers[1]
    assert (current["application_id"], current["job_id"], current["candidate_id"]) == (MARIE_APP, AE_JOB, MARIE)
    assert (await bb.harvest("GET", f"/v1/offers/{current['id']}", on_behalf=None))["data"] == current
    none = await bb.harvest("GET", f"/v1/applications/{NIKOLA_APP}/offers/current_offer", on_behalf=None)
    assert none["status"] == 404
    [interview] = (await bb.harvest("GET", f"/v1/applications/{MARIE_APP}/scheduled_interviews", on_behalf=None))[
        "data"
    ]
    assert (interview["status"], interview["interview"]["name"], interview["organizer"]["id"]) == (
        "complete",
        "Onsite Interview",
        GRACE,
    )
    assert {i["id"]: i["scorecard_id"] for i in interview["interviewers"]} == {ALAN: 4700001, ADA: None}
    assert (await bb.harvest("GET", f"/v1/scheduled_interviews/{interview['id']}", on_behalf=None))["data"] == interview
    [card] = (await bb.harvest("GET", f"/v1/applications/{MARIE_APP}/scorecards", on_behalf=None))["data"]
    assert (card["overall_recommendation"], card["interviewer"]["id"], card["interview_step"]["name"]) == (
        "strong_yes",
        ALAN,
        "Onsite Interview",
    )
    assert (await bb.harvest("GET", "/v1/scorecards/4700001", on_behalf=None))["data"] == card
    assert (await bb.harvest("GET", f"/v1/applications/{NIKOLA_APP}/scorecards", on_behalf=None))["data"] == []
    bindbee = (await bb.items("scorecards"))[0]
    assert bindbee["overall_recommendation"] == "STRONG_YES"


async def test_the_whole_story_reads_back_on_both_sides(bb: Bindbee) -> None:
    """What the connector will do end to end, at the vendor: apply, upload, note, move, reject; each visible in
    Bindbee's copy, as the gateway reads it back."""
    resume = harvest_file()
    created = (await bb.harvest("POST", f"/v1/candidates/{MARIE}/applications", {"job_id": TEMPLATE_JOB}))["data"]
    application = created["id"]
    await bb.harvest("POST", f"/v1/applications/{application}/attachments", resume)
    await bb.harvest(
        "POST",
        f"/v1/candidates/{MARIE}/activity_feed/notes",
        {"user_id": GRACE, "body": "Applied", "visibility": "public"},
    )
    stages = (await bb.harvest("GET", f"/v1/jobs/{TEMPLATE_JOB}/stages", on_behalf=None))["data"]
    await bb.harvest(
        "POST",
        f"/v1/applications/{application}/move",
        {"from_stage_id": stages[0]["id"], "to_stage_id": stages[1]["id"]},
    )
    await bb.harvest("POST", f"/v1/applications/{application}/reject", {"rejection_reason_id": 262})
    synced = await bb.by_remote("applications", application)
    assert synced["current_stage"] == (await bb.by_remote("job-interview-stages", stages[1]["id"]))["id"]
    assert synced["reject_reason"] == (await bb.by_remote("reject-reasons", 262))["id"]
    marie = await bb.one("candidates", synced["candidate"], expand="attachments")
    served = await bb.raw.get(next(a["file_url"] for a in marie["attachments"] if a["file_name"] == "cv.pdf"))
    assert served.content == PDF
    bodies = [a["body"] for a in await bb.items("activities", candidate=marie["id"])]
    assert "Applied" in bodies
    assert any(b.startswith("Marie Curie was rejected from Software Engineer (template)") for b in bodies)
