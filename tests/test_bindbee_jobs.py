"""Bindbee job translation: every mapping row in both directions, every status value, every Greenhouse rule.

Each request built here is validated against Bindbee's OpenAPI document (tests/contract.py).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import AccountContext, Call, ProviderResponse, Query
from connectors.bindbee import BindbeeConnector
from connectors.bindbee.jobs import JOB_TABLE, STATUS_FROM_BINDBEE, STATUS_TO_BINDBEE
from connectors.catalogue import CATALOGUE
from connectors.errors import FieldError, InvalidInput
from connectors.unified.base import read_record
from connectors.unified.schema import AtsJob
from connectors.unified.writes import JobWrite
from gateway.errors import GatewayError
from gateway.query import read_query
from tests.contract import check_request
from tests.values import JOB_STATUS_VALUES

CREATE = CATALOGUE["ats_create_job"]
GREENHOUSE = AccountContext("gh", "greenhouse", None, {"api_key": "k", "connector_token": "t"})
GENERIC = AccountContext("generic", None, None, {"api_key": "k", "connector_token": "t"})
U1, U2, U3 = (str(uuid.uuid4()) for _ in range(3))


def build(body: dict[str, Any], account: AccountContext = GENERIC) -> dict[str, Any]:
    """The vendor body the connector would send; the request is checked against Bindbee's contract."""
    request = next(BindbeeConnector().plan(Call(CREATE, body=JobWrite.model_validate(body)), account))
    assert request.method == "POST"
    assert request.path == "/api/ats/v1/jobs"
    check_request("bindbee", request)
    assert isinstance(request.json, dict)
    return request.json


def rejected(body: dict[str, Any], account: AccountContext = GENERIC) -> list[FieldError]:
    with pytest.raises(InvalidInput) as caught:
        build(body, account)
    return caught.value.errors


def read(record: dict[str, Any]) -> AtsJob:
    base = {"id": U1, "remote_id": "4033879009", "modified_at": "2026-01-01T00:00:00Z", "custom_fields": None}
    return read_record(AtsJob, JOB_TABLE.to_unified({**base, **record}))


# --- write direction, row by row ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unified", "vendor"),
    [
        ({"title": "Sales Manager"}, {"name": "Sales Manager"}),
        ({"description": "Sells"}, {"description": "Sells"}),
        ({"code": "SE-2021-01"}, {"code": "SE-2021-01"}),
        ({"confidential": "true"}, {"confidential": True}),
        ({"confidential": "false"}, {"confidential": False}),
        ({"department_ids": [U1]}, {"departments": [U1]}),
        ({"location_ids": [U1, U2]}, {"offices": [U1, U2]}),
        ({"acting_user_id": U3}, {"remote_user_id": U3}),
        ({"template_id": "4033879009"}, {"template_id": "4033879009"}),
        ({"openings": 3}, {"openings": 3}),
    ],
)
def test_simple_rows_write(unified: dict[str, Any], vendor: dict[str, Any]) -> None:
    assert build(unified) == vendor


@pytest.mark.parametrize(("value", "expected"), sorted(STATUS_TO_BINDBEE.items()))
def test_each_supported_status_writes(value: str, expected: str) -> None:
    assert build({"job_status": {"value": value, "source_value": "x"}}) == {"status": expected}


@pytest.mark.parametrize("value", sorted(set(JOB_STATUS_VALUES) - set(STATUS_TO_BINDBEE)))
def test_each_unsupported_status_is_rejected(value: str) -> None:
    [error] = rejected({"job_status": {"value": value}})
    assert (error.field, error.rule, error.code) == ("job_status.value", "bindbee.job_status", "unsupported_value")


def test_deprecated_status_is_used_when_job_status_absent() -> None:
    assert build({"status": "archived"}) == {"status": "ARCHIVED"}


def test_deprecated_status_disagreeing_with_job_status_is_rejected() -> None:
    [error] = rejected({"status": "archived", "job_status": {"value": "published"}})
    assert (error.field, error.code) == ("status", "conflicting_values")


def test_confidential_unmapped_value_is_rejected() -> None:
    [error] = rejected({"confidential": "unmapped_value"})
    assert (error.field, error.code) == ("confidential", "unsupported_value")


def test_hiring_team_is_split_by_role() -> None:
    body = build(
        {
            "hiring_team": [
                {"user_id": U1, "role": "Hiring Manager"},
                {"user_id": U2, "role": "recruiter"},
                {"user_id": U3, "role": "hiring-manager"},
                {"user_id": U1, "role": "hiring_manager"},
            ]
        }
    )
    assert body == {"hiring_managers": [U1, U3], "recruiters": [U2]}


def test_hiring_team_member_with_unknown_role_is_rejected_not_dropped() -> None:
    errors = rejected({"hiring_team": [{"user_id": U1, "role": "Software Engineer"}, {"role": "recruiter"}]})
    assert [(e.field, e.rule) for e in errors] == [
        ("hiring_team[0].role", "bindbee.hiring_team_role"),
        ("hiring_team[1].user_id", "bindbee.hiring_team_user"),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interview_stages", [{"name": "Phone screen"}]),
        ("unified_custom_fields", {"ref": "REF-1"}),
        ("custom_fields", [{"name": "Level", "value": "L3"}]),
    ],
)
def test_fields_bindbee_cannot_carry_are_rejected(field: str, value: Any) -> None:
    [error] = rejected({field: value})
    assert (error.field, error.code) == (field, "unsupported_field")


def test_passthrough_is_merged_last() -> None:
    urls = [{"value": "https://jobs.example/1", "url_type": "JOB_POSTING"}]
    assert build({"title": "T", "passthrough": {"job_posting_urls": urls}}) == {"name": "T", "job_posting_urls": urls}


def test_passthrough_clashing_with_a_mapped_field_is_rejected() -> None:
    [error] = rejected({"title": "T", "passthrough": {"name": "Other"}})
    assert (error.field, error.code) == ("passthrough.name", "passthrough_conflict")


def test_extension_fields_found_in_passthrough_are_used_and_not_sent_twice() -> None:
    from connectors.extensions import resolve_extensions

    body = resolve_extensions(
        JobWrite.model_validate({"passthrough": {"template_id": "42", "openings": 2}}), {}, creating=True
    )
    request = next(BindbeeConnector().plan(Call(CREATE, body=body), GENERIC))
    assert request.json == {"template_id": "42", "openings": 2}


# --- Greenhouse rules ------------------------------------------------------------------------------------------


VALID_GREENHOUSE = {"title": "Sales Manager", "template_id": "4033879009", "acting_user_id": U1, "openings": 1}


def test_greenhouse_valid_job_builds() -> None:
    assert build({**VALID_GREENHOUSE, "department_ids": [U2]}, GREENHOUSE) == {
        "name": "Sales Manager",
        "template_id": "4033879009",
        "remote_user_id": U1,
        "openings": 1,
        "departments": [U2],
    }


@pytest.mark.parametrize(
    ("missing", "rule"),
    [
        ("template_id", "greenhouse.requires_template"),
        ("acting_user_id", "greenhouse.requires_acting_user"),
        ("openings", "greenhouse.requires_openings"),
    ],
)
def test_each_greenhouse_requirement(missing: str, rule: str) -> None:
    body = {k: v for k, v in VALID_GREENHOUSE.items() if k != missing}
    [error] = rejected(body, GREENHOUSE)
    assert (error.field, error.rule, error.code) == (missing, rule, "missing_required_field")
    assert build(body, GENERIC)  # the same body is fine for a non-Greenhouse account


def test_greenhouse_single_department() -> None:
    [error] = rejected({**VALID_GREENHOUSE, "department_ids": [U1, U2]}, GREENHOUSE)
    assert (error.field, error.rule) == ("department_ids", "greenhouse.single_department")


def test_every_failed_rule_is_listed_together() -> None:
    errors = rejected({"department_ids": [U1, U2], "job_status": {"value": "on_hold"}}, GREENHOUSE)
    assert {e.rule for e in errors} == {
        "greenhouse.requires_template",
        "greenhouse.requires_acting_user",
        "greenhouse.requires_openings",
        "greenhouse.single_department",
        "bindbee.job_status",
    }


# --- read direction, row by row --------------------------------------------------------------------------------


def test_simple_rows_read() -> None:
    job = read(
        {
            "name": "Sales Manager",
            "description": "Sells",
            "code": "SE-1",
            "confidential": True,
            "remote_created_at": "2026-01-01T00:00:00Z",
            "remote_updated_at": "2026-01-02T00:00:00Z",
        }
    )
    assert (job.id, job.remote_id, job.title, job.description, job.code) == (
        U1,
        "4033879009",
        "Sales Manager",
        "Sells",
        "SE-1",
    )
    assert (job.confidential, job.created_at, job.updated_at) == (
        "true",
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    )
    assert read({"confidential": False}).confidential == "false"
    assert read({"confidential": None}).confidential is None


@pytest.mark.parametrize(("vendor", "unified"), sorted(STATUS_FROM_BINDBEE.items()))
def test_each_status_reads(vendor: str, unified: str) -> None:
    job = read({"status": vendor})
    assert job.job_status is not None
    assert (job.job_status.value, job.job_status.source_value) == (unified, vendor)


@pytest.mark.parametrize("vendor", ["-", "on_hold_custom"])
def test_unknown_status_reads_as_unmapped_with_source_value(vendor: str) -> None:
    job = read({"status": vendor})
    assert job.job_status is not None
    assert (job.job_status.value, job.job_status.source_value) == ("unmapped_value", vendor)


def test_id_lists_read_plain_and_expanded() -> None:
    plain = read({"departments": [U1], "offices": [U2]})
    assert (plain.department_ids, plain.remote_department_ids, plain.location_ids) == ([U1], None, [U2])
    expanded = read({"departments": [{"id": U1, "remote_id": "101", "name": "Eng"}], "offices": None})
    assert (expanded.department_ids, expanded.remote_department_ids) == ([U1], ["101"])
    assert expanded.location_ids is None


def test_hiring_team_reads_by_role_with_expanded_names() -> None:
    job = read(
        {
            "hiring_managers": [{"id": U1, "remote_id": "7", "first_name": "Ada", "last_name": "L", "email": "a@x.io"}],
            "recruiters": [U2],
        }
    )
    assert [m.model_dump() for m in job.hiring_team or []] == [
        {
            "user_id": U1,
            "remote_user_id": "7",
            "first_name": "Ada",
            "last_name": "L",
            "email": "a@x.io",
            "role": "hiring_manager",
        },
        {
            "user_id": U2,
            "remote_user_id": None,
            "first_name": None,
            "last_name": None,
            "email": None,
            "role": "recruiter",
        },
    ]


def test_custom_fields_read_as_name_value_list() -> None:
    job = read({"custom_fields": {"Level": "L3", "Budget": 100}})
    assert [(c.name, c.value) for c in job.custom_fields or []] == [("Level", "L3"), ("Budget", 100)]


def test_every_unified_write_field_is_mapped_or_declared_unsupported() -> None:
    assert set(JobWrite.model_fields) <= JOB_TABLE.covered()


# --- list and get ---------------------------------------------------------------------------------------------


def test_list_translates_paging_and_filters() -> None:
    call = Call(
        CATALOGUE["ats_list_jobs"],
        query=Query(page_size=7, cursor="abc", filters={"updated_after": "2026-01-01T00:00:00Z", "job_status": "open"}),
    )
    plan = BindbeeConnector().plan(call, GENERIC)
    request = next(plan)
    check_request("bindbee", request)
    assert request.query["page_size"] == "7"
    assert request.query["cursor"] == "abc"
    assert request.query["modified_after"] == "2026-01-01T00:00:00Z"
    assert request.query["status"] == "OPEN"
    response = ProviderResponse(200, {}, {"cursor": None, "page_size": 1, "items": [{"id": U1, "name": "A"}]}, "u")
    with pytest.raises(StopIteration) as done:
        plan.send(response)
    assert done.value.value.next_cursor is None
    assert [j["title"] for j in done.value.value.data] == ["A"]


def test_created_after_filter_is_refused_not_ignored() -> None:
    operation = CATALOGUE["ats_list_jobs"]
    support = BindbeeConnector().support(GENERIC)[operation.id]
    with pytest.raises(GatewayError) as caught:
        read_query([("filter[created_after]", "2026-01-01")], operation, support)
    assert (caught.value.status, caught.value.code) == (400, "unsupported_filter")
    assert caught.value.errors[0].field == "filter[created_after]"


def test_an_unhonoured_filter_is_named_as_the_caller_spelt_it() -> None:
    """StackOne's SDK sends `job_id=` (the deprecated spelling) for the application list's job filter."""
    operation = CATALOGUE["ats_list_applications"]
    support = BindbeeConnector().support(GENERIC)[operation.id]
    with pytest.raises(GatewayError) as caught:
        read_query([("job_id", U1), ("filter[created_after]", "2026-01-01")], operation, support)
    assert sorted(e.field for e in caught.value.errors) == ["filter[created_after]", "job_id"]


@pytest.mark.parametrize("op_id", ["ats_list_jobs", "ats_get_candidate", "ats_list_applications"])
def test_include_custom_fields_is_honoured_since_bindbee_always_answers_them(op_id: str) -> None:
    operation = CATALOGUE[op_id]
    support = BindbeeConnector().support(GENERIC)[op_id]
    options = read_query([("include", "custom_fields")], operation, support)
    assert options.query.forwarded == {"include": "custom_fields"}


def test_an_include_bindbee_cannot_honour_is_named_with_only_those_values() -> None:
    operation = CATALOGUE["ats_list_applications"]
    support = BindbeeConnector().support(GENERIC)[operation.id]
    with pytest.raises(GatewayError) as caught:
        read_query([("include", "attachments,custom_fields")], operation, support)
    [error] = caught.value.errors
    assert (error.field, error.rule) == ("include", "connector.unsupported_parameter")
    assert error.message == "this account's vendor cannot honour include=attachments"


def test_get_with_a_non_uuid_id_is_not_found_without_a_call() -> None:
    call = Call(CATALOGUE["ats_get_job"], path={"id": "not-a-uuid"})
    with pytest.raises(InvalidInput) as caught:
        next(BindbeeConnector().plan(call, GENERIC))
    assert caught.value.status == 404


# --- properties -------------------------------------------------------------------------------------------------

_ids = st.lists(st.uuids().map(str), max_size=3, unique=True)
_text = st.text(min_size=1, max_size=40)
jobs = st.fixed_dictionaries(
    {},
    optional={
        "title": _text,
        "description": _text,
        "code": _text,
        "job_status": st.sampled_from(sorted(STATUS_TO_BINDBEE)).map(lambda v: {"value": v}),
        "confidential": st.sampled_from(["true", "false"]),
        "department_ids": _ids,
        "location_ids": _ids,
        "hiring_team": st.lists(
            st.fixed_dictionaries(
                {"user_id": st.uuids().map(str), "role": st.sampled_from(["hiring_manager", "recruiter"])}
            ),
            max_size=4,
            unique_by=lambda m: m["user_id"],
        ),
        "template_id": _text,
        "acting_user_id": st.uuids().map(str),
        "openings": st.integers(min_value=1, max_value=50),
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(jobs)
def test_round_trip_keeps_every_field_both_sides_carry(body: dict[str, Any]) -> None:
    vendor = build(body)
    job = read(vendor)
    for name in ("title", "description", "code", "department_ids", "location_ids", "confidential"):
        if name in body:
            assert getattr(job, name) == body[name]
    if "job_status" in body:
        assert job.job_status is not None
        expected = "open" if body["job_status"]["value"] == "published" else body["job_status"]["value"]
        assert job.job_status.value == expected
    if "hiring_team" in body:
        got = {(m.user_id, m.role) for m in job.hiring_team or []}
        assert got == {(m["user_id"], m["role"]) for m in body["hiring_team"]}
