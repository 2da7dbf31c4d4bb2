"""Merge's mapping rows in both directions: golden examples from Merge's own document (each model's per-field
examples) and the sandbox's seed records, and generated candidates and applications that survive a round trip.
Every body a row builds is checked against Merge's request schema (tests/contract.py)."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import InvalidInput
from connectors.mapping import Table
from connectors.merge.applications import APPLICATION_TABLE, MOVE_TABLE
from connectors.merge.candidates import CANDIDATE_TABLE, EMAIL_TYPES
from connectors.merge.records import (
    DEPARTMENT_TABLE,
    DOCUMENT_TABLE,
    INTERVIEW_TABLE,
    JOB_POSTING_TABLE,
    JOB_TABLE,
    LOCATION_TABLE,
    NOTE_TABLE,
    OFFER_TABLE,
    REJECTED_REASON_TABLE,
    SCORECARD_TABLE,
    STAGE_TABLE,
    USER_TABLE,
)
from connectors.merge.writes import ACTIVITIES, APPLICATIONS, ATTACHMENTS, CANDIDATES, STAGE_CHANGE, envelope
from connectors.unified import schema as s
from connectors.unified.base import Dto, read_record, write_body
from connectors.unified.writes import (
    ApplicationCreate,
    ApplicationMove,
    CandidateCreate,
    CandidateUpdate,
    DocumentUpload,
    NoteCreate,
)
from tests.contract import SPECS, contract, require_shared

USER = str(uuid.uuid4())


def example(name: str) -> dict[str, Any]:
    """A Merge model as its document's per-field examples make it."""
    require_shared()
    document = json.loads(SPECS["merge"].read_text())
    properties = document["components"]["schemas"][name]["properties"]
    return {key: copy.deepcopy(value.get("example")) for key, value in properties.items()}


def merge_body(component: str, body: Any) -> None:
    errors = contract("merge").component_errors(component, body)
    assert not errors, errors


def model_of(spec: Any, model: type[Dto], body: dict[str, Any]) -> dict[str, Any]:
    translated, user = envelope(spec, write_body(model, {**body, "acting_user_id": USER}))
    assert user == USER
    return translated


def refused(spec: Any, model: type[Dto], body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        model_of(spec, model, body)
    return {e.field: e.code for e in caught.value.errors}


# --- candidates -------------------------------------------------------------------------------------------------


def test_merges_candidate_example_reads_as_the_unified_candidate() -> None:
    candidate = read_record(s.Candidate, CANDIDATE_TABLE.to_unified(example("Candidate")))
    assert candidate.model_dump(exclude_none=True) == {
        "id": "521b18c2-4d01-4297-b451-19858d07c133",
        "remote_id": "21198",
        "name": "Gil Feig",
        "first_name": "Gil",
        "last_name": "Feig",
        "email": "hello@merge.dev",
        "emails": [{"type": "personal", "value": "hello@merge.dev"}],
        "social_links": [{"type": "blog", "url": "http://alturl.com/p749b"}],
        "phone_numbers": [{"type": "mobile", "phone": "+1234567890"}],
        "company": "Columbia Dining App.",
        "title": "Software Engineer",
        "application_ids": [
            "29eb9867-ce2a-403f-b8ce-f2844b89f078",
            "b4d08e5c-de00-4d64-a29f-66addac9af99",
            "4ff877d2-fb3e-4a5b-a7a5-168ddf2ffa56",
        ],
        "country": "San Francisco",
        "tags": [{"name": "High-Priority"}],
        "created_at": "2021-10-15T00:00:00Z",
        "updated_at": "2021-10-16T00:00:00Z",
    }


@pytest.mark.parametrize(
    ("unified", "model"),
    [
        ({"first_name": "Ada", "last_name": "Lovelace"}, {"first_name": "Ada", "last_name": "Lovelace"}),
        ({"name": "Ada King Lovelace"}, {"first_name": "Ada King", "last_name": "Lovelace"}),
        ({"name": "Ignored", "first_name": "Ada"}, {"first_name": "Ada"}),
        ({"email": "a@x.io"}, {"email_addresses": [{"value": "a@x.io"}]}),
        (
            {"phone_numbers": [{"type": "work", "phone": "+1"}, {"type": "personal", "phone": "+2"}, {"phone": "+1"}]},
            {
                "phone_numbers": [
                    {"value": "+1", "phone_number_type": "WORK"},
                    {"value": "+2", "phone_number_type": "MOBILE"},
                ]
            },
        ),
        (
            {"phone_numbers": [{"type": "unknown", "phone": "+3"}], "phone_number": "+4"},
            {"phone_numbers": [{"value": "+3", "phone_number_type": "OTHER"}, {"value": "+4"}]},
        ),
        (
            {
                "social_links": [
                    {"type": "linkedin", "url": "https://linkedin.com/in/a"},
                    {"type": "blog", "url": "https://b.io"},
                ]
            },
            {
                "urls": [
                    {"value": "https://linkedin.com/in/a", "url_type": "SOCIAL_MEDIA"},
                    {"value": "https://b.io", "url_type": "BLOG"},
                ]
            },
        ),
        (
            {"company": "Acme", "title": "CTO", "country": "France"},
            {"company": "Acme", "title": "CTO", "locations": ["France"]},
        ),
        ({"passthrough": {"is_private": True}}, {"is_private": True}),
    ],
)
def test_candidate_create_rows(unified: dict[str, Any], model: dict[str, Any]) -> None:
    translated = model_of(CANDIDATES, CandidateCreate, unified)
    assert translated == model
    merge_body("CandidateEndpointRequest", {"model": translated, "remote_user_id": USER})


def test_candidate_update_types_emails_and_keeps_the_typed_one_first() -> None:
    body = {
        "email": "a@x.io",
        "emails": [{"type": "work", "value": "a@x.io"}, {"type": "Home", "value": "h@x.io"}],
        "phone": "+9",
        "application_ids": [USER],
    }
    translated = model_of(CANDIDATES, CandidateUpdate, body)
    assert translated == {
        "email_addresses": [
            {"value": "a@x.io", "email_address_type": "WORK"},
            {"value": "h@x.io", "email_address_type": "OTHER"},
        ],
        "phone_numbers": [{"value": "+9"}],
        "applications": [USER],
    }
    merge_body("PatchedCandidateEndpointRequest", {"model": translated, "remote_user_id": USER})


def test_what_merges_candidate_cannot_carry_is_refused_with_the_field_named() -> None:
    found = refused(
        CANDIDATES,
        CandidateUpdate,
        {"hired_at": "2024-01-01T00:00:00Z", "custom_fields": [{"name": "x"}], "application_ids": ["nope"]},
    )
    assert found == {
        "hired_at": "unsupported_field",
        "custom_fields": "unsupported_field",
        "application_ids[0]": "invalid_value",
    }
    assert refused(CANDIDATES, CandidateCreate, {"first_name": "A", "passthrough": {"first_name": "B"}}) == {
        "passthrough.first_name": "passthrough_conflict"
    }


def _types(values: list[str]) -> st.SearchStrategy[str | None]:
    return st.sampled_from([*values, None])


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
_EMAIL = st.builds(
    lambda a, b: f"{a}@{b}.example",
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
    st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
_LINK_TYPES = {"linkedin": "linkedin.com", "github": "github.com", "portfolio": None, "blog": None, "company": None}


@st.composite
def candidates(draw: st.DrawFn) -> dict[str, Any]:
    """Unified candidate updates whose every value Merge keeps as it is (types Merge names one to one)."""
    emails = draw(
        st.lists(
            st.builds(lambda v, t: {"type": t, "value": v}, _EMAIL, _types(list(EMAIL_TYPES))),
            max_size=3,
            unique_by=lambda e: e["value"],
        )
    )
    phones = draw(
        st.lists(
            st.builds(
                lambda p, t: {"type": t, "phone": p},
                st.from_regex(r"\+[0-9]{4,12}", fullmatch=True),
                _types(["home", "work", "mobile", "other"]),
            ),
            max_size=3,
            unique_by=lambda p: p["phone"],
        )
    )
    links = []
    for kind in draw(st.lists(st.sampled_from(sorted(_LINK_TYPES)), max_size=3, unique=True)):
        host = _LINK_TYPES[kind] or f"{kind}.example"
        links.append({"type": kind, "url": f"https://{host}/{draw(st.from_regex(r'[a-z]{1,8}', fullmatch=True))}"})
    body: dict[str, Any] = {
        "first_name": draw(_TEXT),
        "last_name": draw(_TEXT),
        "emails": emails,
        "phone_numbers": phones,
        "social_links": links,
        "application_ids": draw(st.lists(st.uuids().map(str), max_size=2, unique=True)),
    }
    for name in ("company", "title", "country"):
        value = draw(st.none() | _TEXT)
        if value is not None:
            body[name] = value
    return body


def _stored(model: dict[str, Any]) -> dict[str, Any]:
    """What Merge answers for a model it stored: the contact entries gain timestamps, the record its ids."""
    contact = {"created_at": "2026-01-01T00:00:00Z", "modified_at": "2026-01-01T00:00:00Z", "remote_was_deleted": False}
    record = {"id": str(uuid.uuid4()), "remote_id": "1", **model}
    for key in ("email_addresses", "phone_numbers", "urls"):
        record[key] = [{**contact, **item} for item in model.get(key, [])]
    return record


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(candidates())
def test_a_candidate_comes_back_from_merge_as_it_was_sent(body: dict[str, Any]) -> None:
    translated = model_of(CANDIDATES, CandidateUpdate, body)
    merge_body("PatchedCandidateEndpointRequest", {"model": translated, "remote_user_id": USER})
    back = read_record(s.Candidate, CANDIDATE_TABLE.to_unified(_stored(translated))).model_dump(exclude_none=True)
    for key, value in body.items():
        expected = (
            [{k: v for k, v in item.items() if v is not None} for item in value]
            if key != "application_ids" and isinstance(value, list)
            else value
        )
        assert back.get(key, []) == expected, key
    assert back["name"] == f"{body['first_name']} {body['last_name']}"
    if body["emails"]:
        assert back["email"] == body["emails"][0]["value"]


# --- applications -----------------------------------------------------------------------------------------------


def test_merges_application_example_reads_as_the_unified_application() -> None:
    application = read_record(s.Application, APPLICATION_TABLE.to_unified(example("Application")))
    assert application.model_dump(exclude_none=True) == {
        "id": "92e8a369-fffe-430d-b93a-f7e8a16563f1",
        "remote_id": "98796",
        "candidate_id": "2872ba14-4084-492b-be96-e5eee6fc33ef",
        "job_id": "52bf9b5e-0beb-4f6f-8a72-cd4dca7ca633",
        "application_stage_id": "d578dfdc-7b0a-4ab6-a2b0-4b40f20eb9ea",
        "interview_stage_id": "d578dfdc-7b0a-4ab6-a2b0-4b40f20eb9ea",
        "rejected_reason_ids": ["59b25f2b-da02-40f5-9656-9fa0db555784"],
        "rejected_at": "2021-11-15T00:00:00Z",
        "source": {"name": "Campus recruiting event"},
        "created_at": "2021-10-15T00:00:00Z",
        "updated_at": "2021-10-16T00:00:00Z",
    }


def test_an_expanded_application_fills_the_nested_unified_records() -> None:
    record = example("Application")
    record["candidate"] = {**example("Candidate"), "id": record["candidate"]}
    record["current_stage"] = {**example("JobInterviewStage"), "id": record["current_stage"]}
    record["reject_reason"] = {"id": record["reject_reason"], "remote_id": "7", "name": "Withdrew"}
    application = read_record(s.Application, APPLICATION_TABLE.to_unified(record))
    assert application.remote_candidate_id == "21198"
    assert application.candidate is not None
    assert application.candidate.email == "hello@merge.dev"
    assert application.application_stage is not None
    assert (application.application_stage.name, application.application_stage.order) == ("Phone Screen", 2)
    assert application.remote_application_stage_id == "876556788"
    assert application.remote_rejected_reason_ids == ["7"]
    assert [r.label for r in application.rejected_reasons or []] == ["Withdrew"]


def test_application_create_rows_and_what_merge_lacks() -> None:
    candidate, job = str(uuid.uuid4()), str(uuid.uuid4())
    translated = model_of(
        APPLICATIONS, ApplicationCreate, {"candidate_id": candidate, "job_id": job, "source": {"name": "Referral"}}
    )
    assert translated == {"candidate": candidate, "job": job, "source": "Referral"}
    merge_body("ApplicationEndpointRequest", {"model": translated, "remote_user_id": USER})
    found = refused(
        APPLICATIONS,
        ApplicationCreate,
        {
            "candidate": {"first_name": "A"},
            "job_id": "not-a-uuid",
            "job_posting_id": "p",
            "location_id": "l",
            "application_status": {"value": "active"},
            "questionnaires": [{"id": "q"}],
            "documents": [{"name": "cv"}],
            "source": {"id": "9"},
        },
    )
    assert found == {
        "candidate": "unsupported_field",
        "job_id": "invalid_value",
        "job_posting_id": "unsupported_field",
        "location_id": "unsupported_field",
        "application_status": "unsupported_field",
        "questionnaires": "unsupported_field",
        "documents": "unsupported_field",
        "source.id": "unsupported_field",
    }


@settings(max_examples=60)
@given(st.uuids(), st.uuids(), st.none() | _TEXT)
def test_an_application_comes_back_from_merge_as_it_was_sent(
    candidate: uuid.UUID, job: uuid.UUID, source: str | None
) -> None:
    body: dict[str, Any] = {"candidate_id": str(candidate), "job_id": str(job)}
    if source is not None:
        body["source"] = {"name": source}
    translated = model_of(APPLICATIONS, ApplicationCreate, body)
    merge_body("ApplicationEndpointRequest", {"model": translated, "remote_user_id": USER})
    back = read_record(s.Application, APPLICATION_TABLE.to_unified({"id": str(uuid.uuid4()), **translated}))
    assert (back.candidate_id, back.job_id) == (str(candidate), str(job))
    assert (back.source.name if back.source else None) == source


def test_a_move_is_merges_flat_change_stage() -> None:
    stage = str(uuid.uuid4())
    body = MOVE_TABLE.to_vendor(write_body(ApplicationMove, {"interview_stage_id": stage, "acting_user_id": USER}))
    assert body == {"job_interview_stage": stage, "remote_user_id": USER}
    merge_body("UpdateApplicationStageRequest", body)
    assert refused(STAGE_CHANGE, ApplicationMove, {"interview_stage_id": "Onsite"}) == {
        "interview_stage_id": "invalid_value"
    }


# --- documents and notes ----------------------------------------------------------------------------------------


def test_merges_attachment_example_reads_as_a_document() -> None:
    document = read_record(s.AtsDocumentApiModel, DOCUMENT_TABLE.to_unified(example("Attachment")))
    assert document.model_dump(exclude_none=True) == {
        "id": "c640b80b-fac9-409f-aa19-1f9221aec445",
        "remote_id": "11167",
        "name": "Candidate Resume",
        "category": {"value": "resume", "source_value": "RESUME"},
        "type": {"value": "resume", "source_value": "RESUME"},
        "remote_url": "http://alturl.com/p749b",
        "created_at": "2021-09-15T00:00:00Z",
        "updated_at": "2021-10-16T00:00:00Z",
    }


def test_an_upload_is_an_attachment_by_url() -> None:
    body = {"name": "cv.pdf", "file_url": "https://files.example/cv.pdf", "category": {"value": "resume"}}
    translated = model_of(ATTACHMENTS, DocumentUpload, body)
    assert translated == {
        "file_name": "cv.pdf",
        "file_url": "https://files.example/cv.pdf",
        "attachment_type": "RESUME",
    }
    merge_body("AttachmentEndpointRequest", {"model": {**translated, "candidate": USER}, "remote_user_id": USER})
    found = refused(
        ATTACHMENTS,
        DocumentUpload,
        {
            "content": "UEsD",
            "file_format": {"value": "pdf"},
            "category_id": "1",
            "path": "/x",
            "category": {"value": "passport"},
        },
    )
    assert found == {
        "content": "unsupported_field",
        "file_format": "unsupported_field",
        "category_id": "unsupported_field",
        "path": "unsupported_field",
        "category.value": "unsupported_value",
    }


def test_merges_activity_example_reads_as_a_note_and_a_note_is_a_note_activity() -> None:
    note = read_record(s.Note, NOTE_TABLE.to_unified(example("Activity")))
    assert note.model_dump(exclude_none=True) == {
        "id": "ecbe05ac-62a3-46c5-ab31-4b478b37d1b4",
        "remote_id": "198123",
        "content": [{"body": "Candidate loves integrations!"}],
        "author_id": "9d892439-5fab-4dbb-8bd8-34f7f96c7912",
        "visibility": {"value": "private", "source_value": "PRIVATE"},
        "created_at": "2021-10-15T00:00:00Z",
        "updated_at": "2021-10-16T00:00:00Z",
    }
    author = str(uuid.uuid4())
    body = {"content": [{"body": "Strong"}, {"body": "Hire"}], "author_id": author, "visibility": {"value": "public"}}
    translated = model_of(ACTIVITIES, NoteCreate, body)
    assert translated == {"activity_type": "NOTE", "body": "Strong\n\nHire", "user": author, "visibility": "PUBLIC"}
    merge_body("ActivityEndpointRequest", {"model": {**translated, "candidate": USER}, "remote_user_id": USER})
    back = read_record(s.Note, NOTE_TABLE.to_unified(translated))
    assert (back.author_id, back.visibility and back.visibility.value) == (author, "public")
    assert refused(ACTIVITIES, NoteCreate, {"visibility": {"value": "unmapped_value"}}) == {
        "visibility.value": "unsupported_value"
    }


# --- everything Merge answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "table", "model", "expected"),
    [
        (
            "ScheduledInterview",
            INTERVIEW_TABLE,
            s.Interview,
            {
                "id": "b8faf072-98b9-4445-8a9a-6b4950efca19",
                "remote_id": "3",
                "application_id": "92e8a369-fffe-430d-b93a-f7e8a16563f1",
                "interview_stage_id": "2f7adb59-3fe6-4b5b-aef6-563f72bd13dc",
                "interview_status": {"value": "scheduled", "source_value": "SCHEDULED"},
                "interviewer_ids": ["f9813dd5-e70b-484c-91d8-00acd6065b07", "89a86fcf-d540-4e6b-ac3d-ce07c4ec9b3c"],
                "start_at": "2021-10-15T00:00:00Z",
                "end_at": "2021-10-15T02:00:00Z",
                "created_at": "2021-10-15T00:00:00Z",
                "updated_at": "2021-10-15T00:00:00Z",
            },
        ),
        (
            "Offer",
            OFFER_TABLE,
            s.Offer,
            {
                "id": "dd85625c-6a59-446f-a317-6de64d83bae7",
                "remote_id": "9876",
                "application_id": "2872ba14-4084-492b-be96-e5eee6fc33ef",
                "start_date": "2021-11-15T00:00:00Z",
                "offer_status": {"value": "pending", "source_value": "SENT"},
                "created_at": "2021-10-15T00:00:00Z",
                "updated_at": "2021-10-16T00:00:00Z",
            },
        ),
        (
            "Scorecard",
            SCORECARD_TABLE,
            s.Scorecard,
            {
                "id": "3eab2f17-eeb1-450d-97f0-029d8be1e06f",
                "remote_id": "22234",
                "application_id": "2872ba14-4084-492b-be96-e5eee6fc33ef",
                "interview_id": "52bf9b5e-0beb-4f6f-8a72-cd4dca7ca633",
                "author_id": "bbb519a3-246e-4b95-b6b3-dba16107ba6b",
                "overall_recommendation": "strong_yes",
                "created_at": "2021-10-15T00:00:00Z",
                "updated_at": "2021-10-16T00:00:00Z",
            },
        ),
        (
            "JobPosting",
            JOB_POSTING_TABLE,
            s.JobPosting,
            {
                "id": "156a2bef-57e5-4def-8ed2-7c41bd9a554t",
                "remote_id": "1341324",
                "title": "Platform - NYC",
                "status": {"value": "live", "source_value": "PUBLISHED"},
                "job_id": "022a2bef-57e5-4def-8ed2-7c41bd9a5ed8",
                "content": {"html": "Apply at https://merge.dev/careers"},
                "external_url": "https://merge.dev/careers",
                "created_at": "2021-10-15T00:00:00Z",
                "updated_at": "2021-10-16T00:00:00Z",
            },
        ),
        (
            "Job",
            JOB_TABLE,
            s.AtsJob,
            {
                "id": "022a2bef-57e5-4def-8ed2-7c41bd9a5ed8",
                "remote_id": "8765432",
                "code": "C0025",
                "title": "Software Engineer (Merge is actually hiring btw)",
                "description": "<b>If you're reading this documentation, you might be a good fit for Merge!</b>",
                "job_status": {"value": "open", "source_value": "OPEN"},
                "department_ids": ["5b3c1341-a20f-4e51-b72c-f3830a16c97b", "d6e687d6-0c36-48a1-8114-35324b5cb38f"],
                "location_ids": ["9871b4a9-f5d2-4f3b-a66b-dfedbed42c46"],
                "hiring_team": [
                    {"user_id": "787ed912-33ec-444e-a215-8d71cc42fc12", "role": "hiring_manager"},
                    {"user_id": "787ed912-33ec-444e-a215-8d71cc42fc12", "role": "recruiter"},
                ],
                "confidential": "true",
                "created_at": "2021-10-15T00:00:00Z",
                "updated_at": "2021-10-16T00:00:00Z",
            },
        ),
        (
            "JobInterviewStage",
            STAGE_TABLE,
            s.ApplicationStage,
            {
                "id": "f9813dd5-e70b-484c-91d8-00acd6065b07",
                "remote_id": "876556788",
                "name": "Phone Screen",
                "order": 2,
                "created_at": "2021-09-15T00:00:00Z",
                "updated_at": "2021-10-16T00:00:00Z",
            },
        ),
        (
            "RemoteUser",
            USER_TABLE,
            s.User,
            {
                "id": "b82302de-852e-4e60-b050-edf9da3b7c02",
                "remote_id": "344321",
                "first_name": "Shensi",
                "last_name": "Ding",
                "name": "Shensi Ding",
                "email": "hello@merge.dev",
            },
        ),
        (
            "RejectReason",
            REJECTED_REASON_TABLE,
            s.RejectedReason,
            {
                "id": "8be99a4a-f8d4-4339-bf1e-30eac970e217",
                "remote_id": "876556788",
                "label": "Not passionate enough about APIs.",
            },
        ),
        (
            "Department",
            DEPARTMENT_TABLE,
            s.Department,
            {"id": "5b3c1341-a20f-4e51-b72c-f3830a16c97b", "remote_id": "23456", "name": "Engineering"},
        ),
        (
            "Office",
            LOCATION_TABLE,
            s.ATSLocation,
            {"id": "9871b4a9-f5d2-4f3b-a66b-dfedbed42c46", "remote_id": "876556788", "name": "SF Office"},
        ),
    ],
)
def test_merges_examples_read_as_the_unified_records(
    component: str, table: Table, model: type[Dto], expected: dict[str, Any]
) -> None:
    assert read_record(model, table.to_unified(example(component))).model_dump(exclude_none=True) == expected


def test_unknown_merge_enum_values_read_as_unmapped_with_the_source_kept() -> None:
    job = read_record(s.AtsJob, JOB_TABLE.to_unified({"status": "ON_ICE", "confidential": None}))
    assert job.job_status is not None
    assert (job.job_status.value, job.job_status.source_value) == ("unmapped_value", "ON_ICE")
    phones = CANDIDATE_TABLE.to_unified({"phone_numbers": [{"value": "+1", "phone_number_type": "PAGER"}]})
    assert phones["phone_numbers"] == [{"type": "unmapped_value", "phone": "+1"}]


@pytest.mark.parametrize(
    ("table", "model"),
    [
        (CANDIDATE_TABLE, CandidateCreate),
        (CANDIDATE_TABLE, CandidateUpdate),
        (APPLICATION_TABLE, ApplicationCreate),
        (MOVE_TABLE, ApplicationMove),
        (DOCUMENT_TABLE, DocumentUpload),
        (NOTE_TABLE, NoteCreate),
    ],
)
def test_every_write_field_has_a_row_or_a_reason(table: Table, model: type[Dto]) -> None:
    """A unified field no row carries and no reason refuses would be dropped on its way to Merge."""
    assert set(model.model_fields) <= table.covered()
