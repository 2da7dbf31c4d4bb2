"""Capability discovery: what an account's connector offers, and the JSON Schema each write must satisfy.

Built from the same declarations the pipeline enforces (capabilities, rules, write models), so what it says can
never disagree with what the gateway does.
"""

from __future__ import annotations

import copy
from typing import Any

from connectors.base import AccountContext, Action, Connector, Operation
from connectors.rules import Required
from gateway.inputs import UNIFIED_FILTERS
from gateway.pipeline import READ_MODELS, WRITE_MODELS

_METHODS = {Action.LIST: "GET", Action.GET: "GET", Action.CREATE: "POST", Action.UPDATE: "PATCH"}


def _path(operation: Operation) -> str:
    base = f"/unified/ats/{operation.resource.value}"
    return base + "/{id}" if operation.action in (Action.GET, Action.UPDATE) else base


def describe(connector: Connector, account: AccountContext, account_id: str) -> dict[str, Any]:
    capabilities = connector.capabilities(account)
    routed = [Operation(r, a) for r in READ_MODELS for a in (Action.LIST, Action.GET)] + list(WRITE_MODELS)
    operations = []
    for operation in routed:
        capability = capabilities[operation]
        entry: dict[str, Any] = {
            "operation": str(operation),
            "method": _METHODS[operation.action],
            "path": _path(operation),
            "supported": capability.supported,
        }
        if not capability.supported:
            entry["reason"] = capability.reason
        if operation.action == Action.LIST and capability.supported:
            entry["filters"] = [f for f in UNIFIED_FILTERS.get(operation.resource, {}) if f in capability.filters]
        if operation.is_write and capability.supported:
            entry["schema"] = _write_schema(connector, account, operation)
        operations.append(entry)
    return {"account": account_id, "connector": connector.name, "ats": account.ats, "operations": operations}


def _write_schema(connector: Connector, account: AccountContext, operation: Operation) -> dict[str, Any]:
    schema = copy.deepcopy(WRITE_MODELS[operation].model_json_schema())
    defaults = account.defaults
    for rule in connector.rules(operation, account):
        # Rules are checked after the account's defaults are applied: a defaulted field is not asked of the caller.
        if isinstance(rule, Required) and rule.field in defaults:
            continue
        rule.constrain(schema)
    return schema
