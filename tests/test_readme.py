"""The README quickstart, run as a newcomer would: `gateway serve` with the demo config, then every curl block."""

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


def quickstart_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    quick = text[text.index("## Quickstart") : text.index("## The API")]
    return [b for b in re.findall(r"```sh\n(.*?)```", quick, re.S) if "make run" not in b]


def run(block: str, port: int) -> str:
    script = block.replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace("curl -s", "curl -s -w '\\n'")
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, timeout=60).stdout


def documents(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_every_quickstart_example_works(server: int) -> None:
    blocks = quickstart_blocks()
    assert len(blocks) == 7
    texts = [run(block, server) for block in blocks]
    lookups, _, stackone, rules, fixed, listing, isolation = (documents(text) for text in texts)
    assert [len(r["data"]) for r in lookups] == [3, 3, 3]  # type: ignore[arg-type]
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
