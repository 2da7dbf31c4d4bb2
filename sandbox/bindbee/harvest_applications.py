"""Harvest's application writes (greenhouse-harvest-applications.md §1): add, move, advance, reject, change the
rejection reason, unreject, update; and Add Attachment on an application (§2.4).

Each write changes Bindbee's copy as Bindbee's sync would (`current_stage`, `reject_reason`, `rejected_at`,
`source`, `credited_to`) and leaves in the candidate's activity feed what Greenhouse records there (stage changes
and rejections as system activities, a rejection email as an email). The docs give no success status for these
writes; the sandbox answers 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.bindbee import harvest_attachments
from sandbox.bindbee.harvest_protocol import (
    Answer,
    HarvestRequest,
    Kind,
    error,
    invalid,
    timestamp,
    typed,
    wrong_state,
)
from sandbox.bindbee.harvest_views import EMAIL_TEMPLATES, SOURCES, application, next_stage
from sandbox.bindbee.records import apply_to_job, by_remote_id, log_activity, touch
from sandbox.common import now_iso

REFERRER_TYPES = ("id", "email", "outside")
REJECTION_EMAIL = {"send_email_at": Kind.STRING, "email_template_id": Kind.STRING_OR_INTEGER}


def add_application(request: HarvestRequest) -> Answer:
    """§1.11, a candidate (not prospect) application. Greenhouse may answer before the record is complete; the
    sandbox answers with the whole application at once."""
    candidate, data, tenant = request.records["candidate_id"], request.data, request.tenant
    job = by_remote_id(tenant, "jobs", data["job_id"])
    errors = [] if job is not None else [error("No job with this id", "job_id")]
    stage = by_remote_id(tenant, "job-interview-stages", data.get("initial_stage_id"))
    if "initial_stage_id" in data and (stage is None or job is None or stage["job"] != job["id"]):
        errors.append(error("Must be a stage of the job", "initial_stage_id"))
    errors += _references(request, data)
    attachments = data.get("attachments") or []
    for i, item in enumerate(attachments):
        prefix = f"attachments[{i}]."
        if not isinstance(item, dict):
            errors.append(error("Must be an object", f"attachments[{i}]"))
            continue
        shape = typed(harvest_attachments.APPLICATION_FIELDS, item, harvest_attachments.REQUIRED, prefix)
        errors += shape or harvest_attachments.problems(request, item, "application", None, prefix)
    if errors or job is None:
        return invalid(errors)
    referrer = _referrer_user(request, data)
    recruiter = _user_id(request, data.get("recruiter_id")) or next(iter(job["recruiters"]), None)
    record = apply_to_job(
        tenant,
        candidate["id"],
        job["id"],
        stage_id=None if stage is None else stage["id"],
        source=SOURCES.get(data.get("source_id", -1)),
        credited_to=referrer,
        raw={
            "source_id": data.get("source_id"),
            "recruiter": recruiter,
            "coordinator": _user_id(request, data.get("coordinator_id")),
            "referrer": data.get("referrer"),
        },
    )
    for item in attachments:
        harvest_attachments.store(request, candidate, item, record)
    return Answer(200, application(tenant, record))


def move(request: HarvestRequest) -> Answer:
    """§1.4: to another stage of the same job, from the stage the application is in."""
    record, data = request.records["application_id"], request.data
    if record["raw_data"]["status"] != "active":
        return wrong_state(record, "active")
    errors = _from_stage(request, record)
    target = by_remote_id(request.tenant, "job-interview-stages", data["to_stage_id"])
    if target is None or target["job"] != record["job"] or not target["raw_data"]["active"]:
        errors.append(error("Must be a stage of the application's job", "to_stage_id"))
    if errors or target is None:
        return invalid(errors)
    return _enter(request, record, target)


def advance(request: HarvestRequest) -> Answer:
    """§1.5: to the next stage of the job."""
    record = request.records["application_id"]
    if record["raw_data"]["status"] != "active":
        return wrong_state(record, "active")
    errors = _from_stage(request, record)
    target = next_stage(request.tenant, record)
    if not errors and target is None:
        errors.append(error("The application is in the job's last stage", "from_stage_id"))
    if errors or target is None:
        return invalid(errors)
    return _enter(request, record, target)


def reject(request: HarvestRequest) -> Answer:
    """§1.7: an optional reason, notes for the activity feed, and an optional rejection email."""
    record, data, tenant = request.records["application_id"], request.data, request.tenant
    if record["raw_data"]["status"] != "active":
        return wrong_state(record, "active")
    reason = by_remote_id(tenant, "reject-reasons", data.get("rejection_reason_id"))
    errors = [] if reason is not None or "rejection_reason_id" not in data else [_no_reason()]
    email = data.get("rejection_email")
    if email is not None:
        errors += typed(REJECTION_EMAIL, email, frozenset({"email_template_id"}), "rejection_email.")
        template = str(email.get("email_template_id", ""))
        if template and (not template.isdigit() or not EMAIL_TEMPLATES.get(int(template), ("", False))[1]):
            errors.append(error("Must be an organization-wide email template", "rejection_email.email_template_id"))
        if "send_email_at" in email and not timestamp(email["send_email_at"]):
            errors.append(error("Must be an ISO-8601 timestamp", "rejection_email.send_email_at"))
    if errors:
        return invalid(errors)
    touch(record, rejected_at=now_iso(), reject_reason=None if reason is None else reason["id"])
    record["raw_data"].update(status="rejected", last_activity_at=record["modified_at"])
    job = tenant["jobs"].records[record["job"]]
    said = f"{_name(request, record)} was rejected from {job['name']}"
    said += f": {reason['name']}" if reason else ""
    said += f"\n\n{data['notes']}" if data.get("notes") else ""
    _event(request, record, "Candidate Rejected", said)
    if email is not None:
        _send_rejection_email(request, record, email)
    return Answer(200, application(tenant, record))


def change_rejection_reason(request: HarvestRequest) -> Answer:
    """§1.8: only on a rejected application; the answer is a message, not the application."""
    record = request.records["application_id"]
    if record["raw_data"]["status"] != "rejected":
        return wrong_state(record, "rejected")
    reason = by_remote_id(request.tenant, "reject-reasons", request.data["rejection_reason_id"])
    if reason is None:
        return invalid([_no_reason()])
    touch(record, reject_reason=reason["id"])
    message = f"Rejection reason updated to {reason['remote_id']} ({reason['name']})"
    return Answer(200, {"id": int(record["remote_id"]), "message": message, "success": True})


def unreject(request: HarvestRequest) -> Answer:
    """§1.9: only a rejected application; its rejection fields are cleared, its stage kept."""
    record = request.records["application_id"]
    if record["raw_data"]["status"] != "rejected":
        return wrong_state(record, "rejected")
    touch(record, rejected_at=None, reject_reason=None)
    record["raw_data"].update(status="active", rejection_details=None, last_activity_at=record["modified_at"])
    _event(request, record, "Candidate Unrejected", f"{_name(request, record)} was unrejected")
    return Answer(200, application(request.tenant, record))


def update(request: HarvestRequest) -> Answer:
    """§1.10: source, referrer, recruiter, coordinator, custom fields; rejection details on a rejected one."""
    record, data = request.records["application_id"], request.data
    status = record["raw_data"]["status"]
    if status not in ("active", "rejected", "hired"):
        return wrong_state(record, "active", "rejected", "hired")
    errors = _references(request, data)
    errors += _custom_fields(data.get("custom_fields") or [], "custom_fields")
    errors += [
        error("The sandbox's organisation has no prospect pools", key)
        for key in ("prospect_pool_id", "prospect_stage_id")
        if key in data
    ]
    details = data.get("rejection_details")
    if details is not None:
        if status != "rejected":
            errors.append(error("Only a rejected application takes rejection details", "rejection_details"))
        errors += typed({"custom_fields": Kind.ARRAY}, details, prefix="rejection_details.")
        errors += _custom_fields(details.get("custom_fields") or [], "rejection_details.custom_fields")
    if errors:
        return invalid(errors)
    raw = record["raw_data"]
    changes: dict[str, Any] = {}
    if "source_id" in data:
        changes["source"] = SOURCES[data["source_id"]]
        raw["source_id"] = data["source_id"]
    if "referrer" in data:
        changes["credited_to"] = _referrer_user(request, data)
        raw["referrer"] = data["referrer"]
    for key in ("recruiter", "coordinator"):
        if f"{key}_id" in data:
            raw[key] = _user_id(request, data[f"{key}_id"])
    if data.get("custom_fields"):
        changes["custom_fields"] = _apply_custom_fields(raw.setdefault("custom_fields", {}), data["custom_fields"])
    if details is not None:
        raw["rejection_details"] = _rejection_details(raw.get("rejection_details"), details)
    touch(record, **changes)
    raw["last_activity_at"] = record["modified_at"]
    return Answer(200, application(request.tenant, record))


def add_application_attachment(request: HarvestRequest) -> Answer:
    record = request.records["application_id"]
    errors = harvest_attachments.problems(request, request.data, "application", record)
    if errors:
        return invalid(errors)
    candidate = request.tenant["candidates"].records[record["candidate"]]
    return Answer(200, harvest_attachments.store(request, candidate, request.data, record))


def _from_stage(request: HarvestRequest, record: dict[str, Any]) -> list[dict[str, str]]:
    current = request.tenant["job-interview-stages"].get(record["current_stage"] or "")
    if current is None or int(current["remote_id"]) != request.data["from_stage_id"]:
        return [error("The application is not in this stage", "from_stage_id")]
    return []


def _enter(request: HarvestRequest, record: dict[str, Any], stage: dict[str, Any]) -> Answer:
    touch(record, current_stage=stage["id"])
    record["raw_data"]["last_activity_at"] = record["modified_at"]
    job = request.tenant["jobs"].records[record["job"]]
    assert request.acting is not None  # a write: the dispatcher has checked On-Behalf-Of
    by = f"{request.acting['first_name']} {request.acting['last_name']}"
    said = f"{_name(request, record)} was moved into {stage['name']} for {job['name']} by {by}"
    _event(request, record, "Candidate Stage Change", said)
    return Answer(200, application(request.tenant, record))


def _event(request: HarvestRequest, record: dict[str, Any], subject: str, body: str) -> None:
    """A system activity in the candidate's feed (§2.3), by the user the request was made for."""
    acting = None if request.acting is None else request.acting["id"]
    log_activity(request.tenant, record["candidate"], acting, "OTHER", body, subject=subject)


def _send_rejection_email(request: HarvestRequest, record: dict[str, Any], email: Mapping[str, Any]) -> None:
    """The email Greenhouse sends (at `send_email_at`, when given), in the feed as an email."""
    candidate = request.tenant["candidates"].records[record["candidate"]]
    sender = request.acting or {}
    name, _ = EMAIL_TEMPLATES[int(email["email_template_id"])]
    raw: dict[str, Any] = {
        "to": next(iter(candidate["email_addresses"] or []), None),
        "from": sender.get("email"),
        "cc": [],
    }
    log_activity(
        request.tenant,
        candidate["id"],
        sender.get("id"),
        "EMAIL",
        f"{name} (template {email['email_template_id']})",
        subject=name,
        raw=raw,
        stamp=email.get("send_email_at"),
    )


def _name(request: HarvestRequest, record: dict[str, Any]) -> str:
    candidate = request.tenant["candidates"].records[record["candidate"]]
    return f"{candidate['first_name']} {candidate['last_name']}"


def _no_reason() -> dict[str, str]:
    return error("No rejection reason with this id", "rejection_reason_id")


def _user_id(request: HarvestRequest, remote: Any) -> str | None:
    found = by_remote_id(request.tenant, "remote-users", remote)
    return None if found is None else str(found["id"])


def _referrer_user(request: HarvestRequest, data: Mapping[str, Any]) -> str | None:
    """A referrer given by user id is the user the application is credited to."""
    referrer = data.get("referrer") or {}
    return _user_id(request, referrer.get("value")) if referrer.get("type") == "id" else None


def _references(request: HarvestRequest, data: Mapping[str, Any]) -> list[dict[str, str]]:
    """Ids that must name something in the organisation: source, recruiter, coordinator, referrer."""
    errors = []
    if "source_id" in data and data["source_id"] not in SOURCES:
        errors.append(error("No source with this id", "source_id"))
    for key in ("recruiter_id", "coordinator_id"):
        if key in data and _user_id(request, data[key]) is None:
            errors.append(error("No user with this id", key))
    referrer = data.get("referrer")
    if referrer is not None:
        errors += typed(
            {"type": Kind.STRING, "value": Kind.STRING_OR_INTEGER}, referrer, {"type", "value"}, "referrer."
        )
        if referrer.get("type") not in REFERRER_TYPES:
            errors.append(error(f"Must be one of: {', '.join(REFERRER_TYPES)}", "referrer.type"))
        elif referrer["type"] == "id" and _referrer_user(request, data) is None:
            errors.append(error("No user with this id", "referrer.value"))
    return errors


def _custom_fields(elements: list[Any], where: str) -> list[dict[str, str]]:
    """The custom-field element of edits (§1.10): `id` or `name_key`, and a value unless `delete_value: "true"`
    (the string); a null or blank value is refused."""
    shape = {
        "id": Kind.INTEGER,
        "name_key": Kind.STRING,
        "value": Kind.STRING_OR_INTEGER,
        "unit": Kind.STRING,
        "delete_value": Kind.STRING,
    }
    errors = []
    for i, item in enumerate(elements):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            errors.append(error("Must be an object", at))
            continue
        values = {k: v for k, v in item.items() if k != "value" or not isinstance(v, list)}  # multi_select: ids
        errors += typed(shape, values, prefix=f"{at}.")
        if "id" not in item and "name_key" not in item:
            errors.append(error("Give the custom field's id or name_key", f"{at}.id"))
        if item.get("delete_value") != "true" and item.get("value") in (None, ""):
            errors.append(error('Must not be null or blank (send delete_value: "true" to clear)', f"{at}.value"))
        if "unit" in item and not (isinstance(item["unit"], str) and len(item["unit"]) == 3):
            errors.append(error("Must be an ISO-4217 currency code", f"{at}.unit"))
    return errors


def _apply_custom_fields(keyed: dict[str, Any], elements: list[dict[str, Any]]) -> dict[str, Any]:
    """Set (or clear) each value in Harvest's keyed form; returns the values as Bindbee shows them."""
    for item in elements:
        key = str(item.get("name_key") or item["id"])
        if item.get("delete_value") == "true":
            keyed.pop(key, None)
        else:
            keyed[key] = {"name": key, "type": "short_text", "value": item["value"]}
    return {key: field["value"] for key, field in keyed.items()}


def _rejection_details(current: Mapping[str, Any] | None, details: Mapping[str, Any]) -> dict[str, Any]:
    keyed = dict((current or {}).get("keyed_custom_fields") or {})
    values = _apply_custom_fields(keyed, details.get("custom_fields") or [])
    return {"custom_fields": values, "keyed_custom_fields": keyed}
