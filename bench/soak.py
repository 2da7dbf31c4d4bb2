"""`make soak`: thousands of keyed writes per fault mode, each retried by its client until it gets a final answer,
then counted at the vendor. Duplicates and lost writes must both be zero, and no answer may be a 500.

Runs the gateway in-process over its in-process sandboxes (faults injected there, or in the transport for
connection resets), once per target: StackOne job creates by `code` on `stackone-demo`, and Merge candidate creates
by e-mail on `merge-demo`. Prints the tables the README shows.

Merge's own `Idempotency-Key` deduplication is switched off in its sandbox (the gateway forwards the caller's key,
and a Merge honouring it would hide a gateway that sent twice), and so is its 100-requests-a-minute plan, on both
sides: at that rate almost every write would be a 429 and the soak would measure the limiter, which is tested apart.
StackOne keeps its sandbox's 1,000 a minute.
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
from gateway.sandboxes import TENANT_CREDENTIALS, Wiring, wire
from sandbox.common import MinuteQuota, Tenant
from sandbox.controls import Fault

ROOT = Path(__file__).resolve().parents[1]
FINAL_RETRIES = 10
"""Tries a client makes for one write before it gives up with the answer it has (an unknown outcome, say)."""
PATIENT_READ_TIMEOUT = 10.0
"""The vendor read timeout in every mode but the hang: a fault-free write on a loaded machine must not time out,
or the fault-free rows would count the machine's load as unknown outcomes."""


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
    """Faults on the vendor's create route (its method and path are the target's)."""
    reset: tuple[float, bool] | None = None
    hang: bool = False
    """The faults hold the answer three times the target's read timeout."""


MODES = [
    Mode("none"),
    Mode("latency 20 ms", [{"latency_ms": 20}]),
    Mode("503 before handling (20 %)", [{"status": 503, "probability": 0.2}]),
    Mode("503 after storing (20 %)", [{"status": 503, "after_handling": True, "probability": 0.2}]),
    Mode("429 Retry-After 1 (10 %)", [{"status": 429, "headers": {"Retry-After": "1"}, "probability": 0.1}]),
    Mode("hang past the read timeout (5 %)", [{"probability": 0.05}], hang=True),
    Mode("reset before sending (20 %)", reset=(0.2, False)),
    Mode("reset after storing (20 %)", reset=(0.2, True)),
]


def _job(key: str, _acting_user: str | None) -> dict[str, Any]:
    return {"title": "Soak", "code": key}


def _candidate(key: str, acting_user: str | None) -> dict[str, Any]:
    return {"first_name": "Soak", "last_name": "Test", "email": key, "acting_user_id": acting_user}


def _merge_without_its_own_guards(sandbox: Any) -> None:
    sandbox.idempotency = False
    sandbox.quota = MinuteQuota(10**8)


@dataclass(frozen=True)
class Target:
    """Where a soak's writes go: a demo account, its unified create, the vendor route faults strike, and how the
    vendor's records show the natural key each write carries."""

    name: str
    account: str
    provider: str
    path: str
    vendor_path: str
    collection: str
    """The sandbox collection the vendor keeps the records in."""
    body: Callable[[str, str | None], dict[str, Any]]
    """(natural key, acting user) → the unified create."""
    natural: Callable[[dict[str, Any]], list[str]]
    """A vendor record → the natural keys it holds."""
    key_suffix: str = ""
    acting_user: bool = False
    """Whether writes name an acting user (one of the account's users, read through the gateway first)."""
    prepare: Callable[[Any], None] | None = None
    """What the sandbox needs changed for the soak (see the module docstring)."""
    read_timeout: float = 0.5
    """The vendor read timeout in the hang mode: short, so that the hang bites, yet above a fault-free create at the
    soak's concurrency in one process (Merge's creates read `/meta/post` first and are slower in the sandbox)."""


TARGETS = [
    Target(
        "StackOne jobs",
        "stackone-demo",
        "stackone-sandbox",
        "/unified/ats/jobs",
        "/unified/ats/jobs",
        "jobs",
        _job,
        lambda job: [str(job.get("code"))],
    ),
    Target(
        "Merge candidates",
        "merge-demo",
        "merge-sandbox",
        "/unified/ats/candidates",
        "/api/ats/v1/candidates",
        "candidates",
        _candidate,
        lambda candidate: [str(e.get("value")) for e in candidate.get("email_addresses") or []],
        key_suffix="@example.org",
        acting_user=True,
        prepare=_merge_without_its_own_guards,
        read_timeout=3.0,
    ),
]


def config(read_timeout: float) -> Any:
    raw = yaml.safe_load((ROOT / "config" / "demo.yaml").read_text())
    for caller in raw["callers"]:
        caller.pop("rate_limit", None)
        caller.pop("rate_limit_per_account", None)
    for provider in raw["providers"].values():
        provider.pop("quota", None)
        provider["timeouts"] = {"connect": 1, "read": read_timeout, "total": 2 * read_timeout}
        provider["breaker"] = {"failures": 10**6}  # the soak is about outcomes; the breaker is tested apart
    raw["providers"]["merge-sandbox"]["quota"] = {"requests_per_minute": 10**8, "max_concurrency": 64}
    return resolve(parse_config(raw), Registry.discover(), environ={})


def _tenant(target: Target, resolved: Any, wiring: Wiring) -> Tenant:
    """The sandbox tenant holding the account's records, named as `wire` names it."""
    account = next(a for a in resolved.config.accounts if a.id == target.account)
    credential = TENANT_CREDENTIALS.get(resolved.config.providers[target.provider].sandbox)
    name = wiring.credentials[account.id][credential] if credential else account.vendor_account_id or account.id
    return wiring.apps[target.provider].state.sandbox.tenants[name]  # type: ignore[no-any-return]


async def run_mode(target: Target, mode: Mode, writes: int, concurrency: int, retries: int) -> dict[str, Any]:
    resolved = config(target.read_timeout if mode.hang else PATIENT_READ_TIMEOUT)
    wiring = wire(resolved)
    transports: dict[str, httpx.AsyncBaseTransport] = {}
    if mode.reset is not None:
        transports[target.provider] = Resetting(wiring.transports[target.provider], *mode.reset)
    app = create_app(resolved, wiring=wiring, transports=transports)
    vendor = wiring.apps[target.provider].state
    if target.prepare is not None:
        target.prepare(vendor.sandbox)
    route = {"method": "POST", "path": target.vendor_path, "times": 10**9}
    if mode.hang:
        route["latency_ms"] = int(target.read_timeout * 3000)
    vendor.controls.faults.extend(Fault(**{**route, **f}) for f in mode.faults)
    statuses: Counter[int] = Counter()
    finals: dict[str, int] = {}
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=60) as client:
        base = {"authorization": "Bearer demo-key", "x-account-id": target.account}
        acting_user = None
        if target.acting_user:
            acting_user = (await client.get("/unified/ats/users", headers=base)).json()["data"][0]["id"]

        async def write(i: int) -> None:
            key = f"soak-{i}-{uuid.uuid4().hex[:8]}{target.key_suffix}"
            headers = {**base, "idempotency-key": key}
            async with semaphore:
                for attempt in range(retries):
                    response = await client.post(target.path, json=target.body(key, acting_user), headers=headers)
                    statuses[response.status_code] += 1
                    if response.status_code in (201, 422, 400):
                        break
                    await asyncio.sleep(min(2.0, 0.05 * 2**attempt))
                finals[key] = response.status_code

        await asyncio.gather(*(write(i) for i in range(writes)))
    await app.state.gateway.aclose()
    records = _tenant(target, resolved, wiring)[target.collection].records.values()
    at_vendor = Counter(key for record in records for key in target.natural(record))
    accepted = [key for key, status in finals.items() if status == 201]
    return {
        "target": target.name,
        "mode": mode.name,
        "writes": writes,
        "requests": sum(statuses.values()),
        "accepted": len(accepted),
        "still_unknown": sum(1 for status in finals.values() if status in (502, 504)),
        # the client stopped retrying on an answer that says nothing was done (429, 409, 503)
        "gave_up_nothing_sent": sum(1 for status in finals.values() if status in (409, 429, 503)),
        "duplicates": sum(1 for key in finals if at_vendor[key] > 1),
        "lost": sum(1 for key in accepted if at_vendor[key] != 1),
        "gateway_500s": statuses[500],
        "statuses": dict(sorted(statuses.items())),
    }


async def soak(
    writes: int, concurrency: int, retries: int = FINAL_RETRIES, only: Callable[[Mode], bool] | None = None
) -> list[dict[str, Any]]:
    return [
        await run_mode(target, mode, writes, concurrency, retries)
        for target in TARGETS
        for mode in MODES
        if only is None or only(mode)
    ]


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| target | fault mode | writes | requests (with retries) | accepted | still unknown | gave up, nothing sent "
        "| duplicates | lost | 500s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['target']} | {r['mode']} | {r['writes']} | {r['requests']} | {r['accepted']} | "
            f"{r['still_unknown']} | "
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
