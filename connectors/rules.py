"""Declarative requirements a vendor or ATS puts on a write body.

Declared once per connector and account, they are both enforced (before any vendor call) and published (in the
capability discovery schema), so what the gateway says it needs can never drift from what it checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from connectors.errors import FieldError


class Rule(Protocol):
    @property
    def field(self) -> str: ...

    @property
    def rule(self) -> str: ...

    def check(self, value: Any) -> FieldError | None: ...

    def constrain(self, schema: dict[str, Any]) -> None:
        """Tighten the JSON Schema of the write body to say what `check` enforces."""


@dataclass(frozen=True)
class Required:
    field: str
    rule: str
    message: str

    def check(self, value: Any) -> FieldError | None:
        if value is None:
            return FieldError(self.field, self.rule, self.message, code="missing_required_field")
        return None

    def constrain(self, schema: dict[str, Any]) -> None:
        required = schema.setdefault("required", [])
        if self.field not in required:
            required.append(self.field)
        prop = schema.get("properties", {}).get(self.field)
        if isinstance(prop, dict) and "anyOf" in prop:
            prop["anyOf"] = [alt for alt in prop["anyOf"] if alt.get("type") != "null"]


@dataclass(frozen=True)
class MaxItems:
    field: str
    rule: str
    limit: int
    message: str

    def check(self, value: Any) -> FieldError | None:
        if isinstance(value, list) and len(value) > self.limit:
            return FieldError(self.field, self.rule, self.message, code="too_many_items")
        return None

    def constrain(self, schema: dict[str, Any]) -> None:
        prop = schema.get("properties", {}).get(self.field)
        if not isinstance(prop, dict):
            return
        for alt in prop.get("anyOf", [prop]):
            if alt.get("type") == "array":
                alt["maxItems"] = self.limit


def check_rules(rules: Sequence[Rule], body: BaseModel) -> list[FieldError]:
    errors = []
    for rule in rules:
        error = rule.check(getattr(body, rule.field, None))
        if error is not None:
            errors.append(error)
    return errors
