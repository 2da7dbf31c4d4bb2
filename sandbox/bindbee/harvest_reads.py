"""Harvest's reads the gateway needs around applications (greenhouse-harvest-applications.md §1.3, §2.3, §3)."""

from __future__ import annotations

from sandbox.bindbee import harvest_views as views
from sandbox.bindbee.harvest_protocol import Answer, HarvestRequest, not_found, paged
from sandbox.bindbee.records import stages_of


def get_application(request: HarvestRequest) -> Answer:
    return Answer(200, views.application(request.tenant, request.records["application_id"]))


def job_stages(request: HarvestRequest) -> Answer:
    """§3.1: one job's stages; the docs give this list no paging parameters."""
    stages = stages_of(request.tenant, request.records["job_id"]["id"])
    return Answer(200, [views.stage(request.tenant, s) for s in stages])


def get_stage(request: HarvestRequest) -> Answer:
    return Answer(200, views.stage(request.tenant, request.records["stage_id"]))


def rejection_reasons(request: HarvestRequest) -> Answer:
    """§3.2: the organisation's own reasons, and Greenhouse's defaults with `include_defaults=true`."""
    defaults = str(request.params.get("include_defaults", "false")).lower() == "true"
    reasons = [r for r in request.tenant["reject-reasons"].records.values() if defaults or not r["raw_data"]["default"]]
    return paged(request, [views.reason(request.tenant, r["id"]) for r in reasons])


def activity_feed(request: HarvestRequest) -> Answer:
    return Answer(200, views.activity_feed(request.tenant, request.records["candidate_id"]["id"]))


def _offers(request: HarvestRequest) -> list[dict[str, object]]:
    application = request.records["application_id"]
    offers = request.tenant["offers"].find(lambda o: o["application"] == application["id"])
    return sorted(offers, key=lambda o: int(o["raw_data"]["version"]))


def application_offers(request: HarvestRequest) -> Answer:
    """§3.3: every version of the application's offer (an update makes a new version)."""
    return paged(request, [views.offer(request.tenant, o) for o in _offers(request)])


def current_offer(request: HarvestRequest) -> Answer:
    """§3.3: the latest version. The docs do not say what an application without an offer answers: 404 here."""
    offers = _offers(request)
    return Answer(200, views.offer(request.tenant, offers[-1])) if offers else not_found()


def get_offer(request: HarvestRequest) -> Answer:
    return Answer(200, views.offer(request.tenant, request.records["offer_id"]))


def application_interviews(request: HarvestRequest) -> Answer:
    application = request.records["application_id"]
    found = request.tenant["scheduled-interviews"].find(lambda i: i["application"] == application["id"])
    return paged(request, [views.scheduled_interview(request.tenant, i) for i in found])


def get_interview(request: HarvestRequest) -> Answer:
    return Answer(200, views.scheduled_interview(request.tenant, request.records["interview_id"]))


def application_scorecards(request: HarvestRequest) -> Answer:
    """§3.5: the application's submitted scorecards; the docs give this list no parameters."""
    application = request.records["application_id"]
    found = request.tenant["scorecards"].find(lambda s: s["application"] == application["id"])
    return Answer(200, [views.scorecard(request.tenant, s) for s in found if s["submitted_at"]])


def get_scorecard(request: HarvestRequest) -> Answer:
    return Answer(200, views.scorecard(request.tenant, request.records["scorecard_id"]))
