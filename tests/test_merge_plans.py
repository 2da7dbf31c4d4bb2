"""Every plan the Merge connector builds, driven with Merge's answers: each request it yields is validated against
Merge's OpenAPI document (tests/contract.py), and what it returns is the unified result."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest

from connectors.base import (
    AccountContext,
    Call,
    FileResult,
    LookupResult,
    PageResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    Query,
    RecordResult,
    RequirementsResult,
    Result,
    WriteResult,
)
from connectors.catalogue import CATALOGUE, Answer
from connectors.errors import InvalidInput
from connectors.merge import MergeConnector
from connectors.merge.reads import READS
from connectors.merge.writes import META_TTL_SECONDS, PassthroughRequired
from connectors.rules import Required
from connectors.unified.base import Dto, write_body
from tests.contract import check_request

ACCOUNT = AccountContext("m", "greenhouse", None, {"api_key": "mk", "account_token": "tok"})
MERGE = MergeConnector()
BASE = "https://api.merge.test/api/ats/v1"
APP, CAND, SUB, USER, STAGE = (str(uuid.uuid4()) for _ in range(5))


def answer(body: Any, status: int = 200, path: str = "", headers: Mapping[str, str] | None = None) -> ProviderResponse:
    return ProviderResponse(status, headers or {}, body, BASE + path)


def drive(plan: Plan, *answers: ProviderResponse) -> tuple[list[ProviderRequest], Result]:
    """Feed the plan Merge's answers in order; every request it made is held to Merge's document."""
    requests = [next(plan)]
    for given in answers:
        if not requests[-1].path.startswith("http"):
            check_request("merge", requests[-1])
        try:
            requests.append(plan.send(given))
        except StopIteration as stop:
            return requests, stop.value
    raise AssertionError(f"the plan wants more answers after {[r.path for r in requests]}")


def call(
    op_id: str,
    body: dict[str, Any] | None = None,
    *,
    query: Query | None = None,
    key: str | None = None,
    path: Mapping[str, str] | None = None,
    **ids: str,
) -> Call:
    op = CATALOGUE[op_id]
    dto: Dto | None = None
    if body is not None:
        assert op.request is not None
        dto = write_body(op.request, {"acting_user_id": USER, **body})
    return Call(op, {**(path or {}), **ids}, dto, query or Query(), key)


def records(result: Result) -> list[Mapping[str, Any]]:
    assert isinstance(result, PageResult)
    found = [r for r in result.data if isinstance(r, Mapping)]
    assert len(found) == len(result.data)
    return found


def page(*records: dict[str, Any], following: str | None = "next-cursor") -> dict[str, Any]:
    return {"next": following, "previous": None, "results": list(records)}


def meta(*required: str) -> dict[str, Any]:
    model = {"type": "object", "properties": {}, "required": list(required)}
    return {
        "request_schema": {"type": "object", "properties": {"model": model}, "required": ["model", "remote_user_id"]},
        "status": {"linked_account_status": "COMPLETE", "can_make_request": True},
        "has_conditional_params": False,
        "has_required_linked_account_params": False,
    }


def created(**model: Any) -> dict[str, Any]:
    return {"model": {"id": SUB, "remote_id": "42", **model}, "warnings": [], "errors": []}


# --- the support table ------------------------------------------------------------------------------------------


def test_every_read_merge_serves_is_a_list_or_get_of_the_catalogue() -> None:
    support = MERGE.support(ACCOUNT)
    for op_id in READS:
        assert CATALOGUE[op_id].answer in (Answer.PAGE, Answer.RECORD)
        assert support[op_id].supported
    assert (
        support["ats_create_job"].reason == support["ats_update_job"].reason == "Merge ATS cannot create or update jobs"
    )
    assert "reject" in (support["ats_reject_application"].reason or "")
    served = sorted(op for op, entry in support.items() if entry.supported)
    assert len(served) == len(READS) + 1 + 7, served  # the reads, the download, seven writes


def test_the_notes_and_documents_merge_keeps_on_the_candidate_say_so() -> None:
    support = MERGE.support(ACCOUNT)
    for op_id in (
        "ats_list_application_notes",
        "ats_get_application_note",
        "ats_create_application_note",
        "ats_list_application_documents",
        "ats_upload_application_document",
        "ats_download_application_document",
    ):
        assert "candidate" in (support[op_id].note or ""), op_id
    assert "fewer notes than page_size" in (support["ats_list_candidate_notes"].note or "")


def test_every_write_requires_the_acting_user_and_a_move_its_stage() -> None:
    for op in CATALOGUE.values():
        rules = MERGE.rules(op, ACCOUNT)
        if op.is_write and MERGE.support(ACCOUNT)[op.id].supported:
            assert rules[0].field == "acting_user_id", op.id
    assert [r.field for r in MERGE.rules(CATALOGUE["ats_move_application"], ACCOUNT)] == [
        "acting_user_id",
        "interview_stage_id",
    ]
    with pytest.raises(InvalidInput) as caught:
        MERGE.plan(
            Call(
                CATALOGUE["ats_move_application"],
                {"id": APP},
                write_body(CATALOGUE["ats_move_application"].request or Dto, {}),
            ),
            ACCOUNT,
        )
    assert {e.rule for e in caught.value.errors} == {"merge.requires_remote_user", "merge.requires_stage"}


# --- reads ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op_id", sorted(op for op in READS if CATALOGUE[op].answer == Answer.PAGE))
def test_every_list_is_one_merge_page(op_id: str) -> None:
    spec = READS[op_id]
    within = spec.within
    record: dict[str, Any] = {"id": SUB, "remote_id": "7"}
    if within is not None:
        record[within.field] = CAND if within.candidate_of_application else APP
    answers = [answer(page(record))]
    if within is not None and within.candidate_of_application:
        answers.insert(0, answer({"id": APP, "candidate": CAND}))
    requests, result = drive(
        MERGE.plan(call(op_id, query=Query(page_size=7, cursor="c1", raw=True), id=APP), ACCOUNT), *answers
    )
    listed = requests[-1]
    assert listed.path == f"/api/ats/v1/{spec.collection}"
    assert (listed.query["page_size"], listed.query["cursor"], listed.query["include_remote_data"]) == (
        "7",
        "c1",
        "true",
    )
    if within is not None and within.param is not None:
        assert listed.query[within.param] == (CAND if within.candidate_of_application else APP)
    assert isinstance(result, PageResult)
    assert ([r["id"] for r in records(result)], result.next_cursor) == ([SUB], "next-cursor")


@pytest.mark.parametrize("op_id", sorted(op for op in READS if CATALOGUE[op].answer == Answer.RECORD))
def test_every_get_is_one_merge_record_and_a_sub_resource_must_be_its_owners(op_id: str) -> None:
    spec = READS[op_id]
    within = spec.within
    owner = CAND if within is not None and within.candidate_of_application else APP
    record = {"id": SUB, "remote_id": "7", **({within.field: owner} if within else {})}
    before = [answer({"id": APP, "candidate": CAND})] if within is not None and within.candidate_of_application else []
    path = {"id": APP, "subResourceId": SUB} if within else {"id": SUB}
    requests, result = drive(MERGE.plan(call(op_id, path=path), ACCOUNT), *before, answer(record))
    assert requests[-1].path == f"/api/ats/v1/{spec.collection}/{SUB}"
    assert isinstance(result, RecordResult)
    if within is not None:
        other = {**record, within.field: str(uuid.uuid4())}
        with pytest.raises(InvalidInput) as caught:
            drive(MERGE.plan(call(op_id, path=path), ACCOUNT), *before, answer(other))
        assert caught.value.status == 404


def test_ids_that_are_not_merge_ids_are_404_before_any_call() -> None:
    with pytest.raises(InvalidInput) as caught:
        MERGE.plan(call("ats_get_candidate", id="../jobs"), ACCOUNT)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("op_id", "filters", "sent"),
    [
        (
            "ats_list_candidates",
            {"email": "a@x.io", "updated_after": "2024-01-01T00:00:00Z"},
            {"email_addresses": "a@x.io", "modified_after": "2024-01-01T00:00:00Z"},
        ),
        (
            "ats_list_applications",
            {"job_id": APP, "application_stage_id": STAGE, "created_after": "2024-01-01T00:00:00Z"},
            {"job_id": APP, "current_stage_id": STAGE, "created_after": "2024-01-01T00:00:00Z"},
        ),
        ("ats_list_jobs", {"job_status": "draft"}, {"status": "DRAFT"}),
    ],
)
def test_filters_are_merges_parameters(op_id: str, filters: dict[str, str], sent: dict[str, str]) -> None:
    assert set(filters) <= MERGE.support(ACCOUNT)[op_id].filters
    requests, _ = drive(MERGE.plan(call(op_id, query=Query(filters=filters)), ACCOUNT), answer(page()))
    assert sent.items() <= requests[0].query.items()


def test_notes_merge_cannot_filter_are_filtered_page_by_page() -> None:
    mine = {"id": SUB, "candidate": CAND, "body": "Hire"}
    theirs = {"id": str(uuid.uuid4()), "candidate": str(uuid.uuid4()), "body": "No"}
    requests, result = drive(
        MERGE.plan(call("ats_list_application_notes", id=APP), ACCOUNT),
        answer({"candidate": CAND}),
        answer(page(theirs, mine)),
    )
    assert [r.path for r in requests] == [f"/api/ats/v1/applications/{APP}", "/api/ats/v1/activities"]
    assert isinstance(result, PageResult)
    assert [r["content"] for r in records(result)] == [[{"body": "Hire"}]]
    assert result.next_cursor == "next-cursor"


def test_a_download_fetches_the_attachments_file_with_no_merge_credentials() -> None:
    attachment = {"id": SUB, "candidate": CAND, "file_name": "cv.pdf", "file_url": "https://files.merge.test/cv.pdf"}
    plan = MERGE.plan(call("ats_download_application_document", id=APP, subResourceId=SUB), ACCOUNT)
    requests, result = drive(
        plan,
        answer({"candidate": CAND}),
        answer(attachment),
        ProviderResponse(
            200, {"content-type": "application/pdf"}, b"%PDF-1.4 \x00\xff", "https://files.merge.test/cv.pdf"
        ),
    )
    fetched = requests[-1]
    assert (fetched.path, fetched.binary, dict(fetched.headers)) == (
        "https://files.merge.test/cv.pdf",
        True,
        {"accept": "*/*"},
    )
    assert result == FileResult(b"%PDF-1.4 \x00\xff", "application/pdf", "cv.pdf")


# --- writes -----------------------------------------------------------------------------------------------------


def test_a_candidate_create_reads_meta_post_then_posts_with_the_callers_key() -> None:
    plan = MERGE.plan(call("ats_create_candidate", {"first_name": "Ada", "last_name": "Lovelace"}, key="k-1"), ACCOUNT)
    requests, result = drive(plan, answer(meta("first_name", "last_name")), answer(created(), 201))
    check, post = requests
    assert (check.method, check.path, check.cache_seconds) == (
        "GET",
        "/api/ats/v1/candidates/meta/post",
        META_TTL_SECONDS,
    )
    assert "idempotency-key" not in check.headers
    assert (post.method, post.path, post.headers["idempotency-key"]) == ("POST", "/api/ats/v1/candidates", "k-1")
    assert post.json == {"model": {"first_name": "Ada", "last_name": "Lovelace"}, "remote_user_id": USER}
    assert result == WriteResult(SUB, "42")


def test_a_field_meta_post_requires_is_refused_before_the_write() -> None:
    plan = MERGE.plan(call("ats_create_candidate", {"first_name": "Ada"}), ACCOUNT)
    next(plan)
    with pytest.raises(InvalidInput) as caught:
        plan.send(answer(meta("first_name", "last_name", "email_addresses", "favorite_tv_show")))
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("last_name", "missing_required_field"),
        ("email", "missing_required_field"),
        ("passthrough.favorite_tv_show", "missing_required_field"),
    ]
    assert "greenhouse" in caught.value.errors[0].message


def test_merges_warnings_come_back_with_the_unified_field_named() -> None:
    said = [
        {
            "title": "Unsupported Field",
            "detail": "not supported: stage",
            "problem_type": "UNSUPPORTED_FIELD",
            "source": {"pointer": "/model/applications"},
        },
        {"title": "Note", "detail": "synced later", "problem_type": "WARNING"},
    ]
    plan = MERGE.plan(call("ats_update_candidate", {"application_ids": [APP]}, key="ignored", id=CAND), ACCOUNT)
    requests, result = drive(plan, answer({**created(), "warnings": said}))
    assert (requests[0].method, requests[0].path) == ("PATCH", f"/api/ats/v1/candidates/{CAND}")
    assert "idempotency-key" not in requests[0].headers  # Merge documents its key on POST only
    assert isinstance(result, WriteResult)
    assert result.warnings == ("application_ids: not supported: stage", "synced later")


def test_an_application_create_and_a_move() -> None:
    plan = MERGE.plan(call("ats_create_application", {"candidate_id": CAND, "job_id": APP}, key="k-2"), ACCOUNT)
    requests, result = drive(plan, answer(meta("candidate", "job")), answer(created(), 201))
    assert requests[0].path == "/api/ats/v1/applications/meta/post"
    assert requests[1].json == {"model": {"candidate": CAND, "job": APP}, "remote_user_id": USER}
    assert result == WriteResult(SUB, "42")
    plan = MERGE.plan(call("ats_move_application", {"interview_stage_id": STAGE}, key="k-3", id=APP), ACCOUNT)
    requests, result = drive(plan, answer(created(current_stage=STAGE), 201))
    assert (requests[0].path, requests[0].headers["idempotency-key"]) == (
        f"/api/ats/v1/applications/{APP}/change-stage",
        "k-3",
    )
    assert requests[0].json == {"job_interview_stage": STAGE, "remote_user_id": USER}
    assert result == WriteResult(SUB, "42")


@pytest.mark.parametrize(
    ("op_id", "body", "collection", "model"),
    [
        (
            "ats_upload_application_document",
            {"name": "cv.pdf", "file_url": "https://files.example/cv.pdf", "category": {"value": "resume"}},
            "attachments",
            {"file_name": "cv.pdf", "file_url": "https://files.example/cv.pdf", "attachment_type": "RESUME"},
        ),
        (
            "ats_create_application_note",
            {"content": [{"body": "Hire"}], "author_id": USER, "visibility": {"value": "private"}},
            "activities",
            {"activity_type": "NOTE", "body": "Hire", "user": USER, "visibility": "PRIVATE"},
        ),
    ],
)
def test_writes_merge_files_on_the_candidate_go_to_the_applications_candidate(
    op_id: str, body: dict[str, Any], collection: str, model: dict[str, Any]
) -> None:
    plan = MERGE.plan(call(op_id, body, key="k-4", id=APP), ACCOUNT)
    requests, result = drive(plan, answer({"candidate": CAND}), answer(meta("candidate")), answer(created(), 201))
    assert [r.path for r in requests] == [
        f"/api/ats/v1/applications/{APP}",
        f"/api/ats/v1/{collection}/meta/post",
        f"/api/ats/v1/{collection}",
    ]
    assert requests[-1].json == {"model": {**model, "candidate": CAND}, "remote_user_id": USER}
    assert result == WriteResult(SUB, "42")


def test_a_candidate_note_goes_to_the_candidate_in_the_path() -> None:
    plan = MERGE.plan(call("ats_create_candidate_note", {"content": [{"body": "Hi"}]}, id=CAND), ACCOUNT)
    requests, _ = drive(plan, answer(meta()), answer(created(), 201))
    assert requests[-1].json == {
        "model": {"activity_type": "NOTE", "body": "Hi", "candidate": CAND},
        "remote_user_id": USER,
    }


# --- requirements, reconciliation, Merge's errors ---------------------------------------------------------------


def test_requirements_are_meta_posts_fields_as_unified_rules() -> None:
    plan = MERGE.requirements(CATALOGUE["ats_upload_application_document"], ACCOUNT)
    assert plan is not None
    requests, result = drive(plan, answer(meta("attachment_type", "candidate", "file_name", "file_url", "label")))
    assert requests[0].cache_seconds == META_TTL_SECONDS
    assert isinstance(result, RequirementsResult)
    assert [(type(r), r.field) for r in result.rules] == [
        (Required, "category"),
        (Required, "name"),
        (Required, "file_url"),
        (PassthroughRequired, "passthrough"),
    ]
    assert MERGE.requirements(CATALOGUE["ats_move_application"], ACCOUNT) is None


def test_a_passthrough_requirement_constrains_the_schema_and_checks_the_body() -> None:
    rule = PassthroughRequired("label", "merge.account_requires", "needed")
    schema = CATALOGUE["ats_create_candidate"].request.model_json_schema()  # type: ignore[union-attr]
    rule.constrain(schema)
    assert "passthrough" in schema["required"]
    assert schema["properties"]["passthrough"]["anyOf"] == [
        {"additionalProperties": True, "type": "object", "required": ["label"]}
    ]
    assert rule.check({"label": "x"}) is None
    assert rule.check(None) is not None


def test_the_lookup_searches_merge_by_email_since_the_attempt_and_is_never_conclusive_alone() -> None:
    body = call("ats_create_candidate", {"email": "a@x.io"})
    plan = MERGE.lookup(body, ACCOUNT, "2026-01-01T00:00:00.000Z", settled=True)
    assert plan is not None
    requests, found = drive(plan, answer(page({"id": SUB, "remote_id": 9})))
    assert requests[0].query == {
        "email_addresses": "a@x.io",
        "created_after": "2026-01-01T00:00:00.000Z",
        "page_size": "1",
    }
    assert found == LookupResult(WriteResult(SUB, "9"), conclusive=True)
    plan = MERGE.lookup(body, ACCOUNT, "2026-01-01T00:00:00.000Z", settled=True)
    assert plan is not None
    assert drive(plan, answer(page()))[1] == LookupResult(None, conclusive=False)
    assert MERGE.lookup(call("ats_create_candidate", {"first_name": "A"}), ACCOUNT, "x", settled=True) is None


def test_merges_problems_name_the_unified_fields_their_pointers_come_from() -> None:
    errors = [
        {
            "title": "Missing",
            "detail": "last_name is required",
            "problem_type": "MISSING_REQUIRED_FIELD",
            "source": {"pointer": "/model/last_name"},
        },
        {
            "title": "Type",
            "detail": "bad e-mail",
            "problem_type": "INCORRECT_FIELD_TYPE",
            "source": {"pointer": "/model/email_addresses/0/value"},
        },
        {"title": "Error", "detail": "no such user", "problem_type": "ERROR", "source": {"pointer": "/remote_user_id"}},
        {
            "title": "Choice",
            "detail": "bad",
            "problem_type": "INVALID_FIELD_CHOICE",
            "source": {"pointer": "model/favorite"},
        },
        {"title": "Error", "detail": "ATS down", "problem_type": "ERROR"},
    ]
    refused = answer({"warnings": [], "errors": errors}, 400, "/candidates")
    assert [(e.field, e.rule, e.code) for e in MERGE.field_errors(refused)] == [
        ("last_name", "merge.missing_required_field", "missing_required_field"),
        ("email", "merge.incorrect_field_type", "invalid_value"),
        ("acting_user_id", "merge.error", "invalid_value"),
        ("passthrough.favorite", "merge.invalid_field_choice", "unsupported_value"),
    ]
    assert MERGE.error_message(refused) == "last_name is required; bad e-mail; no such user; bad; ATS down"
    moved = answer(
        {"errors": [{"detail": "not a stage", "problem_type": "ERROR", "source": {"pointer": "/job_interview_stage"}}]},
        400,
        f"/applications/{APP}/change-stage",
    )
    assert [e.field for e in MERGE.field_errors(moved)] == ["interview_stage_id"]
    upload = answer(
        {"errors": [{"detail": "x", "problem_type": "ERROR", "source": {"pointer": "/model/candidate"}}]},
        400,
        "/attachments",
    )
    assert [e.field for e in MERGE.field_errors(upload)] == ["id"]
    assert MERGE.error_message(answer({"detail": "Invalid token."}, 401)) == "Invalid token."
    assert (
        MERGE.error_message(answer({"created_after": ["Enter a valid date/time."]}, 400))
        == "created_after: Enter a valid date/time."
    )
