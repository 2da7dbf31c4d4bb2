"""Greenhouse's side of the records: Harvest's objects, rendered from the Bindbee records the sandbox keeps.

There is one store. Bindbee's records are Bindbee's synced copy of Greenhouse; what Greenhouse knows and Bindbee's
model has no field for (an application's status, a stage's interviews, an offer's version) lives in the record's
`raw_data`, as the upstream payload does at Bindbee. Harvest's answers are built from both, so a Harvest write and
a Bindbee read can never disagree. Shapes: reference greenhouse-harvest-applications.md (§ numbers below).
"""

from __future__ import annotations

from typing import Any

from sandbox.bindbee.records import remote_of, stages_of
from sandbox.common import Tenant

VISIBILITY = {"admin_only": "ADMIN_ONLY", "private": "PRIVATE", "public": "PUBLIC"}
"""Harvest's note visibility (§2.1) → Bindbee's activity visibility."""
CANDIDATE_ATTACHMENT_TYPES = ("resume", "cover_letter", "admin_only")
APPLICATION_ATTACHMENT_TYPES = (
    "resume",
    "cover_letter",
    "other",
    "take_home_test",
    "offer_letter",
    "signed_offer_letter",
)
ATTACHMENT_TYPE = {
    "resume": "RESUME",
    "cover_letter": "COVER_LETTER",
    "offer_letter": "OFFER_LETTER",
    "signed_offer_letter": "OFFER_LETTER",
    "offer_packet": "OFFER_LETTER",
    "admin_only": "OTHER",
    "other": "OTHER",
    "take_home_test": "OTHER",
}
"""Harvest's attachment types (§2.4) → Bindbee's `attachment_type`."""
RECOMMENDATION = {
    "definitely_not": "DEFINITELY_NO",
    "no": "NO",
    "yes": "YES",
    "strong_yes": "STRONG_YES",
    "no_decision": "NO_DECISION",
}
"""Harvest's scorecard recommendation (§3.5) → Bindbee's `overall_recommendation`."""
HARVEST_RECOMMENDATION = {bindbee: harvest for harvest, bindbee in RECOMMENDATION.items()}
REASON_TYPES = {1: "We rejected them", 2: "They rejected us", 3: "None Specified"}
SOURCES = {7: "LinkedIn", 16: "Referral", 25: "Company website"}
"""The organisation's candidate sources (Harvest `source_id` → public name; 7 and 16 are the docs' examples)."""
EMAIL_TEMPLATES = {42: ("Standard rejection", True), 43: ("Personal note from the recruiter", False)}
"""Email template id → (name, organisation-wide); a rejection email needs an organisation-wide one (§1.7)."""


def user(tenant: Tenant, user_id: str | None) -> dict[str, Any] | None:
    record = tenant["remote-users"].get(user_id) if user_id else None
    if record is None:
        return None
    name = f"{record['first_name']} {record['last_name']}"
    return {
        "id": int(record["remote_id"]),
        "first_name": record["first_name"],
        "last_name": record["last_name"],
        "name": name,
        "employee_id": None,
    }


def reason(tenant: Tenant, reason_id: str | None) -> dict[str, Any] | None:
    record = tenant["reject-reasons"].get(reason_id) if reason_id else None
    if record is None:
        return None
    kind = record["raw_data"]["type_id"]
    return {"id": int(record["remote_id"]), "name": record["name"], "type": {"id": kind, "name": REASON_TYPES[kind]}}


def stage(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§3.1; `active: false` would be a deleted stage (the sandbox deletes none)."""
    raw = record["raw_data"]
    return {
        "id": int(record["remote_id"]),
        "name": record["name"],
        "created_at": raw["created_at"],
        "updated_at": raw["updated_at"],
        "active": raw["active"],
        "job_id": remote_of(tenant, "jobs", record["job"]),
        "priority": record["stage_order"],
        "interviews": raw["interviews"],
    }


def attachment(record: dict[str, Any]) -> dict[str, Any]:
    """An attachment as objects list it (§2.4 'When read back')."""
    raw = record["raw_data"]
    return {
        "filename": record["file_name"],
        "url": record["file_url"],
        "type": raw["type"],
        "created_at": raw["created_at"],
    }


def application(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§1.1. A rejected application keeps its `current_stage`; hired ones would have none."""
    raw = record["raw_data"]
    job = tenant["jobs"].records[record["job"]]
    current = tenant["job-interview-stages"].get(record["current_stage"] or "")
    source_id = raw.get("source_id")
    remote = int(record["remote_id"])
    attachments = tenant["attachments"].find(lambda a: a["raw_data"].get("application_id") == remote)
    return {
        "id": remote,
        "candidate_id": remote_of(tenant, "candidates", record["candidate"]),
        "prospect": False,
        "applied_at": record["applied_at"],
        "rejected_at": record["rejected_at"],
        "last_activity_at": raw["last_activity_at"],
        "location": None,
        "source": None if source_id is None else {"id": source_id, "public_name": SOURCES[source_id]},
        "credited_to": user(tenant, record["credited_to"]),
        "recruiter": user(tenant, raw.get("recruiter")),
        "coordinator": user(tenant, raw.get("coordinator")),
        "rejection_reason": reason(tenant, record["reject_reason"]),
        "rejection_details": raw.get("rejection_details"),
        "jobs": [{"id": int(job["remote_id"]), "name": job["name"]}],
        "job_post_id": None,
        "status": raw["status"],
        "current_stage": None if current is None else {"id": int(current["remote_id"]), "name": current["name"]},
        "answers": [],
        "prospective_office": None,
        "prospective_department": None,
        "prospect_detail": {"prospect_pool": None, "prospect_stage": None, "prospect_owner": None},
        "custom_fields": {k: v["value"] for k, v in (raw.get("custom_fields") or {}).items()},
        "keyed_custom_fields": raw.get("custom_fields") or {},
        "attachments": [attachment(a) for a in attachments],
    }


def next_stage(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any] | None:
    stages = stages_of(tenant, record["job"])
    ids = [s["id"] for s in stages]
    at = ids.index(record["current_stage"]) if record["current_stage"] in ids else -1
    return stages[at + 1] if 0 <= at < len(stages) - 1 else None


def offer(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§3.3: Harvest's own status and dates beside Bindbee's (kept in `raw_data`)."""
    raw = record["raw_data"]
    app = tenant["applications"].records[record["application"]]
    return {
        "id": int(record["remote_id"]),
        "version": raw["version"],
        "application_id": int(app["remote_id"]),
        "job_id": remote_of(tenant, "jobs", app["job"]),
        "candidate_id": remote_of(tenant, "candidates", app["candidate"]),
        "opening": None,
        "created_at": record["remote_created_at"],
        "updated_at": record["modified_at"],
        "sent_at": record["sent_at"],
        "resolved_at": record["closed_at"],
        "starts_at": record["start_date"],
        "status": raw["status"],
        "custom_fields": {},
        "keyed_custom_fields": {},
    }


def scheduled_interview(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§3.4; interviewers carry their answer to the invitation and the scorecard they submitted, if any."""
    raw = record["raw_data"]
    step = tenant["job-interview-stages"].records[record["job_interview_stage"]]["raw_data"]["interviews"][0]
    interviewers = []
    for user_id in record["interviewers"]:
        person = tenant["remote-users"].records[user_id]
        card = next(
            (
                s
                for s in tenant["scorecards"].records.values()
                if s["interview"] == record["id"] and s["interviewer"] == user_id
            ),
            None,
        )
        interviewers.append(
            {
                "id": int(person["remote_id"]),
                "employee_id": None,
                "name": f"{person['first_name']} {person['last_name']}",
                "email": person["email"],
                "response_status": raw["responses"].get(user_id, "needs_action"),
                "scorecard_id": None if card is None else int(card["remote_id"]),
            }
        )
    return {
        "id": int(record["remote_id"]),
        "application_id": remote_of(tenant, "applications", record["application"]),
        "external_event_id": raw["external_event_id"],
        "start": {"date_time": record["start_at"]},
        "end": {"date_time": record["end_at"]},
        "location": record["location"],
        "video_conferencing_url": raw["video_conferencing_url"],
        "status": (record["status"] or "").lower(),
        "created_at": record["remote_created_at"],
        "updated_at": record["remote_updated_at"],
        "interview": {"id": step["id"], "name": step["name"]},
        "organizer": user(tenant, record["organizer"]),
        "interviewers": interviewers,
    }


def scorecard(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§3.5."""
    raw = record["raw_data"]
    interview = tenant["scheduled-interviews"].records[record["interview"]]
    step = tenant["job-interview-stages"].records[interview["job_interview_stage"]]
    app = tenant["applications"].records[record["application"]]
    return {
        "id": int(record["remote_id"]),
        "created_at": record["remote_created_at"],
        "updated_at": record["modified_at"],
        "interview": step["raw_data"]["interviews"][0]["name"],
        "interview_step": {
            "id": step["raw_data"]["interviews"][0]["id"],
            "name": step["raw_data"]["interviews"][0]["name"],
        },
        "candidate_id": remote_of(tenant, "candidates", app["candidate"]),
        "application_id": int(app["remote_id"]),
        "interviewed_at": interview["start_at"],
        "submitted_by": user(tenant, record["interviewer"]),
        "interviewer": user(tenant, record["interviewer"]),
        "submitted_at": record["submitted_at"],
        "overall_recommendation": HARVEST_RECOMMENDATION.get(record["overall_recommendation"] or "", "no_decision"),
        "attributes": raw["attributes"],
        "ratings": raw["ratings"],
        "questions": raw["questions"],
    }


def note(tenant: Tenant, record: dict[str, Any]) -> dict[str, Any]:
    """§2.1: `visiblity` is Harvest's old misspelling, kept beside `visibility` with the same value."""
    visibility = (record["visibility"] or "").lower()
    return {
        "id": int(record["remote_id"]),
        "created_at": record["remote_created_at"],
        "body": record["body"],
        "user": user(tenant, record["user"]),
        "private": visibility == "private",
        "visiblity": visibility,
        "visibility": visibility,
    }


def activity_feed(tenant: Tenant, candidate_id: str) -> dict[str, Any]:
    """§2.3: notes, emails and system activities, each a Bindbee activity of the matching type."""
    feed: dict[str, list[dict[str, Any]]] = {"notes": [], "emails": [], "activities": []}
    for record in tenant["activities"].find(lambda a: a["candidate"] == candidate_id):
        kind = record["activity_type"]
        common = {"id": int(record["remote_id"]), "created_at": record["remote_created_at"]}
        if kind == "NOTE":
            feed["notes"].append(note(tenant, record))
        elif kind == "EMAIL":
            raw = record["raw_data"]
            feed["emails"].append(
                {
                    **common,
                    "subject": record["subject"],
                    "body": record["body"],
                    "to": raw.get("to"),
                    "from": raw.get("from"),
                    "cc": raw.get("cc"),
                    "user": user(tenant, record["user"]),
                }
            )
        else:
            feed["activities"].append(
                {**common, "subject": record["subject"], "body": record["body"], "user": user(tenant, record["user"])}
            )
    return feed
