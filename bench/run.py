"""`make bench`: the gateway against the floors of a proxy hop, side by side in one run, on loopback.

Each server is its own process. The server under test and Redis (the gateway's own state, so its CPU counts
against the hop) are pinned to core 0; the fixed upstream and the load generator (wrk) to core 1, so the figures
compare hops, not schedulers. (On these VMs a round trip between processes on different, idle cores costs about
0.5 ms of wake-up, against 0.1 ms on one core: `cross_core_ping_ms` in the results.) Every figure is the median
of `--repeat` runs. Writes bench/results/latest.json, latest.md and latest.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
SCENARIOS = ("direct", "nginx", "passthrough", "gateway-memory", "gateway-redis", "gateway-redis-2w")
TWO_WORKERS = "gateway-redis-2w"
"""The production shape on this machine: GATEWAY_WORKERS=2 over both cores (shared with wrk, upstream, Redis)."""
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
WRK_SCRIPT = f"""
counter = 0
request = function()
  counter = counter + 1
  local headers = {{}}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer {API_KEY}"
  headers["x-account-id"] = "bench"
  headers["Idempotency-Key"] = string.format("NONCE-%d", counter)
  return wrk.format("POST", "/unified/ats/jobs", headers, [[{BODY}]])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@dataclass
class Servers:
    work: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(
        self, name: str, argv: list[str], core: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            ["taskset", "-c", core, *argv],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


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


def gateway_config(upstream_port: int) -> dict[str, Any]:
    return {
        "callers": [
            {
                "name": "bench",
                "api_key_sha256": __import__("hashlib").sha256(API_KEY.encode()).hexdigest(),
                "accounts": ["*"],
                "rate_limit": {"requests_per_second": 1_000_000, "burst": 1_000_000},
                "rate_limit_per_account": {"requests_per_second": 1_000_000, "burst": 1_000_000},
            }
        ],
        "providers": {
            "bindbee": {
                "connector": "bindbee",
                "base_url": f"http://127.0.0.1:{upstream_port}",
                "credentials": {"api_key": {"env": "BENCH_BINDBEE_KEY"}},
                "quota": {"requests_per_minute": 100_000_000, "share": 1, "max_concurrency": 1000},
                "max_connections": 512,
            }
        },
        "accounts": [
            {
                "id": "bench",
                "provider": "bindbee",
                "ats": "greenhouse",
                "credentials": {"connector_token": {"env": "BENCH_BINDBEE_TOKEN"}},
            }
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


def wrk(port: int, connections: int, seconds: float, script: Path) -> Wrk:
    # A fresh prefix per run: every request of every run has an Idempotency-Key never used before.
    unique = script.with_name(f"post-{uuid.uuid4().hex}.lua")
    unique.write_text(script.read_text().replace("NONCE", uuid.uuid4().hex))
    script = unique
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
            str(script),
            f"http://127.0.0.1:{port}/unified/ats/jobs",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
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
    """Average Redis PING round trip from `core` (redis-cli --latency: a ping every 10 ms, both sides idle)."""
    out = subprocess.run(
        ["taskset", "-c", core, "redis-cli", "-p", str(redis_port), "--latency", "-i", "2", "--raw"],
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
    """(round trips to the store, requests answered on the benchmarked route), from the gateway's own metrics:
    wrk does not count the requests still in flight when it stops, the gateway does."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    trips = re.search(r"^gateway_state_store_round_trips_total ([\d.e+]+)$", text, re.M)
    answered = re.findall(r'^gateway_requests_total\{[^}]*route="/unified/ats/jobs"[^}]*\} ([\d.e+]+)$', text, re.M)
    return (float(trips.group(1)) if trips else 0.0), sum(float(n) for n in answered)


@contextmanager
def scenario(name: str, upstream_port: int, servers: Servers, redis_port: int) -> Iterator[tuple[int, list[int]]]:
    """Start the server for `name` in front of the upstream; yield its port and the pids whose CPU counts."""
    if name == "direct":
        yield upstream_port, []
        return
    port = free_port()
    if name == "nginx":
        process = servers.spawn(
            f"nginx-{port}",
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-c",
                str(nginx_config(servers.work, port, upstream_port)),
                "-g",
                "daemon off;",
            ],
            core="0",
        )
    elif name == "passthrough":
        process = servers.spawn(
            f"passthrough-{port}",
            uvicorn("bench.passthrough:app", port),
            core="0",
            env={
                "BENCH_UPSTREAM": f"http://127.0.0.1:{upstream_port}",
                "BENCH_TRANSPORT": os.environ.get("GATEWAY_HTTP_TRANSPORT", "aiohttp"),
            },
        )
    else:
        config = servers.work / f"gateway-{port}.yaml"
        config.write_text(yaml.safe_dump(gateway_config(upstream_port)))
        env = {
            "GATEWAY_CONFIG": str(config),
            "GATEWAY_PORT": str(port),
            "LOG_FORMAT": "json",
            "BENCH_BINDBEE_KEY": "k",
            "BENCH_BINDBEE_TOKEN": "t",
            "BENCH_CURSOR_SECRET": "s",
        }
        if name.startswith("gateway-redis"):
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        if name == TWO_WORKERS:
            env["GATEWAY_WORKERS"] = "2"
        core = "0,1" if name == TWO_WORKERS else "0"
        process = servers.spawn(f"{name}-{port}", [str(BIN / "gateway"), "serve"], core=core, env=env)
    wait_port(port)
    try:
        yield port, [process.pid]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--soak", type=int, default=100_000, help="requests for the RSS figure (gateway-redis)")
    parser.add_argument("--only", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    script = work / "post.lua"
    script.write_text(WRK_SCRIPT)
    servers = Servers(work)
    redis_port = free_port()
    figures: dict[str, dict[str, Any]] = {}
    paired: dict[str, Any] | None = None
    try:
        servers.spawn(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            core="0",
        )
        wait_port(redis_port)
        pings = {core: ping_ms(redis_port, core) for core in ("0", "1")}
        fast, slow = free_port(), free_port()
        servers.spawn("upstream-fast", uvicorn("bench.upstream:app", fast), core="1")
        servers.spawn("upstream-slow", uvicorn("bench.upstream:app", slow), core="1", env={"BENCH_DELAY_MS": "100"})
        wait_port(fast)
        wait_port(slow)
        for name in args.only:
            print(f"== {name}", flush=True)
            result: dict[str, Any] = {}
            with scenario(name, fast, servers, redis_port) as (port, pids):
                wrk(port, 32, 2, script)  # warm-up: connections, JIT-free but caches and pools
                runs, cpu, calls_per_request, inner_per_request, trips = [], [], [], [], []
                for _ in range(args.repeat):
                    cpu_before = cpu_seconds(pids) if pids else 0.0
                    calls_before = redis_calls(redis_port)
                    counters_before = gateway_counters(port) if name.startswith("gateway") else (0.0, 0.0)
                    run = wrk(port, 32, args.seconds, script)
                    runs.append(run)
                    if pids:
                        cpu.append((cpu_seconds(pids) - cpu_before) / run.requests * 1000)
                    if name == "gateway-redis":
                        time.sleep(1.0)  # requests wrk abandoned at its deadline still finish on the server
                        trips_after, answered_after = gateway_counters(port)
                        answered = answered_after - counters_before[1]
                        sent, inner = redis_calls(redis_port)
                        calls_per_request.append((sent - calls_before[0]) / answered)
                        inner_per_request.append((inner - calls_before[1]) / answered)
                        trips.append((trips_after - counters_before[0]) / answered)
                result["c32"] = {
                    "rps": median([r.rps for r in runs]),
                    "p50_ms": median([r.p50_ms for r in runs]),
                    "p99_ms": median([r.p99_ms for r in runs]),
                    "errors": sum(r.errors for r in runs),
                }
                if cpu:
                    result["cpu_s_per_1000"] = median(cpu)
                if calls_per_request:
                    result["redis_commands_per_request"] = median(calls_per_request)
                    result["redis_script_operations_per_request"] = median(inner_per_request)
                    result["redis_round_trips_per_request"] = median(trips)
                ones = [wrk(port, 1, max(3.0, args.seconds / 2), script) for _ in range(args.repeat)]
                result["c1_p50_ms"] = median([r.p50_ms for r in ones])
                if name == "gateway-redis" and args.soak:
                    rss_before = rss_mb(pids[0])
                    done = 0
                    while done < args.soak:
                        done += wrk(
                            port, 32, min(30.0, max(5.0, (args.soak - done) / result["c32"]["rps"])), script
                        ).requests
                    result["rss_mb"] = {
                        "before": round(rss_before, 1),
                        "after": round(rss_mb(pids[0]), 1),
                        "requests": done,
                    }
            with scenario(name, slow, servers, redis_port) as (port, _):
                wrk(port, 150, 2, script)
                runs = [wrk(port, 150, args.seconds, script) for _ in range(args.repeat)]
                result["c150_slow"] = {
                    "rps": median([r.rps for r in runs]),
                    "p99_ms": median([r.p99_ms for r in runs]),
                    "errors": sum(r.errors for r in runs),
                }
            figures[name] = result
            print(json.dumps(result), flush=True)
        if {"passthrough", "gateway-redis"} <= set(args.only):
            paired = paired_c1(fast, servers, redis_port, script, max(5, args.repeat))
            print(json.dumps(paired), flush=True)
    finally:
        servers.stop_all()
    report(figures, args, {"same_core_ping_ms": pings["0"], "cross_core_ping_ms": pings["1"]}, paired)


def paired_c1(upstream_port: int, servers: Servers, redis_port: int, script: Path, pairs: int) -> dict[str, Any]:
    """P3 as a paired comparison: passthrough and gateway-redis both up, measured at 1 concurrent in turn, and the
    median of the per-pair differences. The machine's load drifts over minutes; a pair is 8 s apart."""
    with (
        scenario("passthrough", upstream_port, servers, redis_port) as (floor, _),
        scenario("gateway-redis", upstream_port, servers, redis_port) as (gateway, _),
    ):
        wrk(floor, 1, 2, script)
        wrk(gateway, 1, 2, script)
        gaps, floors, gateways = [], [], []
        for _ in range(pairs):
            a = wrk(floor, 1, 4, script).p50_ms
            b = wrk(gateway, 1, 4, script).p50_ms
            floors.append(a)
            gateways.append(b)
            gaps.append(b - a)
    return {
        "passthrough_p50_ms": [round(f, 3) for f in floors],
        "gateway_redis_p50_ms": [round(g, 3) for g in gateways],
        "gap_ms": [round(g, 3) for g in gaps],
        "median_gap_ms": median(gaps),
    }


def report(
    figures: dict[str, dict[str, Any]],
    args: argparse.Namespace,
    pings: dict[str, float],
    paired: dict[str, Any] | None,
) -> None:
    import redis as redis_client

    g, p = figures.get("gateway-redis", {}), figures.get("passthrough", {})
    record_bytes = measure_record_bytes()
    targets: dict[str, dict[str, Any]] = {}
    if g and p:
        ratio = g["c32"]["rps"] / p["c32"]["rps"]
        targets["P1"] = {
            "measured": round(ratio, 2),
            "threshold": ">= 0.5 x passthrough rps at 32",
            "met": ratio >= 0.5,
        }
        p2 = g["c150_slow"]
        targets["P2"] = {
            "measured": {"rps": p2["rps"], "p99_ms": p2["p99_ms"]},
            "threshold": "rps >= 1350 and p99 <= 130 ms",
            "met": p2["rps"] >= 1350 and p2["p99_ms"] <= 130,
        }
        two = figures.get(TWO_WORKERS, {}).get("c150_slow")
        if two:
            targets["P2 (GATEWAY_WORKERS=2, both cores; not the P2 scenario)"] = {
                "measured": {"rps": two["rps"], "p99_ms": two["p99_ms"]},
                "threshold": "rps >= 1350 and p99 <= 130 ms",
                "met": two["rps"] >= 1350 and two["p99_ms"] <= 130,
            }
        gap = paired["median_gap_ms"] if paired else g["c1_p50_ms"] - p["c1_p50_ms"]
        targets["P3"] = {
            "measured": round(gap, 2),
            "threshold": "p50 <= passthrough p50 + 1 ms (median of paired runs, see paired_c1)",
            "met": gap <= 1.0,
        }
    if g:
        trips = g.get("redis_round_trips_per_request")
        targets["P4"] = {
            "measured": trips,
            "threshold": "<= 2 round trips per keyed create",
            "met": trips is not None and trips <= 2,
        }
        rss = g.get("rss_mb")
        if rss:
            growth = rss["after"] - rss["before"]
            targets["P5"] = {
                "measured": {"rss_growth_mb": round(growth, 1), "record_overhead_bytes": record_bytes},
                "threshold": "RSS growth <= 10 MB over 100,000 requests; record <= 1 KiB + body",
                "met": growth <= 10 and record_bytes <= 1024,
            }
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "redis_py": redis_client.__version__,
            "transport": os.environ.get("GATEWAY_HTTP_TRANSPORT", "aiohttp"),
            **pings,
        },
        "settings": {"repeat": args.repeat, "seconds": args.seconds, "soak": args.soak},
        "scenarios": figures,
        "paired_c1": paired,
        "targets": targets,
    }
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "latest.md").write_text(markdown(result))
    chart(result)
    print(markdown(result))


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


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| scenario | rps @32 | p50 @32 (ms) | p99 @32 (ms) | rps @150, 100 ms upstream | p99 @150 (ms) "
        "| p50 @1 (ms) | CPU s / 1000 req |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, f in result["scenarios"].items():
        lines.append(
            f"| {name} | {f['c32']['rps']:.0f} | {f['c32']['p50_ms']} | {f['c32']['p99_ms']} | "
            f"{f['c150_slow']['rps']:.0f} | {f['c150_slow']['p99_ms']} | {f['c1_p50_ms']} | "
            f"{f.get('cpu_s_per_1000', '–')} |"
        )
    lines += ["", "| target | measured | threshold | met |", "|---|---|---|---|"]
    for key, t in result["targets"].items():
        lines.append(f"| {key} | {t['measured']} | {t['threshold']} | {'yes' if t['met'] else 'no'} |")
    paired = result.get("paired_c1")
    if paired:
        lines += [
            "",
            f"P3, paired at 1 concurrent (passthrough, then gateway-redis, {len(paired['gap_ms'])} times): "
            f"passthrough p50 {paired['passthrough_p50_ms']} ms, gateway-redis p50 {paired['gateway_redis_p50_ms']} "
            f"ms, gaps {paired['gap_ms']} ms, median gap {paired['median_gap_ms']} ms",
        ]
    g = result["scenarios"].get("gateway-redis", {})
    if "redis_commands_per_request" in g:
        lines += [
            "",
            f"gateway-redis: {g['redis_commands_per_request']} Redis commands (EVALSHA) in "
            f"{g['redis_round_trips_per_request']} round trips per request, running "
            f"{g['redis_script_operations_per_request']} operations inside the scripts; RSS {g.get('rss_mb')}",
        ]
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["scenarios"])
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    panels = [
        ("requests/s at 32 concurrent (fast upstream)", [result["scenarios"][n]["c32"]["rps"] for n in names]),
        ("requests/s at 150 concurrent (100 ms upstream)", [result["scenarios"][n]["c150_slow"]["rps"] for n in names]),
        ("p99 ms at 32 concurrent (fast upstream)", [result["scenarios"][n]["c32"]["p99_ms"] for n in names]),
    ]
    for axis, (title, values) in zip(axes, panels, strict=True):
        axis.bar(names, values, color=["#888", "#5a8", "#58c", "#c85", "#c55", "#a44"][: len(names)])
        axis.set_title(title, fontsize=10)
        axis.tick_params(axis="x", rotation=30, labelsize=8)
        for i, value in enumerate(values):
            axis.annotate(f"{value:.0f}", (i, value), ha="center", va="bottom", fontsize=8)
    fig.suptitle(f"ATS gateway hop, {result['when']} (median of {result['settings']['repeat']} runs, 2 cores)")
    fig.tight_layout()
    fig.savefig(RESULTS / "latest.png", dpi=110)


if __name__ == "__main__":
    main()
