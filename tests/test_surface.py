"""StackOne's whole ATS surface through the gateway: every catalogue operation on every connector.

On a StackOne account each of the 76 operations runs end to end against the StackOne sandbox and its answer is
validated against StackOne's own document for that operation and status, exactly as a StackOne client would read
it. On the Bindbee accounts each operation is either served (its reads run end to end against the Bindbee
sandbox; its writes are covered by their own tests) or answers 501 with the reason the connector declares.
No unified path answers 404 `route_not_found`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connectors.base import AccountContext
from connectors.bindbee import BindbeeConnector
from connectors.catalogue import CATALOGUE, Operation
from gateway.config import ResolvedConfig
from tests.conftest import Harness, demo_with, running
from tests.test_sandbox_stackone import ACCOUNT, EXAMPLES, documented, is_success


def _stackone_like_the_sandbox_tests(raw: dict[str, Any]) -> None:
    """The StackOne account is the linked account the sandbox's own examples quote their seed ids for."""
    account = next(a for a in raw["accounts"] if a["id"] == "stackone-demo")
    account.update(vendor_account_id=ACCOUNT, ats="greenhouse")


@dataclass
class Gateway:
    """What the sandbox's examples call, pointed at the gateway instead of the sandbox."""

    harness: Harness

    async def __call__(self, method: str, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        kwargs.pop("account", None)
        kwargs.pop("key", None)
        return await self.harness.call(method, f"/unified/ats{path}", "stackone-demo", json=json, **kwargs)


@pytest.fixture
async def stackone() -> AsyncIterator[Harness]:
    config: ResolvedConfig = demo_with(_stackone_like_the_sandbox_tests)
    async with running(config) as harness:
        yield harness


@pytest.mark.parametrize("op_id", list(CATALOGUE))
async def test_every_operation_is_served_on_stackone_as_stackone_documents_it(stackone: Harness, op_id: str) -> None:
    response = await EXAMPLES[op_id](Gateway(stackone))  # type: ignore[arg-type]
    assert is_success(op_id, response.status_code), response.text
    documented(op_id, response)


def _path(op: Operation) -> str:
    """The operation's path with ids no record has: a 501 is answered before any lookup."""
    return op.path.replace("{id}", "00000000-0000-4000-8000-000000000001").replace(
        "{subResourceId}", "00000000-0000-4000-8000-000000000002"
    )


ACCOUNTS = ("bindbee-demo", "bindbee-greenhouse-demo")


def _cases() -> list[tuple[str, str]]:
    return [(account, op_id) for account in ACCOUNTS for op_id in CATALOGUE]


async def _first(harness: Harness, account: str, path: str) -> str:
    response = await harness.call("GET", path, account)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data, f"{path}: the seed leaves it empty"
    return str(data[0]["id"])


async def _read_path(harness: Harness, account: str, op: Operation) -> str:
    """A served read's path with real ids: parents from their lists, sub-records from the parent's list."""
    path = op.path
    if "{id}" in path:
        parent = "/".join(path.split("/")[:4])
        if op.answer.value == "record" and path.endswith("/{id}"):
            parent = path.removesuffix("/{id}")
        path = path.replace("{id}", await _first(harness, account, parent))
    if "{subResourceId}" in path:
        listing = path[: path.index("/{subResourceId}")]
        path = path.replace("{subResourceId}", await _first(harness, account, listing))
    return path


@pytest.mark.parametrize("op_id", [op.id for op in CATALOGUE.values() if op.filter_style == "form"])
@pytest.mark.parametrize("spelling", ["filter[updated_after]", "updated_after"])
async def test_a_form_style_filter_is_sent_to_stackone_as_its_document_spells_it(
    stackone: Harness, op_id: str, spelling: str
) -> None:
    """Two operations' `filter` has no deepObject style in StackOne's document: the sandbox's contract check (every
    request the harness sends) holds the gateway to `updated_after=…` there, whichever spelling the caller used."""
    op = CATALOGUE[op_id]
    response = await stackone.call("GET", op.path, "stackone-demo", params={spelling: "2020-01-01T00:00:00.000Z"})
    assert response.status_code == 200, response.text  # a request the document refuses fails the harness: a 500


@pytest.mark.parametrize(("account", "op_id"), _cases(), ids=[f"{a}:{o}" for a, o in _cases()])
async def test_every_operation_is_served_on_bindbee_or_answers_501_with_its_reason(
    harness: Harness, account: str, op_id: str
) -> None:
    op = CATALOGUE[op_id]
    ats = "greenhouse" if account == "bindbee-greenhouse-demo" else None
    support = BindbeeConnector().support(AccountContext(account, ats, None, {}))[op_id]
    if not support.supported:
        response = await harness.call(op.method, _path(op), account, json={} if op.request else None)
        assert response.status_code == 501, response.text
        assert response.json()["code"] == "not_implemented"
        assert str(support.reason) in response.json()["message"]
        return
    if op.is_write:
        pytest.skip("served writes run end to end in their own tests (tests/test_bindbee_*.py)")
    response = await harness.call("GET", await _read_path(harness, account, op), account)
    assert response.status_code == 200, response.text
