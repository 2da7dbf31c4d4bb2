"""Reference data a write needs ids from: StackOne `Department`, `ATSLocation` and `User`."""

from __future__ import annotations

from connectors.unified.common import JSONValue, ReadModel


class Department(ReadModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None


class Location(ReadModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    name: str | None = None


class User(ReadModel):
    id: str | None = None
    remote_id: str | None = None
    unified_custom_fields: dict[str, JSONValue] | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    phone: str | None = None
