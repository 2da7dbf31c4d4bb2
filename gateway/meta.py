"""Capability discovery: what an account's connector offers, and the JSON Schema each write must satisfy.

Built from the same declarations the pipeline enforces (the catalogue, the connector's support table, its rules),
so what it says can never disagree with what the gateway does.
"""

from __future__ import annotations

import copy
from typing import Any

from connectors.base import AccountContext, Connector, Support
from connectors.catalogue import CATALOGUE, Operation
from connectors.rules import Required


def describe(connector: Connector, account: AccountContext) -> dict[str, Any]:
    support = connector.support(account)
    operations = [_entry(connector, account, op, support[op.id]) for op in CATALOGUE.values()]
    return {"account": account.account_id, "connector": connector.name, "ats": account.ats, "operations": operations}


def _entry(connector: Connector, account: AccountContext, op: Operation, support: Support) -> dict[str, Any]:
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
        entry["parameters"] = {name: name in support.params for name in forwarded}
    if op.request is not None:
        entry["schema"] = _write_schema(connector, account, op)
    return entry


def _write_schema(connector: Connector, account: AccountContext, op: Operation) -> dict[str, Any]:
    assert op.request is not None
    schema = copy.deepcopy(op.request.model_json_schema())
    for rule in connector.rules(op, account):
        # Rules are checked after the account's defaults are applied: a defaulted field is not asked of the caller.
        if isinstance(rule, Required) and rule.field in account.defaults:
            continue
        rule.constrain(schema)
    return schema
