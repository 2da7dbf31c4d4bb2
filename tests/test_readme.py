"""The README run as a newcomer would: `gateway serve` with the demo config, then every curl block of the quickstart;
the sandboxes standalone, then the fault-injection block."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the README examples use curl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "GATEWAY_CONFIG": "config/demo.yaml", "GATEWAY_PORT": str(port), "LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gateway"), "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("gateway did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def blocks(start: str, end: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(start) : text.index(end)]
    return [b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if "make run" not in b]


def quickstart_blocks() -> list[str]:
    return blocks("## Quickstart", "## The API")


def run(block: str, replace: dict[str, str]) -> str:
    script = block.replace("curl -s", "curl -s -w '\\n'")
    for old, new in replace.items():
        script = script.replace(old, new)
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def documents(output: str) -> list[dict[str, object]]:
    """Every JSON object in the output, one-line or laid out by `python3 -m json.tool`."""
    decoder = json.JSONDecoder()
    found, at = [], 0
    while (start := output.find("{", at)) != -1:
        document, at = decoder.raw_decode(output, start)
        found.append(document)
    return found


def test_every_quickstart_example_works(server: int) -> None:
    blocks = quickstart_blocks()
    assert len(blocks) == 7
    texts = [run(block, {"127.0.0.1:8080": f"127.0.0.1:{server}"}) for block in blocks]
    lookups, _, stackone, rules, fixed, listing, isolation = (documents(text) for text in texts)
    assert [len(r["data"]) for r in lookups] == [3, 3, 3, 3, 3, 3]  # type: ignore[arg-type]
    # Step 3 uses only ids step 1 listed for its account.
    listed = {str(record["id"]) for r in lookups[:3] for record in r["data"]}  # type: ignore[attr-defined]
    used = set(re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", blocks[2]))
    assert used
    assert used <= listed
    assert texts[1].strip() == "[('4033879009', 'Software Engineer (template)')]"
    assert stackone[0]["statusCode"] == 201
    assert rules[0]["statusCode"] == 422
    assert {e["rule"] for e in rules[0]["errors"]} == {  # type: ignore[attr-defined]
        "greenhouse.requires_template",
        "greenhouse.requires_acting_user",
        "greenhouse.requires_openings",
        "greenhouse.single_department",
    }
    dry_run, created = fixed
    assert dry_run["dry_run"] is True
    assert created["statusCode"] == 201
    assert listing[0]["next"]
    assert isolation[0]["statusCode"] == 404


@pytest.fixture(scope="module")
def sandboxes() -> Iterator[dict[str, int]]:
    ports = {"stackone": _free_port(), "bindbee": _free_port()}
    processes = [
        subprocess.Popen(
            [str(Path(sys.executable).parent / "gateway"), "sandbox", kind, "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for kind, port in ports.items()
    ]
    try:
        for port in ports.values():
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "sandbox did not start"
                    time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def test_the_fault_injection_examples_work_as_printed(sandboxes: dict[str, int]) -> None:
    [block] = blocks("### Injecting faults", "Connection resets")
    output = run(
        block,
        {"localhost:9001": f"127.0.0.1:{sandboxes['stackone']}", "localhost:9002": f"127.0.0.1:{sandboxes['bindbee']}"},
    )
    added_slow, added_503, added_429, cleared, stats = documents(output)
    assert (added_slow, added_503, added_429, cleared) == ({"faults": 1}, {"faults": 1}, {"faults": 2}, {"faults": 0})
    assert "requests" in stats
