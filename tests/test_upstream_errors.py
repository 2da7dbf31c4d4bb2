"""Vendor failures, as the one error translator reports them (respx stands in for the vendor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from connectors.base import AccountContext, Call
from connectors.catalogue import CATALOGUE
from connectors.registry import Registry
from connectors.stackone import StackOneConnector
from connectors.unified.writes import JobWrite
from gateway.config import Provider, Timeouts
from gateway.errors import GatewayError
from gateway.executor import execute
from gateway.upstream import Upstream
from tests.contract import check_httpx_request

BASE = "https://api.stackone.test"
ACCOUNT = AccountContext("a", None, "linked-1", {"api_key": "sk_live_secret"})
CREATE = Call(CATALOGUE["ats_create_job"], body=JobWrite(title="T"))
LIST = Call(CATALOGUE["ats_list_jobs"])


@pytest.fixture
def vendor() -> Iterator[respx.MockRouter]:
    """A respx router standing in for StackOne; every request it saw is checked against StackOne's contract."""
    with respx.mock(assert_all_called=False) as router:
        yield router
        assert router.calls, "the test sent nothing"
        for call in router.calls:
            check_httpx_request("stackone", call.request)


def upstream(read_timeout: float = 5.0) -> Upstream:
    timeouts = Timeouts(connect=1, read=read_timeout, total=read_timeout + 1)
    # respx intercepts httpx's own transport; the aiohttp one is covered by tests/test_transport.py.
    return Upstream({"so": Provider(connector="stackone", base_url=BASE, timeouts=timeouts)}, kind="httpx")


async def run(call: Call, up: Upstream | None = None) -> Any:
    connector = StackOneConnector()
    plan = connector.plan(call, ACCOUNT)
    return await execute(plan, connector, "so", up or upstream())


async def test_stackone_create_sends_basic_auth_and_account_header(vendor: respx.MockRouter) -> None:
    route = vendor.post(f"{BASE}/unified/ats/jobs").respond(
        201, json={"statusCode": 201, "message": "ok", "timestamp": "t", "data": {"id": "j1", "remote_id": "r1"}}
    )
    execution = await run(CREATE)
    assert (execution.result.id, execution.result.remote_id) == ("j1", "r1")
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Basic c2tfbGl2ZV9zZWNyZXQ6"  # base64("sk_live_secret:")
    assert sent.headers["x-account-id"] == "linked-1"
    assert sent.headers["user-agent"].startswith("ats-gateway/")


async def test_stackone_create_accepts_200_as_older_specs_answered(vendor: respx.MockRouter) -> None:
    vendor.post(f"{BASE}/unified/ats/jobs").respond(
        200, json={"statusCode": 200, "message": "ok", "timestamp": "t", "data": {"id": "j1", "remote_id": None}}
    )
    assert (await run(CREATE)).result.id == "j1"


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected_status", "code"),
    [
        (401, {"statusCode": 401, "message": "Unauthorized", "timestamp": "t"}, {}, 502, "provider_auth_failed"),
        (403, {"statusCode": 403, "message": "Forbidden resource", "timestamp": "t"}, {}, 502, "provider_auth_failed"),
        (404, {"statusCode": 404, "message": "Not Found", "timestamp": "t"}, {}, 404, "not_found"),
        (409, {"statusCode": 409, "message": "Conflict", "timestamp": "t"}, {}, 409, "provider_conflict"),
        (400, {"statusCode": 400, "message": "Bad Request", "timestamp": "t"}, {}, 422, "provider_validation_error"),
        (422, {"statusCode": 422, "message": "Unprocessable", "timestamp": "t"}, {}, 422, "provider_validation_error"),
        (
            429,
            {"statusCode": 429, "message": "Too many", "timestamp": "t"},
            {"Retry-After": "7"},
            429,
            "provider_rate_limited",
        ),
        (408, {"statusCode": 408, "message": "Request timed out", "timestamp": "t"}, {}, 504, "outcome_unknown"),
        (500, {"statusCode": 500, "message": "Internal", "timestamp": "t"}, {}, 502, "outcome_unknown"),
        (502, "<html>bad gateway</html>", {}, 502, "outcome_unknown"),
    ],
)
async def test_vendor_statuses_on_a_write(
    vendor: respx.MockRouter, status: int, body: Any, headers: dict[str, str], expected_status: int, code: str
) -> None:
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    vendor.post(f"{BASE}/unified/ats/jobs").respond(status, headers=headers, **kwargs)
    with pytest.raises(GatewayError) as caught:
        await run(CREATE)
    error = caught.value
    assert (error.status, error.code) == (expected_status, code)
    assert error.provider_errors[0].status == status
    assert error.provider_errors[0].raw == body
    if status == 429:
        assert error.headers["Retry-After"] == "7"
        assert error.retryable


async def test_vendor_5xx_on_a_read_is_a_retryable_provider_error(vendor: respx.MockRouter) -> None:
    vendor.get(f"{BASE}/unified/ats/jobs").respond(503, text="")
    with pytest.raises(GatewayError) as caught:
        await run(LIST)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (502, "provider_error", True)


async def test_connection_refused_means_nothing_was_sent(vendor: respx.MockRouter) -> None:
    vendor.post(f"{BASE}/unified/ats/jobs").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(GatewayError) as caught:
        await run(CREATE)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (503, "provider_unavailable", True)


async def test_timeout_after_sending_a_write_is_outcome_unknown(vendor: respx.MockRouter) -> None:
    vendor.post(f"{BASE}/unified/ats/jobs").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(GatewayError) as caught:
        await run(CREATE)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (504, "outcome_unknown", False)


async def test_connection_lost_after_sending_a_write_is_outcome_unknown(vendor: respx.MockRouter) -> None:
    vendor.post(f"{BASE}/unified/ats/jobs").mock(side_effect=httpx.RemoteProtocolError("reset"))
    with pytest.raises(GatewayError) as caught:
        await run(CREATE)
    assert (caught.value.status, caught.value.code) == (502, "outcome_unknown")


async def test_unreadable_success_body_is_502_not_500(vendor: respx.MockRouter) -> None:
    vendor.post(f"{BASE}/unified/ats/jobs").respond(201, json={"unexpected": True})
    with pytest.raises(GatewayError) as caught:
        await run(CREATE)
    assert caught.value.code == "unexpected_provider_response"
    assert "accepted the write" in caught.value.message


def test_registry_discovers_builtin_connectors_through_entry_points() -> None:
    registry = Registry.discover()
    assert set(registry) >= {"stackone", "bindbee"}
    assert registry["stackone"].name == "stackone"


def test_a_third_party_connector_registers_without_editing_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    import connectors.registry as module

    class Acme(StackOneConnector):
        name = "acme"

    monkeypatch.setattr("tests.test_upstream_errors.Acme", Acme, raising=False)
    entry = EntryPoint("acme", "tests.test_upstream_errors:Acme", module.ENTRY_POINT_GROUP)
    monkeypatch.setattr(module, "entry_points", lambda group: [entry] if group == module.ENTRY_POINT_GROUP else [])
    assert list(module.Registry.discover()) == ["acme"]
