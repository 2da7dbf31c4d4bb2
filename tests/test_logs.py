"""Logs: one access event per request, JSON line by line, with neither secrets nor PII."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog

from gateway import logs, tracing
from gateway.app import create_app
from gateway.config import ResolvedConfig
from gateway.sandboxes import wire
from gateway.state import RedisStore
from tests.conftest import Harness, basic, running
from tests.faultproxy import FaultProxy


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    logs.configure("json", stream=stream)
    yield stream
    logs.configure("console")


async def test_a_full_run_logs_json_without_secrets_or_pii(harness: Harness, captured: io.StringIO) -> None:
    users = (await harness.call("GET", "/unified/ats/users", "bindbee-greenhouse-demo")).json()["data"]
    await harness.call(
        "POST",
        "/unified/ats/jobs",
        "bindbee-greenhouse-demo",
        json={
            "title": "x",
            "template_id": "4033879009",
            "acting_user_id": users[0]["id"],
            "openings": 1,
            "hiring_team": [{"user_id": users[1]["id"], "role": "recruiter", "email": "grace.hopper@example.com"}],
        },
    )
    await harness.call("GET", "/unified/ats/jobs", "stackone-demo", "wrong-key")
    lines = [line for line in captured.getvalue().splitlines() if line.strip()]
    events = [json.loads(line) for line in lines]
    access = [e for e in events if e["event"] == "request"]
    assert len(access) == 3
    create = access[1]
    assert {
        "request_id",
        "caller",
        "account",
        "connector",
        "status",
        "latency_ms",
        "upstream_status",
        "upstream_latency_ms",
    } <= set(create)
    assert create["status"] == 201
    assert create["upstream_status"] == 201
    text = "\n".join(lines)
    secrets = [
        harness.wiring.apps["bindbee-sandbox"].state.sandbox.api_key,
        "demo-key",
        "wrong-key",
        *harness.wiring.apps["bindbee-sandbox"].state.sandbox.connectors,
    ]
    for value in [*secrets, "example.com", "Hopper", "Lovelace"]:
        assert value not in text


def test_redaction_covers_keys_and_free_text() -> None:
    event = logs.redact(
        None,
        "info",
        {
            "event": "x",
            "authorization": "Basic abc",
            "email": "a@b.io",
            "note": "mail a@b.io or +44 7700 900123",
            "nested": {"api_key": "k", "first_name": "Ada", "ok": 1},
            "remote_id": "4033879009",
        },
    )
    assert event == {
        "event": "x",
        "authorization": "[secret]",
        "email": "[pii]",
        "note": "mail [email] or [phone]",
        "nested": {"api_key": "[secret]", "first_name": "[pii]", "ok": 1},
        "remote_id": "4033879009",
    }


# A vendor record the gateway cannot read, every field wrong in a way that makes pydantic quote the value.
UNREADABLE = {
    "data": {
        "id": "c-1",
        "name": ["Augusta Ada King"],
        "first_name": {"given": "Augusta"},
        "last_name": 1815,
        "email": ["ada.lovelace@example.com"],
        "emails": "countess@lovelace.example",
        "phone": ["+44 7700 900123"],
        "phone_numbers": "020 7946 0991",
        "company": {"employer": "Analytical Engines Ltd"},
    }
}
PII = ["Augusta", "Ada King", "1815", "lovelace", "7700", "0991", "7946", "Analytical"]


def _shows(value: str, text: str) -> bool:
    """Whether `text` carries a PII value; a number only as a number of its own, not as digits inside a
    timestamp's microseconds or a hexadecimal request id."""
    if not value.isdigit():
        return value in text
    return re.search(rf"(?<![0-9A-Za-z]){value}(?![0-9A-Za-z])", text) is not None


@pytest.mark.parametrize("log_format", ["json", "console"])
async def test_an_unreadable_vendor_record_leaves_no_pii_in_the_log(
    demo_config: ResolvedConfig, log_format: str
) -> None:
    stream = io.StringIO()
    logs.configure(log_format, stream=stream)
    try:
        vendor = httpx.MockTransport(lambda _: httpx.Response(200, json=UNREADABLE))
        app = create_app(demo_config, transports={"stackone-sandbox": vendor})
        headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
            response = await client.get("/unified/ats/candidates/c-1", headers=headers)
        await app.state.gateway.aclose()
    finally:
        logs.configure("console")
    text = stream.getvalue()
    assert "unreadable vendor response" in text
    assert "Traceback" in text  # the traceback is there, only its values are not
    assert "ValidationError" in text
    assert "input_value=[redacted]" in text
    for value in PII:
        assert not _shows(value, text), value
    # The answer names the fields that could not be read, never their values; the vendor's own answer is the
    # caller's record, from an account it may read, and is what it needs to see what the vendor said.
    answer = response.json()
    assert (response.status_code, answer["code"]) == (502, "unexpected_provider_response")
    assert "first_name" in answer["message"]
    for value in PII:
        assert not _shows(value, answer["message"]), value
    assert answer["provider_errors"][0]["raw"] == UNREADABLE


def test_exception_messages_lose_their_values_on_both_logging_paths(captured: io.StringIO) -> None:
    name = "Grace Hopper"
    try:
        int(name)
    except ValueError:
        logging.getLogger("some.library").exception("failed for %s", "grace@navy.example")
        structlog.get_logger().error("failed", exc_info=True)
    try:
        try:
            {"id": "x"}[name]
        except KeyError as inner:
            raise RuntimeError(f"lookup of {name!r} failed") from inner
    except RuntimeError:
        logging.getLogger("gateway").warning("chained", exc_info=True)
    events = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [e["event"] for e in events] == ["failed for [email]", "failed", "chained"]
    for event in events:
        assert "Grace" not in event["exception"]
        assert "int(name)" in event["exception"] or "[name]" in event["exception"]  # the source lines stay
    assert events[0]["exception"].endswith("ValueError: invalid literal for int() with base 10: '[redacted]'")
    chained = events[2]["exception"]
    assert chained.startswith("Traceback (most recent call last):")
    assert "KeyError: '[redacted]'\n\nThe above exception was the direct cause of the following exception:" in chained
    assert chained.endswith("RuntimeError: lookup of '[redacted]' failed")


# --- the access event and the trace context -----------------------------------------------------------------------

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


class Capturing(httpx.AsyncBaseTransport):
    """The in-process vendor, with the headers of every request the gateway sent it kept."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.headers: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        return await self.inner.handle_async_request(request)


def access_events(stream: io.StringIO) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, stream.getvalue().splitlines()) if e["event"] == "request"]


async def test_the_access_event_carries_code_client_agent_and_the_callers_trace(
    demo_config: ResolvedConfig, captured: io.StringIO
) -> None:
    wiring = wire(demo_config)
    vendor = Capturing(wiring.transports["stackone-sandbox"])
    app = create_app(demo_config, wiring=wiring, transports={"stackone-sandbox": vendor})
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo", "user-agent": "backend/1.2"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        listed = await client.get("/unified/ats/jobs", headers={**headers, "traceparent": TRACEPARENT})
        invalid = await client.post("/unified/ats/jobs", json={"title": 1}, headers=headers)
        restarted = await client.get("/healthz", headers={"traceparent": TRACEPARENT.upper()})
    await app.state.gateway.aclose()
    assert (listed.status_code, invalid.status_code, restarted.status_code) == (200, 422, 200)
    read, refused, health = access_events(captured)
    assert read["trace_id"] == TRACE_ID
    assert read["client"] == "127.0.0.1"
    assert read["user_agent"] == "backend/1.2"
    assert "code" not in read
    # The vendor call joined the caller's trace, as a child of the gateway's span for this request.
    [sent] = vendor.headers
    assert sent["traceparent"] == f"00-{TRACE_ID}-{read['span_id']}-01"
    # A 422 names its code; a request without a traceparent starts a trace.
    assert refused["status"] == 422
    assert refused["code"] == invalid.json()["code"]
    assert refused["trace_id"] not in (TRACE_ID, read["trace_id"])
    # An invalid traceparent (upper-case hex) is not continued.
    assert health["trace_id"] != TRACE_ID


@pytest.mark.parametrize(
    ("header", "continued"),
    [
        (TRACEPARENT, True),
        (f"01-{TRACE_ID}-00f067aa0ba902b7-01-future", True),  # a later version may add fields
        (f"00-{TRACE_ID}-00f067aa0ba902b7-01-extra", False),  # version 00 has four
        (f"ff-{TRACE_ID}-00f067aa0ba902b7-01", False),
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", False),
        (f"00-{TRACE_ID}-{'0' * 16}-01", False),
        (TRACEPARENT.upper(), False),
        (f"00-{TRACE_ID[:-1]}-00f067aa0ba902b7-01", False),
        ("", False),
    ],
)
def test_traceparent_follows_the_w3c_rules(header: str, continued: bool) -> None:
    context, token = tracing.start(header.encode())
    try:
        assert (context.trace_id == TRACE_ID) is continued
        assert tracing.outbound() == context.traceparent
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]", context.traceparent)
        assert context.parent_id == ("00f067aa0ba902b7" if continued else None)
    finally:
        tracing.end(token)
    assert tracing.outbound() is None


def test_a_repeating_condition_is_logged_once_per_interval(captured: io.StringIO) -> None:
    now = [0.0]
    throttled = logs.Throttled("gateway.test", interval_s=30, clock=lambda: now[0])
    for at in (0, 1, 2, 29, 31, 32, 70):
        now[0] = at
        throttled.warning("store away", error="DENIED protected mode")
    events = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [(e["level"], e["suppressed"]) for e in events] == [("warning", 0), ("warning", 3), ("warning", 1)]
    assert {e["error"] for e in events} == {"DENIED protected mode"}


async def test_readiness_survives_a_store_outage_once_reached_and_says_why(
    demo_config: ResolvedConfig, redis_url: str, captured: io.StringIO
) -> None:
    proxy = FaultProxy(int(redis_url.rsplit(":", 1)[1].split("/")[0]))
    await proxy.start()
    # A store deadline far longer than readiness waits: only /readyz's own bound can answer in time.
    store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}/0", timeout_s=60)
    try:
        async with running(demo_config, store) as h:
            ready = await h.client.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "ready"
            proxy.blackhole = True
            answers = [await asyncio.wait_for(h.client.get("/readyz"), 30) for _ in range(3)]
            assert {a.status_code for a in answers} == {200}
            assert {a.json()["status"] for a in answers} == {"degraded"}
            assert answers[0].json()["state_store"] == {
                "kind": "redis",
                "status": "unavailable",
                "reached_since_start": True,
            }
            proxy.blackhole = False
    finally:
        await proxy.stop()
    warnings = [e for e in map(json.loads, captured.getvalue().splitlines()) if e["event"] == "state store unavailable"]
    assert len(warnings) == 1
    assert warnings[0]["level"] == "warning"
    assert warnings[0]["kind"] == "redis"
