"""Logs: one access event per request, JSON line by line, with neither secrets nor PII."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog

from gateway import logs
from gateway.app import create_app
from gateway.config import ResolvedConfig
from tests.conftest import Harness, basic


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
        assert value not in text, value
    # The answer names the fields that could not be read, never their values; the vendor's own answer is the
    # caller's record, from an account it may read, and is what it needs to see what the vendor said.
    answer = response.json()
    assert (response.status_code, answer["code"]) == (502, "unexpected_provider_response")
    assert "first_name" in answer["message"]
    for value in PII:
        assert value not in answer["message"], value
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
