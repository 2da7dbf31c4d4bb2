"""Unified candidate ↔ Bindbee `PostCandidate` / `AtsCandidate`, and ↔ Greenhouse Harvest's candidate PATCH
(reference bindbee-merge-greenhouse.md §1.6, §1.8, §3.4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connectors.bindbee.custom_fields import CustomFieldsRow
from connectors.bindbee.refs import IdListRow
from connectors.errors import FieldError
from connectors.mapping import Direction, Rename, Table, merge_passthrough

# StackOne social link type → Bindbee url_type. Bindbee keeps no network name, so on read the type of a
# SOCIAL_MEDIA url comes back from its host (linkedin.com → linkedin), never invented where the host is unknown.
URL_TYPES = {
    "linkedin": "SOCIAL_MEDIA",
    "twitter": "SOCIAL_MEDIA",
    "x": "SOCIAL_MEDIA",
    "github": "SOCIAL_MEDIA",
    "facebook": "SOCIAL_MEDIA",
    "instagram": "SOCIAL_MEDIA",
    "portfolio": "PORTFOLIO",
    "blog": "BLOG",
    "website": "PERSONAL",
    "personal": "PERSONAL",
    "company": "COMPANY",
}
SOCIAL_HOSTS = {
    "linkedin.com": "linkedin",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "github.com": "github",
    "facebook.com": "facebook",
    "instagram.com": "instagram",
}


def split_name(name: str) -> tuple[str, str | None]:
    """`Ada King Lovelace` → (`Ada King`, `Lovelace`): the last word is the last name; one word is a first name."""
    parts = name.strip().rsplit(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], None)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


@dataclass(frozen=True)
class NameRow:
    unified: str = "first_name"
    aliases: tuple[str, ...] = ("last_name", "name")
    vendor: str = "first_name, last_name"
    direction: Direction = "both"
    transform: str = (
        "copied; when only `name` is given it is split at its last space (`Ada King Lovelace` → "
        "`Ada King` + `Lovelace`); read: `name` is first and last name joined"
    )
    notes: str = "A `name` next to first/last names is not sent (Bindbee has no full-name field)."

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        first, last = body.get("first_name"), body.get("last_name")
        if first is None and last is None and body.get("name"):
            first, last = split_name(body["name"])
        return {k: v for k, v in (("first_name", first), ("last_name", last)) if v is not None}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        first, last = record.get("first_name"), record.get("last_name")
        return {"first_name": first, "last_name": last, "name": " ".join(p for p in (first, last) if p) or None}


@dataclass(frozen=True)
class EmailsRow:
    unified: str = "email"
    aliases: tuple[str, ...] = ("emails",)
    vendor: str = "email_addresses"
    direction: Direction = "both"
    transform: str = (
        "`email` then every `emails[].value`, duplicates removed → string list; read: the first is "
        "`email`, all are `emails` with `type` null (Bindbee keeps no type)"
    )
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        values = _unique([body.get("email"), *(e.get("value") for e in body.get("emails") or [])])
        return {"email_addresses": values} if values else {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        emails = record.get("email_addresses")
        if emails is None:
            return {"email": None, "emails": None}
        return {"email": emails[0] if emails else None, "emails": [{"type": None, "value": e} for e in emails]}


@dataclass(frozen=True)
class PhonesRow:
    unified: str = "phone_numbers"
    aliases: tuple[str, ...] = ("phone_number", "phone")
    vendor: str = "phone_numbers"
    direction: Direction = "both"
    transform: str = (
        "every `phone_numbers[].phone` (and deprecated `phone_number`/`phone`), duplicates removed → "
        "string list; read: `type` null"
    )
    notes: str = "Bindbee keeps no phone type: a type sent is not stored, and none is invented on read."

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        values = _unique(
            [*(p.get("phone") for p in body.get("phone_numbers") or []), body.get("phone_number"), body.get("phone")]
        )
        return {"phone_numbers": values} if values else {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        phones = record.get("phone_numbers")
        return {"phone_numbers": None if phones is None else [{"type": None, "phone": p} for p in phones]}


@dataclass(frozen=True)
class UrlsRow:
    unified: str = "social_links"
    aliases: tuple[str, ...] = ()
    vendor: str = "urls"
    direction: Direction = "both"
    notes: str = "Any other type is sent as `OTHER`."

    @property
    def transform(self) -> str:
        table = ", ".join(f"`{k}`→`{v}`" for k, v in URL_TYPES.items())
        return f"`{{type, url}}` → `{{url_type, value}}`: {table}; read: SOCIAL_MEDIA type from the host"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        links = body.get("social_links")
        if links is None:
            return {}
        return {
            "urls": [
                {"value": link.get("url"), "url_type": URL_TYPES.get((link.get("type") or "").lower(), "OTHER")}
                for link in links
            ]
        }

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        urls = record.get("urls")
        if urls is None:
            return {"social_links": None}
        return {"social_links": [{"type": _link_type(u), "url": u.get("value")} for u in urls]}


def _link_type(url: Mapping[str, Any]) -> str | None:
    kind = url.get("url_type")
    if kind == "SOCIAL_MEDIA":
        host = urlsplit(url.get("value") or "").hostname or ""
        return SOCIAL_HOSTS.get(host.removeprefix("www."))
    return None if kind in (None, "-") else str(kind).lower()


@dataclass(frozen=True)
class CountryRow:
    unified: str = "country"
    aliases: tuple[str, ...] = ()
    vendor: str = "locations"
    direction: Direction = "both"
    transform: str = "`country` → `[country]`; read: the first location"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {"locations": [body["country"]]} if body.get("country") else {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        locations = record.get("locations") or []
        return {"country": locations[0] if locations else None}


@dataclass(frozen=True)
class TagsRow:
    unified: str = "tags"
    aliases: tuple[str, ...] = ()
    vendor: str = "tags"
    direction: Direction = "read"
    transform: str = "names → `[{name}]`"
    notes: str = ""

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        return {}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        tags = record.get("tags")
        return {"tags": None if tags is None else [{"remote_id": None, "name": t} for t in tags]}


CANDIDATE_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read"),
        Rename("remote_id", "remote_id", direction="read"),
        NameRow(),
        EmailsRow(),
        PhonesRow(),
        UrlsRow(),
        Rename("company", "company"),
        Rename("title", "title"),
        CountryRow(),
        IdListRow("application_ids", "applications", "remote_application_ids", direction="read", notes=""),
        TagsRow(),
        CustomFieldsRow("candidate"),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "remote_updated_at", direction="read"),
        Rename(
            "acting_user_id",
            "remote_user_id",
            direction="write",
            notes="Sent beside `data` in the create envelope, as Bindbee's `CreateCandidate` has it.",
        ),
    ),
    unsupported={
        "hired_at": "Bindbee's candidate has no hire date",
        "unified_custom_fields": "unified custom fields are a StackOne project feature; Bindbee has none",
    },
)

# Greenhouse Harvest `PATCH /v1/candidates/{id}` (reference §3.4): typed address lists.
HARVEST_PHONE_TYPES = {"home": "home", "work": "work", "mobile": "mobile", "personal": "mobile", "other": "other"}
HARVEST_EMAIL_TYPES = {"personal": "personal", "work": "work"}
HARVEST_WEBSITE_TYPES = {
    "personal": "personal",
    "website": "personal",
    "company": "company",
    "portfolio": "portfolio",
    "blog": "blog",
}
HARVEST_UNSUPPORTED = {
    "country": "Harvest's candidate update has no country",
    "hired_at": "Harvest sets hire dates through offers, not the candidate",
    "application_ids": "applications are not changed through a candidate update",
    "custom_fields": "Harvest candidate custom fields need Greenhouse field keys: not supported yet",
    "unified_custom_fields": "unified custom fields are a StackOne project feature",
}


def _typed(pairs: Iterable[tuple[str | None, str | None]], types: Mapping[str, str]) -> list[dict[str, str]]:
    """Harvest's `{value, type}` entries, first occurrence of a value wins, unknown types as `other`."""
    seen: dict[str, str] = {}
    for value, kind in pairs:
        if value and value not in seen:
            seen[value] = types.get((kind or "").lower(), "other")
    return [{"value": value, "type": kind} for value, kind in seen.items()]


def harvest_update(body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """The Harvest PATCH body for a unified candidate update (every field optional; a list sent replaces)."""
    out: dict[str, Any] = NameRow().to_vendor(body, errors)
    out.update({k: body[k] for k in ("company", "title") if body.get(k) is not None})
    if body.get("email") is not None or body.get("emails") is not None:
        # Typed entries first: the same address given bare in `email` must not lose its type.
        emails = [*((e.get("value"), e.get("type")) for e in body.get("emails") or []), (body.get("email"), None)]
        out["email_addresses"] = _typed(emails, HARVEST_EMAIL_TYPES)
    if body.get("phone_numbers") is not None or body.get("phone") is not None:
        phones = [
            *((p.get("phone"), p.get("type")) for p in body.get("phone_numbers") or []),
            (body.get("phone"), None),
        ]
        out["phone_numbers"] = _typed(phones, HARVEST_PHONE_TYPES)
    if body.get("social_links") is not None:
        links = body["social_links"]
        social = [link for link in links if URL_TYPES.get((link.get("type") or "").lower()) == "SOCIAL_MEDIA"]
        out["social_media_addresses"] = [{"value": link.get("url")} for link in social]
        sites = [(link.get("url"), link.get("type")) for link in links if link not in social]
        out["website_addresses"] = _typed(sites, HARVEST_WEBSITE_TYPES)
    for name, reason in HARVEST_UNSUPPORTED.items():
        if body.get(name) not in (None, [], {}):
            errors.append(FieldError(name, "greenhouse.unsupported_field", reason, code="unsupported_field"))
    merge_passthrough(out, body.get("passthrough"), errors)
    return out
