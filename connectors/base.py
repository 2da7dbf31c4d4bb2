"""What a connector is: a pure translator between the unified ATS model and one vendor's HTTP API.

A connector never performs I/O. For each unified call it returns a *plan*: a generator that yields the vendor
requests to send, one at a time, receives each vendor response, and finally returns the unified result. The
gateway drives the plan, so it alone executes, limits, retries and records, and the same plan serves real calls,
dry runs and contract tests (the sans-I/O shape of httpx's auth flows).

What a connector serves is declared per catalogue operation (`Support`), with the reason for each it does not;
the gateway reads that one declaration for routing answers (501), `/meta` and the documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from connectors.catalogue import Operation
from connectors.errors import FieldError, InvalidInput, UnexpectedResponse
from connectors.rules import Rule, check_rules
from connectors.unified.base import Dto


@dataclass(frozen=True)
class ProviderRequest:
    """One HTTP request to the vendor, relative to the provider's base URL."""

    method: str
    path: str
    """Relative to the base URL; or an absolute URL the vendor's own answer gave (an attachment's file), which the
    gateway fetches only from the provider's `download_hosts`."""
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    ok_statuses: frozenset[int] = frozenset({200})
    """Statuses the plan handles itself; any other status goes to the gateway's error translator."""
    binary: bool = False
    """Keep the answer's bytes as they are (a file download) instead of reading them as JSON."""
    cache_seconds: float = 0
    """A read whose answer the gateway may keep this long for the account and reuse (Merge's `/meta/post`): it
    is shared by every replica through the state store."""

    @property
    def is_write(self) -> bool:
        return self.method.upper() not in ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class ProviderResponse:
    status: int
    headers: Mapping[str, str]
    body: Any
    """Parsed JSON, or the raw text when the body was not JSON, or None when empty; bytes for a binary request."""
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
class Query:
    """The caller's query, validated against the catalogue and read into canonical names (aliases resolved)."""

    page_size: int = 25
    cursor: str | None = None
    """The vendor's own cursor, unwrapped by the gateway."""
    filters: Mapping[str, str] = field(default_factory=dict)
    raw: bool = False
    """The caller asked for raw vendor data (`raw=true`): ask the vendor for all it has."""
    forwarded: Mapping[str, str] = field(default_factory=dict)
    """Parameters only a vendor interprets (`expand`, `include`, `page`, `sync_token`, `format`, …), by name."""
    proxy: Mapping[str, str] = field(default_factory=dict)
    """`proxy[key]=value`: query parameters for the vendor's own request."""


@dataclass(frozen=True)
class Call:
    """One unified operation, validated and with extension fields resolved."""

    operation: Operation
    path: Mapping[str, str] = field(default_factory=dict)
    """Path parameters by their template names (`id`, `subResourceId`)."""
    body: Dto | None = None
    query: Query = field(default_factory=Query)
    idempotency_key: str | None = None
    """The caller's key, for vendors that deduplicate writes too (Merge)."""

    @property
    def record_id(self) -> str:
        return self.path.get("id", "")

    @property
    def sub_id(self) -> str:
        return self.path.get("subResourceId", "")


@dataclass(frozen=True)
class WriteResult:
    """The ids of the record a write made or changed (`data` of StackOne's write answers)."""

    id: str | None
    remote_id: str | None
    message: str | None = None
    """Said instead of the operation's usual message, when the vendor's answer needs explaining."""
    warnings: tuple[str, ...] = ()
    """What the vendor accepted but flagged (Merge's `warnings`): answered as `unified_warnings`."""


@dataclass(frozen=True)
class RecordResult:
    data: Mapping[str, Any] | BaseModel
    """The record in the unified shape: the gateway validates it against the operation's record model."""


@dataclass(frozen=True)
class PageResult:
    data: Sequence[Mapping[str, Any] | BaseModel]
    next_cursor: str | None


@dataclass(frozen=True)
class PlainResult:
    """A model answered as it is (StackOne's assessment order result)."""

    data: Mapping[str, Any] | BaseModel


@dataclass(frozen=True)
class FileResult:
    content: bytes
    content_type: str
    filename: str | None = None


@dataclass(frozen=True)
class LookupResult:
    """Whether a create whose outcome was unknown reached the vendor: found, proven absent, or still unknown."""

    found: WriteResult | None
    conclusive: bool
    """True when not finding it proves it is not there (the vendor's reads are live and it is done processing)."""


@dataclass(frozen=True)
class RequirementsResult:
    """What the vendor itself requires of a write for this account (Merge's `/meta/post`), as rules `/meta` shows."""

    rules: tuple[Rule, ...]


Result = WriteResult | RecordResult | PageResult | PlainResult | FileResult | LookupResult | RequirementsResult
T = TypeVar("T")
Steps = Generator[ProviderRequest, ProviderResponse, T]
"""Vendor exchanges that end in a value: a plan's parts, composed with `yield from`."""
Plan = Steps[Result]
Handler = Callable[[Call, AccountContext], Plan]


@dataclass(frozen=True)
class Support:
    """Whether a connector serves one catalogue operation for an account, and which of its options it honours."""

    reason: str | None = None
    """None when served; otherwise why not, in words the caller reads in the 501."""
    filters: frozenset[str] = frozenset()
    """Canonical `filter[...]` keys the connector applies."""
    params: frozenset[str] = frozenset()
    """Forwarded parameters (`expand`, `proxy`, …) it passes on or honours."""
    note: str | None = None
    """How a served operation differs from its unified meaning (Merge's application notes are the candidate's),
    said in `/meta` and the documentation, so nothing is mapped silently."""
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Forwarded parameters honoured for some of their comma-separated values only: `include=custom_fields` where
    the vendor always answers custom fields and nothing else `include` names."""

    @property
    def supported(self) -> bool:
        return self.reason is None


def unsupported(reason: str, *op_ids: str) -> dict[str, Support]:
    """The same reason for several operations (a vendor without an assessments API lacks all of them)."""
    return {op_id: Support(reason) for op_id in op_ids}


def served(
    op_id: str, filters: Sequence[str] = (), params: Sequence[str] = (), note: str | None = None
) -> dict[str, Support]:
    return {op_id: Support(None, frozenset(filters), frozenset(params), note)}


class Connector:
    """Base of every connector: the support table, rule checks and dispatch, shared so no connector repeats them.

    Subclasses fill `name`, `secret_headers`, `handlers` and `support`, and may add rules, a lookup for
    reconciliation and the vendor's error sentence.
    """

    name: ClassVar[str]
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key",)
    """Credential names the account must supply (resolved from environment variables by the gateway)."""
    quota_credential: ClassVar[str] = "api_key"
    """The credential the vendor meters its quota by (StackOne: the API key; Bindbee: the connector token)."""
    default_requests_per_minute: ClassVar[int | None] = None
    """The vendor's published quota per `quota_credential`, used when the provider configures none (Merge's
    plans differ, so a provider's `quota` overrides it)."""

    def support(self, account: AccountContext) -> Mapping[str, Support]:
        """Every catalogue operation by id, served or with the reason it is not (an ATS can change the answer);
        a test holds every connector's table to the whole catalogue."""
        raise NotImplementedError

    def handler(self, operation: Operation) -> Handler:
        """The plan builder of a served operation."""
        raise NotImplementedError

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        """Declarative requirements on a write body for this account (e.g. Greenhouse's)."""
        return ()

    def plan(self, call: Call, account: AccountContext) -> Plan:
        """The plan of a call the gateway has checked against `support`. Rules and translation are both checked
        before raising, so one answer lists every problem."""
        errors = check_rules(self.rules(call.operation, account), call.body) if call.body is not None else []
        try:
            plan = self.handler(call.operation)(call, account)
        except InvalidInput as exc:
            raise InvalidInput([*errors, *exc.errors], exc.status) from exc
        if errors:
            raise InvalidInput(errors)
        return plan

    def requirements(self, operation: Operation, account: AccountContext) -> Plan | None:
        """A plan reading what the vendor requires of this write for this account, ending in a
        `RequirementsResult`; None when the connector's declared rules are all there is. `/meta` runs it through
        the same driver and cache as the write's own plan, which checks the same answer."""
        return None

    def error_message(self, response: ProviderResponse) -> str | None:
        """The vendor's own human sentence from an error body, when it has one."""
        return None

    def field_errors(self, response: ProviderResponse) -> list[FieldError]:
        """The vendor's refusal of a write, field by field in unified names, where its error body says which."""
        return []

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """A plan that looks for the record a create may have made, by its natural key (job code, candidate
        e-mail), created after `since`; None when the record has no natural key or the vendor cannot search it.
        `settled`: long enough has passed that the vendor can no longer be processing the original request."""
        return None


def one_request(request: ProviderRequest, read: Callable[[ProviderResponse], Result]) -> Plan:
    """The plan of most operations: one vendor request, its response read into the unified result."""
    response = yield request
    return read(response)


def fetch_file(record: Mapping[str, Any], vendor: str, url_field: str = "file_url") -> Steps[FileResult]:
    """The file a vendor's attachment record points at. Sent with no vendor credentials (they would leak to the
    file host, a signed storage URL), and fetched by the gateway only from the provider's `download_hosts`."""
    url = record.get(url_field)
    if not isinstance(url, str) or not url:
        raise UnexpectedResponse(f"{vendor}'s attachment has no {url_field}")
    response = yield ProviderRequest("GET", url, {"accept": "*/*"}, binary=True)
    content = response.body if isinstance(response.body, bytes) else b""
    name = record.get("file_name")
    kind = response.headers.get("content-type", "application/octet-stream")
    return FileResult(content, kind, name if isinstance(name, str) and name else None)


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
