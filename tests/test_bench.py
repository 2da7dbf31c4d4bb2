"""The benchmark harness: its fixed vendor pages are what the vendors document, its scenario filter and turn order
do what bench/README.md says, a side that cannot do a workload is reported, and `bench/run.py` runs an A/B
comparison end to end (tiny durations: no figure here is a measurement, and none is asserted)."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from jsonschema import Draft202012Validator

from bench import pages, upstream
from bench.ab import find_uv, git, working_tree
from bench.report import markdown
from bench.run import WORKLOADS, Bench, Running, Settings, Workload, in_turn, scenarios, uvicorn, wait_port
from tests.conftest import ROOT
from tests.contract import contract


def _response_schema(vendor: str, method: str, path: str) -> Draft202012Validator:
    """The 200 answer the vendor documents for `method path`, as a validator over the whole document."""
    document = contract(vendor).document
    operation = document["paths"][path][method.lower()]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft202012Validator(
        {"components": document["components"], **schema}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _errors(validator: Draft202012Validator, body: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


@pytest.mark.parametrize("flags", [(True, True, False), (False, False, False), (True, True, True)])
def test_bindbee_pages_are_what_bindbee_documents(flags: tuple[bool, bool, bool]) -> None:
    expand, custom_fields, raw_data = flags
    page = json.loads(pages.bindbee_body(False, expand, custom_fields, raw_data))
    record = json.loads(pages.bindbee_body(True, expand, custom_fields, raw_data))
    assert _errors(_response_schema("bindbee", "GET", "/api/ats/v1/candidates"), page) == []
    assert _errors(_response_schema("bindbee", "GET", "/api/ats/v1/candidates/{id}"), record) == []
    assert page["page_size"] == len(page["items"]) == pages.PAGE_SIZE
    assert len({item["id"] for item in page["items"]}) == pages.PAGE_SIZE
    applications = [a for item in page["items"] for a in item["applications"]]
    assert all(isinstance(a, dict) for a in applications) is expand
    assert all(isinstance(item["custom_fields"], dict) for item in page["items"]) is custom_fields
    assert all(isinstance(item["raw_data"], dict) for item in page["items"]) is raw_data


def test_stackone_pages_are_what_stackone_documents() -> None:
    page = json.loads(pages.stackone_body(False))
    record = json.loads(pages.stackone_body(True))
    assert _errors(_response_schema("stackone", "GET", "/unified/ats/candidates"), page) == []
    assert _errors(_response_schema("stackone", "GET", "/unified/ats/candidates/{id}"), record) == []
    assert len({item["id"] for item in page["data"]}) == pages.PAGE_SIZE
    assert record["data"]["id"] == pages.STACKONE_RECORD_ID


def test_records_vary_as_a_customers_do() -> None:
    """Every branch of the mappings shows up in one page: one and two addresses, no company, each link type."""
    items = json.loads(pages.bindbee_body(False, True, True, False))["items"]
    assert {len(item["email_addresses"]) for item in items} == {1, 2}
    assert {len(item["phone_numbers"]) for item in items} == {1, 2}
    assert None in {item["company"] for item in items}
    assert {url["url_type"] for item in items for url in item["urls"]} == {k for k, _, _ in pages.SOCIAL}
    assert {len(item["applications"]) for item in items} == {1, 2}


def test_the_upstream_answers_what_the_query_asks() -> None:
    """The page the Bindbee workloads read carries what the connector asks for, and nothing it does not."""
    query = next(w for w in WORKLOADS if w.name == "bindbee-list").vendor_path.split("?")[1]
    item = json.loads(upstream.answer("GET", "/api/ats/v1/candidates", query.encode())[1])["items"][0]
    assert isinstance(item["applications"][0], dict)
    assert isinstance(item["custom_fields"], dict)
    assert item["raw_data"] is None
    bare = json.loads(upstream.answer("GET", "/api/ats/v1/candidates", b"page_size=100")[1])["items"][0]
    assert (bare["applications"], bare["custom_fields"]) == ([pages._id("application", 0)], None)
    raw = upstream.answer("GET", "/api/ats/v1/candidates", b"expand=applications,job[name]&include_raw_data=true")
    item = json.loads(raw[1])["items"][0]
    assert isinstance(item["applications"][0], dict)
    assert item["raw_data"]["id"] == 40_000_000
    status, body = upstream.answer("GET", f"/api/ats/v1/candidates/{pages.BINDBEE_RECORD_ID}", query.encode())
    assert (status, json.loads(body)["id"]) == (200, pages.BINDBEE_RECORD_ID)
    assert upstream.answer("GET", "/unified/ats/candidates", b"page_size=100") == (200, pages.stackone_body(False))
    assert upstream.answer("GET", "/unified/ats/candidates/x/y", b"")[0] == 404
    assert upstream.answer("GET", "/api/ats/v1/jobs", b"")[0] == 404
    assert upstream.answer("POST", "/api/ats/v1/jobs", b"{}")[0] == 201


def test_scenario_filter_and_turns() -> None:
    def names(*patterns: str) -> list[str]:
        return [f"{w.name}/{s}" for w, s in scenarios(list(patterns))]

    assert names("create/passthrough") == ["create/passthrough"]
    assert names("gateway-redis") == [f"{w.name}/gateway-redis" for w in WORKLOADS]
    assert set(names("bindbee-*")) == {f"bindbee-{k}/{s}" for k in ("list", "get") for s in WORKLOADS[1].servers}
    assert names("*-list/gateway-redis-2w", "create/direct") == [
        "create/direct",
        "bindbee-list/gateway-redis-2w",
        "stackone-list/gateway-redis-2w",
    ]
    assert names("nothing") == []
    sides = {"B": Running(2, None), "A": Running(1, None)}
    assert [[key for key, _ in in_turn(sides, rep)] for rep in range(3)] == [["A", "B"], ["B", "A"], ["A", "B"]]


@pytest.fixture
def fixed_upstream(tmp_path: Path) -> Iterator[int]:
    from bench.run import free_port

    port = free_port()
    process = subprocess.Popen(uvicorn("bench.upstream:app", port), cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_side_that_cannot_do_a_workload_is_reported_not_failed(fixed_upstream: int, tmp_path: Path) -> None:
    bench = Bench(tmp_path, [working_tree()], Settings(repeat=1, seconds=1, warm=1, soak=0, pairs=1))
    bench.fast = fixed_upstream
    missing = Workload("missing", "GET", "/unified/ats/nothing", "/api/ats/v1/nothing", "bench", ("direct",))
    result = bench.scenario(missing, "direct")
    assert result["figures"] == {"unsupported": 'GET /api/ats/v1/nothing answered 404: b\'{"detail":"Not Found"}\''}
    shown = markdown(
        {
            "sides": {"A": {"label": "old"}, "B": {"label": "new"}},
            "settings": {},
            "machine": {"load_average": []},
            "targets": {},
            "scenarios": {
                "missing/gateway-redis": {
                    "workload": "missing",
                    "server": "gateway-redis",
                    "figures": {"c32": {"rps": 1.0, "p50_ms": 1.0, "p99_ms": 1.0}, "c1_p50_ms": 1.0},
                    "base": result["figures"],
                }
            },
        }
    )
    assert "| missing/gateway-redis | not in A: GET /api/ats/v1/nothing answered 404" in shown


def _writing_under(directory: Path) -> list[int]:
    """Processes still holding a file under `directory` open (every server the harness starts logs there)."""
    pids = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if any(Path(f.path).is_relative_to(directory) for f in process.open_files()):
                pids.append(process.pid)
    return pids


def _tools() -> str | None:
    missing = [tool for tool in ("wrk", "redis-server", "taskset", "git") if shutil.which(tool) is None]
    return f"the harness needs {', '.join(missing)}" if missing else None


@pytest.mark.redis
@pytest.mark.skipif(_tools() is not None, reason=_tools() or "")
def test_harness_runs_an_ab_comparison_end_to_end(tmp_path: Path) -> None:
    """A/B against HEAD with tiny runs: both sides measured, the base worktree and every server gone afterwards."""
    try:
        uv = find_uv(None)
    except SystemExit:
        pytest.skip("no uv to build the base commit with (set UV)")
    results = tmp_path / "results"
    argv = [sys.executable, "bench/run.py", "--base", "HEAD", "--uv", uv, "--seconds", "1", "--repeat", "1"]
    argv += [
        "--soak",
        "0",
        "--results",
        str(results),
        "--only",
        "bindbee-list/passthrough",
        "bindbee-list/gateway-redis",
    ]
    before = git("worktree", "list", "--porcelain")
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    logs = run.stdout.split("== logs in ", 1)[1].split()[0] if "== logs in " in run.stdout else None
    try:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert git("worktree", "list", "--porcelain") == before
        result = json.loads((results / "latest.json").read_text())
        assert result["sides"]["A"]["commit"] == git("rev-parse", "HEAD")
        floor = result["scenarios"]["bindbee-list/passthrough"]
        gateway = result["scenarios"]["bindbee-list/gateway-redis"]
        assert "base" not in floor
        assert floor["figures"]["records"] == gateway["figures"]["records"] == gateway["base"]["records"] == 100
        assert len(gateway["base"]["samples"]["c32_rps"]) == len(gateway["figures"]["samples"]["c32_rps"]) == 1
        # The server's own count, after it has finished what wrk abandoned: there even on a machine too busy for
        # wrk to see a 1 s run complete.
        assert gateway["ratio"]["cpu_ms_per_request"] > 0
        assert "P6" in result["targets"]
        assert "| bindbee-list/gateway-redis |" in (results / "latest.md").read_text().split("A/B")[1]
        assert (results / "latest.png").stat().st_size > 0
        assert logs is not None
        assert _writing_under(Path(logs)) == []
    finally:
        if logs:
            shutil.rmtree(logs)
