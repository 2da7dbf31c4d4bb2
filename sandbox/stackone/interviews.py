"""Interviews, an application's scheduled interviews (the same records, in StackOne's `ScheduledInterview` shape),
an application's scorecards, and offers (account-wide and per application)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.responses import Response

from connectors.unified import schema as s
from connectors.unified.base import Dto
from sandbox.common import now_iso
from sandbox.stackone.errors import not_found
from sandbox.stackone.operation import Call, Operation, View, created, listing, reading, writing
from sandbox.stackone.records import Record, build, written

APPS = "/unified/ats/applications"


def narrowed(model: type[Dto]) -> View:
    """The record in a schema with fewer fields (an interview as a `ScheduledInterview`)."""
    return lambda _, record: {k: v for k, v in record.items() if k in model.model_fields}


def _of_application(collection: str) -> Callable[[Call], list[Record]]:
    def records(call: Call) -> list[Record]:
        application = call.require("applications", call.path["id"])
        return call.tenant[collection].find(lambda r: r["application_id"] == application["id"])

    return records


def _one_of_application(collection: str) -> Callable[[Call], Record]:
    def record(call: Call) -> Record:
        found = next((r for r in _of_application(collection)(call) if r["id"] == call.path["subResourceId"]), None)
        if found is None:
            raise not_found()
        return found

    return record


def create_offer(call: Call) -> Response:
    body = call.dto(s.AtsCreateOfferRequestDto)
    if body.application_id is None:
        raise call.refused([("application_id", "application_id must name an existing application")])
    call.check_references([("application_id", "applications", body.application_id)])
    application = call.tenant["applications"].records[body.application_id]
    stamp = now_iso()
    record = build(
        s.Offer,
        **written(body),
        id=str(uuid.uuid4()),
        remote_id=call.tenant.remote_id(),
        remote_application_id=application["remote_id"],
        created_at=stamp,
        updated_at=stamp,
    )
    return created(call, call.tenant["offers"].add(record), "offers")


_SCHEDULED = narrowed(s.ScheduledInterview)

OPERATIONS: tuple[Operation, ...] = (
    listing(
        "ats_list_interviews",
        "/unified/ats/interviews",
        s.Interview,
        lambda call: call.tenant["interviews"].all(),
        filters=("updated_after", "created_after"),
    ),
    reading(
        "ats_get_interview",
        "/unified/ats/interviews/{id}",
        s.Interview,
        lambda call: call.require("interviews", call.path["id"]),
    ),
    listing(
        "ats_list_applications_scheduled_interviews",
        f"{APPS}/{{id}}/scheduled_interviews",
        s.ScheduledInterview,
        _of_application("interviews"),
        view=_SCHEDULED,
    ),
    reading(
        "ats_get_application_scheduled_interview",
        f"{APPS}/{{id}}/scheduled_interviews/{{subResourceId}}",
        s.ScheduledInterview,
        _one_of_application("interviews"),
        view=_SCHEDULED,
    ),
    listing("ats_list_application_scorecards", f"{APPS}/{{id}}/scorecards", s.Scorecard, _of_application("scorecards")),
    reading(
        "ats_get_application_scorecard",
        f"{APPS}/{{id}}/scorecards/{{subResourceId}}",
        s.Scorecard,
        _one_of_application("scorecards"),
    ),
    listing("ats_list_offers", "/unified/ats/offers", s.Offer, lambda call: call.tenant["offers"].all()),
    writing("ats_create_offer", "POST", "/unified/ats/offers", s.AtsCreateOfferRequestDto, create_offer),
    reading("ats_get_offer", "/unified/ats/offers/{id}", s.Offer, lambda call: call.require("offers", call.path["id"])),
    listing("ats_list_applications_offers", f"{APPS}/{{id}}/offers", s.Offer, _of_application("offers")),
    reading(
        "ats_get_application_offer",
        f"{APPS}/{{id}}/offers/{{subResourceId}}",
        s.Offer,
        _one_of_application("offers"),
    ),
)
"""Interviews, scheduled interviews, scorecards and offers."""
