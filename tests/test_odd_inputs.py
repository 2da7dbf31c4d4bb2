"""Odd input is a 4xx naming where, never a 500, and never a poisoned idempotency key.

Each bad input was a 500 (or worse, silently read as something else) before: numbers JSON cannot carry, unpaired
surrogates, non-ASCII digits, ids that are dot segments. After each refusal the same Idempotency-Key runs
normally, since nothing was sent. A vendor's odd answers (a huge Retry-After, NaN) are held to the same rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx
from starlette.requests import Request

from connectors.base import (
    AccountContext,
    Call,
    Plan,
    ProviderRequest,
    ProviderResponse,
    WriteResult,
)
from connectors.bindbee import BindbeeConnector
from connectors.catalogue import CATALOGUE
from connectors.errors import UnexpectedResponse
from connectors.stackone import StackOneConnector
from connectors.unified.writes import CandidateUpdate
from gateway import limits, upstream
from gateway.app import create_app
from gateway.config import Provider, ResolvedConfig, Timeouts
from gateway.cursors import CursorScope, CursorSigner
from gateway.errors import GatewayError
from gateway.executor import execute
from gateway.inputs import read_json_body
from gateway.upstream import Upstream
from tests.conftest import Harness, basic

JOBS = "/unified/ats/jobs"
CANDIDATES = "/unified/ats/candidates"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4()), "content-type": "application/json"}


def vendor_writes(harness: Harness, provider: str = "stackone-sandbox") -> int:
    return sum(1 for method, _, _ in harness.sent(provider) if method in ("POST", "PATCH"))


async def runs_normally_with(harness: Harness, headers: dict[str, str]) -> None:
    """The key of a refused request is free: the same key with a good body creates the job, once."""
    before = vendor_writes(harness)
    good = await harness.call("POST", JOBS, json={"title": "After the refusal"}, headers=headers)
    assert good.status_code == 201, good.text
    assert "idempotent-replayed" not in good.headers
    assert vendor_writes(harness) == before + 1


# --- numbers JSON cannot carry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
async def test_a_number_json_cannot_carry_is_400_naming_its_path(harness: Harness, literal: str) -> None:
    headers = key()
    body = f'{{"title": "Odd", "passthrough": {{"budget": [1, {literal}]}}}}'.encode()
    response = await harness.call("POST", JOBS, content=body, headers=headers)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == "malformed_json"
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [("passthrough.budget[1]", "json.number_range")]
    assert vendor_writes(harness) == 0
    await runs_normally_with(harness, headers)


async def test_every_unrepresentable_number_is_listed(harness: Harness) -> None:
    body = b'{"title": NaN, "passthrough": {"a": {"b": Infinity}, "c": 1e-400}}'
    response = await harness.call("POST", JOBS, content=body, headers=key())
    assert response.status_code == 400
    # 1e-400 is merely rounded to 0.0, as any JSON parser does: only values no double holds are refused.
    assert sorted(e["field"] for e in response.json()["errors"]) == ["passthrough.a.b", "title"]


# --- unpaired surrogates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "\\ud800"}', "title"),
        (b'{"title": "ok", "passthrough": {"note": ["x", "a\\udfffb"]}}', "passthrough.note[1]"),
        (b'{"title": "ok", "passthrough": {"\\udc00k": 1}}', "passthrough.\\udc00k"),
        # The same, as the bytes Python's JSON decoder lets through (it decodes with "surrogatepass").
        (b'{"title": "\xed\xa0\x80"}', "title"),
    ],
)
async def test_an_unpaired_surrogate_is_400_naming_the_field(harness: Harness, body: bytes, field: str) -> None:
    headers = key()
    response = await harness.call("POST", JOBS, content=body, headers=headers)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == "malformed_json"
    assert [(e["field"], e["rule"]) for e in answer["errors"]] == [(field, "json.unpaired_surrogate")]
    assert vendor_writes(harness) == 0
    await runs_normally_with(harness, headers)


async def test_a_surrogate_pair_is_a_character_and_goes_through(harness: Harness) -> None:
    response = await harness.call("POST", JOBS, content=b'{"title": "Launch \\ud83d\\ude80"}', headers=key())
    assert response.status_code == 201, response.text
    [(_, _, sent)] = [s for s in harness.sent("stackone-sandbox") if s[0] == "POST"]
    assert sent["title"] == "Launch \U0001f680"


# --- digits ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "３", "1²"])
async def test_page_size_takes_ascii_digits_only(harness: Harness, value: str) -> None:
    before = len(harness.sent("stackone-sandbox"))
    response = await harness.call("GET", JOBS, params={"page_size": value})
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == "invalid_parameter"
    assert [e["field"] for e in answer["errors"]] == ["page_size"]
    assert len(harness.sent("stackone-sandbox")) == before


async def test_page_size_in_ascii_digits_is_read(harness: Harness) -> None:
    response = await harness.call("GET", JOBS, params={"page_size": "3"})
    assert response.status_code == 200
    assert 1 <= len(response.json()["data"]) <= 3


def test_a_vendor_retry_after_in_other_digits_is_no_delay() -> None:
    assert limits.retry_after_seconds({"retry-after": "²"}) is None
    assert limits.retry_after_seconds({"retry-after": "٣"}) is None
    assert limits.cooldown_ms({"x-ratelimit-reset": "١٧٠٠٠٠٠٠٠٠"}) == 60_000  # unreadable: the default


@pytest.mark.parametrize(
    ("answer", "read"),
    [
        (b'{"id": 123456789012345678901234567890}', {"id": 123456789012345678901234567890}),  # every digit kept
        (b'{"id": 9007199254740993}', {"id": 9007199254740993}),
        (b'{"name": "\\ud83d\\ude00"}', {"name": "\U0001f600"}),
        (b'{"n": NaN}', '{"n": NaN}'),  # not JSON the gateway can pass on: the text, which plans call unreadable
        (b'{"n": 1e400}', '{"n": 1e400}'),
        (b'{"name": "\\ud800"}', '{"name": "\\ud800"}'),
    ],
)
def test_a_vendor_answer_is_read_exactly_or_not_at_all(answer: bytes, read: object) -> None:
    assert upstream._body(answer) == read


# --- ids that are dot segments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-demo"])
@pytest.mark.parametrize(("encoded", "rule"), [("%2E", "dot_segment"), ("%2e%2E", "dot_segment"), ("%00", "control")])
async def test_an_id_that_is_a_dot_segment_is_400_before_any_call(
    harness: Harness, account: str, encoded: str, rule: str
) -> None:
    provider = "stackone-sandbox" if account == "stackone-demo" else "bindbee-sandbox"
    before = len(harness.sent(provider))
    response = await harness.call("GET", f"{CANDIDATES}/{encoded}", account)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["code"] == "invalid_parameter"
    [error] = answer["errors"]
    assert error["field"] == "id"
    assert error["rule"].startswith(f"path.{rule}")
    assert len(harness.sent(provider)) == before


async def test_an_update_of_a_dot_segment_id_leaves_its_key_free(harness: Harness) -> None:
    headers = key()
    refused = await harness.call("PATCH", f"{CANDIDATES}/%2E%2E", json={"first_name": "X"}, headers=headers)
    assert refused.status_code == 400
    assert vendor_writes(harness) == 0
    candidate = (await harness.call("GET", CANDIDATES, params={"page_size": "1"})).json()["data"][0]["id"]
    updated = await harness.call("PATCH", f"{CANDIDATES}/{candidate}", json={"first_name": "X"}, headers=headers)
    assert updated.status_code == 200, updated.text
    assert "idempotent-replayed" not in updated.headers
    assert vendor_writes(harness) == 1


# --- a failure before the write leaves releases its key ------------------------------------------------------------


async def test_a_body_that_fails_to_encode_leaves_the_key_free(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever escapes the checks above and fails while the vendor request is encoded was never sent: the key
    is released (it used to replay 502 outcome_unknown for 24 h)."""
    real = upstream.encode
    failures = iter([ValueError("Out of range float values are not JSON compliant")])

    def failing_once(base_url: str, request: ProviderRequest, traceparent: str | None = None) -> Any:
        for failure in failures:
            raise failure
        return real(base_url, request, traceparent)

    monkeypatch.setattr(upstream, "encode", failing_once)
    headers, body = key(), {"title": "Encoded at last", "code": uuid.uuid4().hex}
    crashed = await harness.call("POST", JOBS, json=body, headers=headers)
    assert crashed.status_code == 500
    assert vendor_writes(harness) == 0
    again = await harness.call("POST", JOBS, json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert vendor_writes(harness) == 1


class Gate:
    """The executor's view of the pipeline's vendor gate, admitting everything."""

    def __init__(self) -> None:
        self.dispatched = False

    async def cached(self, request: ProviderRequest) -> ProviderResponse | None:
        return None

    async def remember(self, request: ProviderRequest, response: ProviderResponse) -> None:
        return None

    async def before(self, request: ProviderRequest) -> None:
        return None

    def observed(self, health: str) -> None:
        return None

    async def pushed_back(self, response: Any) -> None:
        return None


BASE = "https://api.stackone.test"


@pytest.fixture
def vendor() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def one_upstream() -> Upstream:
    timeouts = Timeouts(connect=1, read=2, total=3)
    return Upstream({"so": Provider(connector="stackone", base_url=BASE, timeouts=timeouts)}, kind="httpx")


def write_then_read() -> Plan:
    yield ProviderRequest("POST", "/unified/ats/jobs", {}, json={"title": "x"}, ok_statuses=frozenset({201}))
    yield ProviderRequest("GET", "/unified/ats/jobs/j1", {})
    return WriteResult("j1", "r1")


def one_write(body: Any) -> Plan:
    yield ProviderRequest("POST", "/unified/ats/jobs", {}, json=body, ok_statuses=frozenset({201}))
    return WriteResult("j1", "r1")


async def test_a_write_is_marked_as_sent_only_once_it_is_encoded() -> None:
    gate = Gate()
    with pytest.raises(ValueError, match="JSON compliant"):
        await execute(one_write({"x": float("nan")}), StackOneConnector(), "so", one_upstream(), gate)
    assert gate.dispatched is False


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("refused"), httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "1"})],
)
async def test_a_write_the_vendor_did_nothing_with_is_not_left_marked(vendor: respx.MockRouter, answer: Any) -> None:
    """Not sent, or refused with 429: an interruption while waiting to retry must release the key."""
    route = vendor.post(f"{BASE}/unified/ats/jobs")
    if isinstance(answer, Exception):
        route.mock(side_effect=answer)
    else:
        route.mock(return_value=answer)
    gate = Gate()
    with pytest.raises(GatewayError) as caught:
        await execute(one_write({"title": "x"}), StackOneConnector(), "so", one_upstream(), gate)
    assert caught.value.outcome == "not_sent"
    assert gate.dispatched is False


async def test_a_failure_after_the_write_was_applied_never_releases_the_key(vendor: respx.MockRouter) -> None:
    """A later call that reaches nothing (here: connection refused) must not let a retry send the write again."""
    vendor.post(f"{BASE}/unified/ats/jobs").respond(201, json={"data": {"id": "j1"}})
    vendor.get(f"{BASE}/unified/ats/jobs/j1").mock(side_effect=httpx.ConnectError("refused"))
    gate = Gate()
    with pytest.raises(GatewayError) as caught:
        await execute(write_then_read(), StackOneConnector(), "so", one_upstream(), gate)
    assert (caught.value.status, caught.value.code, caught.value.outcome) == (502, "outcome_unknown", "unknown")
    assert gate.dispatched is True


# --- a vendor's Retry-After --------------------------------------------------------------------------------------


def test_a_vendor_retry_after_is_capped_as_the_cooldown_is() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cap = limits.MAX_COOLDOWN_MS / 1000
    assert limits.retry_after_seconds({"retry-after": "999999"}) == cap
    assert limits.retry_after_seconds({"retry-after": format_datetime(now + timedelta(days=9))}, now) == cap
    assert limits.retry_after_seconds({"retry-after": "7"}) == 7
    assert limits.cooldown_ms({"retry-after": "999999"}) == limits.MAX_COOLDOWN_MS
    reset = str(int((now + timedelta(days=1)).timestamp()))
    assert limits.cooldown_ms({"x-ratelimit-reset": reset}, now) == limits.MAX_COOLDOWN_MS


async def test_a_vendor_429_asking_for_days_is_told_to_the_caller_capped(demo_config: ResolvedConfig) -> None:
    vendor_calls = []

    def stackone(request: httpx.Request) -> httpx.Response:
        vendor_calls.append(request)
        return httpx.Response(429, json={"message": "Too many requests"}, headers={"Retry-After": "999999"})

    app = create_app(demo_config, transports={"stackone-sandbox": httpx.MockTransport(stackone)})
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        first = await client.get(JOBS, headers=headers)
        held = await client.get(JOBS, headers=headers)
    await app.state.gateway.aclose()
    assert (first.status_code, first.json()["code"]) == (429, "provider_rate_limited")
    assert first.headers["retry-after"] == "300"
    # The credential's cooldown is the same 300 s (plus the jitter every refusal gets), and nothing more is sent.
    assert (held.status_code, held.json()["code"]) == (429, "provider_rate_limited")
    assert 299 <= int(held.headers["retry-after"]) <= 301
    assert len(vendor_calls) == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [(b"null", 422, "(body)"), (b"1", 422, "(body)"), (b'"\\ud800"', 422, "(body)"), (b"[NaN]", 400, "[0]")],
)
async def test_a_body_that_is_no_object_is_refused_as_such(
    harness: Harness, body: bytes, status: int, field: str
) -> None:
    response = await harness.call("POST", JOBS, content=body, headers=key())
    assert response.status_code == status, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


# --- a Greenhouse id from Bindbee steers a Harvest path -------------------------------------------------------------


@pytest.mark.parametrize("remote_id", ["٤١٠٠٠٠١", "²"])
def test_a_greenhouse_id_in_other_digits_never_reaches_a_harvest_path(remote_id: str) -> None:
    """Harvest paths are built from Bindbee's `remote_id`: digits that are not ASCII would pass `isdigit`
    and then be sent as a path segment (or fail in `int`)."""
    candidate, user = str(uuid.uuid4()), str(uuid.uuid4())
    greenhouse = AccountContext("gh", "greenhouse", None, {"api_key": "k", "connector_token": "t"})
    call = Call(CATALOGUE["ats_update_candidate"], {"id": candidate}, CandidateUpdate(title="CTO", acting_user_id=user))
    plan = BindbeeConnector().plan(call, greenhouse)
    next(plan)
    plan.send(ProviderResponse(200, {}, {"id": candidate, "remote_id": remote_id}, "u"))
    with pytest.raises(UnexpectedResponse):
        plan.send(ProviderResponse(200, {}, {"id": user, "remote_id": "4000301"}, "u"))


# --- a vendor answer the gateway could not pass on -----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b'{"next": null, "data": [{"id": "j1", "title": "Engineer", "budget": NaN}]}',
        b'{"next": null, "data": [{"id": "j1", "title": "Engineer", "budget": 1e999}]}',
        b'{"next": null, "data": [{"id": "j1", "title": "Engineer \\udc80"}]}',
    ],
)
async def test_a_vendor_answer_json_cannot_carry_is_a_502_not_a_500(demo_config: ResolvedConfig, answer: bytes) -> None:
    """Python's parser takes these; the gateway's own answer (the record, or `raw=true`) could then not be encoded."""
    vendor = httpx.MockTransport(lambda _: httpx.Response(200, content=answer))
    app = create_app(demo_config, transports={"stackone-sandbox": vendor})
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        response = await client.get(JOBS, params={"raw": "true"}, headers=headers)
    await app.state.gateway.aclose()
    assert (response.status_code, response.json()["code"]) == (502, "unexpected_provider_response")


# --- refusals leave nothing for the collector --------------------------------------------------------------------


def _refers_to_itself(error: BaseException) -> bool:
    """Whether a frame the error was raised through (its traceback past the frame that caught it) holds the error:
    a reference cycle that keeps the refused request alive until the cyclic collector runs, which the server runs
    rarely (gateway.server.tune_collector)."""
    trace = error.__traceback__.tb_next if error.__traceback__ else None
    while trace is not None:
        if any(value is error for value in trace.tb_frame.f_locals.values()):
            return True
        trace = trace.tb_next
    return False


def _request(body: bytes, declared: int | None = None) -> Request:
    size = len(body) if declared is None else declared

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "headers": [(b"content-length", str(size).encode())]}, receive)


@pytest.mark.parametrize(
    ("request_of", "code"),
    [
        (lambda: _request(b"{}", declared=10**7), "payload_too_large"),
        (lambda: _request(b"[" * 200 + b"]" * 200), "json_too_deep"),
        (lambda: _request(b'{"a":' * 100 + b"1" + b"}" * 100), "json_too_deep"),
    ],
)
async def test_a_refused_body_is_an_error_no_frame_of_its_own_holds(
    request_of: Callable[[], Request], code: str
) -> None:
    with pytest.raises(GatewayError) as caught:
        await read_json_body(request_of(), limit=1 << 20)
    assert caught.value.code == code
    assert not _refers_to_itself(caught.value)


@pytest.mark.parametrize("cursor", ["not-base64!.x", "e30.AAAA", "gIA.gIA"])
def test_a_refused_cursor_is_an_error_no_frame_of_its_own_holds(cursor: str) -> None:
    with pytest.raises(GatewayError) as caught:
        CursorSigner(b"secret").unwrap(cursor, CursorScope("caller", "account", "candidates", {}))
    assert caught.value.code == "invalid_cursor"
    assert not _refers_to_itself(caught.value)
