"""The results of one `make bench` run: latest.json (every figure), latest.md (the tables), latest.png (the chart).

Main table: the working tree's figures (B), one row per scenario. A/B table, when the run had a base: each side's
medians and B/A, where B/A below 1 means the working tree needs less CPU or time (or, for requests/s, does less).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

P7_SCENARIOS = ("create/gateway-redis", "bindbee-list/gateway-redis", "stackone-list/gateway-redis")
"""Keyed create and page reads: the CPU P7 asks to halve against the commit issue 17 starts from."""


def _get(scenarios: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return (scenarios.get(name) or {}).get("figures") or {}


def targets(
    scenarios: dict[str, dict[str, Any]],
    paired: dict[str, Any] | None,
    ab: dict[str, dict[str, str]],
    record_bytes: int | None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    g, p = _get(scenarios, "create/gateway-redis"), _get(scenarios, "create/passthrough")
    if "c32" in g and "c32" in p:
        ratio = g["c32"]["rps"] / p["c32"]["rps"]
        out["P1"] = {"measured": round(ratio, 2), "threshold": ">= 0.5 x passthrough rps at 32", "met": ratio >= 0.5}
    for name, label in (("create/gateway-redis", "P2"), ("create/gateway-redis-2w", "P2 (GATEWAY_WORKERS=2)")):
        slow = _get(scenarios, name).get("c150_slow")
        if slow:
            out[label] = {
                "measured": {"rps": slow["rps"], "p99_ms": slow["p99_ms"]},
                "threshold": "rps >= 1350 and p99 <= 130 ms"
                + ("" if label == "P2" else " (both cores; not the P2 scenario)"),
                "met": slow["rps"] >= 1350 and slow["p99_ms"] <= 130,
            }
    if paired:
        gap = paired["median_gap_ms"]
        out["P3"] = {
            "measured": gap,
            "threshold": "p50 <= passthrough p50 + 0.5 ms at 1 concurrent (median of paired runs)",
            "met": gap <= 0.5,
        }
    if "redis_round_trips_per_request" in g:
        trips = g["redis_round_trips_per_request"]
        out["P4"] = {"measured": trips, "threshold": "<= 2 round trips per keyed create", "met": trips <= 2}
    if "rss_mb" in g and record_bytes is not None:
        rss, record = g["rss_mb"], record_bytes
        growth = rss["after"] - rss["before"]
        out["P5"] = {
            "measured": {"rss_growth_mb": round(growth, 1), "record_overhead_bytes": record},
            "threshold": "RSS growth <= 10 MB over 100,000 requests; record <= 1 KiB + body",
            "met": growth <= 10 and record <= 1024,
        }
    page, floor = _get(scenarios, "bindbee-list/gateway-redis"), _get(scenarios, "bindbee-list/passthrough")
    if "cpu_ms_per_request" in page and "cpu_ms_per_request" in floor:
        ratio = page["cpu_ms_per_request"] / floor["cpu_ms_per_request"]
        out["P6"] = {
            "measured": round(ratio, 2),
            "threshold": "list 100 candidates through the Bindbee mapping: CPU per page <= 2 x the passthrough's",
            "met": ratio <= 2,
        }
    cpu = {n: scenarios[n]["ratio"]["cpu_ms_per_request"] for n in P7_SCENARIOS if _cpu_ratio(scenarios, n)}
    if cpu and "A" in ab:
        out["P7"] = {
            "measured": {"cpu B/A": cpu, "A": ab["A"]["label"]},
            "threshold": "CPU per keyed create and per page read <= 0.5 x A's, A = the commit issue 17 starts from",
            "met": len(cpu) == len(P7_SCENARIOS) and all(r <= 0.5 for r in cpu.values()),
        }
    return out


def _cpu_ratio(scenarios: dict[str, dict[str, Any]], name: str) -> bool:
    return "cpu_ms_per_request" in (scenarios.get(name) or {}).get("ratio", {})


def report(
    scenarios: dict[str, dict[str, Any]],
    paired: dict[str, Any] | None,
    ab: dict[str, dict[str, str]],
    pings: dict[str, float],
    settings: dict[str, Any],
    record_bytes: int | None,
    results: Path,
) -> None:
    import redis as redis_client

    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
            "redis_py": redis_client.__version__,
            "transport": os.environ.get("GATEWAY_HTTP_TRANSPORT", "aiohttp"),
            **pings,
        },
        "settings": settings,
        "sides": ab,
        "scenarios": scenarios,
        "paired_c1": paired,
        "targets": targets(scenarios, paired, ab, record_bytes),
    }
    results.mkdir(parents=True, exist_ok=True)
    (results / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    text = markdown(result)
    (results / "latest.md").write_text(text)
    chart(result, results / "latest.png")
    print(text)


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.{digits}f}"
    return str(value)


def _floor_cpu(scenarios: dict[str, dict[str, Any]], workload: str) -> float | None:
    value = _get(scenarios, f"{workload}/passthrough").get("cpu_ms_per_request")
    return value if isinstance(value, float | int) else None


def markdown(result: dict[str, Any]) -> str:
    scenarios: dict[str, dict[str, Any]] = result["scenarios"]
    sides = result["sides"]
    lines = [
        f"B = {sides['B']['label']}" + (f"; A = {sides['A']['label']}" if "A" in sides else "; no A/B (no BASE)"),
        f"settings {result['settings']}; load average at the end {result['machine']['load_average']}",
        "",
        "| scenario | rps @32 | p50 @32 (ms) | p99 @32 (ms) | p50 @1 (ms) | CPU ms / req | CPU µs / record "
        "| CPU × passthrough | rps @150, 100 ms upstream | p99 @150 (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, scenario in scenarios.items():
        f = scenario.get("figures") or {}
        if "c32" not in f:
            lines.append(f"| {name} | {f.get('failed') or f.get('unsupported') or 'not measured'} |||||||||")
            continue
        cpu, floor = f.get("cpu_ms_per_request"), _floor_cpu(scenarios, scenario["workload"])
        versus = cpu / floor if cpu is not None and floor and scenario["server"].startswith("gateway") else None
        slow = f.get("c150_slow") or {}
        lines.append(
            f"| {name} | {_cell(f['c32']['rps'])} | {_cell(f['c32']['p50_ms'])} | {_cell(f['c32']['p99_ms'])} | "
            f"{_cell(f['c1_p50_ms'])} | {_cell(cpu, 3)} | {_cell(f.get('cpu_us_per_record'), 1)} | "
            f"{_cell(versus)} | {_cell(slow.get('rps'))} | {_cell(slow.get('p99_ms'))} |"
        )
    compared = {n: s for n, s in scenarios.items() if "base" in s}
    if compared:
        lines += [
            "",
            "A/B (medians; runs in turn A, B, B, A…; B/A < 1: the working tree needs less, or for rps does less):",
            "",
            "| scenario | rps @32 A | rps @32 B | B/A | CPU ms / req A | CPU ms / req B | B/A | p50 @1 A (ms) "
            "| p50 @1 B (ms) | B/A | rps @150 A | rps @150 B | B/A |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, scenario in compared.items():
            a, b, r = scenario["base"], scenario.get("figures") or {}, scenario.get("ratio") or {}
            if "c32" not in a or "c32" not in b:
                missing = "A" if "c32" not in a else "B"
                reason = (a if missing == "A" else b).get("unsupported") or (a if missing == "A" else b).get("failed")
                lines.append(f"| {name} | not in {missing}: {reason} ||||||||||||")
                continue
            cells = [
                (a["c32"]["rps"], b["c32"]["rps"], r.get("c32_rps")),
                (a.get("cpu_ms_per_request"), b.get("cpu_ms_per_request"), r.get("cpu_ms_per_request")),
                (a["c1_p50_ms"], b["c1_p50_ms"], r.get("c1_p50_ms")),
                ((a.get("c150_slow") or {}).get("rps"), (b.get("c150_slow") or {}).get("rps"), r.get("c150_rps")),
            ]
            row = " | ".join(f"{_cell(x, 3)} | {_cell(y, 3)} | {_cell(z, 2)}" for x, y, z in cells)
            lines.append(f"| {name} | {row} |")
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
    for name, scenario in scenarios.items():
        f = scenario.get("figures") or {}
        if "redis_commands_per_request" in f:
            lines.append(
                f"\n{name}: {f['redis_commands_per_request']} Redis commands (EVALSHA) in "
                f"{f['redis_round_trips_per_request']} round trips per request, running "
                f"{f['redis_script_operations_per_request']} operations inside the scripts"
                + (f"; RSS {f['rss_mb']}" if "rss_mb" in f else "")
            )
    return "\n".join(lines) + "\n"


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios: dict[str, dict[str, Any]] = result["scenarios"]
    measured = {n: s["figures"] for n, s in scenarios.items() if "c32" in (s.get("figures") or {})}
    panels: list[tuple[str, dict[str, float]]] = [
        ("requests/s at 32 concurrent (fast upstream)", {n: f["c32"]["rps"] for n, f in measured.items()}),
        ("CPU ms per request", {n: f["cpu_ms_per_request"] for n, f in measured.items() if "cpu_ms_per_request" in f}),
    ]
    cpu_ratio = {n: s["ratio"]["cpu_ms_per_request"] for n, s in scenarios.items() if _cpu_ratio(scenarios, n)}
    if cpu_ratio:
        panels.append(("CPU per request, B/A (below 1: B needs less)", cpu_ratio))
    fig, axes = plt.subplots(len(panels), 1, figsize=(12, 4.2 * len(panels)), squeeze=False)
    for axis, (title, values) in zip(axes[:, 0], panels, strict=True):
        names = list(values)
        colours = ["#c55" if n.split("/")[1].startswith("gateway") else "#58c" for n in names]
        axis.barh(names, list(values.values()), color=colours)
        axis.invert_yaxis()
        axis.set_title(title, fontsize=10)
        axis.tick_params(axis="y", labelsize=7)
        if title.startswith("CPU per request, B/A"):
            axis.axvline(1.0, color="#444", linewidth=0.8)
        for i, value in enumerate(values.values()):
            axis.annotate(_cell(float(value)), (value, i), va="center", fontsize=7)
    fig.suptitle(f"ATS gateway, {result['when']} (median of {result['settings']['repeat']} runs, 2 cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
