"""What a connector is: a pure translator between the unified ATS model and one vendor's HTTP API.

A connector never performs I/O. For each unified call it returns a *plan*: a generator that yields the vendor
requests to send, one at a time, receives each vendor response, and finally returns the unified result. The
gateway drives the plan, so it alone executes, limits, retries and records, and the same plan serves real calls,
dry runs and contract tests.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel

from connectors.errors import FieldError, InvalidInput, NotSupported, UnexpectedResponse
from connectors.rules import Rule, check_rules
from connectors.unified.common import WriteModel


class Resource(StrEnum):
    JOBS = "jobs"
    CANDIDATES = "candidates"
    APPLICATIONS = "applications"
    DEPARTMENTS = "departments"
    LOCATIONS = "locations"
    USERS = "users"
    ASSESSMENT_ORDERS = "assessments/orders"


class Action(StrEnum):
    LIST = "list"
    GET = "get"
    CREATE = "create"
    UPDATE = "update"


@dataclass(frozen=True, order=True)
class Operation:
    resource: Resource
    action: Action

    @property
    def is_write(self) -> bool:
        return self.action in (Action.CREATE, Action.UPDATE)

    def __str__(self) -> str:
        return f"{self.action.value}_{self.resource.name.lower()}"


@dataclass(frozen=True)
class ProviderRequest:
    """One HTTP request to the vendor, relative to the provider's base URL."""

    method: str
    path: str
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    ok_statuses: frozenset[int] = frozenset({200})
    """Statuses the plan handles itself; any other status goes to the gateway's error translator."""

    @property
    def is_write(self) -> bool:
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    headers: Mapping[str, str]
    body: Any
    """Parsed JSON, or the raw text when the body was not JSON, or None when empty."""
    url: str


@dataclass(frozen=True)
class AccountContext:
    """What a connector may know about the account it serves: settings, never clients or stores."""

    account_id: str
    ats: str | None
    vendor_account_id: str | None
    credentials: Mapping[str, str]
    defaults: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ListQuery:
    page_size: int
    cursor: str | None = None
    """The vendor's own cursor, unwrapped by the gateway."""
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One unified operation, validated and with extension fields resolved."""

    operation: Operation
    record_id: str | None = None
    body: WriteModel | None = None
    list_query: ListQuery | None = None
    include_raw: bool = False
    """The caller asked for raw vendor data (`raw=true`): ask the vendor for all it has."""


@dataclass(frozen=True)
class WriteResult:
    id: str | None
    remote_id: str | None
    status_code: int = 201
    message: str = "Record created successfully."


@dataclass(frozen=True)
class RecordResult:
    data: BaseModel


@dataclass(frozen=True)
class PlainResult:
    """A record answered as it is, without an envelope (StackOne's assessment order result)."""

    data: BaseModel
    status_code: int = 200


@dataclass(frozen=True)
class LookupResult:
    """Whether a create whose outcome was unknown reached the vendor: found, proven absent, or still unknown."""

    found: WriteResult | None
    conclusive: bool
    """True when not finding it proves it is not there (the vendor's reads are live and it is done processing)."""


@dataclass(frozen=True)
class PageResult:
    data: Sequence[BaseModel]
    next_cursor: str | None


Result = WriteResult | RecordResult | PageResult | PlainResult | LookupResult
Plan = Generator[ProviderRequest, ProviderResponse, Result]


@dataclass(frozen=True)
class Capability:
    operation: Operation
    supported: bool
    reason: str | None = None
    filters: tuple[str, ...] = ()
    """Unified list filters (`filter[...]` keys) the connector can apply."""


class Connector:
    """Base of every connector: capability bookkeeping and rule checks, shared so no connector repeats them.

    Subclasses fill `name`, `secret_headers` and the two tables, and implement the plans they declare.
    """

    name: ClassVar[str]
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key",)
    """Credential names the account must supply (resolved from environment variables by the gateway)."""
    quota_credential: ClassVar[str] = "api_key"
    """The credential the vendor meters its quota by (StackOne: the API key; Bindbee: the connector token)."""

    def capabilities(self, account: AccountContext) -> Mapping[Operation, Capability]:
        """What this connector offers for this account (an ATS can add or remove operations)."""
        raise NotImplementedError

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        """Declarative requirements on a write body for this account (e.g. Greenhouse's)."""
        return ()

    def plan(self, call: Call, account: AccountContext) -> Plan:
        capability = self.capabilities(account).get(call.operation)
        if capability is None or not capability.supported:
            reason = capability.reason if capability else None
            raise NotSupported(self.name, str(call.operation), reason)
        if call.list_query is not None:
            unsupported = sorted(set(call.list_query.filters) - set(capability.filters))
            if unsupported:
                raise InvalidInput(
                    [
                        FieldError(
                            field=f"filter[{key}]",
                            rule=f"{self.name}.unsupported_filter",
                            message=f"{self.name} cannot filter {call.operation.resource.value} by {key}",
                            code="unsupported_filter",
                        )
                        for key in unsupported
                    ],
                    status=400,
                )
        # Rules and translation are both checked before raising, so one answer lists every problem.
        errors = check_rules(self.rules(call.operation, account), call.body) if call.body is not None else []
        try:
            plan = self._plan(call, account)
        except InvalidInput as exc:
            raise InvalidInput([*errors, *exc.errors], exc.status) from exc
        if errors:
            raise InvalidInput(errors)
        return plan

    def _plan(self, call: Call, account: AccountContext) -> Plan:
        raise NotImplementedError

    def error_message(self, response: ProviderResponse) -> str | None:
        """The vendor's own human sentence from an error body, when it has one."""
        return None

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """A plan that looks for the record a create may have made, by its natural key (job code, candidate
        e-mail), created after `since`; None when the record has no natural key or the vendor cannot search it.
        `settled`: long enough has passed that the vendor can no longer be processing the original request."""
        return None


def one_request(request: ProviderRequest, read: Callable[[ProviderResponse], Result]) -> Plan:
    """The plan of most operations: one vendor request, its response read into the unified result."""
    response = yield request
    return read(response)


def json_object(response: ProviderResponse, *path: str) -> dict[str, Any]:
    """The JSON object at `path` in a vendor body, or UnexpectedResponse naming what was missing."""
    node: Any = response.body
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        where = ".".join(path) or "body"
        raise UnexpectedResponse(f"expected a JSON object at {where} of the {response.status} response")
    return node


def json_list(response: ProviderResponse, key: str) -> list[dict[str, Any]]:
    items = json_object(response).get(key)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnexpectedResponse(f"expected a list of objects at {key} of the {response.status} response")
    return items


def declare_capabilities(
    vendor: str,
    list_filters: Mapping[Resource, tuple[str, ...]],
    writes: Mapping[Operation, str | None],
) -> dict[Operation, Capability]:
    """Every operation of every resource, supported or with the reason it is not.

    Reads are supported for the resources in `list_filters` (with those list filters); `writes` maps a write to
    None when supported, or to the reason it is not. Anything unnamed gets a generic reason.
    """
    caps: dict[Operation, Capability] = {}
    for resource in Resource:
        for action in Action:
            op = Operation(resource, action)
            generic = f"the {vendor} connector does not {action} {resource}"
            if not op.is_write:
                supported = resource in list_filters
                filters = list_filters.get(resource, ()) if action == Action.LIST else ()
                caps[op] = Capability(op, supported, None if supported else generic, filters)
            elif op in writes and writes[op] is None:
                caps[op] = Capability(op, True)
            else:
                caps[op] = Capability(op, False, writes.get(op) or generic)
    return caps
