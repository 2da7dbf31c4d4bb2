"""/metrics: right with several worker processes (real processes, real Redis), and what one process exports."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from gateway.metrics import Family, Metrics
from tests.conftest import ROOT, Harness, RedisServer, free_port

GATEWAY = str(Path(sys.executable).parent / "gateway")
REQUESTS = 40


def _config() -> dict[str, object]:
    """One account on a vendor that is never called: every request below is refused before any vendor call,
    after the caller's rate limit (one Redis round trip)."""
    return {
        "callers": [
            {
                "name": "metrics",
                "api_key_sha256": hashlib.sha256(b"metrics-key").hexdigest(),
                "accounts": ["*"],
                "rate_limit": {"requests_per_second": 10_000, "burst": 10_000},
            }
        ],
        "providers": {
            "stackone": {
                "connector": "stackone",
                "base_url": "http://127.0.0.1:9",
                "credentials": {"api_key": {"env": "METRICS_STACKONE_KEY"}},
            }
        },
        "accounts": [{"id": "acct", "provider": "stackone", "vendor_account_id": "v1"}],
        "cursor_secret": {"env": "METRICS_CURSOR_SECRET"},
    }


def samples(text: str, name: str, **labels: str) -> list[float]:
    """The values of every sample of `name` whose labels include `labels`."""
    found = []
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            found.append(float(match.group(2)))
    return found


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    config: Path

    def scrape(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=5).text

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        # The supervisor's children are its workers (spawned) and multiprocessing's resource tracker.
        return [int(pid) for pid in children if "spawn_main" in _cmdline(int(pid))]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("metrics")
    config = work / "gateway.yaml"
    config.write_text(yaml.safe_dump(_config()))
    port = free_port()
    env = {
        **os.environ,
        "GATEWAY_CONFIG": str(config),
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": "2",
        "REDIS_URL": redis_server.url,
        "LOG_FORMAT": "json",
        "METRICS_STACKONE_KEY": "k",
        "METRICS_CURSOR_SECRET": "s",
        "TMPDIR": str(work),
    }
    log = work / "gateway.log"
    process = subprocess.Popen([GATEWAY, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    server = Server(f"http://127.0.0.1:{port}", process, log, config)
    try:
        _wait(f"{server.url}/readyz")
        deadline = time.monotonic() + 30
        while len(server.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _refused_reads(server: Server, count: int, resource: str = "jobs") -> None:
    """Requests that reach the rate limiter (one Redis round trip each), then end in a 400 before any vendor."""
    with httpx.Client(base_url=server.url, headers={"connection": "close"}) as client:
        for _ in range(count):
            response = client.get(
                f"/unified/ats/{resource}",
                params={"bogus": "1"},
                headers={"authorization": "Bearer metrics-key", "x-account-id": "acct"},
            )
            assert response.status_code == 400


def _jobs_400(text: str) -> float:
    return sum(samples(text, "gateway_requests_total", route="/unified/ats/jobs", status="400"))


def test_two_workers_count_every_request_once(two_workers: Server) -> None:
    assert len(two_workers.workers()) == 2
    # Redis learns the scripts on their first use (one more round trip), on another route than the one counted.
    _refused_reads(two_workers, 2, "candidates")
    before_trips = sum(samples(two_workers.scrape(), "gateway_state_store_round_trips_total"))
    # A fresh connection per request, so the kernel spreads them over both workers.
    _refused_reads(two_workers, REQUESTS)
    scrapes = [two_workers.scrape() for _ in range(6)]
    # Every scrape, whichever worker answers it, reads the sum over both.
    assert {_jobs_400(text) for text in scrapes} == {REQUESTS}
    trips = {sum(samples(text, "gateway_state_store_round_trips_total")) for text in scrapes}
    assert trips == {before_trips + REQUESTS}
    text = scrapes[0]
    assert re.search(r"^# TYPE gateway_state_store_round_trips(_total)? counter$", text, re.M)
    # One series for the store's health, however many workers: the lowest of the live ones.
    assert samples(text, "gateway_state_store_up") == [1.0]
    assert len(samples(text, "gateway_build_info", version="0.1.0")) == 1
    assert samples(text, "python_info")
    pids = {m for m in re.findall(r'process_cpu_seconds_total\{pid="(\d+)"\}', text)}
    assert pids == {str(two_workers.process.pid), *map(str, two_workers.workers())}


def test_a_replaced_worker_keeps_the_sums(two_workers: Server) -> None:
    _refused_reads(two_workers, REQUESTS)  # counted by both workers, whichever test ran before
    before = _jobs_400(two_workers.scrape())
    assert before >= REQUESTS
    victim = two_workers.workers()[0]
    os.kill(victim, signal.SIGKILL)
    # A new worker imports and builds everything before it counts: on a loaded two-core CI machine, tens of seconds.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        current = two_workers.workers()
        if victim not in current and len(current) == 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the supervisor did not replace the killed worker")
    _wait(f"{two_workers.url}/readyz")
    _refused_reads(two_workers, 10)
    text = two_workers.scrape()
    # The dead worker's counts stay in the sum; its live gauge left with it.
    assert _jobs_400(text) == before + 10
    assert samples(text, "gateway_state_store_up") == [1.0]
    assert f'pid="{victim}"' not in text
    metrics_dir = next(Path(two_workers.log.parent).glob("gateway-*/metrics"))
    assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))


def _replaced(server: Server, old: list[int]) -> list[int]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        current = server.workers()
        if len(current) == 2 and not set(current) & set(old):
            return current
        time.sleep(0.2)
    raise AssertionError(server.log.read_text()[-3000:])


def test_sighup_with_workers_keeps_a_bad_config_and_takes_a_good_one(two_workers: Server) -> None:
    """uvicorn's supervisor replaces each worker on SIGHUP; each checks the file and, when it has problems,
    starts on the last configuration that loaded. Counters survive the replacement."""
    before = _jobs_400(two_workers.scrape())
    good = two_workers.config.read_text()
    two_workers.config.write_text(good + "colour: red\n")
    old = two_workers.workers()
    two_workers.process.send_signal(signal.SIGHUP)
    _replaced(two_workers, old)
    assert "this worker keeps the last one that loaded" in two_workers.log.read_text()
    _refused_reads(two_workers, 4)
    assert _jobs_400(two_workers.scrape()) == before + 4

    raw = yaml.safe_load(good)
    raw["accounts"].append({"id": "acct2", "provider": "stackone", "vendor_account_id": "v2"})
    two_workers.config.write_text(yaml.safe_dump(raw))
    old = two_workers.workers()
    two_workers.process.send_signal(signal.SIGHUP)
    _replaced(two_workers, old)
    answer = httpx.get(
        f"{two_workers.url}/unified/ats/jobs",
        params={"bogus": "1"},
        headers={"authorization": "Bearer metrics-key", "x-account-id": "acct2"},
    )
    assert answer.status_code == 400  # the new account exists (an unknown one is a 404)


def test_the_run_directory_is_removed_at_exit(tmp_path: Path, redis_url: str) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump(_config()))
    port = free_port()
    env = {
        **os.environ,
        "GATEWAY_CONFIG": str(config),
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": "2",
        "REDIS_URL": redis_url,
        "METRICS_STACKONE_KEY": "k",
        "METRICS_CURSOR_SECRET": "s",
        "TMPDIR": str(tmp_path),
    }
    process = subprocess.Popen([GATEWAY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/readyz")
        assert list(tmp_path.glob("gateway-*/metrics"))
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    assert not list(tmp_path.glob("gateway-*"))


# --- one process -------------------------------------------------------------------------------------------------


async def test_one_process_exports_process_python_and_build_metrics(harness: Harness) -> None:
    text = (await harness.client.get("/metrics")).text
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "python_info"):
        assert samples(text, name), name
    assert samples(text, "python_gc_collections_total")
    assert len(samples(text, "gateway_build_info", version="0.1.0")) == 1
    assert re.search(r"^# TYPE gateway_state_store_round_trips(_total)? counter$", text, re.M)


async def test_documentation_and_head_metrics_are_routes_of_their_own(harness: Harness) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger/swagger-ui.css"):
        assert (await harness.client.get(path)).status_code == 200, path
    head = await harness.client.head("/metrics")
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/plain")
    text = (await harness.client.get("/metrics")).text
    assert not samples(text, "gateway_requests_total", route="unmatched")
    for route in ("/docs", "/redoc", "/openapi.json", "/docs/assets/{path:path}"):
        assert samples(text, "gateway_requests_total", route=route, status="200") == [1.0], route
    assert samples(text, "gateway_requests_total", route="/metrics", method="HEAD", status="200") == [1.0]


def test_label_children_are_kept_by_value() -> None:
    metrics = Metrics()
    assert isinstance(metrics.requests, Family)
    child = metrics.requests.labels("/r", "GET", "200", "c")
    assert metrics.requests.labels("/r", "GET", "200", "c") is child
    assert metrics.requests.labels("/r", "GET", "201", "c") is not child
    child.inc(3)
    assert samples(metrics.render().decode(), "gateway_requests_total", route="/r", status="200") == [3.0]
