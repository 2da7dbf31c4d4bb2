"""The StackOne sandbox on its own (over httpx's ASGI transport): every one of the 76 operations answering as
StackOne's document says (each answer, success or error, validated against the schema the document declares for
that operation and status), and the state behind them behaving: moves, rejections, changes, notes, documents
downloaded byte for byte, assessment and background-check results, packages; paging, filters, deprecated aliases,
`include` / `expand` / `fields` / `raw` / `proxy`, and StackOne's errors.

Seed ids are quoted the way the README quotes them: `stable_id(account, kind, name…)`.
"""

from __future__ import annotations

import base64
import copy
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from sandbox import stackone
from sandbox.common import Tenant, stable_id
from tests.contract import contract
from tests.seeds import curl_body

KEY = "sk-test"
ACCOUNT = "acc-greenhouse"
ids = partial(stable_id, ACCOUNT)

MARIE, NIKOLA = "marie.curie@example.com", "nikola.tesla@example.com"
ENGINEER, EXECUTIVE = "Software Engineer (template)", "Account Executive"
MARIE_ID, NIKOLA_ID = ids("candidate", MARIE), ids("candidate", NIKOLA)
JOB, OTHER_JOB = ids("job", ENGINEER), ids("job", EXECUTIVE)
AT_OFFER = ids("application", MARIE, ENGINEER)
"""At "Offer": two completed interviews, a scorecard, an offer, a note, a résumé."""
NEW = ids("application", MARIE, EXECUTIVE)
"""At "Application Review", status active."""
AT_SCREEN = ids("application", NIKOLA, ENGINEER)
"""At "Phone Screen": a scheduled interview, a résumé and a cover letter."""
REJECTED = ids("application", NIKOLA, EXECUTIVE)
"""Rejected: "Position filled"."""
ONSITE = ids("interview", AT_OFFER, "Onsite Interview")
SCHEDULED = ids("interview", AT_SCREEN, "Phone Screen")
POSITION_FILLED = ids("rejected_reason", "Position filled")
FAILED_SCREEN = ids("rejected_reason", "Failed phone screen")
TEST_1 = ids("assessment_package", "Test 1")
STANDARD_CHECK = ids("background_check_package", "Standard check")
RECRUITER = ids("user", "grace.hopper@example.com")
RESUME_CATEGORY = ids("document_category", "Resume")


def stage(job: str, name: str) -> str:
    return ids("stage", job, name)


def resume(application: str) -> str:
    return ids("document", application, "resume")


# --- the client and StackOne's document --------------------------------------------------------------------------


@dataclass
class Api:
    client: httpx.AsyncClient
    sandbox: stackone.StackOneSandbox

    async def __call__(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        account: str | None = ACCOUNT,
        key: str | None = KEY,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if account is not None:
            headers["x-account-id"] = account
        if key is not None:
            headers["authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        return await self.client.request(method, f"/unified/ats{path}", json=json, headers=headers, **kwargs)

    async def data(self, path: str, **kwargs: Any) -> Any:
        response = await self("GET", path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    @property
    def tenant(self) -> Tenant:
        return self.sandbox.tenants[ACCOUNT]

    async def stats(self) -> dict[str, Any]:
        answer: dict[str, Any] = (await self.client.get("/_sandbox/stats")).json()
        return answer


def make_api(short_pages: bool = False, **kwargs: Any) -> Api:
    sandbox = stackone.StackOneSandbox(
        api_keys={KEY}, accounts={ACCOUNT: "greenhouse"}, short_pages=short_pages, **kwargs
    )
    transport = httpx.ASGITransport(app=stackone.create_app(sandbox))
    return Api(httpx.AsyncClient(transport=transport, base_url="http://stackone"), sandbox)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    made = make_api()
    async with made.client:
        yield made


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    document = contract("stackone").document
    return {
        spec["operationId"]: (method.upper(), path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
    }


def documented(operation: str, response: httpx.Response) -> Any:
    """The answer as the document declares it for this operation and status; its JSON (or bytes, for a file)."""
    _, _, spec = _operations()[operation]
    answers = spec["responses"]
    assert str(response.status_code) in answers, f"{operation} does not answer {response.status_code}: {response.text}"
    content = answers[str(response.status_code)]["content"]
    kind = response.headers["content-type"].split(";")[0]
    assert kind in content, f"{operation} does not answer {kind}"
    if operation == "ats_download_application_document":  # the file itself, whatever its type
        return response.content
    document = contract("stackone").document
    validator = Draft202012Validator(
        {"components": document["components"], **content["application/json"]["schema"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    body = response.json()
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, f"{operation} {response.status_code}: {problems}"
    return body


def is_success(operation: str, status: int) -> bool:
    _, _, spec = _operations()[operation]
    return any(code.startswith("2") and int(code) == status for code in spec["responses"])


# --- every operation, once -----------------------------------------------------------------------------------------

Example = Callable[[Api], Awaitable[httpx.Response]]


async def _second(api: Api, first: tuple[str, str, Any], then: Callable[[Any], tuple[str, str, Any]]) -> httpx.Response:
    response = await api(*first)
    assert response.status_code < 300, response.text
    return await api(*then(response.json()))


def _order_body(package: str, application: str = AT_SCREEN) -> dict[str, Any]:
    body = curl_body("002")
    body["package"].update(id=package)
    body["application"].update(id=application)
    return body


async def _order_then_result(api: Api, kind: str, package: str) -> httpx.Response:
    placed = await api("POST", f"/{kind}/orders", _order_body(package))
    assert placed.status_code == 200, placed.text
    result = {"result": {"value": "passed"}, "score": {"label": "Overall", "value": "8", "min": "0", "max": "10"}}
    return await api("PATCH", f"/{kind}/orders/{placed.json()['id']}/result", result)


NOTE = {"content": [{"body": "Follow up next week."}], "author_id": RECRUITER, "visibility": {"value": "public"}}
UPLOAD = {"name": "portfolio", "file_format": {"value": "pdf"}, "content": base64.b64encode(b"%PDF-1.4\n").decode()}

EXAMPLES: dict[str, Example] = {
    # jobs
    "ats_list_jobs": lambda api: api("GET", "/jobs"),
    "ats_create_job": lambda api: api("POST", "/jobs", {"title": "Data Engineer", "job_status": {"value": "draft"}}),
    "ats_get_job": lambda api: api("GET", f"/jobs/{JOB}"),
    "ats_update_job": lambda api: api("PATCH", f"/jobs/{JOB}", {"title": "Staff Engineer"}),
    "ats_list_job_application_stages": lambda api: api("GET", f"/jobs/{JOB}/application_stages"),
    "ats_get_job_application_stage": lambda api: api(
        "GET", f"/jobs/{JOB}/application_stages/{stage(ENGINEER, 'Offer')}"
    ),
    "ats_list_job_postings": lambda api: api("GET", "/job_postings"),
    "ats_get_job_posting": lambda api: api("GET", f"/job_postings/{ids('job_posting', ENGINEER)}"),
    "ats_list_interview_stages": lambda api: api("GET", "/interview_stages"),
    "ats_get_interview_stage": lambda api: api("GET", f"/interview_stages/{stage(EXECUTIVE, 'Onsite Interview')}"),
    "ats_list_application_stages": lambda api: api("GET", "/application_stages"),
    "ats_get_application_stage": lambda api: api("GET", f"/application_stages/{stage(ENGINEER, 'Phone Screen')}"),
    # candidates
    "ats_list_candidates": lambda api: api("GET", "/candidates"),
    "ats_create_candidate": lambda api: api("POST", "/candidates", {"first_name": "Ada", "email": "ada@example.org"}),
    "ats_get_candidate": lambda api: api("GET", f"/candidates/{MARIE_ID}"),
    "ats_update_candidate": lambda api: api("PATCH", f"/candidates/{MARIE_ID}", {"title": "Physicist"}),
    # applications
    "ats_list_applications": lambda api: api("GET", "/applications"),
    "ats_create_application": lambda api: api("POST", "/applications", {"job_id": OTHER_JOB, "candidate_id": MARIE_ID}),
    "ats_get_application": lambda api: api("GET", f"/applications/{AT_OFFER}"),
    "ats_update_application": lambda api: api(
        "PATCH", f"/applications/{NEW}", {"application_status": {"value": "review"}}
    ),
    "ats_move_application": lambda api: api(
        "POST", f"/applications/{NEW}/move", {"interview_stage_id": stage(EXECUTIVE, "Phone Screen")}
    ),
    "ats_reject_application": lambda api: api(
        "POST", f"/applications/{NEW}/reject", {"rejected_reason_id": FAILED_SCREEN}
    ),
    "ats_list_application_changes": lambda api: api("GET", f"/applications/{AT_OFFER}/changes"),
    # notes
    "ats_list_application_notes": lambda api: api("GET", f"/applications/{AT_OFFER}/notes"),
    "ats_create_application_note": lambda api: api("POST", f"/applications/{AT_OFFER}/notes", NOTE),
    "ats_get_application_note": lambda api: api(
        "GET", f"/applications/{AT_OFFER}/notes/{ids('note', 'applications', AT_OFFER)}"
    ),
    "ats_update_application_note": lambda api: api(
        "PATCH", f"/applications/{AT_OFFER}/notes/{ids('note', 'applications', AT_OFFER)}", {"content": [{"body": "x"}]}
    ),
    "ats_list_candidate_notes": lambda api: api("GET", f"/candidates/{MARIE_ID}/notes"),
    "ats_create_candidate_note": lambda api: api("POST", f"/candidates/{NIKOLA_ID}/notes", NOTE),
    "ats_get_candidate_note": lambda api: api(
        "GET", f"/candidates/{MARIE_ID}/notes/{ids('note', 'candidates', MARIE_ID)}"
    ),
    "ats_create_interview_note": lambda api: api("POST", f"/interviews/{ONSITE}/notes", NOTE),
    "ats_update_interview_note": lambda api: _second(
        api,
        ("POST", f"/interviews/{ONSITE}/notes", NOTE),
        lambda made: (
            "PATCH",
            f"/interviews/{ONSITE}/notes/{made['data']['id']}",
            {"visibility": {"value": "private"}},
        ),
    ),
    # documents
    "ats_list_application_documents": lambda api: api("GET", f"/applications/{AT_SCREEN}/documents"),
    "ats_get_application_document": lambda api: api("GET", f"/applications/{AT_OFFER}/documents/{resume(AT_OFFER)}"),
    "ats_upload_application_document": lambda api: api("POST", f"/applications/{AT_OFFER}/documents/upload", UPLOAD),
    "ats_download_application_document": lambda api: api(
        "GET", f"/applications/{AT_OFFER}/documents/{resume(AT_OFFER)}/download"
    ),
    "ats_list_application_document_categories": lambda api: api("GET", "/documents/application_categories"),
    "ats_get_application_document_category": lambda api: api(
        "GET", f"/documents/application_categories/{RESUME_CATEGORY}"
    ),
    # interviews, scorecards, offers
    "ats_list_interviews": lambda api: api("GET", "/interviews"),
    "ats_get_interview": lambda api: api("GET", f"/interviews/{ONSITE}"),
    "ats_list_applications_scheduled_interviews": lambda api: api(
        "GET", f"/applications/{AT_SCREEN}/scheduled_interviews"
    ),
    "ats_get_application_scheduled_interview": lambda api: api(
        "GET", f"/applications/{AT_SCREEN}/scheduled_interviews/{SCHEDULED}"
    ),
    "ats_list_application_scorecards": lambda api: api("GET", f"/applications/{AT_OFFER}/scorecards"),
    "ats_get_application_scorecard": lambda api: api(
        "GET", f"/applications/{AT_OFFER}/scorecards/{ids('scorecard', ONSITE)}"
    ),
    "ats_list_offers": lambda api: api("GET", "/offers"),
    "ats_create_offer": lambda api: api(
        "POST",
        "/offers",
        {"application_id": AT_SCREEN, "salary": 90000, "currency": "GBP", "offer_status": {"value": "created"}},
    ),
    "ats_get_offer": lambda api: api("GET", f"/offers/{ids('offer', AT_OFFER)}"),
    "ats_list_applications_offers": lambda api: api("GET", f"/applications/{AT_OFFER}/offers"),
    "ats_get_application_offer": lambda api: api("GET", f"/applications/{AT_OFFER}/offers/{ids('offer', AT_OFFER)}"),
    # assessments and background checks
    "ats_list_assessments_packages": lambda api: api("GET", "/assessments/packages"),
    "ats_get_assessments_package": lambda api: api("GET", f"/assessments/packages/{TEST_1}"),
    "ats_order_assessments_request": lambda api: api("POST", "/assessments/orders", _order_body(TEST_1)),
    "ats_update_assessments_result": lambda api: _order_then_result(api, "assessments", TEST_1),
    "ats_list_background_check_packages": lambda api: api("GET", "/background_checks/packages"),
    "ats_create_background_check_package": lambda api: api(
        "POST", "/background_checks/packages", {"name": "Basic", "tests": [{"name": "Identity"}]}
    ),
    "ats_get_background_check_package": lambda api: api("GET", f"/background_checks/packages/{STANDARD_CHECK}"),
    "ats_update_background_check_package": lambda api: api(
        "PATCH", f"/background_checks/packages/{STANDARD_CHECK}", {"description": "Identity only"}
    ),
    "ats_delete_background_check_package": lambda api: api("DELETE", f"/background_checks/packages/{STANDARD_CHECK}"),
    "ats_order_background_check_request": lambda api: api(
        "POST", "/background_checks/orders", _order_body(STANDARD_CHECK)
    ),
    "ats_update_background_check_result": lambda api: _order_then_result(api, "background_checks", STANDARD_CHECK),
    # reference data
    "ats_list_departments": lambda api: api("GET", "/departments"),
    "ats_get_department": lambda api: api("GET", f"/departments/{ids('department', 'Engineering')}"),
    "ats_list_locations": lambda api: api("GET", "/locations"),
    "ats_get_location": lambda api: api("GET", f"/locations/{ids('location', 'London')}"),
    "ats_list_users": lambda api: api("GET", "/users"),
    "ats_get_user": lambda api: api("GET", f"/users/{RECRUITER}"),
    "ats_list_rejected_reasons": lambda api: api("GET", "/rejected_reasons"),
    "ats_get_rejected_reason": lambda api: api("GET", f"/rejected_reasons/{POSITION_FILLED}"),
    "ats_list_lists": lambda api: api("GET", "/lists"),
    "ats_get_list": lambda api: api("GET", f"/lists/{ids('list', 'Silver medallists')}"),
    "ats_list_application_custom_field_definitions": lambda api: api("GET", "/custom_field_definitions/applications"),
    "ats_get_application_custom_field_definition": lambda api: api(
        "GET",
        f"/custom_field_definitions/applications/{ids('custom_field_definition', 'applications', 'Interview format')}",
    ),
    "ats_list_candidate_custom_field_definitions": lambda api: api("GET", "/custom_field_definitions/candidates"),
    "ats_get_candidate_custom_field_definition": lambda api: api(
        "GET", f"/custom_field_definitions/candidates/{ids('custom_field_definition', 'candidates', 'Right to work')}"
    ),
    "ats_list_job_custom_field_definitions": lambda api: api("GET", "/custom_field_definitions/jobs"),
    "ats_get_job_custom_field_definition": lambda api: api(
        "GET", f"/custom_field_definitions/jobs/{ids('custom_field_definition', 'jobs', 'Cost centre')}"
    ),
}


def test_there_is_an_example_for_every_documented_operation() -> None:
    assert set(EXAMPLES) == set(_operations())


@pytest.mark.parametrize("operation", sorted(EXAMPLES))
async def test_every_operation_answers_as_documented(api: Api, operation: str) -> None:
    response = await EXAMPLES[operation](api)
    assert is_success(operation, response.status_code), response.text
    body = documented(operation, response)
    if isinstance(body, dict) and "data" in body and isinstance(body["data"], list):
        assert body["data"], f"{operation}: the seed leaves this list empty"


# --- state that behaves --------------------------------------------------------------------------------------------


async def test_a_moved_application_shows_its_new_stage_and_the_change(api: Api) -> None:
    target = stage(EXECUTIVE, "Onsite Interview")
    moved = documented(
        "ats_move_application", await api("POST", f"/applications/{NEW}/move", {"interview_stage_id": target})
    )
    assert moved["data"]["id"] == NEW
    assert moved["message"] == "Application moved successfully."
    application = await api.data(f"/applications/{NEW}")
    assert application["application_stage_id"] == application["interview_stage_id"] == target
    assert application["application_stage"]["name"] == application["interview_stage"]["name"] == "Onsite Interview"
    assert application["remote_application_stage_id"] == application["application_stage"]["remote_id"]
    [change] = await api.data(f"/applications/{NEW}/changes")
    assert change["change_type"]["value"] == "interview_stage"
    assert change["new_values"]["interview_stage_id"] == target
    staged = await api.data(f"/applications?filter[application_stage_id]={target}")
    assert [a["id"] for a in staged] == [NEW]


async def test_a_move_to_a_stage_of_another_job_is_the_providers_422(api: Api) -> None:
    refused = await api("POST", f"/applications/{NEW}/move", {"interview_stage_id": stage(ENGINEER, "Offer")})
    body = documented("ats_move_application", refused)
    assert refused.status_code == 422
    assert body["provider_errors"][0]["raw"]["errors"][0]["field"] == "interview_stage_id"
    assert (await api.data(f"/applications/{NEW}"))["application_stage_id"] == stage(EXECUTIVE, "Application Review")


async def test_a_rejected_application_shows_its_reason_and_rejected_at(api: Api) -> None:
    answer = documented(
        "ats_reject_application",
        await api("POST", f"/applications/{NEW}/reject", {"rejected_reason_id": FAILED_SCREEN}),
    )
    assert (answer["statusCode"], answer["data"]["id"]) == (200, NEW)
    application = await api.data(f"/applications/{NEW}")
    assert application["application_status"] == {"value": "rejected", "source_value": "Rejected"}
    assert application["rejected_reason_ids"] == [FAILED_SCREEN]
    assert [r["label"] for r in application["rejected_reasons"]] == ["Failed phone screen"]
    assert application["remote_rejected_reason_ids"] == [application["rejected_reasons"][0]["remote_id"]]
    assert application["rejected_at"]
    [change] = await api.data(f"/applications/{NEW}/changes?filter[change_type]=rejected_reasons")
    assert change["new_values"]["rejected_reason_ids"] == [FAILED_SCREEN]
    unknown = await api("POST", f"/applications/{NEW}/reject", {"rejected_reason_id": "nope"})
    assert unknown.status_code == 422


async def test_an_updated_application_shows_its_changes(api: Api) -> None:
    body = {"application_status": {"value": "review", "source_value": "In review"}, "source": {"name": "Referral"}}
    answer = documented("ats_update_application", await api("PATCH", f"/applications/{NEW}", body))
    assert set(answer) == {"statusCode", "message", "timestamp"}
    application = await api.data(f"/applications/{NEW}")
    assert application["application_status"] == body["application_status"]
    assert application["source"] == {"id": None, "remote_id": None, "name": "Referral"}
    [change] = await api.data(f"/applications/{NEW}/changes")
    assert change["change_type"]["value"] == "application_status"
    assert change["new_values"]["application_status"]["value"] == "review"


async def test_the_seeded_history_is_in_the_changes(api: Api) -> None:
    changes = await api.data(f"/applications/{AT_OFFER}/changes")
    stages = [c["new_values"]["interview_stage_id"] for c in changes]
    assert stages == [stage(ENGINEER, name) for name in ("Phone Screen", "Onsite Interview", "Offer")]
    assert await api.data(f"/applications/{AT_OFFER}/changes?filter[change_type]=rejected_reasons") == []
    wrong = await api("GET", f"/applications/{AT_OFFER}/changes?filter[change_type]=moved")
    assert wrong.status_code == 400
    documented("ats_list_application_changes", wrong)


@pytest.mark.parametrize(("parent", "owner"), [("applications", AT_SCREEN), ("candidates", NIKOLA_ID)])
async def test_notes_created_are_listed_and_read(api: Api, parent: str, owner: str) -> None:
    kind = parent[:-1]
    made = documented(f"ats_create_{kind}_note", await api("POST", f"/{parent}/{owner}/notes", NOTE))
    note_id = made["data"]["id"]
    listed = await api.data(f"/{parent}/{owner}/notes")
    assert [n["id"] for n in listed] == [note_id]
    note = await api.data(f"/{parent}/{owner}/notes/{note_id}")
    assert note["content"] == NOTE["content"]
    assert note["author_id"] == RECRUITER
    assert note["remote_author_id"] == api.tenant["users"].records[RECRUITER]["remote_id"]
    assert note["visibility"]["value"] == "public"


async def test_an_updated_note_changes(api: Api) -> None:
    note_id = ids("note", "applications", AT_OFFER)
    before = await api.data(f"/applications/{AT_OFFER}/notes/{note_id}")
    body = {"content": [{"body": "Changed my mind."}], "visibility": {"value": "public"}}
    documented("ats_update_application_note", await api("PATCH", f"/applications/{AT_OFFER}/notes/{note_id}", body))
    after = await api.data(f"/applications/{AT_OFFER}/notes/{note_id}")
    assert after["content"] == body["content"]
    assert after["visibility"]["value"] == "public"
    assert after["author_id"] == before["author_id"]
    missing = await api("PATCH", f"/applications/{AT_OFFER}/notes/nope", body)
    assert missing.status_code == 404


async def test_interview_notes_are_kept_and_updated(api: Api) -> None:
    made = (await api("POST", f"/interviews/{ONSITE}/notes", NOTE)).json()["data"]
    patched = await api("PATCH", f"/interviews/{ONSITE}/notes/{made['id']}", {"content": [{"body": "Updated"}]})
    assert patched.status_code == 200
    kept = api.tenant[f"interviews/{ONSITE}/notes"].records[made["id"]]
    assert kept["content"] == [{"body": "Updated"}]
    assert (await api("PATCH", f"/interviews/{ONSITE}/notes/nope", NOTE)).status_code == 404
    assert (await api("POST", "/interviews/nope/notes", NOTE)).status_code == 404


# --- documents ----------------------------------------------------------------------------------------------------


async def _uploaded(api: Api, application: str, upload: dict[str, Any]) -> dict[str, Any]:
    before = {d["id"] for d in await api.data(f"/applications/{application}/documents")}
    answer = documented(
        "ats_upload_application_document", await api("POST", f"/applications/{application}/documents/upload", upload)
    )
    assert (answer["statusCode"], answer["provider_errors"], answer["unified_warnings"]) == (201, [], [])
    [document] = [d for d in await api.data(f"/applications/{application}/documents") if d["id"] not in before]
    return dict(document)


async def test_an_uploaded_document_is_listed_read_and_downloads_byte_for_byte(api: Api) -> None:
    content = os.urandom(4096) + bytes(range(256))
    upload = {
        "name": "portfolio",
        "file_format": {"value": "pdf"},
        "content": base64.b64encode(content).decode(),
        "category": {"value": "take_home_test"},
    }
    document = await _uploaded(api, AT_SCREEN, upload)
    assert document["name"] == "portfolio.pdf"
    assert document["file_format"]["value"] == "pdf"
    assert document["category"]["value"] == document["type"]["value"] == "take_home_test"
    assert await api.data(f"/applications/{AT_SCREEN}/documents/{document['id']}") == document
    url = f"/applications/{AT_SCREEN}/documents/{document['id']}/download"
    download = await api("GET", url)
    assert documented("ats_download_application_document", download) == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="portfolio.pdf"'
    assert int(download.headers["content-length"]) == len(content)
    encoded = await api("GET", f"{url}?format=base64")
    assert encoded.headers["content-type"].startswith("text/plain")
    assert base64.b64decode(encoded.content) == content
    stats = await api.stats()
    assert stats["created"]["documents"] == 1


async def test_unpadded_base64_as_in_stackones_example_is_accepted(api: Api) -> None:
    example = "VGhpcyBpc24ndCByZWFsbHkgYSBzYW1wbGUgZmlsZSwgYnV0IG5vIG9uZSB3aWxsIGV2ZXIga25vdyE"
    document = await _uploaded(
        api, NEW, {"name": "weather-forecast", "file_format": {"value": "txt"}, "content": example}
    )
    download = await api("GET", f"/applications/{NEW}/documents/{document['id']}/download")
    assert download.content == b"This isn't really a sample file, but no one will ever know!"
    assert download.headers["content-type"] == "text/plain"


async def test_a_seeded_resume_is_a_pdf_with_a_text_export(api: Api) -> None:
    url = f"/applications/{AT_OFFER}/documents/{resume(AT_OFFER)}/download"
    pdf = await api("GET", url)
    assert pdf.content.startswith(b"%PDF-1.4")
    assert pdf.content.rstrip().endswith(b"%%EOF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="marie-curie-resume.pdf"'
    text = await api("GET", f"{url}?export_format=text/plain")
    assert text.headers["content-type"] == "text/plain"
    assert text.content.decode().splitlines()[:2] == ["Marie Curie", MARIE]
    assert text.headers["content-disposition"] == 'attachment; filename="marie-curie-resume.txt"'
    same = await api("GET", f"{url}?export_format=application/pdf")
    assert same.content == pdf.content
    unavailable = await api("GET", f"{url}?export_format=image/png")
    assert unavailable.status_code == 422
    assert unavailable.json()["provider_errors"][0]["raw"]["errors"][0]["field"] == "export_format"
    unknown_format = await api("GET", f"{url}?format=hex")
    assert unknown_format.status_code == 400
    documented("ats_download_application_document", unknown_format)
    assert (await api("GET", f"/applications/{AT_OFFER}/documents/nope/download")).status_code == 404
    assert (await api("GET", f"/applications/{AT_SCREEN}/documents/{resume(AT_OFFER)}/download")).status_code == 404


async def test_documents_filter_by_type_and_category_ids_are_checked(api: Api) -> None:
    covers = await api.data(f"/applications/{AT_SCREEN}/documents?filter[type]=cover_letter")
    assert [d["name"] for d in covers] == ["nikola-tesla-cover-letter.txt"]
    by_id = await _uploaded(
        api, AT_SCREEN, {**UPLOAD, "name": "cv", "category_id": RESUME_CATEGORY, "category": {"value": "other"}}
    )
    assert (by_id["category_id"], by_id["category"]["value"]) == (RESUME_CATEGORY, "resume")
    unknown = await api("POST", f"/applications/{AT_SCREEN}/documents/upload", {**UPLOAD, "category_id": "9999"})
    assert unknown.status_code == 422
    [error] = documented("ats_upload_application_document", unknown)["provider_errors"][0]["raw"]["errors"]
    assert error == {"field": "body.category_id", "message": "Unknown application category 9999"}
    named = await _uploaded(api, AT_SCREEN, {"name": "notes.txt", "content": UPLOAD["content"]})
    assert (named["name"], named["file_format"]["value"], named["category"]) == ("notes.txt", "txt", None)
    for broken in ({**UPLOAD, "content": "not base64!"}, {"name": "empty"}):
        refused = await api("POST", f"/applications/{AT_SCREEN}/documents/upload", broken)
        assert refused.status_code == 400
        assert "content" in documented("ats_upload_application_document", refused)["data"]["message"]
    bad_format = await api(
        "POST", f"/applications/{AT_SCREEN}/documents/upload", {**UPLOAD, "file_format": {"value": "exe!"}}
    )
    assert bad_format.status_code == 400


async def test_expand_documents_and_include_attachments(api: Api) -> None:
    plain = await api.data(f"/applications/{AT_SCREEN}")
    assert "documents" not in plain
    assert "attachments" not in plain
    expanded = await api.data(f"/applications/{AT_SCREEN}?expand=documents&include=attachments")
    assert [d["id"] for d in expanded["documents"]] == [resume(AT_SCREEN), ids("document", AT_SCREEN, "cover_letter")]
    resume_bytes = (await api("GET", f"/applications/{AT_SCREEN}/documents/{resume(AT_SCREEN)}/download")).content
    [pdf, letter] = expanded["attachments"]
    assert (pdf["file_name"], pdf["content_type"]["value"]) == ("nikola-tesla-resume.pdf", "pdf")
    assert base64.b64decode(pdf["content"]) == resume_bytes
    assert letter["content_type"]["value"] == "text"


async def test_an_application_with_a_new_candidate_and_documents(api: Api) -> None:
    body = {
        "job_id": JOB,
        "job_posting_id": ids("job_posting", ENGINEER),
        "location_id": ids("location", "London"),
        "candidate": {"first_name": "Lise", "last_name": "Meitner", "email": "lise@example.org"},
        "questionnaires": [
            {"id": "right_to_work", "answers": [{"id": "a1", "type": {"value": "boolean"}, "values": ["Yes"]}]}
        ],
        "documents": [{"name": "cv", "file_format": {"value": "txt"}, "content": base64.b64encode(b"Lise").decode()}],
    }
    made = documented("ats_create_application", await api("POST", "/applications", body))
    application = await api.data(f"/applications/{made['data']['id']}?expand=documents")
    assert application["candidate"]["email"] == "lise@example.org"
    assert application["application_stage"]["name"] == "Application Review"
    assert application["location_ids"] == [ids("location", "London")]
    assert application["questionnaires"][0]["answers"][0]["values"] == ["Yes"]
    [document] = application["documents"]
    download = await api("GET", f"/applications/{application['id']}/documents/{document['id']}/download")
    assert download.content == b"Lise"
    [candidate] = await api.data("/candidates?filter[email]=lise@example.org")
    assert candidate["application_ids"] == [application["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"job_id": "nope"}, "job_id"),
        ({"candidate_id": "nope"}, "candidate_id"),
        ({"job_posting_id": "nope"}, "job_posting_id"),
        ({"location_id": "nope"}, "location_id"),
    ],
)
async def test_application_references_the_provider_does_not_know_are_422(
    api: Api, change: dict[str, Any], field: str
) -> None:
    response = await api("POST", "/applications", {"job_id": JOB, "candidate_id": MARIE_ID, **change})
    body = documented("ats_create_application", response)
    assert response.status_code == 422
    assert [e["field"] for e in body["provider_errors"][0]["raw"]["errors"]] == [field]


@pytest.mark.parametrize("candidate", [{"candidate": {"first_name": "Both"}, "candidate_id": MARIE_ID}, {}])
async def test_an_application_takes_candidate_id_or_candidate_not_both(api: Api, candidate: dict[str, Any]) -> None:
    response = await api("POST", "/applications", {"job_id": JOB, **candidate})
    assert response.status_code == 400
    assert "candidate_id OR candidate" in documented("ats_create_application", response)["data"]["message"]


async def test_an_application_shows_its_candidate_as_the_candidate_is_now(api: Api) -> None:
    await api("PATCH", f"/candidates/{MARIE_ID}", {"last_name": "Skłodowska-Curie", "title": "Professor"})
    application = await api.data(f"/applications/{NEW}")
    assert (application["candidate"]["last_name"], application["candidate"]["title"]) == (
        "Skłodowska-Curie",
        "Professor",
    )


async def test_offers_created_are_listed_with_their_application(api: Api) -> None:
    body = {"application_id": AT_SCREEN, "salary": 90000, "currency": "GBP", "offer_status": {"value": "created"}}
    made = documented("ats_create_offer", await api("POST", "/offers", body))
    offer = await api.data(f"/applications/{AT_SCREEN}/offers/{made['data']['id']}")
    assert (offer["salary"], offer["offer_status"]["value"]) == (90000, "created")
    assert offer["remote_application_id"] == api.tenant["applications"].records[AT_SCREEN]["remote_id"]
    assert [o["id"] for o in await api.data(f"/applications/{AT_SCREEN}/offers")] == [made["data"]["id"]]
    assert len(await api.data("/offers")) == 2
    assert (await api("GET", f"/applications/{AT_SCREEN}/offers/{ids('offer', AT_OFFER)}")).status_code == 404
    refused = await api("POST", "/offers", {**body, "application_id": "nope"})
    assert refused.status_code == 422
    invalid = await api("POST", "/offers", {**body, "offer_status": {"value": "maybe"}})
    assert invalid.status_code == 400


async def test_jobs_created_get_stages_and_their_applications_start_there(api: Api) -> None:
    body = {"title": "Researcher", "interview_stages": [{"name": "Chat", "order": 1}, {"name": "Lab day", "order": 2}]}
    job_id = documented("ats_create_job", await api("POST", "/jobs", body))["data"]["id"]
    stages = await api.data(f"/jobs/{job_id}/application_stages")
    assert [st["name"] for st in stages] == ["Chat", "Lab day"]
    expanded = await api.data(f"/jobs/{job_id}?expand=interview_stages")
    assert [st["id"] for st in expanded["interview_stages"]] == [st["id"] for st in stages]
    application = (await api("POST", "/applications", {"job_id": job_id, "candidate_id": NIKOLA_ID})).json()["data"]
    assert (await api.data(f"/applications/{application['id']}"))["application_stage_id"] == stages[0]["id"]
    default = (await api("POST", "/jobs", {"title": "Plain"})).json()["data"]["id"]
    assert [st["name"] for st in await api.data(f"/jobs/{default}/application_stages")] == [
        "Application Review",
        "Phone Screen",
        "Onsite Interview",
        "Offer",
    ]
    assert len(await api.data("/application_stages?page_size=100")) == 4 * 3 + 2


# --- assessments and background checks (seed 002) ------------------------------------------------------------------


async def test_seed_002_flow_packages_order_result_visible(api: Api) -> None:
    packages = documented("ats_list_assessments_packages", await api("GET", "/assessments/packages"))["data"]
    package = next(p for p in packages if p["name"] == "Test 1")
    assert package["description"] == curl_body("002")["package"]["description"]
    body = _order_body(package["id"], AT_SCREEN)
    order = documented("ats_order_assessments_request", await api("POST", "/assessments/orders", body))
    assert set(order) == {"id", "remote_id", "test_url"}
    result = {
        "result": {"value": "passed", "source_value": "Passed"},
        "score": {"label": "Overall", "value": "82", "min": "0", "max": "100"},
        "result_url": "https://assessments.example/results/42",
        "summary": "Strong on algorithms.",
        "passthrough": {"reviewer": "bot"},
    }
    answer = await api("PATCH", f"/assessments/orders/{order['id']}/result", result)
    assert documented("ats_update_assessments_result", answer)["message"] == "Record updated successfully."
    application = await api.data(f"/applications/{AT_SCREEN}")
    assert application["result_links"] == [
        {"label": "Test 1: passed (82/100)", "url": "https://assessments.example/results/42"}
    ]
    stats = await api.stats()
    [recorded] = stats["received"]["assessment_results"]
    assert recorded["order_id"] == order["id"]
    assert recorded["result"]["summary"] == "Strong on algorithms."
    assert "passthrough" not in recorded["result"]
    assert stats["created"]["assessment_orders"] == 1
    again = {"result": {"value": "failed"}}
    await api("PATCH", f"/assessments/orders/{order['id']}/result", again)
    links = (await api.data(f"/applications/{AT_SCREEN}"))["result_links"]
    assert links == [{"label": "Test 1: failed", "url": order["test_url"]}]


async def test_seed_002_verbatim_orders_and_its_result_shows_in_the_stats(api: Api) -> None:
    body = curl_body("002")
    order = documented("ats_order_assessments_request", await api("POST", "/assessments/orders", body))
    await api("PATCH", f"/assessments/orders/{order['id']}/result", {"result": {"value": "completed"}})
    [recorded] = (await api.stats())["received"]["assessment_results"]
    assert recorded == {"order_id": order["id"], "result": {"result": {"value": "completed"}}}
    for application in await api.data("/applications"):
        assert application["result_links"] == []


async def test_results_for_unknown_orders_are_404_and_invalid_results_400(api: Api) -> None:
    for kind, operation in (
        ("assessments", "ats_update_assessments_result"),
        ("background_checks", "ats_update_background_check_result"),
    ):
        missing = await api("PATCH", f"/{kind}/orders/nope/result", {"result": {"value": "passed"}})
        assert missing.status_code == 404
        documented(operation, missing)
    order = (await api("POST", "/assessments/orders", _order_body(TEST_1))).json()
    invalid = await api("PATCH", f"/assessments/orders/{order['id']}/result", {"result": {"value": "great"}})
    assert invalid.status_code == 400
    assert "result.value" in invalid.json()["data"]["message"]


async def test_background_check_packages_crud_orders_and_results(api: Api) -> None:
    created = documented(
        "ats_create_background_check_package",
        await api("POST", "/background_checks/packages", {"name": "Driver", "tests": [{"name": "Licence"}]}),
    )
    package_id = created["data"]["id"]
    package = await api.data(f"/background_checks/packages/{package_id}")
    [licence] = package["tests"]
    assert (package["name"], licence["name"]) == ("Driver", "Licence")
    update = {
        "description": "For drivers",
        "tests": [{"id": licence["id"], "name": "Driving licence"}, {"name": "Medical"}],
    }
    documented(
        "ats_update_background_check_package", await api("PATCH", f"/background_checks/packages/{package_id}", update)
    )
    package = await api.data(f"/background_checks/packages/{package_id}")
    assert package["description"] == "For drivers"
    assert [(t["id"] == licence["id"], t["name"]) for t in package["tests"]] == [
        (True, "Driving licence"),
        (False, "Medical"),
    ]
    unknown_test = await api("PATCH", f"/background_checks/packages/{package_id}", {"tests": [{"id": "nope"}]})
    assert unknown_test.status_code == 422
    order = documented(
        "ats_order_background_check_request",
        await api("POST", "/background_checks/orders", _order_body(package_id, AT_OFFER)),
    )
    await api("PATCH", f"/background_checks/orders/{order['id']}/result", {"result": {"value": "completed"}})
    links = (await api.data(f"/applications/{AT_OFFER}"))["result_links"]
    assert links == [{"label": "Driver: completed", "url": order["test_url"]}]
    deleted = documented(
        "ats_delete_background_check_package", await api("DELETE", f"/background_checks/packages/{package_id}")
    )
    assert deleted["message"] == "Record deleted successfully."
    assert (await api("GET", f"/background_checks/packages/{package_id}")).status_code == 404
    assert package_id not in {p["id"] for p in await api.data("/background_checks/packages")}
    assert (await api("DELETE", f"/background_checks/packages/{package_id}")).status_code == 404


# --- pages, filters, parameters ------------------------------------------------------------------------------------


async def test_a_walk_with_short_pages_sees_every_record_once() -> None:
    api = make_api(short_pages=True, seed_candidates=60)
    async with api.client:
        seen: list[str] = []
        sizes: list[int] = []
        url = "/candidates?page_size=7"
        while True:
            page = documented("ats_list_candidates", await api("GET", url))
            sizes.append(len(page["data"]))
            seen += [c["id"] for c in page["data"]]
            if not page["next"]:
                break
            url = f"/candidates?page_size=7&next={page['next']}"
    assert len(seen) == len(set(seen)) == 62
    assert 6 in sizes[:-1]  # a short page that was not the last


async def test_page_size_defaults_to_25_and_stops_at_100() -> None:
    api = make_api(seed_candidates=150)
    async with api.client:
        default = (await api("GET", "/candidates")).json()
        assert len(default["data"]) == 25
        assert default["next"]
        assert len((await api("GET", "/candidates?page_size=100")).json()["data"]) == 100
        for wrong in ("101", "0", "ten"):
            refused = await api("GET", f"/candidates?page_size={wrong}")
            assert refused.status_code == 400
            assert "page_size" in documented("ats_list_candidates", refused)["data"]["message"]
        assert (await api("GET", "/candidates?next=garbage")).status_code == 400


async def test_a_legacy_page_number_reads_full_pages_and_says_the_next_one() -> None:
    api = make_api(short_pages=True, seed_candidates=8)
    async with api.client:
        pages = [(await api("GET", f"/candidates?page_size=4&page={n}")).json() for n in (1, 2, 3)]
    assert [len(p["data"]) for p in pages] == [4, 4, 2]
    assert [p["next_page"] for p in pages] == ["2", "3", None]
    assert len({c["id"] for p in pages for c in p["data"]}) == 10


async def test_job_filters_and_the_deprecated_status_alias(api: Api) -> None:
    await api("POST", "/jobs", {"title": "Draft role", "job_status": {"value": "draft"}})
    drafts = await api.data("/jobs?filter[job_status]=draft")
    assert [j["title"] for j in drafts] == ["Draft role"]
    assert await api.data("/jobs?filter[status]=draft") == drafts
    assert len(await api.data("/jobs?filter[job_status]=open")) == 2
    refused = await api("GET", "/jobs?filter[job_status]=closed")
    assert refused.status_code == 400
    documented("ats_list_jobs", refused)


async def test_application_filters_and_the_deprecated_job_id(api: Api) -> None:
    by_filter = {a["id"] for a in await api.data(f"/applications?filter[job_id]={OTHER_JOB}")}
    assert by_filter == {NEW, REJECTED}
    assert {a["id"] for a in await api.data(f"/applications?job_id={OTHER_JOB}")} == by_filter
    review = stage(EXECUTIVE, "Application Review")
    assert {a["id"] for a in await api.data(f"/applications?filter[stage]={review}")} == by_filter
    assert {a["id"] for a in await api.data(f"/applications?filter[application_stage_id]={review}")} == by_filter
    assert await api.data(f"/applications?job_id={JOB}&filter[job_id]={OTHER_JOB}") == []  # both must hold


async def test_updated_after_filter_its_alias_and_created_after(api: Api) -> None:
    assert await api.data("/candidates?filter[updated_after]=2999-01-01T00:00:00.000Z") == []
    before = await api.data("/candidates")
    await api("PATCH", f"/candidates/{NIKOLA_ID}", {"title": "Inventor"})
    since = api.tenant["candidates"].records[NIKOLA_ID]["updated_at"]
    earlier = "2000-01-01T00:00:00.000Z"
    assert len(await api.data(f"/candidates?updated_after={earlier}")) == len(before)
    assert [c["id"] for c in await api.data(f"/candidates?filter[created_after]={earlier}")] == [
        c["id"] for c in before
    ]
    assert await api.data(f"/candidates?filter[updated_after]={since}") == []
    refused = await api("GET", "/candidates?filter[updated_after]=yesterday")
    assert refused.status_code == 400
    # Departments carry no timestamps: there is nothing to compare, so every one is kept.
    assert len(await api.data("/departments?filter[updated_after]=2999-01-01T00:00:00.000Z")) == 3


async def test_candidates_filter_by_email(api: Api) -> None:
    assert [c["id"] for c in await api.data("/candidates?filter[email]=MARIE.CURIE@example.com")] == [MARIE_ID]


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        ("/jobs?filter[title]=x", "ats_list_jobs"),
        ("/departments?filter[job_status]=open", "ats_list_departments"),
        ("/candidates?colour=blue", "ats_list_candidates"),
        ("/candidates?filter=x", "ats_list_candidates"),
        (f"/candidates/{MARIE_ID}?page_size=2", "ats_get_candidate"),
        ("/jobs?include=questionnaires", "ats_list_jobs"),
        ("/applications?expand=interview_stages", "ats_list_applications"),
        ("/jobs?raw=yes", "ats_list_jobs"),
        ("/lists?sync_token=abc", "ats_list_lists"),
    ],
)
async def test_undocumented_parameters_are_refused_naming_them(api: Api, path: str, operation: str) -> None:
    response = await api("GET", path)
    assert response.status_code == 400
    message = documented(operation, response)["data"]["message"]
    assert path.split("?")[1].split("=")[0].split("[")[0] in message


async def test_include_adds_custom_fields_and_questionnaires(api: Api) -> None:
    assert "custom_fields" not in await api.data(f"/jobs/{JOB}")
    job = await api.data(f"/jobs/{JOB}?include=custom_fields")
    assert {f["name"]: f["value"] for f in job["custom_fields"]} == {"Cost centre": "ENG-01", "Hiring priority": "High"}
    priority = job["custom_fields"][1]
    definition = await api.data(f"/custom_field_definitions/jobs/{priority['id']}")
    assert priority["value_id"] == next(o["id"] for o in definition["options"] if o["value"] == "High")
    [marie] = await api.data(f"/candidates?filter[email]={MARIE}&include=custom_fields")
    assert {f["name"]: f["value"] for f in marie["custom_fields"]} == {
        "Right to work": True,
        "Notice period (weeks)": 4,
    }
    assert "custom_fields" not in await api.data(f"/applications/{AT_SCREEN}")
    application = await api.data(f"/applications/{AT_SCREEN}?include=custom_fields")
    assert [f["value"] for f in application["custom_fields"]] == [True, "Remote"]
    assert "questionnaires" not in (await api.data("/job_postings"))[0]
    [posting, _] = await api.data("/job_postings?include=questionnaires")
    assert posting["questionnaires"][0]["questions"][0]["name"] == "right_to_work"


async def test_expand_adds_a_jobs_stages_and_postings(api: Api) -> None:
    plain = await api.data(f"/jobs/{JOB}")
    assert "interview_stages" not in plain
    assert "job_postings" not in plain
    [job, _] = await api.data("/jobs?expand=job_postings,interview_stages")
    assert [st["name"] for st in job["interview_stages"]] == [
        "Application Review",
        "Phone Screen",
        "Onsite Interview",
        "Offer",
    ]
    assert [p["id"] for p in job["job_postings"]] == [ids("job_posting", ENGINEER)]


async def test_fields_selects_fields(api: Api) -> None:
    assert await api.data(f"/users/{RECRUITER}?fields=id,email") == {
        "id": RECRUITER,
        "email": "grace.hopper@example.com",
    }
    listed = await api.data("/applications?fields=id,application_status")
    assert all(set(a) == {"id", "application_status"} for a in listed)


async def test_raw_adds_the_provider_exchange_with_the_proxy_parameters(api: Api) -> None:
    answer = documented(
        "ats_list_jobs", await api("GET", "/jobs?raw=true&proxy[per_page]=5&proxy[custom]=x&page_size=1")
    )
    [exchange] = answer["raw"]
    assert exchange["method"] == "GET"
    assert exchange["url"] == "https://harvest.greenhouse.io/v1/jobs?per_page=5&custom=x"
    assert exchange["response"][0]["custom_fields"]  # what the provider had, whether asked for or not
    one = documented("ats_get_user", await api("GET", f"/users/{RECRUITER}?raw=true"))
    assert one["raw"][0]["response"]["id"] == RECRUITER
    assert "raw" not in (await api("GET", "/jobs")).json()


async def test_proxy_sync_token_and_passthrough_arrive_and_are_recorded(api: Api) -> None:
    await api("GET", "/candidates?proxy[filter[eq][age]]=25&sync_token=tok-1")
    await api("PATCH", f"/candidates/{MARIE_ID}", {"title": "x", "passthrough": {"acting_user_id": RECRUITER}})
    received = (await api.stats())["received"]
    assert received["proxy"] == [{"operation": "ats_list_candidates", "proxy": {"filter[eq][age]": "25"}}]
    assert received["sync_token"] == [{"operation": "ats_list_candidates", "sync_token": "tok-1"}]
    assert received["passthrough"] == [
        {"operation": "ats_update_candidate", "passthrough": {"acting_user_id": RECRUITER}}
    ]


# --- who may call, and StackOne's errors --------------------------------------------------------------------------


async def test_auth_and_account_errors(api: Api) -> None:
    for key in (None, "wrong"):
        refused = await api("GET", "/jobs", key=key)
        assert refused.status_code == 401
        assert documented("ats_list_jobs", refused)["message"] == "Unauthorized"
    bearer = await api("GET", "/jobs", key=None, headers={"authorization": f"Bearer {KEY}"})
    assert bearer.status_code == 401
    missing = await api("GET", "/jobs", account=None)
    assert missing.status_code == 400
    assert "x-account-id" in documented("ats_list_jobs", missing)["data"]["message"]
    unknown = await api("POST", "/jobs", {"title": "x"}, account="someone-else")
    assert unknown.status_code == 404
    assert documented("ats_create_job", unknown)["message"] == "Invalid account ID"
    before_body = await api("POST", "/jobs", {"title": 5}, key="wrong")
    assert before_body.status_code == 401  # the key is checked before the body


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        ("ats_get_job", "GET", "/jobs/nope"),
        ("ats_get_application", "GET", "/applications/nope"),
        ("ats_list_application_notes", "GET", "/applications/nope/notes"),
        ("ats_get_application_note", "GET", f"/applications/{AT_OFFER}/notes/nope"),
        ("ats_list_job_application_stages", "GET", "/jobs/nope/application_stages"),
        ("ats_get_job_application_stage", "GET", f"/jobs/{JOB}/application_stages/{stage(EXECUTIVE, 'Offer')}"),
        ("ats_get_interview_stage", "GET", "/interview_stages/nope"),
        ("ats_get_application_scorecard", "GET", f"/applications/{AT_SCREEN}/scorecards/{ids('scorecard', ONSITE)}"),
        (
            "ats_get_application_scheduled_interview",
            "GET",
            f"/applications/{AT_OFFER}/scheduled_interviews/{SCHEDULED}",
        ),
        ("ats_list_application_changes", "GET", "/applications/nope/changes"),
        ("ats_get_application_document_category", "GET", "/documents/application_categories/nope"),
        ("ats_get_list", "GET", "/lists/nope"),
        ("ats_get_job_custom_field_definition", "GET", "/custom_field_definitions/jobs/nope"),
    ],
)
async def test_unknown_ids_are_404(api: Api, operation: str, method: str, path: str) -> None:
    response = await api(method, path)
    assert response.status_code == 404
    assert documented(operation, response)["message"] == "Not Found"


@pytest.mark.parametrize(
    ("operation", "method", "path", "body"),
    [
        ("ats_update_job", "PATCH", "/jobs/nope", {"title": "x"}),
        ("ats_update_candidate", "PATCH", "/candidates/nope", {"title": "x"}),
        ("ats_update_application", "PATCH", "/applications/nope", {}),
        ("ats_move_application", "POST", "/applications/nope/move", {"interview_stage_id": "x"}),
        ("ats_reject_application", "POST", "/applications/nope/reject", {"rejected_reason_id": FAILED_SCREEN}),
        ("ats_create_candidate_note", "POST", "/candidates/nope/notes", NOTE),
        ("ats_upload_application_document", "POST", "/applications/nope/documents/upload", UPLOAD),
        ("ats_update_background_check_package", "PATCH", "/background_checks/packages/nope", {"name": "x"}),
    ],
)
async def test_writes_to_unknown_ids_are_404(api: Api, operation: str, method: str, path: str, body: Any) -> None:
    response = await api(method, path, body)
    assert response.status_code == 404
    documented(operation, response)


@pytest.mark.parametrize(
    ("operation", "method", "path", "body", "named"),
    [
        ("ats_create_job", "POST", "/jobs", {"title": 5}, "title"),
        ("ats_create_job", "POST", "/jobs", {"job_status": {"value": "paused"}}, "job_status.value"),
        ("ats_create_job", "POST", "/jobs", {"confidential": "maybe"}, "confidential"),
        ("ats_create_candidate", "POST", "/candidates", {"phone_numbers": [{"type": "pager"}]}, "phone_numbers.0.type"),
        (
            "ats_update_application",
            "PATCH",
            f"/applications/{NEW}",
            {"application_status": {"value": "x"}},
            "application_status",
        ),
        (
            "ats_create_application_note",
            "POST",
            f"/applications/{NEW}/notes",
            {"visibility": {"value": "team"}},
            "visibility",
        ),
        ("ats_create_offer", "POST", "/offers", {"salary": "lots"}, "salary"),
        ("ats_create_job", "POST", "/jobs", [1, 2], "JSON object"),
    ],
)
async def test_invalid_bodies_are_400_with_data(
    api: Api, operation: str, method: str, path: str, body: Any, named: str
) -> None:
    response = await api(method, path, body)
    assert response.status_code == 400
    assert named in documented(operation, response)["data"]["message"]


async def test_a_body_that_is_not_json_is_400(api: Api) -> None:
    response = await api("POST", "/jobs", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert documented("ats_create_job", response)["data"]["message"] == "the body is not valid JSON"


async def test_unknown_body_fields_are_accepted_as_stackone_schemas_allow(api: Api) -> None:
    response = await api("POST", "/candidates", {"first_name": "Ada", "favourite_colour": "green"})
    assert response.status_code == 201
    created = await api.data(f"/candidates/{response.json()['data']['id']}")
    assert "favourite_colour" not in created


async def test_job_references_the_provider_does_not_know_are_422(api: Api) -> None:
    body = copy.deepcopy(curl_body("000"))
    response = await api("POST", "/jobs", body)
    assert response.status_code == 422
    error = documented("ats_create_job", response)
    [provider] = error["provider_errors"]
    assert provider["url"] == "https://harvest.greenhouse.io/v1/jobs"
    fields = {e["field"] for e in provider["raw"]["errors"]}
    assert fields == {"department_ids", "location_ids", "hiring_team.user_id"}
    assert provider["raw"]["errors"][0]["message"] == "Unknown department 308570"


async def test_unknown_paths_and_methods_answer_in_the_envelope(api: Api) -> None:
    unknown = await api("GET", "/nothing_here")
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"statusCode", "message", "timestamp"}
    wrong_method = await api("DELETE", f"/jobs/{JOB}")
    assert (wrong_method.status_code, wrong_method.json()["statusCode"]) == (405, 405)
