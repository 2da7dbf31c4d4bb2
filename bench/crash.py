"""`make crash`: exactly once through process death. Two gateway replicas (`gateway serve`) share one real
redis-server with an append-only file, in front of standalone StackOne, Bindbee and Merge sandbox processes.
Concurrent clients send keyed creates (StackOne jobs by `code`, Bindbee and Merge candidates by e-mail: natural
keys, so the vendor can be counted exactly) and retry each with its key, on either replica, until a final answer,
while faults strike at random moments:

- `replica SIGKILL`: a replica is killed, and started again a moment later;
- `replica SIGKILL mid-vendor-call`: the same while the sandboxes answer half of the creates 800 ms after making
  the record, so kills land while the vendor has the write and the gateway has not heard back;
- `replica SIGSTOP, then SIGKILL`: a replica is frozen past its leases, then killed;
- `redis SIGKILL + AOF restart`: Redis is killed and started again on its append-only file.

Then the sandboxes are counted (records listed by natural key, checked against `/_sandbox/stats`): a duplicate
is a natural key with two records; a lost write is one a client was told was created that the vendor does not
have. Both must be 0 in every mode and for every vendor, and no answer may be a 500. Prints the table the README
shows.

The Merge sandbox runs with its own `Idempotency-Key` deduplication off: the gateway forwards the caller's key, and
a Merge that honoured it would hide a gateway that sent a write twice.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
GATEWAY = str(Path(sys.executable).parent / "gateway")
LEASE_S = 2.0
"""The replicas' idempotency lease: short, so that a dead replica's keys come back within a client's retries."""
MAX_TRIES = 40
"""Tries a client makes for one write (backoff up to 1 s) before it stops with the answer it has."""
CALLER_KEY = "crash-key"
SECRETS = {
    "CRASH_STACKONE_KEY": "crash-stackone-key",
    "CRASH_BINDBEE_KEY": "crash-bindbee-key",
    "CRASH_BINDBEE_TOKEN": "crash-bindbee-token",
    "CRASH_MERGE_KEY": "crash-merge-key",
    "CRASH_MERGE_TOKEN": "crash-merge-token",
    "CRASH_CURSOR_SECRET": "crash-cursor-secret",
}
STACKONE_ACCOUNT = "crash-account"
JOBS, CANDIDATES = "/unified/ats/jobs", "/unified/ats/candidates"
VENDORS = ("stackone", "bindbee", "merge")
"""The sandboxes, in the order the writes go round them."""
VENDOR_CREATES = {"stackone": JOBS, "bindbee": "/api/ats/v1/candidates", "merge": "/api/ats/v1/candidates"}
"""Where each vendor receives the creates (where the mid-call latency is injected)."""

Fault = Literal["none", "kill", "stop", "redis"]


@dataclass(frozen=True)
class Mode:
    name: str
    fault: Fault
    vendor_latency_ms: int = 0


MODES = [
    Mode("replica SIGKILL", "kill"),
    Mode("replica SIGKILL mid-vendor-call", "kill", vendor_latency_ms=800),
    Mode("replica SIGSTOP, then SIGKILL", "stop", vendor_latency_ms=300),
    Mode("redis SIGKILL + AOF restart", "redis", vendor_latency_ms=100),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(sandboxes: dict[str, str]) -> dict[str, Any]:
    def provider(connector: str, key: str) -> dict[str, Any]:
        return {
            "connector": connector,
            "base_url": sandboxes[connector],
            "credentials": {"api_key": {"env": key}},
            "timeouts": {"connect": 1, "read": 3, "total": 4},
            "breaker": {"failures": 1_000_000},  # the crash test is about outcomes; the breaker is tested apart
            # the vendors' published quotas would throttle the load; the limiter is tested apart too
            "quota": {"requests_per_minute": 10**8, "max_concurrency": 64},
        }

    return {
        "callers": [
            {"name": "crash", "api_key_sha256": hashlib.sha256(CALLER_KEY.encode()).hexdigest(), "accounts": ["*"]}
        ],
        "providers": {
            "stackone": provider("stackone", "CRASH_STACKONE_KEY"),
            "bindbee": provider("bindbee", "CRASH_BINDBEE_KEY"),
            "merge": provider("merge", "CRASH_MERGE_KEY"),
        },
        "accounts": [
            {"id": "so", "provider": "stackone", "vendor_account_id": STACKONE_ACCOUNT},
            {"id": "bb", "provider": "bindbee", "credentials": {"connector_token": {"env": "CRASH_BINDBEE_TOKEN"}}},
            {"id": "mg", "provider": "merge", "credentials": {"account_token": {"env": "CRASH_MERGE_TOKEN"}}},
        ],
        "cursor_secret": {"env": "CRASH_CURSOR_SECRET"},
        "idempotency_lease_seconds": LEASE_S,
    }


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


class Cluster:
    """The processes under test, each started (and stopped) here by its pid, all on loopback."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.redis_port = free_port()
        self.sandbox_ports = {kind: free_port() for kind in VENDORS}
        self.sandboxes = {kind: f"http://127.0.0.1:{port}" for kind, port in self.sandbox_ports.items()}
        self.gateway_ports = [free_port(), free_port()]
        self.gateways = [f"http://127.0.0.1:{port}" for port in self.gateway_ports]
        config = work / "gateway.yaml"
        config.write_text(yaml.safe_dump(_config(self.sandboxes)))
        self.env = {
            **os.environ,
            **SECRETS,
            "GATEWAY_CONFIG": str(config),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "LOG_FORMAT": "json",
            "STACKONE_SANDBOX_API_KEYS": SECRETS["CRASH_STACKONE_KEY"],
            "STACKONE_SANDBOX_ACCOUNTS": f"{STACKONE_ACCOUNT}=generic",
            "STACKONE_SANDBOX_RATE_PER_MINUTE": "100000000",
            "BINDBEE_SANDBOX_API_KEY": SECRETS["CRASH_BINDBEE_KEY"],
            "BINDBEE_SANDBOX_CONNECTORS": f"{SECRETS['CRASH_BINDBEE_TOKEN']}=generic",
            "BINDBEE_SANDBOX_RATE_PER_MINUTE": "100000000",
            "MERGE_SANDBOX_API_KEY": SECRETS["CRASH_MERGE_KEY"],
            "MERGE_SANDBOX_ACCOUNTS": f"{SECRETS['CRASH_MERGE_TOKEN']}=generic",
            "MERGE_SANDBOX_RATE_PER_MINUTE": "100000000",
            "MERGE_SANDBOX_IDEMPOTENCY": "false",
        }
        self.redis: subprocess.Popen[bytes] | None = None
        self.sandbox_processes: list[subprocess.Popen[bytes]] = []
        self.replicas: list[subprocess.Popen[bytes] | None] = [None, None]

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        return subprocess.Popen(argv, cwd=ROOT, env=env or self.env, stdout=log, stderr=log)

    def start(self) -> None:
        """Everything at once (a Python process takes seconds to start on a busy machine), then wait for each."""
        self.start_redis()
        for kind, port in self.sandbox_ports.items():
            self.sandbox_processes.append(self._spawn(kind, [GATEWAY, "sandbox", kind, "--port", str(port)]))
        for index in (0, 1):
            self._spawn_gateway(index)
        for url in [
            *(f"{u}/_sandbox/stats" for u in self.sandboxes.values()),
            *(f"{u}/healthz" for u in self.gateways),
        ]:
            _wait(url)

    def stop(self) -> None:
        for process in [*self.replicas, *self.sandbox_processes, self.redis]:
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    def start_redis(self) -> None:
        # appendfsync always: Redis writes each change to its file before it answers, so a kill loses nothing it
        # acknowledged (with everysec, a write held back behind a slow fsync could be lost with the process).
        argv = [shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.work)]
        self.redis = self._spawn("redis", argv)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.redis_port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def kill_redis(self) -> None:
        assert self.redis is not None
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait(timeout=10)

    def _spawn_gateway(self, index: int) -> None:
        env = {**self.env, "GATEWAY_PORT": str(self.gateway_ports[index])}
        self.replicas[index] = self._spawn(f"gateway-{index}", [GATEWAY, "serve"], env)

    def start_gateway(self, index: int) -> None:
        self._spawn_gateway(index)
        _wait(f"{self.gateways[index]}/healthz")

    def signal_gateway(self, index: int, sig: signal.Signals) -> None:
        process = self.replicas[index]
        assert process is not None
        process.send_signal(sig)
        if sig == signal.SIGKILL:
            process.wait(timeout=10)

    def fault(self, kind: str, spec: dict[str, Any] | None) -> None:
        """Add a fault to a sandbox, or clear its faults (None)."""
        url = f"{self.sandboxes[kind]}/_sandbox/faults"
        (httpx.post(url, json=spec) if spec is not None else httpx.delete(url)).raise_for_status()

    def created(self) -> Counter[str]:
        """What the sandboxes say they created, per vendor and kind."""
        out: Counter[str] = Counter()
        for kind, url in self.sandboxes.items():
            for what, n in httpx.get(f"{url}/_sandbox/stats").json()["created"].items():
                out[f"{kind} {what}"] += n
        return out

    def at_vendor(self, since: datetime) -> Counter[str]:
        """Every job code (StackOne) and candidate e-mail (Bindbee, Merge) the vendors hold, made since `since`."""
        stamp = since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        token = base64.b64encode(f"{SECRETS['CRASH_STACKONE_KEY']}:".encode()).decode()
        stackone = _pages(
            f"{self.sandboxes['stackone']}{JOBS}",
            {"authorization": f"Basic {token}", "x-account-id": STACKONE_ACCOUNT},
            {"page_size": "100", "filter[created_after]": stamp},
            ("data", "next", "next"),
        )
        bindbee = _pages(
            f"{self.sandboxes['bindbee']}/api/ats/v1/candidates",
            {
                "authorization": f"Bearer {SECRETS['CRASH_BINDBEE_KEY']}",
                "x-connector-token": SECRETS["CRASH_BINDBEE_TOKEN"],
            },
            {"page_size": "200", "modified_after": stamp},
            ("items", "cursor", "cursor"),
        )
        merge = _pages(
            f"{self.sandboxes['merge']}/api/ats/v1/candidates",
            {"authorization": f"Bearer {SECRETS['CRASH_MERGE_KEY']}", "x-account-token": SECRETS["CRASH_MERGE_TOKEN"]},
            {"page_size": "100", "created_after": stamp},
            ("results", "next", "cursor"),
        )
        found: Counter[str] = Counter(str(job.get("code")) for job in stackone)
        found.update(email for candidate in bindbee for email in candidate.get("email_addresses") or [])
        found.update(e["value"] for candidate in merge for e in candidate.get("email_addresses") or [])
        return found

    def acting_user(self) -> str:
        """A Merge user to write as: Merge requires `remote_user_id` on every write, and the account sets none."""
        headers = {"authorization": f"Bearer {CALLER_KEY}", "x-account-id": "mg"}
        users = httpx.get(f"{self.gateways[0]}/unified/ats/users", headers=headers).raise_for_status().json()
        return str(users["data"][0]["id"])


def _pages(url: str, headers: dict[str, str], query: dict[str, str], spelling: tuple[str, str, str]) -> list[Any]:
    """Every record of a vendor list, page after page. `spelling`: the page's records, the page's next cursor, and
    the query parameter that takes it."""
    items, next_key, cursor = spelling
    records: list[Any] = []
    while True:
        page = httpx.get(url, params=query, headers=headers).json()
        records += page[items]
        if not page.get(next_key):
            return records
        query = {**query, cursor: page[next_key]}


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    with tempfile.TemporaryDirectory(prefix="gateway-crash-") as work:
        running = Cluster(Path(work))
        try:
            running.start()
            yield running
        finally:
            running.stop()


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    finals: dict[str, int] = field(default_factory=dict)
    """Natural key → the last status its client got."""
    vendor_of: dict[str, str] = field(default_factory=dict)
    """Natural key → the vendor it was written to."""
    cut: int = 0
    """Attempts whose connection failed (a replica dead, frozen or restarting)."""
    faults: int = 0


Write = tuple[str, str, str, str, dict[str, Any]]
"""One create: (vendor, natural key, account, path, body)."""


def _write(i: int, prefix: str, acting_user: str) -> Write:
    """The i-th create: StackOne jobs, Bindbee and Merge candidates in turn."""
    vendor = VENDORS[i % len(VENDORS)]
    if vendor == "stackone":
        code = f"{prefix}-{i}"
        return vendor, code, "so", JOBS, {"title": f"Crash {i}", "code": code}
    email = f"{prefix}-{i}@example.org"
    body = {"first_name": "Crash", "last_name": f"Test {i}", "email": email}
    if vendor == "bindbee":
        return vendor, email, "bb", CANDIDATES, body
    return vendor, email, "mg", CANDIDATES, {**body, "acting_user_id": acting_user}


async def _client_write(
    client: httpx.AsyncClient, gateways: list[str], i: int, write: Write, tally: Tally, tries: int
) -> None:
    vendor, natural, account, path, body = write
    tally.vendor_of[natural] = vendor
    headers = {"authorization": f"Bearer {CALLER_KEY}", "x-account-id": account, "idempotency-key": natural}
    status = 0
    for attempt in range(tries):
        try:
            response = await client.post(f"{gateways[(i + attempt) % 2]}{path}", json=body, headers=headers)
        except httpx.TransportError:
            tally.cut += 1
            await asyncio.sleep(0.05)
            continue
        status = response.status_code
        tally.statuses[status] += 1
        if status in (201, 400, 422):
            break
        await asyncio.sleep(min(1.0, 0.05 * 2**attempt))
    tally.finals[natural] = status


async def _inject(running: Cluster, mode: Mode, issuing: asyncio.Event, tally: Tally) -> None:
    """Strike at random moments while the writes are being issued; only one replica is ever down at a time."""
    while issuing.is_set():
        await asyncio.sleep(random.uniform(0.3, 1.2))  # noqa: S311 - test tool
        if not issuing.is_set():
            return
        index = random.randrange(2)  # noqa: S311
        if mode.fault == "kill":
            running.signal_gateway(index, signal.SIGKILL)
            await asyncio.sleep(random.uniform(0.1, 0.6))  # noqa: S311
            await asyncio.to_thread(running.start_gateway, index)
        elif mode.fault == "stop":
            running.signal_gateway(index, signal.SIGSTOP)
            await asyncio.sleep(LEASE_S + random.uniform(0.2, 1.0))  # noqa: S311 - past its leases
            running.signal_gateway(index, signal.SIGKILL)
            await asyncio.to_thread(running.start_gateway, index)
        elif mode.fault == "redis":
            running.kill_redis()
            await asyncio.sleep(random.uniform(0.2, 0.8))  # noqa: S311
            await asyncio.to_thread(running.start_redis)
        tally.faults += 1


async def run_mode(
    running: Cluster, mode: Mode, writes: int, concurrency: int, seconds: float, tries: int
) -> dict[str, Any]:
    prefix = f"crash-{uuid.uuid4().hex[:8]}"
    since = datetime.now(UTC) - timedelta(seconds=1)
    before = running.created()
    acting_user = await asyncio.to_thread(running.acting_user)
    if mode.vendor_latency_ms:
        for kind, path in VENDOR_CREATES.items():
            # after_handling: the record is made first, the answer is late (a kill then leaves it at the vendor)
            latency = {"latency_ms": mode.vendor_latency_ms, "after_handling": True, "probability": 0.5, "times": 10**9}
            running.fault(kind, {"method": "POST", "path": path, **latency})
    tally = Tally()
    issuing = asyncio.Event()
    issuing.set()
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def one(i: int) -> None:
            await asyncio.sleep(i * seconds / writes)  # spread over the run, so faults strike throughout
            async with semaphore:
                await _client_write(client, running.gateways, i, _write(i, prefix, acting_user), tally, tries)

        injector = asyncio.create_task(_inject(running, mode, issuing, tally))
        clients = [asyncio.create_task(one(i)) for i in range(writes)]
        await asyncio.sleep(seconds)
        issuing.clear()
        await injector
        await asyncio.gather(*clients)
    for kind in running.sandboxes:
        running.fault(kind, None)
    held = running.at_vendor(since)
    made = running.created() - before
    ours = {natural: held[natural] for natural in tally.finals}
    accepted = [natural for natural, status in tally.finals.items() if status == 201]

    def per_vendor(keys: list[str]) -> dict[str, int]:
        return {vendor: sum(1 for natural in keys if tally.vendor_of[natural] == vendor) for vendor in VENDORS}

    return {
        "mode": mode.name,
        "writes": writes,
        "requests": sum(tally.statuses.values()) + tally.cut,
        "faults": tally.faults,
        "cut": tally.cut,
        "accepted": len(accepted),
        "duplicates": sum(1 for n in ours.values() if n > 1),
        "lost": sum(1 for natural in accepted if ours[natural] == 0),
        "writes_per_vendor": per_vendor(list(tally.finals)),
        "duplicates_per_vendor": per_vendor([natural for natural, n in ours.items() if n > 1]),
        "lost_per_vendor": per_vendor([natural for natural in accepted if ours[natural] == 0]),
        "unknown_after_retries": sum(1 for status in tally.finals.values() if status in (502, 504)),
        "other_finals": sum(1 for status in tally.finals.values() if status not in (201, 502, 504)),
        "gateway_500s": tally.statuses[500],
        "vendor_created": sum(made.values()),
        "vendor_listed": sum(ours.values()),
        "statuses": dict(sorted(tally.statuses.items())),
    }


async def crash(writes: int, concurrency: int, seconds: float, tries: int = MAX_TRIES) -> list[dict[str, Any]]:
    with cluster() as running:
        return [await run_mode(running, mode, writes, concurrency, seconds, tries) for mode in MODES]


def table(rows: list[dict[str, Any]]) -> str:
    def split(counts: dict[str, int]) -> str:
        return " / ".join(str(counts[vendor]) for vendor in VENDORS)

    lines = [
        "| mode | writes (StackOne / Bindbee / Merge) | requests (with retries) | faults | duplicates | lost "
        "| unknown after retries | 500s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['mode']} | {split(r['writes_per_vendor'])} | {r['requests']} | {r['faults']} | "
            f"{split(r['duplicates_per_vendor'])} | {split(r['lost_per_vendor'])} | "
            f"{r['unknown_after_retries']} | {r['gateway_500s']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    parser.add_argument("--writes", type=int, default=2000, help="keyed creates per mode")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=90.0, help="how long the writes of a mode are spread over")
    parser.add_argument("--tries", type=int, default=MAX_TRIES, help="tries per write before its client stops")
    args = parser.parse_args()
    rows = asyncio.run(crash(args.writes, args.concurrency, args.seconds, args.tries))
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "crash.md").write_text(table(rows))
    print(table(rows))
    for row in rows:
        print(row)
    if any(r["duplicates"] or r["lost"] or r["gateway_500s"] for r in rows):
        raise SystemExit("duplicates, lost writes or 500s: see the table")


if __name__ == "__main__":
    main()
