"""Building blocks shared by every unified (StackOne-compatible) DTO.

Write DTOs forbid unknown fields: a misspelt field must come back as an error naming it, never vanish on its way
to the vendor. Read models ignore unknown fields because they are built by our own connectors.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

JSONValue = Any
"""A value that came out of `json.loads`; the precise union is not worth the casts it would force."""


class WriteModel(BaseModel):
    """Base of every request body the gateway accepts."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ReadModel(BaseModel):
    """Base of every record the gateway returns; every field is present in the output, null when unknown."""

    model_config = ConfigDict(extra="ignore")


class CustomField(WriteModel):
    """StackOne `CustomFields`: one custom field value of a record."""

    id: str | None = None
    remote_id: str | None = None
    name: str | None = None
    value: JSONValue = None
    value_id: str | None = None
    remote_value_id: str | None = None


class CustomFieldRead(ReadModel):
    id: str | None = None
    remote_id: str | None = None
    name: str | None = None
    value: JSONValue = None
    value_id: str | None = None
    remote_value_id: str | None = None


class ExtensionFields(WriteModel):
    """Gateway extension fields accepted on every write (documented in the README).

    They are not part of StackOne's DTOs; connectors translate them to what their vendor needs
    (Bindbee `remote_user_id`, Greenhouse's `On-Behalf-Of`, …).
    """

    acting_user_id: str | None = Field(
        default=None,
        min_length=1,
        description="Unified id of the user on whose behalf the write is made (gateway extension).",
    )
    passthrough: dict[str, JSONValue] | None = Field(default=None, description="Value to pass through to the provider")
