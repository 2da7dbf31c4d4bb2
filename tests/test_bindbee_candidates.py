"""Bindbee candidate and application translation, row by row in both directions, plus generated candidates.

Every request built here is validated against Bindbee's document (tests/contract.py).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import AccountContext, Call, ProviderRequest, ProviderResponse
from connectors.bindbee import BindbeeConnector
from connectors.bindbee.applications import APPLICATION_TABLE
from connectors.bindbee.candidates import CANDIDATE_TABLE, URL_TYPES, harvest_update, split_name
from connectors.catalogue import CATALOGUE
from connectors.errors import FieldError, InvalidInput, NotSupported
from connectors.unified.base import read_record, write_body
from connectors.unified.schema import Application, Candidate
from connectors.unified.writes import ApplicationCreate, CandidateCreate, CandidateUpdate, JobWrite
from tests.contract import check_request

ACCOUNT = AccountContext("a", None, None, {"api_key": "k", "connector_token": "t"})
GREENHOUSE = AccountContext("gh", "greenhouse", None, {"api_key": "k", "connector_token": "t"})
CREATE = CATALOGUE["ats_create_candidate"]
U1, U2 = str(uuid.uuid4()), str(uuid.uuid4())


def build(body: dict[str, Any]) -> dict[str, Any]:
    request = next(BindbeeConnector().plan(Call(CREATE, body=CandidateCreate.model_validate(body)), ACCOUNT))
    check_request("bindbee", request)
    assert (request.method, request.path) == ("POST", "/api/ats/v1/candidates")
    assert isinstance(request.json, dict)
    return request.json


def read(record: dict[str, Any]) -> Candidate:
    base = {"id": U1, "remote_id": "77", "modified_at": "2026-01-01T00:00:00Z", "custom_fields": None}
    return read_record(Candidate, CANDIDATE_TABLE.to_unified({**base, **record}))


@pytest.mark.parametrize(
    ("unified", "data"),
    [
        ({"first_name": "Ada", "last_name": "Lovelace"}, {"first_name": "Ada", "last_name": "Lovelace"}),
        ({"name": "Ada King Lovelace"}, {"first_name": "Ada King", "last_name": "Lovelace"}),
        ({"name": "Cher"}, {"first_name": "Cher"}),
        ({"name": "Ignored", "first_name": "Ada"}, {"first_name": "Ada"}),
        ({"email": "a@x.io"}, {"email_addresses": ["a@x.io"]}),
        (
            {"phone_numbers": [{"type": "work", "phone": "+1"}, {"phone": "+1"}], "phone_number": "+2"},
            {"phone_numbers": ["+1", "+2"]},
        ),
        ({"company": "Acme", "title": "CTO"}, {"company": "Acme", "title": "CTO"}),
        ({"country": "France"}, {"locations": ["France"]}),
    ],
)
def test_candidate_rows_write(unified: dict[str, Any], data: dict[str, Any]) -> None:
    assert build(unified) == {"data": data}


@pytest.mark.parametrize(("kind", "url_type"), [*sorted(URL_TYPES.items()), ("mastodon", "OTHER"), (None, "OTHER")])
def test_each_social_link_type(kind: str | None, url_type: str) -> None:
    assert build({"social_links": [{"type": kind, "url": "https://x.test/a"}]}) == {
        "data": {"urls": [{"value": "https://x.test/a", "url_type": url_type}]}
    }


def test_acting_user_goes_beside_data() -> None:
    assert build({"first_name": "A", "acting_user_id": U1}) == {"data": {"first_name": "A"}, "remote_user_id": U1}


@pytest.mark.parametrize("field", ["hired_at", "custom_fields", "unified_custom_fields"])
def test_fields_bindbee_cannot_carry_are_refused(field: str) -> None:
    value: Any = {"hired_at": "2021-01-01", "custom_fields": [{"name": "x"}], "unified_custom_fields": {"a": 1}}[field]
    with pytest.raises(InvalidInput) as caught:
        build({field: value})
    assert [(e.field, e.code) for e in caught.value.errors] == [(field, "unsupported_field")]


def test_candidate_rows_read() -> None:
    candidate = read(
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Acme",
            "title": "CTO",
            "email_addresses": ["a@x.io", "b@x.io"],
            "phone_numbers": ["+1"],
            "locations": ["France", "UK"],
            "urls": [
                {"value": "https://www.linkedin.com/in/ada", "url_type": "SOCIAL_MEDIA"},
                {"value": "https://ada.dev", "url_type": "PORTFOLIO"},
                {"value": "https://mastodon.social/@ada", "url_type": "SOCIAL_MEDIA"},
            ],
            "tags": ["vip"],
            "applications": [{"id": U2, "remote_id": "88"}],
            "remote_created_at": "2026-01-01",
            "remote_updated_at": "2026-01-02",
        }
    )
    assert (candidate.id, candidate.remote_id, candidate.name) == (U1, "77", "Ada Lovelace")
    assert candidate.email == "a@x.io"
    assert [(e.type, e.value) for e in candidate.emails or []] == [(None, "a@x.io"), (None, "b@x.io")]
    assert [(p.type, p.phone) for p in candidate.phone_numbers or []] == [(None, "+1")]
    assert [(s.type, s.url) for s in candidate.social_links or []] == [
        ("linkedin", "https://www.linkedin.com/in/ada"),
        ("portfolio", "https://ada.dev"),
        (None, "https://mastodon.social/@ada"),
    ]
    assert (candidate.country, candidate.company, candidate.title) == ("France", "Acme", "CTO")
    assert (candidate.application_ids, candidate.remote_application_ids) == ([U2], ["88"])
    assert [t.name for t in candidate.tags or []] == ["vip"]
    assert (candidate.created_at, candidate.updated_at) == ("2026-01-01", "2026-01-02")


def test_every_unified_candidate_field_is_mapped_or_declared_unsupported() -> None:
    assert set(CandidateCreate.model_fields) <= CANDIDATE_TABLE.covered()


def test_split_name() -> None:
    assert split_name("  Ada   King Lovelace ") == ("Ada   King", "Lovelace")
    assert split_name("Plato") == ("Plato", None)


# --- Greenhouse update through Harvest ---------------------------------------------------------------------------


def test_harvest_update_translation() -> None:
    errors: list[FieldError] = []
    body = harvest_update(
        {
            "name": "Ada Lovelace",
            "email": "a@x.io",
            "emails": [{"type": "work", "value": "w@x.io"}],
            "phone_numbers": [{"type": "home", "phone": "+1"}, {"type": "unknown", "phone": "+2"}],
            "social_links": [
                {"type": "github", "url": "https://github.com/ada"},
                {"type": "blog", "url": "https://ada.blog"},
            ],
        },
        errors,
    )
    assert errors == []
    assert body == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email_addresses": [{"value": "w@x.io", "type": "work"}, {"value": "a@x.io", "type": "other"}],
        "phone_numbers": [{"value": "+1", "type": "home"}, {"value": "+2", "type": "other"}],
        "social_media_addresses": [{"value": "https://github.com/ada"}],
        "website_addresses": [{"value": "https://ada.blog", "type": "blog"}],
    }


def test_greenhouse_update_reads_ids_then_writes_through_the_passthrough() -> None:
    call = Call(
        CATALOGUE["ats_update_candidate"],
        path={"id": U1},
        body=CandidateUpdate(title="CTO", acting_user_id=U2),
    )
    plan = BindbeeConnector().plan(call, GREENHOUSE)
    first = next(plan)
    assert (first.method, first.path) == ("GET", f"/api/ats/v1/candidates/{U1}")
    second = plan.send(ProviderResponse(200, {}, {"id": U1, "remote_id": "4100001"}, "u"))
    assert (second.method, second.path) == ("GET", f"/api/ats/v1/remote-users/{U2}")
    third = plan.send(ProviderResponse(200, {}, {"id": U2, "remote_id": "4000301"}, "u"))
    for request in (first, second, third):
        check_request("bindbee", request)
    assert third.json == {
        "method": "PATCH",
        "path": "/v1/candidates/4100001",
        "headers": {"On-Behalf-Of": "4000301"},
        "data": {"title": "CTO"},
        "request_format": "JSON",
        "response_format": "JSON",
    }
    with pytest.raises(StopIteration) as done:
        plan.send(ProviderResponse(200, {}, {"status": 200, "data": {}}, "u"))
    assert (done.value.value.id, done.value.value.remote_id) == (U1, "4100001")


def test_greenhouse_update_without_an_acting_user_is_refused_before_any_call() -> None:
    call = Call(CATALOGUE["ats_update_candidate"], path={"id": U1}, body=CandidateUpdate(title="CTO"))
    with pytest.raises(InvalidInput) as caught:
        BindbeeConnector().plan(call, GREENHOUSE)
    assert [e.rule for e in caught.value.errors] == ["greenhouse.requires_acting_user"]


# --- applications -----------------------------------------------------------------------------------------------


def plan_application(body: dict[str, Any], account: AccountContext = ACCOUNT) -> ProviderRequest:
    call = Call(CATALOGUE["ats_create_application"], body=ApplicationCreate.model_validate(body))
    request = next(BindbeeConnector().plan(call, account))
    check_request("bindbee", request)
    return request


def test_an_existing_candidate_is_not_applied_through_an_undocumented_body() -> None:
    """Bindbee documents no body for POST /applications: outside Greenhouse the answer is a 501 naming the gap."""
    with pytest.raises(NotSupported) as caught:
        plan_application({"candidate_id": U1, "job_id": U2, "acting_user_id": U1})
    assert "documents no request body for POST /api/ats/v1/applications" in str(caught.value.reason)


def test_greenhouse_applies_an_existing_candidate_through_harvest() -> None:
    user = str(uuid.uuid4())
    body = {"candidate_id": U1, "job_id": U2, "acting_user_id": user, "passthrough": {"source_id": 7}}
    call = Call(CATALOGUE["ats_create_application"], body=ApplicationCreate.model_validate(body))
    plan = BindbeeConnector().plan(call, GREENHOUSE)
    reads = [next(plan)]
    for record in ({"id": U1, "remote_id": "4100001"}, {"id": U2, "remote_id": "4033879010"}):
        reads.append(plan.send(ProviderResponse(200, {}, record, "u")))
    assert [(r.method, r.path) for r in reads] == [
        ("GET", f"/api/ats/v1/candidates/{U1}"),
        ("GET", f"/api/ats/v1/jobs/{U2}"),
        ("GET", f"/api/ats/v1/remote-users/{user}"),
    ]
    write = plan.send(ProviderResponse(200, {}, {"id": user, "remote_id": "4000301"}, "u"))
    for request in (*reads, write):
        check_request("bindbee", request)
    assert write.json == {
        "method": "POST",
        "path": "/v1/candidates/4100001/applications",
        "headers": {"On-Behalf-Of": "4000301"},
        "data": {"job_id": 4033879010, "source_id": 7},
        "request_format": "JSON",
        "response_format": "JSON",
    }
    synced = plan.send(
        ProviderResponse(200, {}, {"status": 200, "headers": {}, "data": {"id": 77, "status": "active"}}, "u")
    )
    assert (synced.path, synced.query) == ("/api/ats/v1/applications", {"remote_id": "77"})
    check_request("bindbee", synced)
    with pytest.raises(StopIteration) as done:
        plan.send(ProviderResponse(200, {}, {"cursor": None, "page_size": 1, "items": [{"id": U2}]}, "u"))
    assert (done.value.value.id, done.value.value.remote_id) == (U2, "77")


def test_greenhouse_application_needs_an_acting_user_and_no_unmappable_source() -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_application({"candidate_id": U1, "job_id": U2, "source": {"name": "Referral"}}, GREENHOUSE)
    assert sorted(e.rule for e in caught.value.errors) == ["greenhouse.requires_acting_user", "greenhouse.source_id"]


def test_application_with_a_new_candidate_is_one_candidate_create_on_the_job() -> None:
    request = plan_application({"job_id": U2, "candidate": {"first_name": "Ada", "email": "a@x.io"}})
    assert (request.path, request.json) == (
        "/api/ats/v1/candidates",
        {"data": {"first_name": "Ada", "email_addresses": ["a@x.io"], "job_id": U2}},
    )


def test_what_bindbee_cannot_carry_of_an_inline_candidate_is_named_under_candidate() -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_application({"job_id": U2, "candidate": {"first_name": "Ada", "hired_at": "2021-01-01T01:01:01.000Z"}})
    assert [(e.field, e.rule) for e in caught.value.errors] == [("candidate.hired_at", "vendor.unsupported_field")]


@pytest.mark.parametrize("field", ["job_posting_id", "location_id", "questionnaires", "documents"])
def test_application_fields_bindbee_cannot_carry_are_refused(field: str) -> None:
    value: Any = [{"id": "q"}] if field in ("questionnaires", "documents") else "x"
    with pytest.raises(InvalidInput) as caught:
        plan_application({"candidate_id": U1, "job_id": U2, field: value})
    assert [e.field for e in caught.value.errors] == [field]


def test_application_rows_read() -> None:
    application = read_record(
        Application,
        APPLICATION_TABLE.to_unified(
            {
                "id": U1,
                "remote_id": "9",
                "candidate": {"id": U2, "remote_id": "41"},
                "job": U1,
                "current_stage": "s1",
                "reject_reason": "r1",
                "rejected_at": "2026-02-01",
                "applied_at": "2026-01-01",
                "source": "Referral",
            }
        ),
    )
    assert (application.candidate_id, application.remote_candidate_id) == (U2, "41")
    assert (application.job_id, application.remote_job_id, application.application_stage_id) == (U1, None, "s1")
    assert (application.rejected_reason_ids, application.rejected_at, application.created_at) == (
        ["r1"],
        "2026-02-01",
        "2026-01-01",
    )
    assert application.source is not None
    assert application.source.model_dump() == {"id": None, "remote_id": None, "name": "Referral"}
    assert application.application_status is None  # Bindbee has none; never guessed


# --- generated candidates and jobs --------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30).filter(
    str.strip
)
candidates = st.fixed_dictionaries(
    {},
    optional={
        "first_name": _text,
        "last_name": _text,
        "email": st.emails(),
        "phone_numbers": st.lists(
            st.fixed_dictionaries({"phone": st.from_regex(r"\+[0-9]{6,12}", fullmatch=True)}), max_size=3
        ),
        "social_links": st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(sorted(URL_TYPES)), "url": st.just("https://example.org/p")}
            ),
            max_size=3,
        ),
        "company": _text,
        "title": _text,
        "country": _text,
        "acting_user_id": st.uuids().map(str),
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(candidates)
def test_generated_candidates_validate_and_round_trip(body: dict[str, Any]) -> None:
    envelope = build(body)
    candidate = read({**envelope["data"], "id": U1})
    for name in ("first_name", "last_name", "company", "title", "country"):
        if name in body:
            assert getattr(candidate, name) == body[name]
    if "email" in body:
        assert candidate.email == body["email"]
    if body.get("phone_numbers"):
        assert {p.phone for p in candidate.phone_numbers or []} == {p["phone"] for p in body["phone_numbers"]}
    if body.get("social_links"):
        assert [s.url for s in candidate.social_links or []] == [s["url"] for s in body["social_links"]]


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "title": _text,
            "code": _text,
            "description": _text,
            "department_ids": st.lists(st.uuids().map(str), max_size=2),
        },
    )
)
def test_generated_jobs_validate_against_both_vendors(body: dict[str, Any]) -> None:
    from connectors.stackone import StackOneConnector

    call = Call(CATALOGUE["ats_create_job"], body=JobWrite.model_validate(body))
    check_request("bindbee", next(BindbeeConnector().plan(call, ACCOUNT)))
    stackone = AccountContext("s", None, "acc", {"api_key": "k"})
    check_request("stackone", next(StackOneConnector().plan(call, stackone)))


def test_the_passthrough_only_ever_reaches_harvests_candidate_path() -> None:
    """The Harvest path is built from Bindbee's record; a remote id that is not a Greenhouse number is refused."""
    from connectors.errors import UnexpectedResponse

    call = Call(
        CATALOGUE["ats_update_candidate"],
        path={"id": U1},
        body=CandidateUpdate(title="CTO", acting_user_id=U2),
    )
    plan = BindbeeConnector().plan(call, GREENHOUSE)
    next(plan)
    plan.send(ProviderResponse(200, {}, {"id": U1, "remote_id": "../../users/1"}, "u"))
    with pytest.raises(UnexpectedResponse):
        plan.send(ProviderResponse(200, {}, {"id": U2, "remote_id": "4000301"}, "u"))


@pytest.mark.parametrize(
    ("vendor", "unified"),
    [
        (
            {"Desired salary": 90000, "Languages": ["English", "French"]},
            [("Desired salary", 90000), ("Languages", ["English", "French"])],
        ),
        ({}, []),
        (None, None),
    ],
)
def test_custom_fields_read_as_a_name_value_list_on_candidates_and_applications(
    vendor: dict[str, Any] | None, unified: list[tuple[str, Any]] | None
) -> None:
    candidate = read({"custom_fields": vendor})
    application = read_record(Application, APPLICATION_TABLE.to_unified({"id": U1, "custom_fields": vendor}))
    for record in (candidate, application):
        fields = record.custom_fields
        assert (None if fields is None else [(f.name, f.value) for f in fields]) == unified


def test_candidate_custom_fields_sent_are_refused_not_dropped() -> None:
    with pytest.raises(InvalidInput) as caught:
        CANDIDATE_TABLE.to_vendor(write_body(CandidateCreate, {"custom_fields": [{"name": "Level", "value": "L3"}]}))
    assert [(e.field, e.code) for e in caught.value.errors] == [("custom_fields", "unsupported_field")]
