"""The `gateway` command as an operator meets it: refusals in one clear line, the help, SIGHUP, log settings."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from gateway.settings import ServerSettings
from tests.conftest import DEMO_CONFIG, ROOT, basic, free_port

GATEWAY = str(Path(sys.executable).parent / "gateway")


def gateway(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`gateway ARGS` with only PATH and `env` set, so nothing leaks in from the test's own environment."""
    return subprocess.run(
        [GATEWAY, *args], capture_output=True, text=True, timeout=60, check=False, env={"PATH": "/usr/bin", **env}
    )


def test_serve_without_gateway_config_refuses_in_one_line() -> None:
    result = gateway("serve")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gateway serve: GATEWAY_CONFIG is not set")


def test_bad_environment_values_are_one_line_each() -> None:
    result = gateway("serve", GATEWAY_CONFIG=str(DEMO_CONFIG), GATEWAY_PORT="abc", LOG_FORMAT="xml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("gateway serve: GATEWAY_PORT='abc': ")
    assert lines[1].startswith("gateway serve: LOG_FORMAT='xml': ")


def test_a_config_path_with_nothing_there_is_refused_saying_what_to_mount() -> None:
    # The image's default: GATEWAY_CONFIG=/etc/ats-gateway/gateway.yaml, and no file unless one is mounted.
    result = gateway("serve", GATEWAY_CONFIG="/nonexistent/gateway.yaml")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "GATEWAY_CONFIG=/nonexistent/gateway.yaml: no such file: mount the configuration there" in line


def test_version() -> None:
    result = gateway("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "gateway 0.1.0"


def test_serve_help_lists_every_variable_serve_reads() -> None:
    result = gateway("serve", "--help")
    assert result.returncode == 0
    names = [name.upper() for name in ServerSettings.model_fields]
    assert {"GATEWAY_CONFIG", "GATEWAY_WORKERS", "LOG_FORMAT", "LOG_LEVEL", "REDIS_URL"} <= set(names)
    for name in names:
        assert f"  {name} " in result.stdout, name
    readme = (ROOT / "README.md").read_text()
    for name in names:
        assert f"`{name}`" in readme, f"README does not document {name}"


def test_the_sandbox_command_refuses_cleanly_where_the_emulators_are_absent(tmp_path: Path) -> None:
    # A `sandbox` that cannot be imported, as in the production image.
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['sandbox'] = None\n")
    result = gateway("sandbox", "stackone", "--port", "1", PYTHONPATH=str(tmp_path))
    assert result.returncode == 2
    assert "not installed in this build" in result.stdout


# --- a running process ---------------------------------------------------------------------------------------------


class Running:
    def __init__(self, config: Path, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [GATEWAY, "serve"],
            cwd=ROOT,
            env={**os.environ, "GATEWAY_CONFIG": str(config), "GATEWAY_PORT": str(self.port), **env},
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(log.read_text())

    def wait_for(self, text: str, after: int) -> None:
        """Until the log holds `text` past its first `after` characters."""
        deadline = time.monotonic() + 30
        while text not in self.log.read_text()[after:]:
            assert time.monotonic() < deadline, self.log.read_text()
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    path = tmp_path / "gateway.yaml"
    path.write_text(DEMO_CONFIG.read_text())
    return path


@pytest.fixture
def single(demo_copy: Path, tmp_path: Path) -> Iterator[Running]:
    running = Running(demo_copy, tmp_path / "gateway.log", LOG_FORMAT="json")
    yield running
    running.stop()


def test_sighup_reloads_a_good_config_keeps_a_bad_one_and_the_embedded_store(single: Running, demo_copy: Path) -> None:
    job = {"title": "Reloaded", "code": "RL-1"}
    headers = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo", "idempotency-key": "rl-1"}
    first = httpx.post(f"{single.url}/unified/ats/jobs", json=job, headers=headers)
    assert first.status_code == 201
    other = {"authorization": basic("other-key"), "x-account-id": "stackone-demo"}
    assert httpx.get(f"{single.url}/unified/ats/jobs", headers=other).status_code == 200

    good = demo_copy.read_text()
    demo_copy.write_text(good.replace("accounts: [stackone-demo]", "accounts: [nowhere]") + "colour: red\n")
    mark = len(single.log.read_text())
    single.process.send_signal(signal.SIGHUP)
    single.wait_for("the running one is kept", mark)
    problems = [e["event"] for e in map(json.loads, single.log.read_text()[mark:].splitlines())]
    # Both mistakes in one round: the unknown key and the unknown account.
    assert any("colour: Extra inputs are not permitted" in p for p in problems)
    assert any("unknown account 'nowhere'" in p for p in problems)
    assert httpx.get(f"{single.url}/unified/ats/jobs", headers=other).status_code == 200

    raw = yaml.safe_load(good)
    raw["callers"] = [c for c in raw["callers"] if c["name"] != "other-team"]
    demo_copy.write_text(yaml.safe_dump(raw))
    mark = len(single.log.read_text())
    single.process.send_signal(signal.SIGHUP)
    single.wait_for("configuration reloaded", mark)
    assert httpx.get(f"{single.url}/unified/ats/jobs", headers=other).status_code == 401
    # The same process, the same embedded store and sandbox: the key replays what it stored before the reload.
    again = httpx.post(f"{single.url}/unified/ats/jobs", json=job, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    reader = {"authorization": basic("demo-key"), "x-account-id": "stackone-demo"}
    listed = httpx.get(f"{single.url}/unified/ats/jobs", params={"page_size": 100}, headers=reader)
    assert "RL-1" in {j.get("code") for j in listed.json()["data"]}


def test_log_level_and_console_logs_without_colour_when_redirected(demo_copy: Path, tmp_path: Path) -> None:
    log = tmp_path / "console.log"
    running = Running(demo_copy, log, LOG_FORMAT="console", LOG_LEVEL="WARNING")
    try:
        unauthorized = httpx.get(f"{running.url}/unified/ats/jobs", headers={"x-account-id": "stackone-demo"})
        assert unauthorized.status_code == 401
    finally:
        running.stop()
    text = log.read_text()
    assert "\x1b[" not in text
    assert "STATE STORE: EMBEDDED IN-MEMORY" in text  # a warning
    assert "gateway.access" not in text  # the access event is at info


def test_serving_raises_only_the_young_collection_threshold() -> None:
    """bench/README.md, "The garbage collector": the default 700 made the collector scan a page being read dozens
    of times."""
    import gc

    from gateway import server

    saved = gc.get_threshold()
    try:
        server.tune_collector()
        assert gc.get_threshold() == (server.YOUNG_COLLECTION_THRESHOLD, saved[1], saved[2])
    finally:
        gc.set_threshold(*saved)
