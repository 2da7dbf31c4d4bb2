"""Unified candidate ↔ Merge `CandidateRequest` / `Candidate` (reference bindbee-merge-greenhouse.md §2.4).

Merge's e-mail addresses and phone numbers are typed objects, which the unified model's are too; its URLs,
locations and tags are the shapes Bindbee copied from Merge, so those rows are Bindbee's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.bindbee import candidates as bindbee
from connectors.errors import FieldError
from connectors.mapping import Direction, Rename, Table
from connectors.merge.rows import Refs

EMAIL_TYPES = {"personal": "PERSONAL", "work": "WORK", "other": "OTHER"}
"""Unified e-mail type (free text in StackOne's model) → Merge's EmailAddressTypeEnum; any other is `OTHER`."""
PHONE_TYPES = {
    "home": "HOME",
    "work": "WORK",
    "mobile": "MOBILE",
    "personal": "MOBILE",
    "other": "OTHER",
    "unknown": "OTHER",
    "unmapped_value": "OTHER",
}
"""StackOne's phone type → Merge's PhoneNumberTypeEnum (no `PERSONAL`: a personal number is a mobile one)."""
PHONE_TYPES_READ = {"HOME": "home", "WORK": "work", "MOBILE": "mobile", "SKYPE": "other", "OTHER": "other"}


def _typed(pairs: Iterable[tuple[Any, Any]], types: Mapping[str, str], key: str) -> list[dict[str, Any]]:
    """Merge's `{value, <type>}` entries, the first occurrence of a value winning; an untyped value stays untyped."""
    seen: dict[str, str | None] = {}
    for value, kind in pairs:
        if value and value not in seen:
            seen[value] = None if kind is None else types.get(str(kind).lower(), "OTHER")
    return [{"value": value, **({key: kind} if kind else {})} for value, kind in seen.items()]


def _phone_type(value: Any) -> str | None:
    return None if value is None else PHONE_TYPES_READ.get(str(value), "unmapped_value")


def _lower(value: Any) -> str | None:
    return None if value is None else str(value).lower()


@dataclass(frozen=True)
class NameRow(bindbee.NameRow):
    notes: str = "A `name` next to first/last names is not sent (Merge has no full-name field)."


@dataclass(frozen=True)
class EmailsRow:
    unified: str = "email"
    aliases: tuple[str, ...] = ("emails",)
    vendor: str = "email_addresses"
    direction: Direction = "both"
    notes: str = "A list sent replaces Merge's; the bare `email` is sent untyped, after the typed `emails`."

    @property
    def transform(self) -> str:
        types = ", ".join(f"`{k}`→`{v}`" for k, v in EMAIL_TYPES.items())
        return (
            f"`emails[{{type, value}}]` then `email` → `[{{value, email_address_type}}]`, type {types}, any other "
            "`OTHER`; read: the first is `email`, all are `emails` with the type in lower case"
        )

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        if body.get("email") is None and body.get("emails") is None:
            return {}
        pairs = [*((e.get("value"), e.get("type")) for e in body.get("emails") or []), (body.get("email"), None)]
        return {"email_addresses": _typed(pairs, EMAIL_TYPES, "email_address_type")}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        emails = record.get("email_addresses")
        if emails is None:
            return {"email": None, "emails": None}
        listed = [{"type": _lower(e.get("email_address_type")), "value": e.get("value")} for e in emails]
        return {"email": listed[0]["value"] if listed else None, "emails": listed}


@dataclass(frozen=True)
class PhonesRow:
    unified: str = "phone_numbers"
    aliases: tuple[str, ...] = ("phone_number", "phone")
    vendor: str = "phone_numbers"
    direction: Direction = "both"
    notes: str = "A list sent replaces Merge's; the deprecated `phone_number`/`phone` is sent untyped."

    @property
    def transform(self) -> str:
        write = ", ".join(f"`{k}`→`{v}`" for k, v in PHONE_TYPES.items())
        read = ", ".join(f"`{k}`→`{v}`" for k, v in PHONE_TYPES_READ.items())
        return f"`[{{type, phone}}]` → `[{{value, phone_number_type}}]`, type {write}; read: {read}"

    def to_vendor(self, body: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
        listed = body.get("phone_numbers")
        extra = [body.get(name) for name in ("phone_number", "phone") if body.get(name) is not None]
        if listed is None and not extra:
            return {}
        pairs = [*((p.get("phone"), p.get("type")) for p in listed or []), *((value, None) for value in extra)]
        return {"phone_numbers": _typed(pairs, PHONE_TYPES, "phone_number_type")}

    def to_unified(self, record: Mapping[str, Any]) -> dict[str, Any]:
        phones = record.get("phone_numbers")
        if phones is None:
            return {"phone_numbers": None}
        return {
            "phone_numbers": [
                {"type": _phone_type(p.get("phone_number_type")), "phone": p.get("value")} for p in phones
            ]
        }


CANDIDATE_TABLE = Table(
    rows=(
        Rename("id", "id", direction="read", notes="Merge's uuid is the unified id."),
        Rename("remote_id", "remote_id", direction="read", notes="The ATS's own id."),
        NameRow(),
        EmailsRow(),
        PhonesRow(),
        bindbee.UrlsRow(),
        Rename("company", "company"),
        Rename("title", "title"),
        bindbee.CountryRow(),
        Refs(
            "application_ids",
            "applications",
            "remote_application_ids",
            direction="both",
            notes="On update, the list replaces Merge's (Greenhouse answers that with an UNSUPPORTED_FIELD warning).",
        ),
        bindbee.TagsRow(),
        Rename("created_at", "remote_created_at", direction="read"),
        Rename("updated_at", "remote_updated_at", direction="read"),
        Rename(
            "acting_user_id",
            "remote_user_id",
            direction="write",
            notes="Beside `model` in the envelope, as Merge's `CandidateEndpointRequest` has it; required.",
        ),
    ),
    unsupported={
        "hired_at": "Merge's candidate has no hire date",
        "custom_fields": "Merge takes ATS-specific candidate fields as `integration_params`: use passthrough",
        "unified_custom_fields": "unified custom fields are a StackOne project feature; Merge has none",
    },
)
