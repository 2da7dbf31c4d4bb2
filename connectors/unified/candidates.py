"""The unified candidate: StackOne's `AtsCreateCandidateRequestDto`, `AtsUpdateCandidateRequestDto` and
`Candidate`, plus the gateway's `acting_user_id`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from connectors.unified.common import CustomField, CustomFieldRead, ExtensionFields, JSONValue, ReadModel, WriteModel

PhoneType = Literal["personal", "work", "mobile", "home", "unknown", "other", "unmapped_value"]


class PhoneNumber(WriteModel):
    type: PhoneType | None = None
    phone: str | None = None


class SocialLink(WriteModel):
    type: str | None = None
    url: str | None = None


class CandidateEmail(WriteModel):
    type: str | None = None
    value: str | None = None


class _CandidateFields(ExtensionFields):
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    social_links: list[SocialLink] | None = None
    phone_numbers: list[PhoneNumber] | None = None
    company: str | None = None
    title: str | None = None
    hired_at: str | None = None
    country: str | None = None
    custom_fields: list[CustomField] | None = None


class CandidateCreate(_CandidateFields):
    """Body of `POST /unified/ats/candidates` (StackOne's create DTO has a single `email`, no `emails`)."""

    phone_number: str | None = Field(default=None, description="Deprecated by StackOne: use phone_numbers.")


class CandidateUpdate(_CandidateFields):
    """Body of `PATCH /unified/ats/candidates/{id}`."""

    emails: list[CandidateEmail] | None = None
    phone: str | None = Field(default=None, description="Deprecated by StackOne: use phone_numbers.")
    application_ids: list[str] | None = None


class PhoneNumberRead(ReadModel):
    type: str | None = None
    phone: str | None = None


class SocialLinkRead(ReadModel):
    type: str | None = None
    url: str | None = None


class CandidateEmailRead(ReadModel):
    type: str | None = None
    value: str | None = None


class TagRead(ReadModel):
    remote_id: str | None = None
    name: str | None = None


class Candidate(ReadModel):
    """StackOne `Candidate`."""

    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    emails: list[CandidateEmailRead] | None = None
    social_links: list[SocialLinkRead] | None = None
    phone: str | None = None
    phone_numbers: list[PhoneNumberRead] | None = None
    company: str | None = None
    title: str | None = None
    application_ids: list[str] | None = None
    remote_application_ids: list[str] | None = None
    hired_at: str | None = None
    country: str | None = None
    custom_fields: list[CustomFieldRead] | None = None
    tags: list[TagRead] | None = None
    created_at: str | None = None
    updated_at: str | None = None
