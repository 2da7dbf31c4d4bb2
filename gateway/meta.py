"""Capability discovery: what an account's connector offers, and the JSON Schema each write must satisfy.

Built from the same declarations the pipeline enforces (the catalogue, the connector's support table, its rules),
so what it says can never disagree with what the gateway does. What the vendor itself requires of an account's
writes (Merge's `/meta/post`) is read through the same driver and shared cache as the writes' own plans.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Mapping, Sequence
from typing import Any

from connectors.base import AccountContext, Connector, Plan, RequirementsResult, Support
from connectors.catalogue import CATALOGUE, Operation
from connectors.rules import Required, Rule
from gateway.config import Account, Caller
from gateway.errors import GatewayError
from gateway.exchange import Services
from gateway.executor import execute
from gateway.gate import VendorGate
from gateway.state import StoreUnavailable


def describe(
    connector: Connector, account: AccountContext, vendor_rules: Mapping[str, Sequence[Rule]] | None = None
) -> dict[str, Any]:
    support = connector.support(account)
    operations = [
        _entry(connector, account, op, support[op.id], (vendor_rules or {}).get(op.id, ())) for op in CATALOGUE.values()
    ]
    return {"account": account.account_id, "connector": connector.name, "ats": account.ats, "operations": operations}


def _entry(
    connector: Connector, account: AccountContext, op: Operation, support: Support, vendor_rules: Sequence[Rule]
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "operation": op.id,
        "method": op.method,
        "path": op.path,
        "supported": support.supported,
    }
    if not support.supported:
        entry["reason"] = support.reason
        return entry
    if support.note:
        entry["note"] = support.note
    if op.filters:
        entry["filters"] = [f.name for f in op.filters if (f.alias_of or f.name) in support.filters]
    forwarded = [p.name for p in op.params if p.forwarded]
    if forwarded:
        entry["parameters"] = {
            name: sorted(support.values[name]) if name in support.values else name in support.params
            for name in forwarded
        }
    if op.request is not None:
        entry["schema"] = _write_schema(account, op, [*connector.rules(op, account), *vendor_rules])
    return entry


def _write_schema(account: AccountContext, op: Operation, rules: Sequence[Rule]) -> dict[str, Any]:
    assert op.request is not None
    schema = copy.deepcopy(op.request.model_json_schema())
    for rule in rules:
        # Rules are checked after the account's defaults are applied: a defaulted field is not asked of the caller.
        if isinstance(rule, Required) and rule.field in account.defaults:
            continue
        rule.constrain(schema)
    return schema


async def vendor_rules(services: Services, caller: Caller, account: Account) -> dict[str, Sequence[Rule]]:
    """What the vendor requires of each write this account's connector serves, by operation id; a vendor
    failure is answered as it would be for the write itself."""
    connector, context = services.connector(account), services.contexts[account.id]
    support = connector.support(context)
    found: dict[str, Sequence[Rule]] = {}
    for op in CATALOGUE.values():
        plan = connector.requirements(op, context) if support[op.id].supported else None
        if plan is not None:
            found[op.id] = await _drive(services, caller, account, connector, op, plan)
    return found


async def _drive(
    services: Services, caller: Caller, account: Account, connector: Connector, op: Operation, plan: Plan
) -> Sequence[Rule]:
    """One requirements plan under the credential's vendor budget, its answers shared through the state store."""
    provider = services.provider(account)
    budget = services.vendor_budget(account, caller, os.urandom(16).hex())
    max_wait = provider.quota.max_wait_seconds if provider.quota else 0.0
    gate = VendorGate(services.store, budget, account.provider, max_wait, services.metrics, connector.name)
    retry = services.retries[account.provider]
    try:
        execution = await execute(
            plan, connector, account.provider, services.upstream, gate, services.metrics, op.id, retry
        )
    except StoreUnavailable as exc:
        raise GatewayError(
            503,
            "state_store_unavailable",
            "The state store is unreachable, so the vendor's budget cannot be kept; nothing was sent",
            retryable=True,
            headers={"Retry-After": "1"},
        ) from exc
    finally:
        with contextlib.suppress(StoreUnavailable):
            await services.store.finish(None, budget, gate.health or "neutral")
    if not isinstance(execution.result, RequirementsResult):
        raise TypeError(f"{connector.name}'s requirements plan for {op.id} ended without a RequirementsResult")
    return execution.result.rules
