"""`make cluster`: two replicas behind nginx with Redis and the three sandboxes, started as users start them."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "deploy" / "local" / "cluster.py"
GENERIC_TOKEN = "cluster-generic-token"


def _free_block(size: int = 6) -> int:
    for _ in range(50):
        base = random.randrange(20_000, 40_000)  # noqa: S311
        try:
            sockets = []
            for offset in range(size):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                sockets.append(s)
            for s in sockets:
                s.close()
            return base
        except OSError:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port block")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("cluster")
    base = _free_block()
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start", "--dir", str(work), "--port", str(base)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {**json.loads((work / "cluster.json").read_text()), "dir": work}
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", str(work)], timeout=60, check=False)


def url(cluster: dict[str, Any], name: str) -> str:
    return f"http://127.0.0.1:{cluster['ports'][name]}"


def headers(key: str | None = None, account: str = "bindbee-demo") -> dict[str, str]:
    out = {"authorization": "Bearer demo-key", "x-account-id": account}
    if key:
        out["idempotency-key"] = key
    return out


def stackone_codes(cluster: dict[str, Any]) -> list[str]:
    """Every job code at the StackOne sandbox, walking its pages."""
    codes: list[str] = []
    params: dict[str, str] = {"page_size": "100"}
    auth = {"authorization": "Basic Y2x1c3Rlci1zdGFja29uZS1rZXk6", "x-account-id": "stackone-demo-account"}
    while True:
        page = httpx.get(f"{url(cluster, 'stackone-sandbox')}/unified/ats/jobs", params=params, headers=auth).json()
        codes += [job["code"] for job in page["data"]]
        if not page["next"]:
            return codes
        params["next"] = page["next"]


def vendor_jobs(cluster: dict[str, Any], code: str) -> int:
    response = httpx.get(
        f"{url(cluster, 'bindbee-sandbox')}/api/ats/v1/jobs",
        params={"code": code},
        headers={"authorization": "Bearer cluster-bindbee-key", "x-connector-token": GENERIC_TOKEN},
    )
    return int(response.json()["page_size"])


def test_a_create_through_one_replica_is_replayed_through_the_other(cluster: dict[str, Any]) -> None:
    key, code = str(uuid.uuid4()), uuid.uuid4().hex
    body = {"title": "Replicated", "code": code}
    first = httpx.post(f"{url(cluster, 'gateway-a')}/unified/ats/jobs", json=body, headers=headers(key))
    again = httpx.post(f"{url(cluster, 'gateway-b')}/unified/ats/jobs", json=body, headers=headers(key))
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert vendor_jobs(cluster, code) == 1
    through_nginx = httpx.get(f"{url(cluster, 'nginx')}/unified/ats/jobs", headers=headers())
    assert through_nginx.status_code == 200


@pytest.mark.parametrize("account", ["stackone-demo", "bindbee-greenhouse-demo", "bindbee-demo", "merge-demo"])
def test_every_account_is_served_through_nginx(cluster: dict[str, Any], account: str) -> None:
    """Each sandbox runs as its own process, reached by the replicas as compose reaches its services."""
    page = httpx.get(f"{url(cluster, 'nginx')}/unified/ats/candidates", headers=headers(account=account))
    assert page.status_code == 200, page.text
    assert page.json()["data"], f"{account}: the sandbox's seeded candidates did not come through"


def test_both_replicas_expose_metrics(cluster: dict[str, Any]) -> None:
    for name in ("gateway-a", "gateway-b"):
        text = httpx.get(f"{url(cluster, name)}/metrics").text
        assert "gateway_requests_total" in text
        assert "gateway_state_store_up 1.0" in text


async def test_killing_a_replica_mid_load_loses_no_accepted_write(cluster: dict[str, Any]) -> None:
    prefix = uuid.uuid4().hex[:8]
    outcomes: dict[int, int] = {}

    writes = 60  # within the StackOne account's share of its vendor quota, so every write is attempted

    async def write(i: int, client: httpx.AsyncClient) -> None:
        await asyncio.sleep(i * 0.02)
        body = {"title": f"Load {i}", "code": f"{prefix}-{i}"}
        try:
            response = await client.post(
                f"{url(cluster, 'nginx')}/unified/ats/jobs",
                json=body,
                headers=headers(f"{prefix}-{i}", "stackone-demo"),
            )
            outcomes[i] = response.status_code
        except httpx.TransportError:
            outcomes[i] = 0

    async with httpx.AsyncClient(timeout=30) as client:
        tasks = [asyncio.create_task(write(i, client)) for i in range(writes)]
        await asyncio.sleep(0.5)
        os.killpg(cluster["pids"]["gateway-a"], signal.SIGKILL)
        await asyncio.gather(*tasks)
    accepted = [i for i, status in outcomes.items() if status == 201]
    assert len(accepted) > writes // 2, outcomes
    codes = stackone_codes(cluster)
    for i in range(writes):
        count = codes.count(f"{prefix}-{i}")
        assert count <= 1, i  # never a duplicate
        if i in accepted:
            assert count == 1, i  # an accepted write is at the vendor
    Path(cluster["dir"]).joinpath("outcomes.json").write_text(json.dumps(outcomes))
