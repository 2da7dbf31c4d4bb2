"""The contract checker must itself catch what it is there to catch, or every test relying on it is hollow."""

from __future__ import annotations

import pytest

from tests.contract import contract

BINDBEE_HEADERS = {"authorization": "Bearer k", "x-connector-token": "t"}
STACKONE_HEADERS = {"authorization": "Basic a2V5Og==", "x-account-id": "acc"}


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body", "problem"),
    [
        ("POST", "/api/ats/v1/jobs", {}, BINDBEE_HEADERS, {"departments": ["not-a-uuid"]}, "uuid"),
        ("POST", "/api/ats/v1/jobs", {}, BINDBEE_HEADERS, {"confidential": "true"}, "confidential"),
        ("POST", "/api/ats/v1/jobs", {}, {"authorization": "Bearer k"}, {}, "x-connector-token"),
        ("GET", "/api/ats/v1/jobs", {"page_size": "500"}, BINDBEE_HEADERS, None, "page_size"),
        ("GET", "/api/ats/v1/jobs", {"limit": "5"}, BINDBEE_HEADERS, None, "limit"),
        ("PATCH", "/api/ats/v1/jobs/1", {}, BINDBEE_HEADERS, {}, "not an operation"),
    ],
)
def test_bindbee_violations_are_caught(
    method: str, path: str, query: dict[str, str], headers: dict[str, str], body: object, problem: str
) -> None:
    with pytest.raises(AssertionError, match=problem):
        contract("bindbee").check(method, path, query, headers, body)


@pytest.mark.parametrize(
    ("query", "body", "problem"),
    [
        ({}, {"confidential": True}, "confidential"),
        ({}, {"job_status": {"value": "opened"}}, "opened"),
        ({"filter[colour]": "red"}, None, "colour"),
    ],
)
def test_stackone_violations_are_caught(query: dict[str, str], body: object, problem: str) -> None:
    method = "GET" if body is None else "POST"
    with pytest.raises(AssertionError, match=problem):
        contract("stackone").check(method, "/unified/ats/jobs", query, STACKONE_HEADERS, body)


def test_nullable_fields_accept_null() -> None:
    contract("stackone").check("POST", "/unified/ats/jobs", {}, STACKONE_HEADERS, {"title": None, "code": None})


def test_deep_object_filter_values_are_checked() -> None:
    with pytest.raises(AssertionError, match="published"):
        contract("stackone").check(
            "GET", "/unified/ats/jobs", {"filter[job_status]": "published"}, STACKONE_HEADERS, None
        )
