"""Response envelopes, as pydantic models so /openapi.json documents exactly what the gateway answers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class RawResponse(BaseModel):
    method: str
    url: str
    body: Any = None
    response: Any = None


class CreateResultData(BaseModel):
    id: str | None
    remote_id: str | None


class CreateResult(BaseModel):
    statusCode: int
    message: str
    timestamp: str
    data: CreateResultData


class RecordResult(BaseModel, Generic[T]):
    """StackOne's `XResult`."""

    data: T
    raw: list[RawResponse] | None = None


class Paginated(BaseModel, Generic[T]):
    """StackOne's `XPaginated`; `next` is the gateway's signed cursor."""

    next: str | None
    data: list[T]
    raw: list[RawResponse] | None = None


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
    statusCode: int
    message: str
    timestamp: str
    code: str
    retryable: bool
    request_id: str
    errors: list[FieldErrorBody]
    provider_errors: list[ProviderErrorBody]
