"""Harvest's Add Attachment, on a candidate or an application (greenhouse-harvest-applications.md §2.4), also
the element of Add Application's `attachments[]` (§1.11). An attachment lands in Bindbee's copy on the candidate:
Bindbee's `AtsAttachment` has no application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from sandbox.bindbee.files import decode_base64
from sandbox.bindbee.harvest_protocol import HarvestRequest, Kind, error
from sandbox.bindbee.harvest_views import APPLICATION_ATTACHMENT_TYPES, ATTACHMENT_TYPE, CANDIDATE_ATTACHMENT_TYPES
from sandbox.bindbee.records import add_attachment

Endpoint = Literal["candidate", "application"]
CANDIDATE_FIELDS = {
    "filename": Kind.STRING,
    "type": Kind.STRING,
    "content": Kind.STRING,
    "url": Kind.STRING,
    "content_type": Kind.STRING,
}
APPLICATION_FIELDS = {**CANDIDATE_FIELDS, "visibility": Kind.STRING}
"""The application endpoint adds `visibility`, which applies to `type: other` only."""
REQUIRED = frozenset({"filename", "type"})
CONTENT_TYPES = frozenset(
    {
        "application/atom+xml",
        "application/javascript",
        "application/json",
        "application/msgpack",
        "application/msword",
        "application/pdf",
        "application/rss+xml",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-powerpoint",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/x-yaml",
        "application/zip",
        "multipart/form-data",
        "image/bmp",
        "image/gif",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "text/calendar",
        "text/css",
        "text/csv",
        "text/html",
        "text/javascript",
        "text/plain",
        "text/vcard",
        "video/mpeg",
    }
)
"""The content types both endpoints accept (§2.4)."""
_VISIBILITIES = ("public", "private", "admin_only")
_FIXED_VISIBILITY = {"offer_letter": "private", "signed_offer_letter": "private"}
"""Visibility Greenhouse fixes per type; resumes, cover letters and take-home tests are public (§2.4)."""


def problems(
    request: HarvestRequest,
    data: Mapping[str, Any],
    endpoint: Endpoint,
    application: dict[str, Any] | None = None,
    prefix: str = "",
) -> list[dict[str, str]]:
    """Every rule a well-typed attachment breaks; `prefix` names an element of `attachments[]`. On the
    application endpoint, `application` is None for an application being created (nothing on it yet)."""
    errors: list[dict[str, str]] = []
    allowed = APPLICATION_ATTACHMENT_TYPES if endpoint == "application" else CANDIDATE_ATTACHMENT_TYPES
    kind = data.get("type")
    if kind not in allowed:
        errors.append(error(f"Must be one of: {', '.join(allowed)}", f"{prefix}type"))
    if ("content" in data) == ("url" in data):
        errors.append(error("Send either content or url", f"{prefix}content"))
    if "content" in data:
        if decode_base64(data["content"]) is None:
            errors.append(error("Must be base64", f"{prefix}content"))
        if "content_type" not in data:
            errors.append(error("Required with content", f"{prefix}content_type"))
    if "content_type" in data and data["content_type"] not in CONTENT_TYPES:
        errors.append(error("Is not an accepted content type", f"{prefix}content_type"))
    if "url" in data:
        parts = urlsplit(data["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(error("Must be an http(s) URL", f"{prefix}url"))
    if "visibility" in data and data["visibility"] not in _VISIBILITIES:
        errors.append(error(f"Must be one of: {', '.join(_VISIBILITIES)}", f"{prefix}visibility"))
    if endpoint == "application":
        errors += _offer_rules(request, application, kind, prefix)
    return errors


def _offer_rules(
    request: HarvestRequest, application: dict[str, Any] | None, kind: Any, prefix: str
) -> list[dict[str, str]]:
    """Types that need something on the application first (§2.4)."""
    tenant = request.tenant
    offers = [] if application is None else tenant["offers"].find(lambda o: o["application"] == application["id"])
    current = max(offers, key=lambda o: o["raw_data"]["version"], default=None)
    remote = None if application is None else int(application["remote_id"])
    letters = tenant["attachments"].find(
        lambda a: (
            remote is not None
            and a["raw_data"].get("application_id") == remote
            and a["raw_data"].get("type") == "offer_letter"
        )
    )
    if kind == "take_home_test":
        # The sandbox schedules no take-home tests, so there is never one outstanding.
        return [error("The application has no outstanding take-home test", f"{prefix}type")]
    if kind == "offer_letter" and current is None:
        return [error("The application has no offer", f"{prefix}type")]
    if kind == "signed_offer_letter" and (not letters or current is None or current["sent_at"] is None):
        return [error("The application has no approved, sent offer letter", f"{prefix}type")]
    return []


def store(
    request: HarvestRequest, candidate: dict[str, Any], data: Mapping[str, Any], application: dict[str, Any] | None
) -> dict[str, Any]:
    """Keep the attachment (its bytes when given as content; Greenhouse's own fetch of `url` is not emulated: the
    URL is kept as given) and answer as Add Attachment does."""
    kind = data["type"]
    visibility = (data.get("visibility") or "admin_only") if kind == "other" else _FIXED_VISIBILITY.get(kind, "public")
    raw: dict[str, Any] = {"type": kind}
    if application is not None:
        raw |= {"application_id": int(application["remote_id"]), "visibility": visibility}
    content = decode_base64(data["content"]) if "content" in data else None
    record = add_attachment(
        request.tenant,
        request.files,
        candidate["id"],
        data["filename"],
        ATTACHMENT_TYPE[kind],
        content=content,
        content_type=data.get("content_type"),
        url=data.get("url"),
        raw=raw,
    )
    return {
        "filename": record["file_name"],
        "url": record["file_url"],
        "type": kind,
        "content_type": data.get("content_type"),
    }
