"""The gateway end to end on `merge-demo` (config/demo.yaml) over the in-process Merge sandbox: the seed payloads,
an application created and moved, a résumé uploaded and one downloaded, Merge's requirements before any write and
in `/meta`, the caller's key reaching Merge. Every Merge API request is checked against Merge's own document."""

from __future__ import annotations

from typing import Any

import pytest

import gateway.reconcile as reconcile
from sandbox import merge
from sandbox.common import stable_id
from sandbox.controls import Fault
from sandbox.merge_seed import JOBS, STAGES
from tests.conftest import Harness
from tests.seeds import create_candidate_example, curl_body

ACCOUNT = "merge-demo"
PROVIDER = "merge-sandbox"
MARIE = "marie.curie@example.com"
UNCARRIED = ("hired_at", "custom_fields", "unified_custom_fields")


def sandbox(h: Harness) -> merge.MergeSandbox:
    found: merge.MergeSandbox = h.wiring.apps[PROVIDER].state.sandbox
    return found


def seed_id(*parts: str) -> str:
    return stable_id(ACCOUNT, *parts)


async def acting_user(h: Harness) -> str:
    users = (await h.call("GET", "/unified/ats/users", ACCOUNT)).json()["data"]
    return str(users[0]["id"])


def posts(h: Harness) -> list[tuple[str, str, Any]]:
    return [sent for sent in h.sent(PROVIDER) if sent[0] in ("POST", "PATCH")]


async def test_seed_003_creates_a_candidate_once_what_merge_cannot_carry_is_left_out(harness: Harness) -> None:
    body = create_candidate_example()
    refused = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {*UNCARRIED, "acting_user_id"}
    assert harness.sent(PROVIDER) == []
    for name in (*UNCARRIED, "passthrough"):
        del body[name]
    body["acting_user_id"] = await acting_user(harness)
    response = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body)
    assert response.status_code == 201, response.text
    method, path, sent = posts(harness)[-1]
    assert (method, path) == ("POST", "/api/ats/v1/candidates")
    assert sent == {
        "model": {
            "first_name": "Romain",
            "last_name": "Sestier",
            "email_addresses": [{"value": "sestier.romain123@gmail.com"}],
            "phone_numbers": [{"value": "+447700112233"}, {"value": "+1234567890"}],
            "urls": [{"value": "https://www.linkedin.com/in/romainsestier/", "url_type": "SOCIAL_MEDIA"}],
            "company": "Company Inc.",
            "title": "Software Engineer",
            "locations": ["United States"],
        },
        "remote_user_id": body["acting_user_id"],
    }
    candidate_id = response.json()["data"]["id"]
    candidate = (await harness.call("GET", f"/unified/ats/candidates/{candidate_id}", ACCOUNT)).json()["data"]
    for field in ("first_name", "last_name", "email", "company", "title", "country", "social_links"):
        assert candidate[field] == body[field], field
    assert candidate["name"] == "Romain Sestier"
    assert candidate["remote_id"] == response.json()["data"]["remote_id"]


async def test_seed_001_updates_a_candidate_with_typed_contacts(harness: Harness) -> None:
    candidate_id = seed_id("candidate", MARIE)
    body = curl_body("001")
    refused = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", ACCOUNT, json=body)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {*UNCARRIED, "acting_user_id"}
    for name in (*UNCARRIED, "passthrough", "application_ids"):
        del body[name]
    body["acting_user_id"] = await acting_user(harness)
    response = await harness.call("PATCH", f"/unified/ats/candidates/{candidate_id}", ACCOUNT, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["id"] == candidate_id
    method, path, sent = posts(harness)[-1]
    assert (method, path) == ("PATCH", f"/api/ats/v1/candidates/{candidate_id}")
    assert sent == {
        "model": {
            "first_name": "Romain",
            "last_name": "Sestier",
            "email_addresses": [{"value": "sestier.romain123@gmail.com", "email_address_type": "PERSONAL"}],
            "phone_numbers": [{"value": "+447700112233", "phone_number_type": "MOBILE"}, {"value": "+16178294093"}],
            "urls": [{"value": "https://www.linkedin.com/in/romainsestier/", "url_type": "SOCIAL_MEDIA"}],
            "company": "Company Inc.",
            "title": "Software Engineer",
            "locations": ["United States"],
        },
        "remote_user_id": body["acting_user_id"],
    }
    updated = (await harness.call("GET", f"/unified/ats/candidates/{candidate_id}", ACCOUNT)).json()["data"]
    assert (updated["first_name"], updated["title"], updated["email"]) == ("Romain", "Software Engineer", body["email"])
    assert updated["emails"] == [{"type": "personal", "value": "sestier.romain123@gmail.com"}]
    assert updated["phone_numbers"][0] == {"type": "mobile", "phone": "+447700112233"}


async def test_an_application_is_created_then_moved_to_the_next_stage(harness: Harness) -> None:
    user = await acting_user(harness)
    candidate = await harness.call(
        "POST", "/unified/ats/candidates", ACCOUNT, json={"name": "Ada Lovelace", "acting_user_id": user}
    )
    assert candidate.status_code == 201, candidate.text
    job_id = seed_id("job", JOBS[0][0])
    stages = (await harness.call("GET", f"/unified/ats/jobs/{job_id}/application_stages", ACCOUNT)).json()["data"]
    assert [s["name"] for s in stages] == list(STAGES)
    created = await harness.call(
        "POST",
        "/unified/ats/applications",
        ACCOUNT,
        json={"candidate_id": candidate.json()["data"]["id"], "job_id": job_id, "acting_user_id": user},
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["data"]["id"]
    application = (await harness.call("GET", f"/unified/ats/applications/{application_id}", ACCOUNT)).json()["data"]
    assert application["application_stage"]["name"] == STAGES[0]
    assert application["candidate"]["name"] == "Ada Lovelace"
    moved = await harness.call(
        "POST",
        f"/unified/ats/applications/{application_id}/move",
        ACCOUNT,
        json={"interview_stage_id": stages[1]["id"], "acting_user_id": user},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["message"] == "Application moved successfully."
    assert moved.json()["data"]["id"] == application_id
    after = (await harness.call("GET", f"/unified/ats/applications/{application_id}", ACCOUNT)).json()["data"]
    assert (after["application_stage_id"], after["application_stage"]["name"]) == (stages[1]["id"], STAGES[1])


async def test_a_resume_is_uploaded_to_the_applications_candidate(harness: Harness) -> None:
    application_id = seed_id("application", MARIE, JOBS[0][0])
    user = await acting_user(harness)
    upload = {
        "name": "marie-curie-resume-2.pdf",
        "file_url": "https://files.example.com/marie-curie-resume-2.pdf",
        "category": {"value": "resume"},
        "acting_user_id": user,
    }
    path = f"/unified/ats/applications/{application_id}/documents"
    response = await harness.call("POST", f"{path}/upload", ACCOUNT, json=upload, headers={"idempotency-key": "cv-2"})
    assert response.status_code == 201, response.text
    method, sent_path, sent = posts(harness)[-1]
    assert (method, sent_path) == ("POST", "/api/ats/v1/attachments")
    assert sent["model"] == {
        "file_name": "marie-curie-resume-2.pdf",
        "file_url": "https://files.example.com/marie-curie-resume-2.pdf",
        "attachment_type": "RESUME",
        "candidate": seed_id("candidate", MARIE),
    }
    documents = (await harness.call("GET", path, ACCOUNT)).json()["data"]
    assert {d["name"] for d in documents} == {"marie-curie-resume.pdf", "marie-curie-resume-2.pdf"}
    assert {d["category"]["value"] for d in documents} == {"resume"}
    assert [key for _, key in sandbox(harness).idempotency_log.kept] == ["cv-2"]


async def test_a_seeded_resume_is_downloaded_byte_for_byte(harness: Harness) -> None:
    application_id = seed_id("application", MARIE, JOBS[0][0])
    path = f"/unified/ats/applications/{application_id}/documents"
    [document] = (await harness.call("GET", path, ACCOUNT)).json()["data"]
    response = await harness.call("GET", f"{path}/{document['id']}/download", ACCOUNT)
    assert response.status_code == 200, response.text
    stored = sandbox(harness).files[document["id"]]
    assert response.content == stored.content
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="marie-curie-resume.pdf"'
    fetched = harness.sent(PROVIDER)[-1]
    assert fetched[:2] == ("GET", f"/files/{document['id']}/marie-curie-resume.pdf")
    other = seed_id("application", "nikola.tesla@example.com", JOBS[1][0])
    wrong = await harness.call("GET", f"/unified/ats/applications/{other}/documents/{document['id']}/download", ACCOUNT)
    assert wrong.status_code == 404


async def test_seed_000_create_job_is_501_saying_merge_cannot(harness: Harness) -> None:
    response = await harness.call("POST", "/unified/ats/jobs", ACCOUNT, json=curl_body("000"))
    assert response.status_code == 501
    assert response.json()["code"] == "not_implemented"
    assert response.json()["message"].endswith("Merge ATS cannot create or update jobs")
    assert harness.sent(PROVIDER) == []


async def test_the_callers_key_reaches_merge_which_deduplicates_too(harness: Harness) -> None:
    user = await acting_user(harness)
    body = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "acting_user_id": user}
    first = await harness.call(
        "POST", "/unified/ats/candidates", ACCOUNT, json=body, headers={"idempotency-key": "gh-1"}
    )
    assert first.status_code == 201, first.text
    log = sandbox(harness).idempotency_log
    assert [key for _, key in log.kept] == ["gh-1"]
    kept = next(iter(log.kept.values()))
    assert first.json()["data"]["id"] in kept.body.decode()


async def test_a_field_meta_post_requires_is_a_422_before_any_write(harness: Harness) -> None:
    user = await acting_user(harness)
    response = await harness.call(
        "POST", "/unified/ats/candidates", ACCOUNT, json={"first_name": "Ada", "acting_user_id": user}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("last_name", "merge.account_requires")
    assert "greenhouse" in error["message"]
    assert [sent[:2] for sent in harness.sent(PROVIDER)] == [
        ("GET", "/api/ats/v1/users"),
        ("GET", "/api/ats/v1/candidates/meta/post"),
    ]
    assert sandbox(harness).idempotency_log.kept == {}
    again = await harness.call(
        "POST", "/unified/ats/candidates", ACCOUNT, json={"first_name": "Ada", "last_name": "L", "acting_user_id": user}
    )
    assert again.status_code == 201
    # /meta/post came from the state store the second time
    assert [sent[1] for sent in harness.sent(PROVIDER)].count("/api/ats/v1/candidates/meta/post") == 1


async def test_meta_shows_merges_requirements_for_this_account(harness: Harness) -> None:
    described = (await harness.call("GET", "/unified/ats/meta", ACCOUNT)).json()
    assert (described["connector"], described["ats"]) == ("merge", "greenhouse")
    ops = {op["operation"]: op for op in described["operations"]}
    assert set(ops["ats_create_candidate"]["schema"]["required"]) == {"acting_user_id", "first_name", "last_name"}
    assert set(ops["ats_upload_application_document"]["schema"]["required"]) == {
        "acting_user_id",
        "category",
        "name",
        "file_url",
    }
    assert set(ops["ats_create_candidate_note"]["schema"]["required"]) == {
        "acting_user_id",
        "author_id",
        "content",
        "visibility",
    }
    assert set(ops["ats_create_application"]["schema"]["required"]) == {"acting_user_id", "candidate_id", "job_id"}
    assert set(ops["ats_move_application"]["schema"]["required"]) == {"acting_user_id", "interview_stage_id"}
    assert ops["ats_create_job"]["reason"] == "Merge ATS cannot create or update jobs"
    assert "candidate" in ops["ats_list_application_notes"]["note"]
    assert ops["ats_list_candidates"]["filters"] == ["updated_after", "created_after", "email"]


async def test_raw_shows_merges_remote_data(harness: Harness) -> None:
    candidate_id = seed_id("candidate", MARIE)
    response = await harness.call("GET", f"/unified/ats/candidates/{candidate_id}?raw=true", ACCOUNT)
    assert response.status_code == 200
    [exchange] = response.json()["raw"]
    assert exchange["url"].endswith(f"/api/ats/v1/candidates/{candidate_id}?include_remote_data=true")
    assert exchange["response"]["remote_data"] == [
        {"path": "/v1/candidates", "data": {"id": 6300001, "first_name": "Marie", "last_name": "Curie"}}
    ]
    plain = (await harness.call("GET", f"/unified/ats/candidates/{candidate_id}", ACCOUNT)).json()
    assert "raw" not in plain


async def test_notes_are_the_candidates_activities(harness: Harness) -> None:
    user = await acting_user(harness)
    application_id = seed_id("application", MARIE, JOBS[0][0])
    note = {"content": [{"body": "Second onsite went well."}], "author_id": user, "visibility": {"value": "public"}}
    created = await harness.call(
        "POST", f"/unified/ats/applications/{application_id}/notes", ACCOUNT, json={**note, "acting_user_id": user}
    )
    assert created.status_code == 201, created.text
    listed = (await harness.call("GET", f"/unified/ats/candidates/{seed_id('candidate', MARIE)}/notes", ACCOUNT)).json()
    assert [n["content"][0]["body"] for n in listed["data"]] == ["Strong onsite: hire.", "Second onsite went well."]
    one = await harness.call(
        "GET", f"/unified/ats/applications/{application_id}/notes/{created.json()['data']['id']}", ACCOUNT
    )
    assert one.json()["data"]["visibility"] == {"value": "public", "source_value": "PUBLIC"}


@pytest.mark.parametrize(
    ("path", "count"),
    [
        ("/unified/ats/jobs", 3),
        ("/unified/ats/application_stages", 12),
        ("/unified/ats/interviews", 2),
        ("/unified/ats/offers", 1),
        ("/unified/ats/job_postings", 3),
        ("/unified/ats/rejected_reasons", 3),
        ("/unified/ats/locations", 3),
        ("/unified/ats/departments", 3),
        ("/unified/ats/users", 3),
    ],
)
async def test_reference_data_pages_through_merges_cursors(harness: Harness, path: str, count: int) -> None:
    seen: list[str] = []
    query = "?page_size=2"
    while True:
        page = (await harness.call("GET", path + query, ACCOUNT)).json()
        seen += [item["id"] for item in page["data"]]
        if not page["next"]:
            break
        query = f"?page_size=2&next={page['next']}"
    assert len(seen) == len(set(seen)) == count


async def test_an_unknown_create_is_found_by_email_and_never_sent_twice(harness: Harness) -> None:
    user = await acting_user(harness)
    controls = harness.wiring.apps[PROVIDER].state.controls
    controls.faults.append(Fault(method="POST", path="/api/ats/v1/candidates", status=503, after_handling=True))
    body = {"first_name": "Mary", "last_name": "Jackson", "email": "mary.jackson@example.com", "acting_user_id": user}
    key = {"idempotency-key": "mary-1"}
    first = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body, headers=key)
    assert (first.status_code, first.json()["code"]) == (502, "outcome_unknown")
    retry = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body, headers=key)
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-reconciled"] == "true"
    assert controls.created["candidates"] == 1
    lookup = [sent for sent in harness.sent(PROVIDER) if sent[:2] == ("GET", "/api/ats/v1/candidates")]
    assert len(lookup) == 1


async def test_a_create_merge_never_made_stays_unknown_even_once_settled(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Merge's reads are its synced copy: not finding the record never proves it is absent."""
    user = await acting_user(harness)
    controls = harness.wiring.apps[PROVIDER].state.controls
    controls.faults.append(Fault(method="POST", path="/api/ats/v1/candidates", status=503))
    body = {"first_name": "Dorothy", "last_name": "Vaughan", "email": "dorothy@example.com", "acting_user_id": user}
    key = {"idempotency-key": "dorothy-1"}
    first = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body, headers=key)
    monkeypatch.setattr(reconcile, "SETTLE_SECONDS", 0.0)
    retry = await harness.call("POST", "/unified/ats/candidates", ACCOUNT, json=body, headers=key)
    assert (retry.status_code, retry.headers["idempotent-replayed"]) == (502, "true")
    assert retry.json() == first.json()
    assert controls.created["candidates"] == 0


async def test_stackone_refuses_a_file_url_it_cannot_carry_rather_than_dropping_it(harness: Harness) -> None:
    upload = {"name": "cv.pdf", "file_url": "https://files.example.com/cv.pdf"}
    response = await harness.call("POST", "/unified/ats/applications/app-1/documents/upload", json=upload)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["file_url"]
    assert harness.sent("stackone-sandbox") == []
