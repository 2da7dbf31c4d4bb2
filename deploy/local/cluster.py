"""`make cluster`: the docker-compose topology from plain processes on loopback, for machines without Docker.

Redis (append-only file), the three sandboxes, two gateway replicas and nginx in front, each its own process, all
state under one directory. `start` waits until everything answers; `stop` ends it all.

    python deploy/local/cluster.py start [--dir .cluster] [--port 8090]
    python deploy/local/cluster.py stop [--dir .cluster]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "STACKONE_API_KEY": "cluster-stackone-key",
    "BINDBEE_API_KEY": "cluster-bindbee-key",
    "BINDBEE_GREENHOUSE_TOKEN": "cluster-greenhouse-token",
    "BINDBEE_GENERIC_TOKEN": "cluster-generic-token",
    "MERGE_API_KEY": "cluster-merge-key",
    "MERGE_DEMO_TOKEN": "cluster-merge-token",
    "GATEWAY_CURSOR_SECRET": "cluster-cursor-secret",
}


def ports(base: int) -> dict[str, int]:
    """nginx on `base`; the others after it, in the order compose lists them."""
    return {
        "nginx": base,
        "gateway-a": base + 1,
        "gateway-b": base + 2,
        "redis": base + 3,
        "stackone-sandbox": base + 4,
        "bindbee-sandbox": base + 5,
        "merge-sandbox": base + 6,
    }


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def _spawn(name: str, argv: list[str], env: dict[str, str], work: Path) -> int:
    log = (work / f"{name}.log").open("ab")
    # argv is built here from fixed programs and ports, never from outside input.
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True).pid  # noqa: S603


def start(work: Path, base: int) -> dict[str, int]:
    """Start everything; on failure, stop what was started (and `stop` can always find it in cluster.json)."""
    work.mkdir(parents=True, exist_ok=True)
    p = ports(base)
    pids: dict[str, int] = {}
    try:
        _start(work, p, pids)
    except BaseException:
        stop(work)
        raise
    return p


def _start(work: Path, p: dict[str, int], pids: dict[str, int]) -> None:
    def spawn(name: str, argv: list[str], env: dict[str, str]) -> None:
        pids[name] = _spawn(name, argv, env, work)
        (work / "cluster.json").write_text(json.dumps({"pids": pids, "ports": p}))

    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        **SECRETS,
        "GATEWAY_CONFIG": str(ROOT / "config" / "compose.yaml"),
        "LOG_FORMAT": "json",
        "REDIS_URL": f"redis://127.0.0.1:{p['redis']}/0",
        "STACKONE_URL": f"http://127.0.0.1:{p['stackone-sandbox']}",
        "BINDBEE_URL": f"http://127.0.0.1:{p['bindbee-sandbox']}",
        "STACKONE_SANDBOX_API_KEYS": SECRETS["STACKONE_API_KEY"],
        "STACKONE_SANDBOX_ACCOUNTS": "stackone-demo-account=generic",
        "BINDBEE_SANDBOX_API_KEY": SECRETS["BINDBEE_API_KEY"],
        "BINDBEE_SANDBOX_CONNECTORS": f"{SECRETS['BINDBEE_GREENHOUSE_TOKEN']}=greenhouse,"
        f"{SECRETS['BINDBEE_GENERIC_TOKEN']}=generic",
        "MERGE_URL": f"http://127.0.0.1:{p['merge-sandbox']}",
        "MERGE_SANDBOX_API_KEY": SECRETS["MERGE_API_KEY"],
        "MERGE_SANDBOX_ACCOUNTS": f"{SECRETS['MERGE_DEMO_TOKEN']}=greenhouse",
        "MERGE_SANDBOX_BASE_URL": f"http://127.0.0.1:{p['merge-sandbox']}",
    }
    (work / "redis").mkdir(exist_ok=True)
    spawn(
        "redis",
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(p["redis"]),
            "--bind",
            "127.0.0.1",
            "--appendonly",
            "yes",
            "--dir",
            str(work / "redis"),
            "--save",
            "",
        ],
        env,
    )
    for kind in ("stackone", "bindbee", "merge"):
        name = f"{kind}-sandbox"
        spawn(name, [str(bin_dir / "gateway"), "sandbox", kind, "--port", str(p[name])], env)
        _wait(f"http://127.0.0.1:{p[name]}/_sandbox/stats")
    for name in ("gateway-a", "gateway-b"):
        spawn(name, [str(bin_dir / "gateway"), "serve"], {**env, "GATEWAY_PORT": str(p[name])})
        _wait(f"http://127.0.0.1:{p[name]}/readyz")
    nginx_dir = work / "nginx"
    nginx_dir.mkdir(exist_ok=True)
    conf = (ROOT / "deploy" / "nginx.conf.template").read_text()
    for key, value in {
        "NGINX_PID": str(nginx_dir / "nginx.pid"),
        "NGINX_LOGS": str(nginx_dir),
        "NGINX_TEMP": str(nginx_dir),
        "GATEWAY_A": f"127.0.0.1:{p['gateway-a']}",
        "GATEWAY_B": f"127.0.0.1:{p['gateway-b']}",
        "LISTEN": f"127.0.0.1:{p['nginx']}",
    }.items():
        conf = conf.replace("${" + key + "}", value)
    (nginx_dir / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    spawn("nginx", [nginx, "-c", str(nginx_dir / "nginx.conf"), "-g", "daemon off;"], env)
    _wait(f"http://127.0.0.1:{p['nginx']}/healthz")


def stop(work: Path) -> None:
    state = work / "cluster.json"
    if not state.exists():
        return
    for pid in json.loads(state.read_text())["pids"].values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    state.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, default=ROOT / ".cluster")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    if args.action == "stop":
        stop(args.dir)
        return
    p = start(args.dir, args.port)
    print(
        f"cluster up: nginx http://127.0.0.1:{p['nginx']} -> gateways :{p['gateway-a']} and :{p['gateway-b']}, "
        f"redis :{p['redis']}, sandboxes :{p['stackone-sandbox']} :{p['bindbee-sandbox']} :{p['merge-sandbox']}; "
        f"logs in {args.dir}"
    )


if __name__ == "__main__":
    main()
