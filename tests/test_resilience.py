"""Vendor failures: safe retries, never a blind re-send of a write, and the shared circuit breaker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from gateway.state import StateStore
from tests.conftest import Harness, demo_with, running


def fast_breaker(raw: dict[str, Any]) -> None:
    for caller in raw["callers"]:
        caller.pop("rate_limit", None)
        caller.pop("rate_limit_per_account", None)
    raw["providers"]["stackone-sandbox"]["breaker"] = {"failures": 3, "open_seconds": 0.5}
    raw["providers"]["stackone-sandbox"]["retries"] = {"attempts": 2, "base_seconds": 0.01, "max_seconds": 0.05}


def fault(h: Harness, **spec: Any) -> None:
    from sandbox.controls import Fault

    h.wiring.apps["stackone-sandbox"].state.controls.faults.append(Fault(**spec))


def vendor_requests(h: Harness, key: str) -> int:
    return int(h.wiring.apps["stackone-sandbox"].state.controls.requests.get(key, 0))


async def test_a_read_is_retried_after_a_vendor_5xx(harness: Harness) -> None:
    fault(harness, method="GET", path="/unified/ats/jobs", status=503, times=1)
    response = await harness.call("GET", "/unified/ats/jobs")
    assert response.status_code == 200
    assert vendor_requests(harness, "GET /unified/ats/jobs") == 2


async def test_a_write_is_never_resent_after_an_ambiguous_failure(harness: Harness) -> None:
    fault(harness, method="POST", path="/unified/ats/jobs", status=503, times=1, after_handling=True)
    response = await harness.call("POST", "/unified/ats/jobs", json={"title": "once"})
    assert response.status_code == 502
    assert response.json()["code"] == "outcome_unknown"
    assert vendor_requests(harness, "POST /unified/ats/jobs") == 1
    controls = harness.wiring.apps["stackone-sandbox"].state.controls
    assert controls.created["jobs"] == 1  # the vendor did store it: a re-send would have duplicated it


async def test_a_write_the_vendor_refused_with_429_is_retried_after_the_cooldown(harness: Harness) -> None:
    fault(harness, method="POST", path="/unified/ats/jobs", status=429, headers={"Retry-After": "1"}, times=1)
    started = asyncio.get_running_loop().time()
    response = await harness.call("POST", "/unified/ats/jobs", json={"title": "after 429"})
    assert response.status_code == 201, response.text
    assert asyncio.get_running_loop().time() - started >= 0.9
    assert vendor_requests(harness, "POST /unified/ats/jobs") == 2
    assert harness.wiring.apps["stackone-sandbox"].state.controls.created["jobs"] == 1


async def test_a_429_asking_for_longer_than_a_caller_should_wait_is_answered_at_once(harness: Harness) -> None:
    fault(harness, method="POST", path="/unified/ats/jobs", status=429, headers={"Retry-After": "30"}, times=1)
    response = await harness.call("POST", "/unified/ats/jobs", json={"title": "x"})
    assert response.status_code == 429
    assert response.json()["code"] == "provider_rate_limited"
    assert int(response.headers["retry-after"]) >= 30
    assert vendor_requests(harness, "POST /unified/ats/jobs") == 1


async def test_the_breaker_opens_fails_fast_then_probes_and_closes(store_factory: Callable[[], StateStore]) -> None:
    async with running(demo_with(fast_breaker), store_factory()) as h:
        fault(h, method="GET", path="/unified/ats/jobs", status=502, times=6)
        for _ in range(3):
            failing = await h.call("GET", "/unified/ats/jobs")
            assert failing.status_code == 502
        sent = vendor_requests(h, "GET /unified/ats/jobs")
        assert sent == 6  # each failing read was tried twice
        held = await h.call("GET", "/unified/ats/jobs")
        assert held.status_code == 503
        assert held.json()["code"] == "circuit_open"
        assert int(held.headers["retry-after"]) >= 1
        assert vendor_requests(h, "GET /unified/ats/jobs") == sent  # fast: nothing sent
        # another account on another credential is not affected
        assert (await h.call("GET", "/unified/ats/jobs", "bindbee-demo")).status_code == 200
        await asyncio.sleep(0.6)
        probe = await h.call("GET", "/unified/ats/jobs")
        assert probe.status_code == 200  # the half-open probe succeeded: closed again
        assert (await h.call("GET", "/unified/ats/jobs")).status_code == 200


async def test_a_failed_probe_opens_the_breaker_again(store_factory: Callable[[], StateStore]) -> None:
    async with running(demo_with(fast_breaker), store_factory()) as h:
        fault(h, method="GET", path="/unified/ats/jobs", status=503, times=8)
        for _ in range(3):
            await h.call("GET", "/unified/ats/jobs")
        await asyncio.sleep(0.6)
        probe = await h.call("GET", "/unified/ats/jobs")
        assert probe.status_code in (502, 503)  # the probe failed (its retry, if any, met the breaker)
        again = await h.call("GET", "/unified/ats/jobs")
        assert again.json()["code"] == "circuit_open"
        assert int(again.headers["retry-after"]) <= 1  # re-opened for open_seconds, not stuck on a probe lease


async def test_vendor_4xx_answers_do_not_open_the_breaker(store_factory: Callable[[], StateStore]) -> None:
    async with running(demo_with(fast_breaker), store_factory()) as h:
        for _ in range(5):
            assert (await h.call("GET", "/unified/ats/jobs/nope")).status_code == 404
        assert (await h.call("GET", "/unified/ats/jobs")).status_code == 200
