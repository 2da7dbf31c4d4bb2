"""Two gateway processes sharing one real redis-server, in front of a standalone Bindbee sandbox process.

What replicas must agree on is checked where it matters: at the vendor (the sandbox counts creates), across
processes (limits, cooldowns, leases), and through a Redis outage and restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import yaml

from tests.conftest import ROOT, RedisServer, free_port

GATEWAY = str(Path(sys.executable).parent / "gateway")
BB_KEY = "replica-test-bindbee-key"
TOKENS = {"main": "tok-main", "cool": "tok-cool", "kill": "tok-kill"}
LEASE_S = 2.0


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _config(sandbox_port: int) -> dict[str, Any]:
    base = f"http://127.0.0.1:{sandbox_port}"
    creds = {"api_key": {"env": "BB_KEY"}}
    return {
        "callers": [
            {"name": "free", "api_key_sha256": _sha("free-key"), "accounts": ["*"]},
            {
                "name": "limited",
                "api_key_sha256": _sha("limited-key"),
                "accounts": ["*"],
                "rate_limit": {"requests_per_second": 20, "burst": 20},
            },
        ],
        "providers": {
            "bindbee": {
                "connector": "bindbee",
                "base_url": base,
                "credentials": creds,
                "quota": {"requests_per_minute": 1_000_000, "share": 1, "max_concurrency": 100},
            },
            "bindbee-one-at-a-time": {
                "connector": "bindbee",
                "base_url": base,
                "credentials": creds,
                "quota": {"requests_per_minute": 1_000_000, "share": 1, "max_concurrency": 1, "max_wait_seconds": 30},
            },
        },
        "accounts": [
            {"id": "main", "provider": "bindbee", "credentials": {"connector_token": {"env": "BB_TOK_MAIN"}}},
            {"id": "cool", "provider": "bindbee", "credentials": {"connector_token": {"env": "BB_TOK_COOL"}}},
            {
                "id": "kill",
                "provider": "bindbee-one-at-a-time",
                "credentials": {"connector_token": {"env": "BB_TOK_KILL"}},
            },
        ],
        "cursor_secret": {"env": "CURSOR_SECRET"},
        "idempotency_lease_seconds": LEASE_S,
    }


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Topology:
    redis: RedisServer
    sandbox: str
    gateways: list[str]
    processes: list[subprocess.Popen[bytes]]
    env: dict[str, str]
    ports: list[int]
    logs: Path

    def start_gateway(self, index: int) -> None:
        env = {**self.env, "GATEWAY_PORT": str(self.ports[index])}
        if index == 1:
            env["GATEWAY_WORKERS"] = "2"  # one replica is itself two worker processes on one port
        log = (self.logs / f"gateway-{index}.log").open("ab")
        self.processes[index] = subprocess.Popen(
            [GATEWAY, "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        _wait_healthy(f"{self.gateways[index]}/healthz")

    def kill_gateway(self, index: int) -> None:
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def vendor_jobs(self, code: str, token: str = TOKENS["main"]) -> int:
        response = httpx.get(
            f"{self.sandbox}/api/ats/v1/jobs",
            params={"code": code, "page_size": 200},
            headers={"authorization": f"Bearer {BB_KEY}", "x-connector-token": token},
        )
        return int(response.json()["page_size"])

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.sandbox}/_sandbox/stats").json()
        return result

    def fault(self, fault: dict[str, Any]) -> None:
        httpx.post(f"{self.sandbox}/_sandbox/faults", json=fault).raise_for_status()


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    work = tmp_path_factory.mktemp("replicas")
    redis_server = RedisServer(free_port(), data_dir=work)
    redis_server.start()
    sandbox_port = free_port()
    config_path = work / "gateway.yaml"
    config_path.write_text(yaml.safe_dump(_config(sandbox_port)))
    env = {
        **os.environ,
        "GATEWAY_CONFIG": str(config_path),
        "REDIS_URL": redis_server.url,
        "LOG_FORMAT": "json",
        "BB_KEY": BB_KEY,
        "BB_TOK_MAIN": TOKENS["main"],
        "BB_TOK_COOL": TOKENS["cool"],
        "BB_TOK_KILL": TOKENS["kill"],
        "CURSOR_SECRET": "replica-test-cursor-secret",
        "BINDBEE_SANDBOX_API_KEY": BB_KEY,
        "BINDBEE_SANDBOX_CONNECTORS": ",".join(f"{t}=generic" for t in TOKENS.values()),
        "BINDBEE_SANDBOX_RATE_PER_MINUTE": "1000000",
    }
    sandbox = subprocess.Popen(
        [GATEWAY, "sandbox", "bindbee", "--port", str(sandbox_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ports = [free_port(), free_port()]
    topo = Topology(
        redis_server,
        f"http://127.0.0.1:{sandbox_port}",
        [f"http://127.0.0.1:{p}" for p in ports],
        [sandbox, sandbox],
        env,
        ports,
        work,
    )
    try:
        _wait_healthy(f"{topo.sandbox}/_sandbox/stats")
        topo.start_gateway(0)
        topo.start_gateway(1)
        yield topo
    finally:
        for process in [*topo.processes, sandbox]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        redis_server.stop()


def _headers(account: str = "main", key: str = "free-key", idempotency: str | None = None) -> dict[str, str]:
    headers = {"authorization": f"Bearer {key}", "x-account-id": account}
    if idempotency is not None:
        headers["idempotency-key"] = idempotency
    return headers


async def test_one_key_fifty_concurrent_creates_over_two_replicas_make_one_vendor_create(topology: Topology) -> None:
    code = uuid.uuid4().hex
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    f"{topology.gateways[i % 2]}/unified/ats/jobs",
                    json={"title": "Once", "code": code},
                    headers=_headers(idempotency=key),
                )
                for i in range(50)
            )
        )
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {201, 409}, statuses
    fresh = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    assert len(fresh) == 1, [(a.status_code, a.text[:300]) for a in answers if a.status_code != 409]
    assert all(a.json() == fresh[0].json() for a in answers if a.status_code == 201)
    assert topology.vendor_jobs(code) == 1


async def test_two_hundred_distinct_keys_make_two_hundred_creates(topology: Topology) -> None:
    prefix = uuid.uuid4().hex[:8]
    before = topology.stats()["created"].get("jobs", 0)
    semaphore = asyncio.Semaphore(20)

    async def create(i: int, client: httpx.AsyncClient) -> int:
        async with semaphore:
            response = await client.post(
                f"{topology.gateways[i % 2]}/unified/ats/jobs",
                json={"title": f"Job {i}", "code": f"{prefix}-{i}"},
                headers=_headers(idempotency=f"{prefix}-{i}"),
            )
            return response.status_code

    async with httpx.AsyncClient(timeout=30) as client:
        statuses = await asyncio.gather(*(create(i, client) for i in range(200)))
    assert statuses == [201] * 200
    assert topology.stats()["created"]["jobs"] - before == 200


async def test_an_inbound_limit_holds_across_both_replicas(topology: Topology) -> None:
    await asyncio.sleep(1.5)  # let earlier tests' budget refill
    allowed = 0
    limited = 0
    deadline = time.monotonic() + 3.0

    async def hammer(gateway: str, client: httpx.AsyncClient) -> None:
        nonlocal allowed, limited
        while time.monotonic() < deadline:
            response = await client.get(f"{gateway}/unified/ats/departments", headers=_headers(key="limited-key"))
            if response.status_code == 200:
                allowed += 1
            else:
                assert response.status_code == 429
                limited += 1

    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        await asyncio.gather(*(hammer(topology.gateways[i % 2], client) for i in range(8)))
        elapsed = time.monotonic() - started
    expected = 20 + 20 * elapsed
    assert limited > 0
    assert 0.9 * expected <= allowed <= 1.1 * expected, (allowed, expected)


async def test_a_vendor_cooldown_set_through_one_replica_holds_the_other(topology: Topology) -> None:
    topology.fault(
        {
            "method": "GET",
            "path": "/api/ats/v1/offices",
            "status": 429,
            "headers": {"Retry-After": "30"},
            "body": {"detail": "Rate limit exceeded"},
        }
    )
    async with httpx.AsyncClient(timeout=30) as client:
        first = await client.get(f"{topology.gateways[0]}/unified/ats/locations", headers=_headers("cool"))
        assert first.status_code == 429
        assert first.json()["code"] == "provider_rate_limited"
        sent = topology.stats()["requests"].get("GET /api/ats/v1/offices", 0)
        held = await client.get(f"{topology.gateways[1]}/unified/ats/locations", headers=_headers("cool"))
        assert held.status_code == 429
        assert "nothing was sent" in held.json()["message"]
        assert 25 <= int(held.headers["retry-after"]) <= 31
        assert topology.stats()["requests"].get("GET /api/ats/v1/offices", 0) == sent
        other_token = await client.get(f"{topology.gateways[1]}/unified/ats/locations", headers=_headers("main"))
        assert other_token.status_code == 200


async def test_a_killed_replica_leaves_its_lease_to_expire_then_the_key_is_taken_over(topology: Topology) -> None:
    """Replica A claims a key and dies waiting for the vendor; after the lease, B runs the write exactly once."""
    topology.fault({"method": "POST", "path": "/api/ats/v1/jobs", "latency_ms": 4000, "times": 1})
    code, key = uuid.uuid4().hex, str(uuid.uuid4())
    body = {"title": "Taken over", "code": code}
    async with httpx.AsyncClient(timeout=30) as client:
        blocker = asyncio.create_task(
            client.post(f"{topology.gateways[1]}/unified/ats/jobs", json={"title": "slow"}, headers=_headers("kill"))
        )
        await asyncio.sleep(0.5)  # B's slow create holds the account's single vendor slot
        orphan = asyncio.create_task(
            client.post(
                f"{topology.gateways[0]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
            )
        )
        await asyncio.sleep(0.5)  # A has claimed the key and waits for the slot
        during = await client.post(
            f"{topology.gateways[1]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
        )
        assert during.status_code == 409
        topology.kill_gateway(0)
        with pytest.raises(httpx.TransportError):
            await orphan
        assert (await blocker).status_code == 201
        await asyncio.sleep(LEASE_S + 0.5)
        taken_over = await client.post(
            f"{topology.gateways[1]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
        )
        assert taken_over.status_code == 201
        assert "idempotent-replayed" not in taken_over.headers
        replay = await client.post(
            f"{topology.gateways[1]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
        )
        assert replay.headers.get("idempotent-replayed") == "true"
    assert topology.vendor_jobs(code, TOKENS["kill"]) == 1
    topology.start_gateway(0)


async def test_a_paused_replica_that_wakes_after_its_lease_never_sends(topology: Topology) -> None:
    """Replica A claims a key and waits for the credential's one vendor slot (its claim back to admitted while it
    waits); A is SIGSTOPped past its lease; B takes the key over and creates; A, continued, must not send."""
    topology.fault({"method": "POST", "path": "/api/ats/v1/jobs", "latency_ms": 4000, "times": 1})
    code, key = uuid.uuid4().hex, str(uuid.uuid4())
    body = {"title": "Woken", "code": code}
    paused = topology.processes[0]
    async with httpx.AsyncClient(timeout=30) as client:
        blocker = asyncio.create_task(
            client.post(f"{topology.gateways[1]}/unified/ats/jobs", json={"title": "slow"}, headers=_headers("kill"))
        )
        await asyncio.sleep(0.5)  # B's slow create holds the single vendor slot for 4 s
        sleeper = asyncio.create_task(
            client.post(
                f"{topology.gateways[0]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
            )
        )
        await asyncio.sleep(0.5)  # A has claimed the key and waits for the slot
        paused.send_signal(signal.SIGSTOP)
        try:
            await asyncio.sleep(LEASE_S + 0.5)
            taken_over = await client.post(
                f"{topology.gateways[1]}/unified/ats/jobs", json=body, headers=_headers("kill", idempotency=key)
            )
            assert taken_over.status_code == 201, taken_over.text
            assert "idempotent-replayed" not in taken_over.headers
        finally:
            paused.send_signal(signal.SIGCONT)
        woken = await sleeper
        assert (await blocker).status_code == 201
    assert woken.status_code == 503, woken.text
    assert woken.json()["code"] == "idempotency_lease_lost"
    assert topology.vendor_jobs(code, TOKENS["kill"]) == 1


def test_memory_per_idempotency_record(topology: Topology) -> None:
    """What one key costs in Redis while its request runs (the claim) and for the 24 h after (the outcome)."""
    client = redis.Redis.from_url(topology.redis.url)

    def usage(key: str) -> int:
        scope = hashlib.sha256("\0".join(("free", "POST", "/unified/ats/jobs", key)).encode()).hexdigest()[:32]
        used = client.memory_usage(f"idem:{{acct:main}}:{scope}")
        assert isinstance(used, int)
        return used

    topology.fault({"method": "POST", "path": "/api/ats/v1/jobs", "latency_ms": 1000, "times": 1})
    key = str(uuid.uuid4())
    with httpx.Client(timeout=30) as http:
        url = f"{topology.gateways[0]}/unified/ats/jobs"
        job = {"title": "Sized", "code": "m1"}
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(http.post, url, json=job, headers=_headers(idempotency=key))
            time.sleep(0.5)
            claim = usage(key)
            response = running.result()
    assert response.status_code == 201
    stored = usage(key)
    client.close()
    overhead = stored - len(response.content)
    print(
        f"\nMEMORY USAGE of one create's idempotency claim: {claim} bytes; of its stored outcome: {stored} bytes "
        f"({len(response.content)} of them the stored response body, {overhead} overhead)"
    )
    assert claim <= 512
    assert overhead <= 1024


async def test_redis_outage_reads_flow_keyed_writes_refuse_then_recover(topology: Topology) -> None:
    """Writes are retried by the client with their key until they get a final answer: none lost, none doubled."""
    prefix = uuid.uuid4().hex[:8]
    results: dict[int, int] = {}
    outage_reads: list[int] = []
    outage_writes: list[int] = []
    down = asyncio.Event()
    restarted_at: list[float] = []
    recovered_at: list[float] = []

    async def writer(i: int, client: httpx.AsyncClient) -> None:
        await asyncio.sleep(i * 0.05)
        while True:
            response = await client.post(
                f"{topology.gateways[i % 2]}/unified/ats/jobs",
                json={"title": f"Outage {i}", "code": f"{prefix}-{i}"},
                headers=_headers(idempotency=f"{prefix}-{i}"),
            )
            if down.is_set() and not restarted_at:
                outage_writes.append(response.status_code)
            if response.status_code in (503, 409):
                await asyncio.sleep(0.2)
                continue
            results[i] = response.status_code
            if restarted_at and not recovered_at:
                recovered_at.append(time.monotonic())
            return

    async def reader(client: httpx.AsyncClient) -> None:
        while not restarted_at:
            response = await client.get(f"{topology.gateways[0]}/unified/ats/departments", headers=_headers())
            if down.is_set():
                outage_reads.append(response.status_code)
            await asyncio.sleep(0.05)

    async with httpx.AsyncClient(timeout=30) as client:
        tasks = [asyncio.create_task(writer(i, client)) for i in range(120)]
        read_task = asyncio.create_task(reader(client))
        await asyncio.sleep(1.0)
        topology.redis.stop()
        down.set()
        await asyncio.sleep(2.0)
        topology.redis.start()
        restarted_at.append(time.monotonic())
        await asyncio.gather(*tasks)
        await read_task
    assert outage_reads
    assert set(outage_reads) == {200}
    assert outage_writes
    assert set(outage_writes) <= {503}
    assert set(results.values()) == {201}
    if recovered_at:
        assert recovered_at[0] - restarted_at[0] <= 5.0
    for i in range(120):
        assert topology.vendor_jobs(f"{prefix}-{i}") == 1, i


def test_several_workers_are_refused_without_redis() -> None:
    """Workers without a shared store would each keep their own idempotency keys: refused at start."""
    env = {**os.environ, "GATEWAY_WORKERS": "2", "GATEWAY_CONFIG": str(ROOT / "config" / "demo.yaml")}
    env.pop("REDIS_URL", None)
    done = subprocess.run([GATEWAY, "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "GATEWAY_WORKERS=2 needs REDIS_URL" in done.stderr
