"""Harvest's candidate writes: Edit Candidate (bindbee-merge-greenhouse.md §3.4), Add Note and Add Attachment
(greenhouse-harvest-applications.md §2.1, §2.4), each reflected in Bindbee's copy as its sync would.

The docs give no success status for Harvest's writes; the sandbox answers 200 to all of them.
"""

from __future__ import annotations

from typing import Any

from sandbox.bindbee import harvest_attachments
from sandbox.bindbee.harvest_protocol import Answer, HarvestRequest, error, invalid
from sandbox.bindbee.harvest_views import VISIBILITY, note
from sandbox.bindbee.records import by_remote_id, log_activity, touch

ADDRESS_TYPES = {
    "phone_numbers": ("home", "work", "mobile", "skype", "other"),
    "email_addresses": ("personal", "work", "other"),
    "website_addresses": ("personal", "company", "portfolio", "blog", "other"),
    "addresses": ("home", "work", "other"),
}
"""Edit Candidate's typed lists: `{value, type}` with these types (an empty list clears the field)."""


def edit_candidate(request: HarvestRequest) -> Answer:
    record, data = request.records["candidate_id"], request.data
    errors = []
    for key, allowed in ADDRESS_TYPES.items():
        for item in data.get(key) or []:
            if not isinstance(item, dict) or item.get("type") not in allowed or not item.get("value"):
                errors.append(error(f"Must be one of: {', '.join(allowed)}", f"{key}.type"))
    for item in data.get("social_media_addresses") or []:
        if not isinstance(item, dict) or not item.get("value"):
            errors.append(error("Must be an object with a value", "social_media_addresses.value"))
    errors += [error("Must be a string", "tags") for tag in data.get("tags") or [] if not isinstance(tag, str)]
    for key in ("recruiter", "coordinator"):
        if key in data and not ({"id", "email"} & set(data[key])):
            errors.append(error("Give the user's id or email", key))
    if errors:
        return invalid(errors)
    changes: dict[str, Any] = {k: data[k] for k in ("first_name", "last_name", "company", "title", "tags") if k in data}
    if "is_private" in data:
        changes["is_private"] = data["is_private"] in (True, "true")
    if "email_addresses" in data:
        changes["email_addresses"] = [e["value"] for e in data["email_addresses"]]
    if "phone_numbers" in data:
        changes["phone_numbers"] = [p["value"] for p in data["phone_numbers"]]
    if "social_media_addresses" in data or "website_addresses" in data:
        social = [{"value": s["value"], "url_type": "SOCIAL_MEDIA"} for s in data.get("social_media_addresses") or []]
        websites = [{"value": w["value"], "url_type": w["type"].upper()} for w in data.get("website_addresses") or []]
        changes["urls"] = social + websites
    touch(record, **changes)
    record["remote_updated_at"] = record["modified_at"]
    harvest = {
        "id": int(record["remote_id"]),
        "first_name": record["first_name"],
        "last_name": record["last_name"],
        "company": record["company"],
        "title": record["title"],
        "is_private": bool(record.get("is_private")),
        "tags": record["tags"],
        "email_addresses": data.get("email_addresses", []),
        "phone_numbers": data.get("phone_numbers", []),
        "application_ids": [
            int(request.tenant["applications"].records[a]["remote_id"]) for a in record["applications"]
        ],
    }
    return Answer(200, harvest)


def add_note(request: HarvestRequest) -> Answer:
    """A note on the candidate (notes belong to candidates, not applications): a NOTE activity at Bindbee."""
    candidate, data = request.records["candidate_id"], request.data
    errors = []
    author = by_remote_id(request.tenant, "remote-users", data["user_id"])
    if author is None:
        errors.append(error("No user with this id", "user_id"))
    if data["visibility"] not in VISIBILITY:
        errors.append(error(f"Must be one of: {', '.join(VISIBILITY)}", "visibility"))
    if errors or author is None:
        return invalid(errors)
    record = log_activity(
        request.tenant, candidate["id"], author["id"], "NOTE", data["body"], visibility=VISIBILITY[data["visibility"]]
    )
    return Answer(200, note(request.tenant, record))


def add_candidate_attachment(request: HarvestRequest) -> Answer:
    candidate = request.records["candidate_id"]
    errors = harvest_attachments.problems(request, request.data, "candidate")
    if errors:
        return invalid(errors)
    return Answer(200, harvest_attachments.store(request, candidate, request.data, None))
