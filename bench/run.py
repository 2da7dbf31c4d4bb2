"""`make bench`: the gateway against the floors of a proxy hop, side by side in one run, on loopback; with a base
commit (`--base`, `make bench BASE=…`), the gateway of that commit (side A) against the working tree's (side B),
scenario by scenario, measured in turn.

A scenario is a workload (what is asked: a keyed job create, a page of 100 candidates or one candidate, through the
Bindbee mapping or StackOne) on a server (the upstream itself, nginx, the Python passthrough, the gateway with the
embedded store, with Redis, with two workers). Each server is its own process. The server under test and Redis
(the gateway's own state, so its CPU counts against the hop) are pinned to core 0; the fixed upstream and the load
generator (wrk) to core 1, so the figures compare hops, not schedulers. (On these VMs a round trip between processes
on different, idle cores costs about 0.5 ms of wake-up, against 0.1 ms on one core: `cross_core_ping_ms` in the
results.) Both sides of an A/B run are up together and measured in turn, A, B, B, A, A, B…, so the machine's
drift falls on both alike. Every figure is the median of `--repeat` runs. Writes latest.json, latest.md and latest.png.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

from bench.ab import Side, base_side, find_uv, working_tree
from bench.pages import BINDBEE_RECORD_ID, STACKONE_RECORD_ID
from bench.report import report

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLOORS = ("direct", "nginx", "passthrough")
SERVERS = (*FLOORS, "gateway-memory", "gateway-redis", "gateway-redis-2w")
TWO_WORKERS = "gateway-redis-2w"
"""The production shape on this machine: GATEWAY_WORKERS=2 over both cores (shared with wrk, upstream, Redis)."""
READ_SERVERS = ("direct", "passthrough", "gateway-redis", TWO_WORKERS)
ACTING_USER = "3c028d9d-ffd9-524f-90bc-198cb5d12610"
BODY = json.dumps(
    {
        "title": "Bench Engineer",
        "template_id": "4033879009",
        "acting_user_id": ACTING_USER,
        "openings": 1,
        "department_ids": ["ce0c61fe-30f7-59ad-9dc1-0f6f79629777"],
    }
)
API_KEY = "bench-key"
BINDBEE_READ = "expand=applications&include_custom_fields=true"
"""What the Bindbee connector asks for on every candidate read: the applications expanded, the custom fields."""


@dataclass(frozen=True)
class Workload:
    name: str
    method: str
    path: str
    """On the gateway."""
    vendor_path: str
    """The vendor call the gateway makes for it: what the floors (direct, nginx, passthrough) are asked."""
    account: str
    servers: tuple[str, ...]
    body: str | None = None
    keyed: bool = False
    """A fresh Idempotency-Key on every request."""
    slow: bool = False
    """Also measured at 150 concurrent against the upstream that answers after 100 ms."""


WORKLOADS = (
    Workload("create", "POST", "/unified/ats/jobs", "/api/ats/v1/jobs", "bench", SERVERS, BODY, keyed=True, slow=True),
    Workload(
        "bindbee-list",
        "GET",
        "/unified/ats/candidates?page_size=100",
        f"/api/ats/v1/candidates?{BINDBEE_READ}&page_size=100",
        "bench",
        READ_SERVERS,
    ),
    Workload(
        "bindbee-get",
        "GET",
        f"/unified/ats/candidates/{BINDBEE_RECORD_ID}",
        f"/api/ats/v1/candidates/{BINDBEE_RECORD_ID}?{BINDBEE_READ}",
        "bench",
        READ_SERVERS,
    ),
    Workload(
        "stackone-list",
        "GET",
        "/unified/ats/candidates?page_size=100",
        "/unified/ats/candidates?page_size=100",
        "bench-stackone",
        READ_SERVERS,
    ),
    Workload(
        "stackone-get",
        "GET",
        f"/unified/ats/candidates/{STACKONE_RECORD_ID}",
        f"/unified/ats/candidates/{STACKONE_RECORD_ID}",
        "bench-stackone",
        READ_SERVERS,
    ),
)


def scenarios(patterns: list[str]) -> list[tuple[Workload, str]]:
    """The (workload, server) pairs a filter selects: `workload/server` globs, or a workload or server name alone
    (`bindbee-*`, `gateway-redis`, `create/passthrough`)."""

    def chosen(workload: str, server: str) -> bool:
        return any(
            fnmatch.fnmatchcase(f"{workload}/{server}", p)
            if "/" in p
            else fnmatch.fnmatchcase(workload, p) or fnmatch.fnmatchcase(server, p)
            for p in patterns
        )

    return [(w, s) for w in WORKLOADS for s in w.servers if chosen(w.name, s)]


def wrk_script(workload: Workload, path: str) -> str:
    headers = [f'headers["Authorization"] = "Bearer {API_KEY}"', f'headers["x-account-id"] = "{workload.account}"']
    if workload.body is not None:
        headers.append('headers["Content-Type"] = "application/json"')
    if workload.keyed:
        # NONCE is replaced per run: every request of every run has a key never used before.
        headers.append('headers["Idempotency-Key"] = string.format("NONCE-%d", counter)')
    body = "nil" if workload.body is None else f"[[{workload.body}]]"
    return "\n".join(
        [
            "counter = 0",
            "request = function()",
            "  counter = counter + 1",
            "  local headers = {}",
            *(f"  {h}" for h in headers),
            f'  return wrk.format("{workload.method}", "{path}", headers, {body})',
            "end",
        ]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StartFailed(RuntimeError):
    pass


def wait_port(port: int, process: subprocess.Popen[bytes] | None = None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StartFailed(f"exited with {process.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise StartFailed(f"nothing listens on {port} after {seconds:.0f} s")


@dataclass
class Wrk:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> Wrk:
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in latency or "99" not in latency:
        raise RuntimeError(f"wrk output not understood:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return Wrk(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors=errors,
    )


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        for proc in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def rss_mb(pid: int) -> float:
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return float(sum(p.memory_info().rss for p in procs)) / 1e6


def ping_ms(redis_port: int, core: str) -> float:
    """Average Redis PING round trip from `core` (redis-cli --latency: a ping every 10 ms for 1 s, both idle)."""
    out = subprocess.run(
        ["taskset", "-c", core, "redis-cli", "-p", str(redis_port), "--latency", "-i", "1", "--raw"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.split()
    return float(out[2]) if len(out) >= 3 else float("nan")


def redis_calls(port: int) -> tuple[int, int]:
    """(commands clients sent, operations run inside scripts) so far; commandstats counts both."""
    import redis

    stats = redis.Redis(port=port).info("commandstats")
    sent = sum(int(v["calls"]) for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval", "cmdstat_ping"))
    total = sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")
    return sent, total - sent


def gateway_counters(port: int) -> tuple[float, float]:
    """(round trips to the store, requests answered on the unified routes), from the gateway's own metrics: wrk
    does not count the requests it abandoned at its deadline, the gateway does once they are done."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    trips = re.search(r"^gateway_state_store_round_trips(?:_total)? ([\d.e+]+)$", text, re.M)
    answered = re.findall(r'^gateway_requests_total\{.*route="/unified/.*\} ([\d.e+]+)$', text, re.M)
    return (float(trips.group(1)) if trips else 0.0), sum(float(n) for n in answered)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def gateway_config(upstream_port: int) -> dict[str, Any]:
    """One file for both sides of an A/B run: a Bindbee account on Greenhouse and a StackOne account."""
    base_url = f"http://127.0.0.1:{upstream_port}"
    unlimited = {"requests_per_second": 1_000_000, "burst": 1_000_000}
    quota = {"requests_per_minute": 100_000_000, "share": 1, "max_concurrency": 1000}
    return {
        "callers": [
            {
                "name": "bench",
                "api_key_sha256": hashlib.sha256(API_KEY.encode()).hexdigest(),
                "accounts": ["*"],
                "rate_limit": unlimited,
                "rate_limit_per_account": unlimited,
            }
        ],
        "providers": {
            "bindbee": {
                "connector": "bindbee",
                "base_url": base_url,
                "credentials": {"api_key": {"env": "BENCH_BINDBEE_KEY"}},
                "quota": quota,
                "max_connections": 512,
            },
            "stackone": {
                "connector": "stackone",
                "base_url": base_url,
                "credentials": {"api_key": {"env": "BENCH_STACKONE_KEY"}},
                "quota": quota,
                "max_connections": 512,
            },
        },
        "accounts": [
            {
                "id": "bench",
                "provider": "bindbee",
                "ats": "greenhouse",
                "credentials": {"connector_token": {"env": "BENCH_BINDBEE_TOKEN"}},
            },
            {"id": "bench-stackone", "provider": "stackone", "vendor_account_id": "bench-linked-account"},
        ],
        "cursor_secret": {"env": "BENCH_CURSOR_SECRET"},
    }


def nginx_config(work: Path, port: int, upstream_port: int) -> Path:
    conf = work / f"nginx-{port}.conf"
    temp = work / "nginx"
    temp.mkdir(exist_ok=True)
    conf.write_text(f"""
worker_processes 1;
pid {temp}/nginx-{port}.pid;
error_log {temp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  upstream up {{ server 127.0.0.1:{upstream_port}; keepalive 256; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}
}}
""")
    return conf


def uvicorn(app: str, port: int) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@dataclass
class Running:
    port: int
    process: subprocess.Popen[bytes] | None
    """None for `direct`: wrk talks to the upstream, whose CPU is not the hop's."""

    @property
    def pids(self) -> list[int]:
        return [self.process.pid] if self.process else []


@dataclass
class Settings:
    repeat: int
    seconds: float
    warm: float
    soak: int
    pairs: int


@dataclass
class Bench:
    work: Path
    sides: list[Side]
    settings: Settings
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    configs: dict[int, Path] = field(default_factory=dict)
    redis_port: int = 0
    fast: int = 0
    slow: int = 0

    # --- processes --------------------------------------------------------------------------------------------

    def spawn(
        self, name: str, argv: list[str], core: str, env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            ["taskset", "-c", core, *argv],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.processes.remove(process)

    def stop_all(self) -> None:
        for process in list(self.processes):
            self.stop(process)

    def start_fixtures(self) -> dict[str, float]:
        """Redis and the two upstreams (fast, and 100 ms); returns the same- and cross-core ping to Redis."""
        self.redis_port = free_port()
        redis = shutil.which("redis-server") or "redis-server"
        self.spawn("redis", [redis, "--port", str(self.redis_port), "--save", "", "--appendonly", "no"], core="0")
        wait_port(self.redis_port)
        pings = {
            "same_core_ping_ms": ping_ms(self.redis_port, "0"),
            "cross_core_ping_ms": ping_ms(self.redis_port, "1"),
        }
        self.fast, self.slow = free_port(), free_port()
        self.spawn("upstream-fast", uvicorn("bench.upstream:app", self.fast), core="1")
        self.spawn("upstream-slow", uvicorn("bench.upstream:app", self.slow), core="1", env={"BENCH_DELAY_MS": "100"})
        wait_port(self.fast)
        wait_port(self.slow)
        return pings

    def config(self, upstream: int) -> Path:
        if upstream not in self.configs:
            path = self.work / f"gateway-{upstream}.yaml"
            path.write_text(yaml.safe_dump(gateway_config(upstream)))
            self.configs[upstream] = path
        return self.configs[upstream]

    @contextmanager
    def started(self, server: str, upstream: int, side: Side) -> Iterator[Running]:
        """`server` in front of `upstream`; a gateway is `side`'s own, through its CLI."""
        if server == "direct":
            yield Running(upstream, None)
            return
        port = free_port()
        name = f"{side.key}-{server}-{port}"
        if server == "nginx":
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            conf = nginx_config(self.work, port, upstream)
            process = self.spawn(name, [nginx, "-c", str(conf), "-g", "daemon off;"], core="0")
        elif server == "passthrough":
            env = {
                "BENCH_UPSTREAM": f"http://127.0.0.1:{upstream}",
                "BENCH_TRANSPORT": os.environ.get("GATEWAY_HTTP_TRANSPORT", "aiohttp"),
            }
            process = self.spawn(name, uvicorn("bench.passthrough:app", port), core="0", env=env)
        else:
            env = {
                "GATEWAY_CONFIG": str(self.config(upstream)),
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(port),
                "LOG_FORMAT": "json",
                "BENCH_BINDBEE_KEY": "k",
                "BENCH_BINDBEE_TOKEN": "t",
                "BENCH_STACKONE_KEY": "k",
                "BENCH_CURSOR_SECRET": "s",
            }
            if server.startswith("gateway-redis"):
                env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
            if server == TWO_WORKERS:
                env["GATEWAY_WORKERS"] = "2"
            core = "0,1" if server == TWO_WORKERS else "0"
            process = self.spawn(name, [str(side.gateway), "serve"], core=core, env=env, cwd=side.root)
        try:
            wait_port(port, process)
        except StartFailed as exc:
            self.stop(process)
            log = (self.work / f"{name}.log").read_text(errors="replace")[-600:]
            raise StartFailed(f"{exc}; log: {log.strip()}") from None
        try:
            yield Running(port, process)
        finally:
            self.stop(process)

    # --- load -------------------------------------------------------------------------------------------------

    def wrk(self, port: int, connections: int, seconds: float, script: str) -> Wrk:
        path = self.work / f"wrk-{uuid.uuid4().hex}.lua"
        path.write_text(script.replace("NONCE", uuid.uuid4().hex))
        out = subprocess.run(
            [
                "taskset",
                "-c",
                "1",
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                str(path),
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
        path.unlink()
        return parse_wrk(out)

    # --- one scenario -----------------------------------------------------------------------------------------

    def scenario(self, workload: Workload, server: str) -> dict[str, Any]:
        """Figures of `workload` on `server`: the working tree's (B) and, for a gateway with a base, A's, measured
        in turn. A side that cannot start, or answers the workload with no success, is reported as such."""
        floor = server in FLOORS
        sides = [s for s in self.sides if s.key == "B"] if floor else self.sides
        path = workload.vendor_path if floor else workload.path
        script = wrk_script(workload, path)
        out: dict[str, dict[str, Any]] = {}
        records: dict[str, int] = {}
        with ExitStack() as stack:
            running: dict[str, Running] = {}
            for side in sides:
                try:
                    running[side.key] = stack.enter_context(self.started(server, self.fast, side))
                except StartFailed as exc:
                    out[side.key] = {"failed": f"did not start: {exc}"}
            for key, target in list(running.items()):
                status, answer = probe(target.port, workload, path)
                if not 200 <= status < 300:
                    out[key] = {"unsupported": f"{workload.method} {path} answered {status}: {answer[:300]!r}"}
                    del running[key]
                elif server == TWO_WORKERS and not workers_up(target, 2):
                    out[key] = {"unsupported": "GATEWAY_WORKERS=2 started one process (no workers)"}
                    del running[key]
                else:
                    records[key] = count_records(answer)
            measured = self.alternate(running, workload, server, script)
        if workload.slow and measured:
            with ExitStack() as stack:
                slow = {
                    side.key: stack.enter_context(self.started(server, self.slow, side))
                    for side in sides
                    if side.key in measured
                }
                self.alternate_slow(slow, script, measured)
        for key, figures in measured.items():
            figures["records"] = records[key]
            cpu = figures.get("cpu_ms_per_request")
            if cpu is not None:
                figures["cpu_us_per_record"] = round(cpu * 1000 / records[key], 2)
            out[key] = figures
        result: dict[str, Any] = {"workload": workload.name, "server": server, "figures": out.get("B")}
        if "A" in out:
            result["base"] = out["A"]
            if "B" in measured and "A" in measured:
                result["ratio"] = ratios(measured["B"], measured["A"])
        return result

    def alternate(
        self, running: dict[str, Running], workload: Workload, server: str, script: str
    ) -> dict[str, dict[str, Any]]:
        """32 then 1 concurrent, each repetition on every side in turn (`in_turn`)."""
        settings = self.settings
        samples: dict[str, dict[str, list[float]]] = {k: {} for k in running}
        runs: dict[str, list[Wrk]] = {k: [] for k in running}
        store_stats = server == "gateway-redis"
        # One process's own count of the requests it answered (with two workers /metrics is one worker's).
        counted = server in ("gateway-memory", "gateway-redis")
        for target in running.values():
            self.wrk(target.port, 32, settings.warm, script)  # connections, pools, caches
            settle(target.pids)
        for rep in range(settings.repeat):
            for key, target in in_turn(running, rep):
                cpu_before = cpu_seconds(target.pids) if target.pids else 0.0
                calls_before = redis_calls(self.redis_port) if store_stats else (0, 0)
                counters_before = gateway_counters(target.port) if counted else (0.0, 0.0)
                run = self.wrk(target.port, 32, settings.seconds, script)
                runs[key].append(run)
                settle(target.pids)
                trips, answered = gateway_counters(target.port) if counted else (0.0, 0.0)
                answered = answered - counters_before[1] or run.requests
                if target.pids and answered:
                    cpu = (cpu_seconds(target.pids) - cpu_before) / answered * 1000
                    samples[key].setdefault("cpu_ms_per_request", []).append(cpu)
                if store_stats and answered:
                    sent, inner = redis_calls(self.redis_port)
                    per_request = {
                        "redis_commands_per_request": sent - calls_before[0],
                        "redis_script_operations_per_request": inner - calls_before[1],
                        "redis_round_trips_per_request": trips - counters_before[0],
                    }
                    for name, total in per_request.items():
                        samples[key].setdefault(name, []).append(total / answered)
        ones: dict[str, list[Wrk]] = {k: [] for k in running}
        for rep in range(settings.repeat):
            for key, target in in_turn(running, rep):
                ones[key].append(self.wrk(target.port, 1, max(1.0, settings.seconds / 2), script))
        figures: dict[str, dict[str, Any]] = {}
        for key in running:
            result: dict[str, Any] = {
                "c32": {
                    "rps": median([r.rps for r in runs[key]]),
                    "p50_ms": median([r.p50_ms for r in runs[key]]),
                    "p99_ms": median([r.p99_ms for r in runs[key]]),
                    "errors": sum(r.errors for r in runs[key]),
                },
                "c1_p50_ms": median([r.p50_ms for r in ones[key]]),
                "samples": {
                    "c32_rps": [round(r.rps, 1) for r in runs[key]],
                    "c1_p50_ms": [round(r.p50_ms, 3) for r in ones[key]],
                    **{name: [round(v, 3) for v in values] for name, values in samples[key].items()},
                },
            }
            result.update({name: median(values) for name, values in samples[key].items()})
            figures[key] = result
        if store_stats and workload.name == "create" and "B" in running and settings.soak:
            figures["B"]["rss_mb"] = self.soak(running["B"], script, figures["B"]["c32"]["rps"])
        return figures

    def alternate_slow(self, running: dict[str, Running], script: str, figures: dict[str, dict[str, Any]]) -> None:
        """150 concurrent against the 100 ms upstream (ideal: 1,500 requests/s), sides in turn."""
        runs: dict[str, list[Wrk]] = {k: [] for k in running}
        for target in running.values():
            self.wrk(target.port, 150, self.settings.warm, script)
        for rep in range(self.settings.repeat):
            for key, target in in_turn(running, rep):
                runs[key].append(self.wrk(target.port, 150, self.settings.seconds, script))
        for key, measured in runs.items():
            figures[key]["c150_slow"] = {
                "rps": median([r.rps for r in measured]),
                "p99_ms": median([r.p99_ms for r in measured]),
                "errors": sum(r.errors for r in measured),
            }

    def soak(self, target: Running, script: str, rps: float) -> dict[str, Any]:
        assert target.process is not None
        before = rss_mb(target.process.pid)
        done = 0
        while done < self.settings.soak:
            seconds = min(30.0, max(5.0, (self.settings.soak - done) / rps))
            done += self.wrk(target.port, 32, seconds, script).requests
        return {"before": round(before, 1), "after": round(rss_mb(target.process.pid), 1), "requests": done}

    def paired_c1(self, workload: Workload) -> dict[str, Any]:
        """P3 as a paired comparison: passthrough and the working tree's gateway-redis both up, measured at 1
        concurrent in turn, and the median of the per-pair differences. The machine's load drifts over minutes;
        a pair is seconds apart."""
        side = next(s for s in self.sides if s.key == "B")
        floor_script = wrk_script(workload, workload.vendor_path)
        gateway_script = wrk_script(workload, workload.path)
        with (
            self.started("passthrough", self.fast, side) as floor,
            self.started("gateway-redis", self.fast, side) as gateway,
        ):
            self.wrk(floor.port, 1, self.settings.warm, floor_script)
            self.wrk(gateway.port, 1, self.settings.warm, gateway_script)
            floors, gateways = [], []
            for _ in range(self.settings.pairs):
                floors.append(self.wrk(floor.port, 1, max(1.0, self.settings.seconds / 2), floor_script).p50_ms)
                gateways.append(self.wrk(gateway.port, 1, max(1.0, self.settings.seconds / 2), gateway_script).p50_ms)
        gaps = [g - f for f, g in zip(floors, gateways, strict=True)]
        return {
            "passthrough_p50_ms": [round(f, 3) for f in floors],
            "gateway_redis_p50_ms": [round(g, 3) for g in gateways],
            "gap_ms": [round(g, 3) for g in gaps],
            "median_gap_ms": median(gaps),
        }


def measure_record_bytes() -> int:
    """Key and overhead of one stored create, beyond the stored body (MEMORY USAGE on a real server)."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", ""], stdout=subprocess.DEVNULL
    )
    try:
        wait_port(port)
        client = redis.Redis(port=port)
        body = (
            b'201{"statusCode":201,"message":"Record created successfully.","timestamp":"2026-11-23T12:00:00.000Z"'
            b',"data":{"id":"3f1c2e9a-4b5d-4e6f-8a7b-9c0d1e2f3a4b","remote_id":"4033879101"}}'
        )
        key = "idem:{acct:bench}:" + "0" * 32
        client.set(key, b"C" + b"f" * 32 + body, px=86_400_000)
        usage = int(client.memory_usage(key) or 0)
        return usage - (len(body) - 3)
    finally:
        process.terminate()
        process.wait()


def workers_up(target: Running, workers: int, seconds: float = 10.0) -> bool:
    """Whether the server runs `workers` worker processes (a commit that ignores GATEWAY_WORKERS runs none)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if target.process and len(psutil.Process(target.process.pid).children(recursive=True)) >= workers:
            return True
        time.sleep(0.2)
    return False


def settle(pids: list[int], seconds: float = 10.0) -> None:
    """Wait until the server has finished the requests wrk abandoned at its deadline (its CPU stops moving), so
    a run's CPU covers the requests answered in it, and the next run starts with none in flight. At a page per
    20 ms and 32 in flight, that tail is a large part of a short run."""
    if not pids:
        return
    deadline = time.monotonic() + seconds
    last = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = cpu_seconds(pids)
        if now - last < 0.002:
            return
        last = now


def in_turn(running: dict[str, Running], rep: int) -> list[tuple[str, Running]]:
    """The sides in the order of repetition `rep`: A, B, then B, A, and so on. A steady drift of the machine's load
    over the scenario then falls on both sides alike; with A always first, B would always run on the later load."""
    order = sorted(running.items())
    return order if rep % 2 == 0 else order[::-1]


def probe(port: int, workload: Workload, path: str) -> tuple[int, bytes]:
    """One request of the workload, before any is timed: does this side do it at all?"""
    headers = {"Authorization": f"Bearer {API_KEY}", "x-account-id": workload.account}
    if workload.body is not None:
        headers["Content-Type"] = "application/json"
    if workload.keyed:
        headers["Idempotency-Key"] = f"probe-{uuid.uuid4().hex}"
    response = httpx.request(
        workload.method, f"http://127.0.0.1:{port}{path}", content=workload.body, headers=headers, timeout=30
    )
    return response.status_code, response.content


def count_records(answer: bytes) -> int:
    """Records in one answer: a page's (`data` for StackOne and the gateway, `items` for Bindbee), else one."""
    try:
        body = json.loads(answer)
    except ValueError:
        return 1
    for key in ("data", "items"):
        if isinstance(body, dict) and isinstance(body.get(key), list):
            return len(body[key])
    return 1


RATIOS = (
    ("c32_rps", ("c32", "rps")),
    ("cpu_ms_per_request", ("cpu_ms_per_request",)),
    ("c1_p50_ms", ("c1_p50_ms",)),
    ("c150_rps", ("c150_slow", "rps")),
    ("c150_p99_ms", ("c150_slow", "p99_ms")),
)


def ratios(b: dict[str, Any], a: dict[str, Any]) -> dict[str, float]:
    """B/A of each figure both sides have: below 1, the working tree needs less (or, for rps, does less)."""
    out = {}
    for name, keys in RATIOS:
        x: Any = b
        y: Any = a
        for key in keys:
            x = x.get(key) if isinstance(x, dict) else None
            y = y.get(key) if isinstance(y, dict) else None
        if isinstance(x, int | float) and isinstance(y, int | float) and y:
            out[name] = round(x / y, 3)
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--base", default="", help="commit for side A (`make bench BASE=…`); empty: no A/B")
    parser.add_argument("--uv", default=None, help="uv to build the base commit's environment with")
    parser.add_argument("--quick", action="store_true", help="2 s runs, no soak: for development, not for figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=None, help="per run at 32 and 150 concurrent (default 8)")
    parser.add_argument("--soak", type=int, default=None, help="requests for the RSS figure (default 100,000)")
    parser.add_argument("--only", nargs="*", default=["*"], help="workload/server globs, or a workload or server")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--list", action="store_true", help="print the selected scenarios and stop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    selected = scenarios(args.only)
    if args.list or not selected:
        print("\n".join(f"{w.name}/{s}" for w, s in selected) or f"no scenario matches {args.only}")
        return
    seconds = args.seconds if args.seconds is not None else 2.0 if args.quick else 8.0
    settings = Settings(
        repeat=args.repeat,
        seconds=seconds,
        warm=min(2.0, seconds),
        soak=args.soak if args.soak is not None else 0 if args.quick else 100_000,
        pairs=max(5, args.repeat),
    )
    base = "" if args.base.lower() in ("", "none") else args.base
    # `make` stopped by a signal: the finally blocks still stop every server and remove the base worktree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"== logs in {work}", flush=True)
    figures: dict[str, dict[str, Any]] = {}
    paired: dict[str, Any] | None = None
    with ExitStack() as stack:
        sides = [working_tree()]
        if base:
            sides.insert(0, stack.enter_context(base_side(base, work, find_uv(args.uv))))
        bench = Bench(work, sides, settings)
        stack.callback(bench.stop_all)
        pings = bench.start_fixtures()
        for workload, server in selected:
            name = f"{workload.name}/{server}"
            print(f"== {name}", flush=True)
            try:
                figures[name] = bench.scenario(workload, server)
            except Exception as exc:  # one scenario's failure must not cost the run's other figures
                traceback.print_exc()
                failed = {"failed": f"{type(exc).__name__}: {exc}"}
                figures[name] = {"workload": workload.name, "server": server, "figures": failed}
            print(json.dumps({k: v for k, v in figures[name].items() if k != "workload"}), flush=True)
        names = {f"{w.name}/{s}" for w, s in selected}
        if {"create/passthrough", "create/gateway-redis"} <= names:
            paired = bench.paired_c1(WORKLOADS[0])
            print(json.dumps(paired), flush=True)
    ab = {side.key: {"label": side.label, "commit": side.commit} for side in sides}
    settings_out = {
        "repeat": settings.repeat,
        "seconds": settings.seconds,
        "soak": settings.soak,
        "quick": args.quick,
        "only": args.only,
    }
    soaked = any("rss_mb" in (s.get("figures") or {}) for s in figures.values())
    report(figures, paired, ab, pings, settings_out, measure_record_bytes() if soaked else None, args.results)


if __name__ == "__main__":
    main()
