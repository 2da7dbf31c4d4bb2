"""A Greenhouse hiring story through Bindbee, end to end on the sandboxes: every step read back unified.

A candidate is created, applied to a job, given a résumé (read back and downloaded) and a note, moved to the next
stage and rejected with a reason. Every request the gateway sends is checked against Bindbee's excerpt or the
Harvest facts on its way.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import Harness

GH = "bindbee-greenhouse-demo"
RESUME = b"%PDF-1.4 Ada's resume"


async def ok(harness: Harness, method: str, path: str, **kwargs: Any) -> Any:
    response = await harness.call(method, path, GH, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_a_candidate_goes_through_a_greenhouse_pipeline(harness: Harness) -> None:
    user = (await ok(harness, "GET", "/unified/ats/users"))["data"][0]["id"]
    jobs = (await ok(harness, "GET", "/unified/ats/jobs"))["data"]
    job = next(j for j in jobs if j["title"] == "Account Executive")["id"]
    candidate = {"first_name": "Ada", "last_name": "Byron", "email": "ada.byron@example.org", "acting_user_id": user}
    candidate_id = (await ok(harness, "POST", "/unified/ats/candidates", json=candidate))["data"]["id"]

    body = {"candidate_id": candidate_id, "job_id": job, "acting_user_id": user}
    application_id = (await ok(harness, "POST", "/unified/ats/applications", json=body))["data"]["id"]
    assert application_id, "Bindbee's copy shows the new application"
    stages = (await ok(harness, "GET", f"/unified/ats/jobs/{job}/application_stages"))["data"]
    assert [s["name"] for s in stages] == ["Application Review", "Phone Screen", "Onsite", "Offer"]
    application = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}"))["data"]
    assert (application["candidate_id"], application["job_id"]) == (candidate_id, job)
    assert application["application_stage_id"] == stages[0]["id"]

    upload = {
        "name": "ada-resume.pdf",
        "content": base64.b64encode(RESUME).decode(),
        "category": {"value": "resume"},
        "file_format": {"value": "pdf"},
        "acting_user_id": user,
    }
    await ok(harness, "POST", f"/unified/ats/applications/{application_id}/documents/upload", json=upload)
    documents = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}/documents"))["data"]
    resume = next(d for d in documents if d["name"] == "ada-resume.pdf")
    assert resume["category"] == {"value": "resume", "source_value": "RESUME"}
    one = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}/documents/{resume['id']}"))["data"]
    assert one["id"] == resume["id"]
    path = f"/unified/ats/applications/{application_id}/documents/{resume['id']}/download"
    download = await harness.call("GET", path, GH)
    assert download.status_code == 200, download.text
    assert download.content == RESUME  # from the attachment's file_url, byte for byte
    assert download.headers["content-disposition"] == 'attachment; filename="ada-resume.pdf"'

    note = {"content": [{"body": "Strong phone screen"}], "visibility": {"value": "public"}, "acting_user_id": user}
    note_id = (await ok(harness, "POST", f"/unified/ats/applications/{application_id}/notes", json=note))["data"]["id"]
    notes = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}/notes"))["data"]
    assert any(n["content"] == [{"body": "Strong phone screen"}] for n in notes)
    if note_id:
        read = (await ok(harness, "GET", f"/unified/ats/candidates/{candidate_id}/notes/{note_id}"))["data"]
        assert (read["author_id"], read["visibility"]["value"]) == (user, "public")

    move = {"interview_stage_id": stages[1]["id"], "acting_user_id": user}
    await ok(harness, "POST", f"/unified/ats/applications/{application_id}/move", json=move)
    moved = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}"))["data"]
    assert moved["application_stage_id"] == stages[1]["id"]

    reason = (await ok(harness, "GET", "/unified/ats/rejected_reasons"))["data"][0]
    reject = {"rejected_reason_id": reason["id"], "acting_user_id": user, "passthrough": {"notes": "Not a fit"}}
    await ok(harness, "POST", f"/unified/ats/applications/{application_id}/reject", json=reject)
    rejected = (await ok(harness, "GET", f"/unified/ats/applications/{application_id}"))["data"]
    assert rejected["rejected_reason_ids"] == [reason["id"]]
    assert rejected["rejected_at"]
    assert rejected["application_stage_id"] == stages[1]["id"]  # a rejection keeps the stage


async def test_greenhouse_application_writes_need_an_acting_user_before_any_call(harness: Harness) -> None:
    application = (await ok(harness, "GET", "/unified/ats/applications"))["data"][0]["id"]
    stage = (await ok(harness, "GET", "/unified/ats/application_stages"))["data"][0]["id"]
    before = len(harness.sent("bindbee-sandbox"))
    for path, body in (("move", {"interview_stage_id": stage}), ("reject", {}), ("", {"source": {"id": "16"}})):
        method = "PATCH" if not path else "POST"
        url = f"/unified/ats/applications/{application}" + (f"/{path}" if path else "")
        response = await harness.call(method, url, GH, json=body)
        assert response.status_code == 422, response.text
        assert [e["rule"] for e in response.json()["errors"]] == ["greenhouse.requires_acting_user"]
    assert len(harness.sent("bindbee-sandbox")) == before


async def test_outside_greenhouse_application_moves_are_501_with_the_reason(harness: Harness) -> None:
    application = (await harness.call("GET", "/unified/ats/applications", "bindbee-demo")).json()["data"][0]["id"]
    response = await harness.call("POST", f"/unified/ats/applications/{application}/move", "bindbee-demo", json={})
    assert response.status_code == 501
    assert "Greenhouse" in response.json()["message"]


async def test_a_sub_record_of_another_parent_is_not_found(harness: Harness) -> None:
    applications = (await ok(harness, "GET", "/unified/ats/applications"))["data"]
    first, second = applications[0]["id"], applications[1]["id"]
    scorecards = (await ok(harness, "GET", f"/unified/ats/applications/{first}/scorecards"))["data"]
    offers = (await ok(harness, "GET", f"/unified/ats/applications/{first}/offers"))["data"]
    assert scorecards, "the seed gives the first application a scorecard"
    assert offers, "and offers"
    for kind, records in (("scorecards", scorecards), ("offers", offers)):
        for record in records:
            assert record["application_id"] == first
            elsewhere = await harness.call("GET", f"/unified/ats/applications/{second}/{kind}/{record['id']}", GH)
            assert elsewhere.status_code == 404, elsewhere.text


async def test_meta_says_that_an_applications_notes_and_documents_are_its_candidates(harness: Harness) -> None:
    meta = (await harness.call("GET", "/unified/ats/meta", "bindbee-demo")).json()
    entries = {op["operation"]: op for op in meta["operations"]}
    for op_id in ("ats_list_application_notes", "ats_create_application_note", "ats_upload_application_document"):
        assert "candidate" in entries[op_id]["note"], op_id
    assert "note" not in entries["ats_list_candidate_notes"]
