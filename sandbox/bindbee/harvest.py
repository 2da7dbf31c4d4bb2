"""Greenhouse Harvest behind Bindbee's passthrough: every Harvest call the sandbox emulates, in one table.

Each row is the sandbox's reading of the reference (greenhouse-harvest-applications.md, and
bindbee-merge-greenhouse.md §3 for Edit Candidate): method, path, body fields with their types, the required
ones, and the section it comes from. The dispatcher enforces what every call shares (a documented route with
numeric ids, 404 for an id the organisation does not have, `On-Behalf-Of` on writes, no body on reads, the body's
fields and types, 422 `{message, errors[{message, field}]}`); each handler enforces its call's own rules.

tests/contract.py's `HARVEST_CALLS`, which checks every Harvest call the gateway builds, is a second reading of
the same documents, kept apart on purpose: a test holds the two tables to each other row by row, so a misreading
in either shows as a disagreement instead of being copied into both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from sandbox.bindbee import harvest_applications as apps
from sandbox.bindbee import harvest_attachments, harvest_candidates, harvest_reads
from sandbox.bindbee.files import FileStore
from sandbox.bindbee.harvest_protocol import Answer, HarvestRequest, Kind, error, invalid, not_found, typed
from sandbox.bindbee.models import Passthrough
from sandbox.bindbee.records import by_remote_id
from sandbox.common import Tenant

_I, _S, _O, _A = Kind.INTEGER, Kind.STRING, Kind.OBJECT, Kind.ARRAY
_APP = "greenhouse-harvest-applications.md"
PATH_RECORDS = {
    "candidate_id": "candidates",
    "application_id": "applications",
    "job_id": "jobs",
    "stage_id": "job-interview-stages",
    "offer_id": "offers",
    "interview_id": "scheduled-interviews",
    "scorecard_id": "scorecards",
}
"""A path parameter → the records its numeric id names (Greenhouse ids are the records' `remote_id`)."""


@dataclass(frozen=True)
class HarvestCall:
    method: str
    path: str
    """With `{name}` for each id; `name` is a key of PATH_RECORDS."""
    handler: Callable[[HarvestRequest], Answer]
    source: str
    fields: Mapping[str, Kind] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    empty_body: bool = False
    """Unreject: the body must be `{}` (§1.9)."""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>\\d+)", self.path))

    @property
    def writes(self) -> bool:
        return self.method != "GET"


HARVEST_CALLS: tuple[HarvestCall, ...] = (
    HarvestCall(
        "PATCH",
        "/v1/candidates/{candidate_id}",
        harvest_candidates.edit_candidate,
        "bindbee-merge-greenhouse.md §3.4",
        {
            **dict.fromkeys(("first_name", "last_name", "company", "title"), _S),
            "is_private": Kind.TRUE_FALSE,
            **dict.fromkeys(
                (
                    "phone_numbers",
                    "addresses",
                    "email_addresses",
                    "website_addresses",
                    "social_media_addresses",
                    "tags",
                    "custom_fields",
                ),
                _A,
            ),
            "recruiter": _O,
            "coordinator": _O,
        },
    ),
    HarvestCall(
        "POST",
        "/v1/candidates/{candidate_id}/applications",
        apps.add_application,
        f"{_APP} §1.11",
        {
            **dict.fromkeys(("job_id", "source_id", "initial_stage_id", "recruiter_id", "coordinator_id"), _I),
            "referrer": _O,
            "attachments": _A,
        },
        frozenset({"job_id"}),
    ),
    HarvestCall(
        "POST",
        "/v1/applications/{application_id}/move",
        apps.move,
        f"{_APP} §1.4",
        {"from_stage_id": _I, "to_stage_id": _I},
        frozenset({"from_stage_id", "to_stage_id"}),
    ),
    HarvestCall(
        "POST",
        "/v1/applications/{application_id}/advance",
        apps.advance,
        f"{_APP} §1.5",
        {"from_stage_id": _I},
        frozenset({"from_stage_id"}),
    ),
    HarvestCall(
        "POST",
        "/v1/applications/{application_id}/reject",
        apps.reject,
        f"{_APP} §1.7",
        {"rejection_reason_id": _I, "notes": _S, "rejection_email": _O},
    ),
    HarvestCall(
        "PATCH",
        "/v1/applications/{application_id}/reject",
        apps.change_rejection_reason,
        f"{_APP} §1.8",
        {"rejection_reason_id": _I},
        frozenset({"rejection_reason_id"}),
    ),
    HarvestCall("POST", "/v1/applications/{application_id}/unreject", apps.unreject, f"{_APP} §1.9", empty_body=True),
    HarvestCall(
        "PATCH",
        "/v1/applications/{application_id}",
        apps.update,
        f"{_APP} §1.10",
        {
            **dict.fromkeys(
                ("source_id", "recruiter_id", "coordinator_id", "prospect_pool_id", "prospect_stage_id"), _I
            ),
            "referrer": _O,
            "custom_fields": _A,
            "rejection_details": _O,
        },
    ),
    HarvestCall(
        "POST",
        "/v1/candidates/{candidate_id}/activity_feed/notes",
        harvest_candidates.add_note,
        f"{_APP} §2.1",
        {"user_id": Kind.INTEGER_OR_DIGITS, "body": _S, "visibility": _S},
        frozenset({"user_id", "body", "visibility"}),
    ),
    HarvestCall(
        "POST",
        "/v1/candidates/{candidate_id}/attachments",
        harvest_candidates.add_candidate_attachment,
        f"{_APP} §2.4",
        harvest_attachments.CANDIDATE_FIELDS,
        harvest_attachments.REQUIRED,
    ),
    HarvestCall(
        "POST",
        "/v1/applications/{application_id}/attachments",
        apps.add_application_attachment,
        f"{_APP} §2.4",
        harvest_attachments.APPLICATION_FIELDS,
        harvest_attachments.REQUIRED,
    ),
    HarvestCall("GET", "/v1/applications/{application_id}", harvest_reads.get_application, f"{_APP} §1.3"),
    HarvestCall("GET", "/v1/jobs/{job_id}/stages", harvest_reads.job_stages, f"{_APP} §3.1"),
    HarvestCall("GET", "/v1/job_stages/{stage_id}", harvest_reads.get_stage, f"{_APP} §3.1"),
    HarvestCall("GET", "/v1/rejection_reasons", harvest_reads.rejection_reasons, f"{_APP} §3.2"),
    HarvestCall("GET", "/v1/candidates/{candidate_id}/activity_feed", harvest_reads.activity_feed, f"{_APP} §2.3"),
    HarvestCall("GET", "/v1/applications/{application_id}/offers", harvest_reads.application_offers, f"{_APP} §3.3"),
    HarvestCall(
        "GET", "/v1/applications/{application_id}/offers/current_offer", harvest_reads.current_offer, f"{_APP} §3.3"
    ),
    HarvestCall("GET", "/v1/offers/{offer_id}", harvest_reads.get_offer, f"{_APP} §3.3"),
    HarvestCall(
        "GET",
        "/v1/applications/{application_id}/scheduled_interviews",
        harvest_reads.application_interviews,
        f"{_APP} §3.4",
    ),
    HarvestCall("GET", "/v1/scheduled_interviews/{interview_id}", harvest_reads.get_interview, f"{_APP} §3.4"),
    HarvestCall(
        "GET", "/v1/applications/{application_id}/scorecards", harvest_reads.application_scorecards, f"{_APP} §3.5"
    ),
    HarvestCall("GET", "/v1/scorecards/{scorecard_id}", harvest_reads.get_scorecard, f"{_APP} §3.5"),
)


def relay(tenant: Tenant, files: FileStore, call: Passthrough) -> dict[str, Any]:
    """Harvest's answer to one passthrough call, as Bindbee relays it: `{status, headers, data}`."""
    return _answer(tenant, files, call).relayed()


def _answer(tenant: Tenant, files: FileStore, call: Passthrough) -> Answer:
    path, _, query = call.path.partition("?")
    found = next(((c, m) for c in HARVEST_CALLS if c.method == call.method and (m := c.pattern.fullmatch(path))), None)
    if found is None:
        return not_found()
    spec, match = found
    if not spec.writes and call.data is not None:
        return Answer(403, {"message": "Forbidden: a GET request must not carry a body"})
    acting = None
    if spec.writes:
        header = {k.lower(): v for k, v in (call.headers or {}).items()}.get("on-behalf-of", "")
        if not header.isdigit():
            return invalid([error("Required: the id of the Greenhouse user issuing the request", "On-Behalf-Of")])
        acting = by_remote_id(tenant, "remote-users", header)
        if acting is None:
            return Answer(403, {"message": "Forbidden: On-Behalf-Of names no user of this organization"})
    records = {}
    for name, value in match.groupdict().items():
        record = by_remote_id(tenant, PATH_RECORDS[name], value)
        if record is None:
            return not_found()
        records[name] = record
    data = {} if call.data is None and not spec.empty_body else call.data
    if not isinstance(data, dict) or (spec.empty_body and data):
        wanted = "an empty JSON object" if spec.empty_body else "a JSON object"
        return invalid([error(f"The body must be {wanted}", "body")])
    problems = typed(spec.fields, data, spec.required)
    if problems:
        return invalid(problems)
    params = {**dict(parse_qsl(query)), **(call.params or {})}
    return spec.handler(HarvestRequest(tenant, files, path, records, data, params, acting))
