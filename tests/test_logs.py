"""Logs: one access event per request, JSON line by line, with neither secrets nor PII."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from gateway import logs
from tests.conftest import Harness


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
