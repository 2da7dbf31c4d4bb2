"""The gateway's own answer models: the error envelope and the dry run. Success answers are StackOne's own
response models (connectors/unified/schema.py), named by each operation in the catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gateway.errors import ERROR_CODES


class DryRunRequest(BaseModel):
    method: str
    url: str
    headers: dict[str, str]
    body: Any = None


class DryRun(BaseModel):
    dry_run: bool
    connector: str
    requests: list[DryRunRequest]


class FieldErrorBody(BaseModel):
    field: str
    rule: str
    message: str


class ProviderErrorBody(BaseModel):
    status: int | None
    url: str
    raw: Any = None


class ErrorBody(BaseModel):
    """StackOne's error envelope (`statusCode`, `message`, `timestamp`) plus the gateway's fields."""

    statusCode: int
    message: str
    timestamp: str
    code: str = Field(json_schema_extra={"enum": list(ERROR_CODES)})
    retryable: bool
    request_id: str
    errors: list[FieldErrorBody]
    provider_errors: list[ProviderErrorBody]
