"""`make soak`: thousands of keyed writes per fault mode, each retried by its client until it gets a final answer,
then counted at the vendor. Duplicates and lost writes must both be zero, and no answer may be a 500.

Runs the gateway in-process over its in-process sandboxes (faults injected there, or in the transport for
connection resets). Prints the table the README shows.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from connectors.registry import Registry
from gateway import logs
from gateway.app import create_app
from gateway.config import parse_config, resolve
from gateway.sandboxes import wire
from sandbox.controls import Fault

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, PROVIDER, PATH = "stackone-demo", "stackone-sandbox", "/unified/ats/jobs"
FINAL_RETRIES = 10
"""Tries a client makes for one write before it gives up with the answer it has (an unknown outcome, say)."""


class Resetting(httpx.AsyncBaseTransport):
    """Cuts the connection on a share of writes: before the vendor saw the request, or after it stored it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, share: float, after: bool) -> None:
        self.inner, self.share, self.after = inner, share, after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and random.random() < self.share:  # noqa: S311
            if not self.after:
                raise httpx.ConnectError("connection reset before the request was sent")
            await self.inner.handle_async_request(request)
            raise httpx.RemoteProtocolError("connection reset after the vendor stored the record")
        return await self.inner.handle_async_request(request)


@dataclass
class Mode:
    name: str
    faults: list[dict[str, Any]] = field(default_factory=list)
    reset: tuple[float, bool] | None = None


MODES = [
    Mode("none"),
    Mode("latency 20 ms", [{"method": "POST", "path": PATH, "latency_ms": 20, "times": 10**9}]),
    Mode(
        "503 before handling (20 %)",
        [{"method": "POST", "path": PATH, "status": 503, "probability": 0.2, "times": 10**9}],
    ),
    Mode(
        "503 after storing (20 %)",
        [{"method": "POST", "path": PATH, "status": 503, "after_handling": True, "probability": 0.2, "times": 10**9}],
    ),
    Mode(
        "429 Retry-After 1 (10 %)",
        [
            {
                "method": "POST",
                "path": PATH,
                "status": 429,
                "headers": {"Retry-After": "1"},
                "probability": 0.1,
                "times": 10**9,
            }
        ],
    ),
    Mode(
        "hang past the read timeout (5 %)",
        [{"method": "POST", "path": PATH, "latency_ms": 1500, "probability": 0.05, "times": 10**9}],
    ),
    Mode("reset before sending (20 %)", reset=(0.2, False)),
    Mode("reset after storing (20 %)", reset=(0.2, True)),
]


def config() -> Any:
    raw = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    for caller in raw["callers"]:
        caller.pop("rate_limit", None)
        caller.pop("rate_limit_per_account", None)
    for provider in raw["providers"].values():
        provider.pop("quota", None)
        provider["timeouts"] = {"connect": 1, "read": 0.5, "total": 1}
        provider["breaker"] = {"failures": 10**6}  # the soak is about outcomes; the breaker is tested apart
    return resolve(parse_config(raw), Registry.discover(), environ={})


async def run_mode(mode: Mode, writes: int, concurrency: int, retries: int) -> dict[str, Any]:
    resolved = config()
    wiring = wire(resolved)
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    if mode.reset is not None:
        transports[PROVIDER] = Resetting(wiring.transports[PROVIDER], *mode.reset)
    app = create_app(resolved, wiring=wiring, transports=transports)
    controls = wiring.apps[PROVIDER].state.controls
    controls.faults.extend(Fault(**f) for f in mode.faults)
    statuses: Counter[int] = Counter()
    finals: dict[str, int] = {}
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=60) as client:

        async def write(i: int) -> None:
            code = f"soak-{i}-{uuid.uuid4().hex[:8]}"
            headers = {"authorization": "Bearer demo-key", "x-account-id": ACCOUNT, "idempotency-key": code}
            async with semaphore:
                for attempt in range(retries):
                    response = await client.post(PATH, json={"title": "Soak", "code": code}, headers=headers)
                    statuses[response.status_code] += 1
                    if response.status_code in (201, 422, 400):
                        break
                    await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
                finals[code] = response.status_code

        await asyncio.gather(*(write(i) for i in range(writes)))
    await app.state.gateway.aclose()
    tenant = wiring.apps[PROVIDER].state.sandbox.tenants["stackone-demo-account"]
    at_vendor = Counter(job.get("code") for job in tenant["jobs"].records.values())
    accepted = [code for code, status in finals.items() if status == 201]
    return {
        "mode": mode.name,
        "writes": writes,
        "requests": sum(statuses.values()),
        "accepted": len(accepted),
        "still_unknown": sum(1 for status in finals.values() if status in (502, 504)),
        # the client stopped retrying on an answer that says nothing was done (429, 409, 503)
        "gave_up_nothing_sent": sum(1 for status in finals.values() if status in (409, 429, 503)),
        "duplicates": sum(1 for code in finals if at_vendor[code] > 1),
        "lost": sum(1 for code in accepted if at_vendor[code] != 1),
        "gateway_500s": statuses[500],
        "statuses": dict(sorted(statuses.items())),
    }


async def soak(
    writes: int, concurrency: int, retries: int = FINAL_RETRIES, only: Callable[[Mode], bool] | None = None
) -> list[dict[str, Any]]:
    return [await run_mode(mode, writes, concurrency, retries) for mode in MODES if only is None or only(mode)]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| fault mode | writes | requests (with retries) | accepted | still unknown | gave up, nothing sent "
        "| duplicates | lost | 500s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['mode']} | {r['writes']} | {r['requests']} | {r['accepted']} | {r['still_unknown']} | "
            f"{r['gave_up_nothing_sent']} | {r['duplicates']} | {r['lost']} | {r['gateway_500s']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--retries", type=int, default=FINAL_RETRIES)
    args = parser.parse_args()
    logs.configure("console", level=logging.WARNING)  # a line per request would be most of the work
    rows = asyncio.run(soak(args.writes, args.concurrency, args.retries))
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "soak.md").write_text(table(rows))
    print(table(rows))


if __name__ == "__main__":
    main()
