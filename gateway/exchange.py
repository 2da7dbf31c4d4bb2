"""The per-request object every stage of the pipeline reads and fills, and the services the stages share.

A request moves through authenticate → prepare → admit → execute → settle → render (gateway/pipeline.py). Each
stage is a small unit with one job; what one stage learns and a later one needs travels here, so no stage takes
more than the exchange and the services.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from connectors.base import AccountContext, Call, Connector, Plan
from connectors.catalogue import Operation
from connectors.registry import Registry
from gateway import limits
from gateway.auth import Authenticator
from gateway.config import Account, Caller, GatewayConfig, Provider
from gateway.cursors import CursorScope, CursorSigner
from gateway.executor import RetryPolicy
from gateway.idempotency import Lease
from gateway.metrics import Metrics
from gateway.query import Options
from gateway.state import StateStore
from gateway.state.base import Admission, Claim, Limit, VendorBudget
from gateway.upstream import Upstream


@dataclass
class Services:
    """What every request shares: configuration, the connectors, the vendors, the state store, the meters."""

    config: GatewayConfig
    registry: Registry
    upstream: Upstream
    auth: Authenticator
    signer: CursorSigner
    store: StateStore
    local: StateStore
    """Limits keep working on one replica while the shared store is away (fail open, counted and logged)."""
    metrics: Metrics
    contexts: Mapping[str, AccountContext]
    retries: Mapping[str, RetryPolicy]
    background: set[asyncio.Task[None]] = field(default_factory=set)
    """Outcomes still being written after their request answered (the store was briefly away)."""

    def provider(self, account: Account) -> Provider:
        return self.config.providers[account.provider]

    def connector(self, account: Account) -> Connector:
        return self.registry[self.provider(account).connector]

    def vendor_budget(self, account: Account, caller: Caller, owner: str) -> VendorBudget:
        """The shared state of the vendor credential `account` calls with, as `caller` takes from it."""
        name = self.connector(account).quota_credential
        credential = self.contexts[account.id].credentials.get(name, "")
        return limits.vendor_budget(self.provider(account), credential, name, owner, caller)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


@dataclass
class Exchange:
    """One unified request on its way through the stages."""

    request: Request
    operation: Operation
    caller: Caller
    account: Account
    connector: Connector
    context: AccountContext
    inbound: Sequence[Limit]
    """The caller's rate limits for this account."""
    options: Options = field(default_factory=Options)
    call: Call | None = None
    plan: Plan | None = None
    raw_body: dict[str, Any] | None = None
    """The body as the caller sent it: what an idempotency key's fingerprint covers."""
    key: str | None = None
    claim: Claim | None = None
    budget: VendorBudget | None = None
    store: StateStore | None = None
    """Where this request's admission was recorded: the shared store, or this replica's fallback."""
    admission: Admission | None = None
    lease: Lease | None = None
    """This request's hold on its idempotency claim, by its own clock (gateway/idempotency.py)."""
    rate_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return self.account.provider

    @property
    def scope(self) -> CursorScope:
        """What a list cursor is bound to: caller, account, operation and its path, and the filters."""
        assert self.call is not None
        where = "/".join([self.operation.id, *self.call.path.values()])
        return CursorScope(self.caller.name, self.account.id, where, self.call.query.filters)
