"""Bindbee notes, documents, stages, offers, interviews and scorecards: every row in both directions, and every
plan's requests validated against Bindbee's excerpt or the Harvest facts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from connectors.base import AccountContext, Call, ProviderRequest, ProviderResponse
from connectors.bindbee import BindbeeConnector
from connectors.bindbee.applications import harvest_application_update
from connectors.bindbee.process import (
    DOCUMENT_TABLE,
    INTERVIEW_STATUS,
    INTERVIEW_TABLE,
    NOTE_TABLE,
    OFFER_STATUS,
    OFFER_TABLE,
    RECOMMENDATIONS,
    SCORECARD_TABLE,
    STAGE_TABLE,
)
from connectors.catalogue import CATALOGUE
from connectors.errors import FieldError, InvalidInput
from connectors.unified.base import read_record, write_body
from connectors.unified.schema import AtsDocumentApiModel, Interview, InterviewStage, Note, Offer, Scorecard
from connectors.unified.writes import ApplicationMove, ApplicationReject, ApplicationUpdate, DocumentUpload, NoteCreate
from tests.contract import check_request

U1, U2, U3, U4 = (str(uuid.uuid4()) for _ in range(4))
GREENHOUSE = AccountContext("gh", "greenhouse", None, {"api_key": "k", "connector_token": "t"})
GENERIC = AccountContext("g", None, None, {"api_key": "k", "connector_token": "t"})


def reply(body: Any) -> ProviderResponse:
    return ProviderResponse(200, {}, body, "u")


# --- notes ↔ activities -----------------------------------------------------------------------------------------


def test_note_rows_write() -> None:
    body = write_body(NoteCreate, {"content": [{"body": "a"}, {"body": "b"}], "visibility": {"value": "private"}})
    assert NOTE_TABLE.to_vendor(body) == {"body": "a\n\nb", "visibility": "PRIVATE"}
    author = write_body(NoteCreate, {"author_id": U1, "acting_user_id": U2})
    assert NOTE_TABLE.to_vendor(author) == {"user": U1}
    assert NOTE_TABLE.to_vendor(write_body(NoteCreate, {"acting_user_id": U2})) == {"user": U2}


def test_a_note_visibility_bindbee_cannot_take_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        NOTE_TABLE.to_vendor(write_body(NoteCreate, {"visibility": {"value": "unmapped_value"}}))
    assert [(e.field, e.code) for e in caught.value.errors] == [("visibility.value", "unsupported_value")]


@pytest.mark.parametrize(
    ("vendor", "unified"), [("PUBLIC", "public"), ("PRIVATE", "private"), ("ADMIN_ONLY", "private")]
)
def test_note_rows_read(vendor: str, unified: str) -> None:
    activity = {
        "id": U1,
        "remote_id": "9",
        "body": "Hi",
        "user": {"id": U2, "remote_id": "4000301"},
        "visibility": vendor,
    }
    note = read_record(Note, NOTE_TABLE.to_unified({**activity, "remote_created_at": "2026-01-01T00:00:00Z"}))
    assert (note.id, note.remote_id, note.author_id, note.remote_author_id) == (U1, "9", U2, "4000301")
    assert note.content is not None
    assert note.content[0].body == "Hi"
    assert note.visibility is not None
    assert (note.visibility.value, note.visibility.source_value) == (unified, vendor)
    assert note.created_at == "2026-01-01T00:00:00Z"


def test_a_note_without_visibility_is_refused_before_any_call() -> None:
    call = Call(
        CATALOGUE["ats_create_candidate_note"], {"id": U1}, write_body(NoteCreate, {"content": [{"body": "x"}]})
    )
    with pytest.raises(InvalidInput) as caught:
        BindbeeConnector().plan(call, GENERIC)
    assert [e.rule for e in caught.value.errors] == ["bindbee.note_visibility"]


def test_a_candidate_note_is_one_activity() -> None:
    body = write_body(NoteCreate, {"content": [{"body": "Great"}], "visibility": {"value": "public"}, "author_id": U2})
    call = Call(CATALOGUE["ats_create_candidate_note"], {"id": U1}, body)
    request = next(BindbeeConnector().plan(call, GENERIC))
    check_request("bindbee", request)
    assert (request.method, request.path) == ("POST", "/api/ats/v1/activities")
    assert request.json == {
        "user": U2,
        "body": "Great",
        "visibility": "PUBLIC",
        "activity_type": "NOTE",
        "candidate": U1,
    }


def test_an_application_note_goes_on_its_candidate() -> None:
    note = {"content": [{"body": "x"}], "visibility": {"value": "public"}}
    call = Call(CATALOGUE["ats_create_application_note"], {"id": U1}, write_body(NoteCreate, note))
    plan = BindbeeConnector().plan(call, GENERIC)
    read = next(plan)
    assert (read.method, read.path) == ("GET", f"/api/ats/v1/applications/{U1}")
    write = plan.send(reply({"id": U1, "candidate": U3}))
    check_request("bindbee", write)
    assert write.json["candidate"] == U3


# --- documents ↔ attachments ------------------------------------------------------------------------------------


def test_document_rows_write() -> None:
    upload = {"name": "cv.pdf", "content": "JVBERg==", "category": {"value": "resume"}, "file_format": {"value": "pdf"}}
    body = write_body(DocumentUpload, {**upload, "acting_user_id": U1})
    assert DOCUMENT_TABLE.to_vendor(body) == {
        "file_name": "cv.pdf",
        "attachment_type": "RESUME",
        "content_type": "application/pdf",
        "file_content": "JVBERg==",
        "remote_user_id": U1,
    }
    by_url = write_body(DocumentUpload, {"name": "cv.pdf", "file_url": "https://files.example/cv.pdf"})
    assert DOCUMENT_TABLE.to_vendor(by_url) == {"file_name": "cv.pdf", "file_url": "https://files.example/cv.pdf"}


@pytest.mark.parametrize(
    ("field", "value"), [("category_id", "6530"), ("path", "/cv"), ("confidential", {"value": "true"})]
)
def test_document_fields_bindbee_cannot_carry_are_refused(field: str, value: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        DOCUMENT_TABLE.to_vendor(write_body(DocumentUpload, {"content": "eA==", field: value}))
    assert [e.field for e in caught.value.errors] == [field]


def test_a_category_bindbee_has_no_type_for_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        DOCUMENT_TABLE.to_vendor(write_body(DocumentUpload, {"content": "eA==", "category": {"value": "passport"}}))
    assert caught.value.errors[0].field == "category.value"


def test_an_upload_gives_exactly_one_of_content_and_file_url() -> None:
    for body in ({}, {"content": "eA==", "file_url": "https://x.example/f"}):
        call = Call(CATALOGUE["ats_upload_application_document"], {"id": U1}, write_body(DocumentUpload, body))
        with pytest.raises(InvalidInput) as caught:
            BindbeeConnector().plan(call, GENERIC)
        assert caught.value.errors[0].rule == "bindbee.one_source"


def test_an_upload_lands_on_the_applications_candidate() -> None:
    body = write_body(DocumentUpload, {"name": "cv.pdf", "content": "eA==", "category": {"value": "cover_letter"}})
    plan = BindbeeConnector().plan(Call(CATALOGUE["ats_upload_application_document"], {"id": U1}, body), GENERIC)
    next(plan)
    write = plan.send(reply({"id": U1, "candidate": {"id": U3, "remote_id": "41"}}))
    check_request("bindbee", write)
    assert write.path == f"/api/ats/v1/candidates/{U3}/attachments"
    assert write.json["attachment_type"] == "COVER_LETTER"


@pytest.mark.parametrize(
    ("vendor", "unified"), [("RESUME", "resume"), ("OFFER_LETTER", "offer_letter"), ("-", "unmapped_value")]
)
def test_document_rows_read(vendor: str, unified: str) -> None:
    record = {"id": U1, "remote_id": "48", "file_name": "cv.pdf", "file_url": "https://f/cv", "attachment_type": vendor}
    document = read_record(AtsDocumentApiModel, DOCUMENT_TABLE.to_unified(record))
    assert (document.name, document.remote_url) == ("cv.pdf", "https://f/cv")
    assert document.category is not None
    assert (document.category.value, document.category.source_value) == (
        unified,
        vendor,
    )
    assert document.type is not None
    assert document.type.value == unified


def _download(application: str, attachment: str) -> Any:
    call = Call(CATALOGUE["ats_download_application_document"], {"id": application, "subResourceId": attachment})
    plan = BindbeeConnector().plan(call, GENERIC)
    check_request("bindbee", next(plan))  # the application, for its candidate
    return plan


def test_a_download_fetches_the_attachments_file_url_without_credentials() -> None:
    plan = _download(U1, U2)
    read = plan.send(reply({"id": U1, "candidate": {"id": U3}}))
    check_request("bindbee", read)
    assert read.path == f"/api/ats/v1/attachments/{U2}"
    attachment = {"id": U2, "candidate": U3, "file_name": "cv.pdf", "file_url": "https://files.bindbee.test/cv"}
    fetch = plan.send(reply(attachment))
    assert (fetch.method, fetch.path, fetch.binary) == ("GET", "https://files.bindbee.test/cv", True)
    assert not {"authorization", "x-connector-token"} & set(fetch.headers)
    with pytest.raises(StopIteration) as done:
        plan.send(ProviderResponse(200, {"content-type": "application/pdf"}, b"%PDF", "https://files.bindbee.test/cv"))
    result = done.value.value
    assert (result.content, result.content_type, result.filename) == (b"%PDF", "application/pdf", "cv.pdf")


def test_another_candidates_attachment_is_not_found_and_not_fetched() -> None:
    plan = _download(U1, U2)
    plan.send(reply({"id": U1, "candidate": {"id": U3}}))
    with pytest.raises(InvalidInput) as caught:
        plan.send(reply({"id": U2, "candidate": U4, "file_url": "https://files.bindbee.test/cv"}))
    assert caught.value.status == 404


# --- stages, offers, interviews, scorecards (read) ---------------------------------------------------------------


def test_stage_rows_read() -> None:
    stage = read_record(
        InterviewStage, STAGE_TABLE.to_unified({"id": U1, "remote_id": "42", "name": "Onsite", "stage_order": 2})
    )
    assert (stage.id, stage.remote_id, stage.name, stage.order) == (U1, "42", "Onsite", 2)


@pytest.mark.parametrize(("vendor", "unified"), sorted(OFFER_STATUS.items()))
def test_offer_rows_read(vendor: str, unified: str) -> None:
    record = {"id": U1, "application": {"id": U2, "remote_id": "44"}, "status": vendor, "start_date": "2026-03-01"}
    offer = read_record(Offer, OFFER_TABLE.to_unified(record))
    # Greenhouse's start date is a date; StackOne's is a date-time, and its SDKs refuse a bare date.
    assert (offer.application_id, offer.remote_application_id) == (U2, "44")
    assert offer.start_date == "2026-03-01T00:00:00.000Z"
    assert offer.offer_status is not None
    assert (offer.offer_status.value, offer.offer_status.source_value) == (
        unified,
        vendor,
    )


def test_an_offer_start_date_given_as_a_date_time_is_kept() -> None:
    record = {"id": U1, "start_date": "2026-03-01T09:30:00Z"}
    assert read_record(Offer, OFFER_TABLE.to_unified(record)).start_date == "2026-03-01T09:30:00Z"


@pytest.mark.parametrize(("vendor", "unified"), sorted(INTERVIEW_STATUS.items()))
def test_interview_rows_read(vendor: str, unified: str) -> None:
    record = {
        "id": U1,
        "application": U2,
        "job_interview_stage": {"id": U3, "remote_id": "7"},
        "interviewers": [{"id": U4, "remote_id": "4000301"}],
        "status": vendor,
        "start_at": "2026-03-01T10:00:00Z",
        "end_at": "2026-03-01T11:00:00Z",
    }
    interview = read_record(Interview, INTERVIEW_TABLE.to_unified(record))
    assert (interview.application_id, interview.interview_stage_id, interview.remote_interview_stage_id) == (
        U2,
        U3,
        "7",
    )
    assert (interview.interviewer_ids, interview.remote_interviewer_ids) == ([U4], ["4000301"])
    assert interview.interview_status is not None
    assert interview.interview_status.value == unified
    assert (interview.start_at, interview.end_at) == ("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z")


@pytest.mark.parametrize(("vendor", "unified"), sorted(RECOMMENDATIONS.items()))
def test_scorecard_rows_read(vendor: str, unified: str) -> None:
    record = {"id": U1, "application": U2, "interview": U3, "interviewer": U4, "overall_recommendation": vendor}
    scorecard = read_record(Scorecard, SCORECARD_TABLE.to_unified(record))
    assert (scorecard.application_id, scorecard.interview_id, scorecard.author_id) == (U2, U3, U4)
    assert scorecard.overall_recommendation == unified


# --- Greenhouse application writes through Harvest ----------------------------------------------------------------


def drive(call: Call, answers: list[Any]) -> list[ProviderRequest]:
    """Every request the plan makes, each answered in turn, each checked against its contract."""
    plan = BindbeeConnector().plan(call, GREENHOUSE)
    requests = [next(plan)]
    for answer in answers:
        try:
            requests.append(plan.send(reply(answer)))
        except StopIteration:
            break
    for request in requests:
        check_request("bindbee", request)
    return requests


def test_a_move_reads_the_current_stage_for_harvests_from_stage() -> None:
    body = write_body(ApplicationMove, {"interview_stage_id": U2, "acting_user_id": U3})
    requests = drive(
        Call(CATALOGUE["ats_move_application"], {"id": U1}, body),
        [
            {"remote_id": "4400001", "current_stage": U4},
            {"remote_id": "4200020"},
            {"remote_id": "4200021"},
            {"remote_id": "4000301"},
        ],
    )
    assert [r.path for r in requests[:4]] == [
        f"/api/ats/v1/applications/{U1}",
        f"/api/ats/v1/job-interview-stages/{U4}",
        f"/api/ats/v1/job-interview-stages/{U2}",
        f"/api/ats/v1/remote-users/{U3}",
    ]
    assert requests[4].json["path"] == "/v1/applications/4400001/move"
    assert requests[4].json["headers"] == {"On-Behalf-Of": "4000301"}
    assert requests[4].json["data"] == {"from_stage_id": 4200020, "to_stage_id": 4200021}


def test_a_rejection_carries_the_reason_and_harvests_own_fields_from_passthrough() -> None:
    extra = {"notes": "Not a fit", "rejection_email": {"email_template_id": 42}}
    body = write_body(ApplicationReject, {"rejected_reason_id": U2, "acting_user_id": U3, "passthrough": extra})
    requests = drive(
        Call(CATALOGUE["ats_reject_application"], {"id": U1}, body),
        [{"remote_id": "4400001"}, {"remote_id": "815"}, {"remote_id": "4000301"}],
    )
    assert requests[-1].json["path"] == "/v1/applications/4400001/reject"
    assert requests[-1].json["data"] == {**extra, "rejection_reason_id": 815}


def test_passthrough_cannot_overwrite_what_the_move_sets() -> None:
    body = write_body(
        ApplicationMove, {"interview_stage_id": U2, "acting_user_id": U3, "passthrough": {"to_stage_id": 1}}
    )
    with pytest.raises(InvalidInput) as caught:
        BindbeeConnector().plan(Call(CATALOGUE["ats_move_application"], {"id": U1}, body), GREENHOUSE)
    assert [e.code for e in caught.value.errors] == ["passthrough_conflict"]


def test_harvest_application_update_rows() -> None:
    errors: list[FieldError] = []
    body = {
        "source": {"id": "16"},
        "custom_fields": [{"remote_id": "71", "value": "x"}],
        "passthrough": {"recruiter_id": 5},
    }
    assert harvest_application_update(body, errors) == {
        "source_id": 16,
        "custom_fields": [{"id": 71, "value": "x"}],
        "recruiter_id": 5,
    }
    assert errors == []
    bad: dict[str, Any] = {
        "source": {"name": "LinkedIn"},
        "custom_fields": [{"name": "Level"}],
        "application_status": {"value": "hired"},
    }
    harvest_application_update(bad, errors)
    assert [e.field for e in errors] == ["source.id", "custom_fields[0].remote_id", "application_status"]


def test_an_update_goes_to_harvest() -> None:
    body = write_body(ApplicationUpdate, {"source": {"id": "16"}, "acting_user_id": U3})
    requests = drive(
        Call(CATALOGUE["ats_update_application"], {"id": U1}, body),
        [{"remote_id": "4400001"}, {"remote_id": "4000301"}],
    )
    assert (requests[-1].json["method"], requests[-1].json["path"]) == ("PATCH", "/v1/applications/4400001")
    assert requests[-1].json["data"] == {"source_id": 16}
