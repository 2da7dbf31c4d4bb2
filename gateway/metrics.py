"""Prometheus metrics: what an SRE needs to see the gateway, its vendors and its state store at a glance.

Labels stay low-cardinality: route templates (never raw paths), connector names, status codes, outcomes.

One process (`GATEWAY_WORKERS=1`): each app has its own registry (test apps in one process do not share
counters), with the process and Python collectors. Several workers: prometheus_client's multiprocess mode. `gateway
serve` creates a fresh `PROMETHEUS_MULTIPROC_DIR` per start (removed at exit) before the workers start, each worker
writes its values there, and whichever worker answers a scrape sums them all, dead workers' counters included, so a
counter never goes back when a worker is replaced. Live gauges leave with their worker (`mark_process_dead`: at a
worker's shutdown, or at the next scrape after a crash). `process_*` there are the supervisor's and every live
worker's, labelled by `pid`, read from /proc by the worker that answers; `python_info` is shared; the per-process
garbage collector figures are left out (no worker can see another's).
"""

from __future__ import annotations

import functools
import glob
import importlib.metadata
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client's multiprocess helpers are untyped; these are their signatures.
_collect_directory: Callable[[CollectorRegistry, str], object] = multiprocess.MultiProcessCollector
_mark_process_dead: Callable[[int, str], None] = multiprocess.mark_process_dead
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90)

_M = TypeVar("_M", Counter, Histogram)
_LatencyHistogram = functools.partial(Histogram, buckets=_LATENCY_BUCKETS)


class Family(Generic[_M]):
    """A labelled metric, with the children `.labels()` returned for it kept by value: prometheus_client checks
    the values and takes a lock in every `.labels()` call, and a request makes about a dozen. Keeping the child is
    what its documentation advises for hot paths; the label sets are the metric's own, so this stays as small."""

    __slots__ = ("_children", "metric")

    def __init__(self, metric: _M) -> None:
        self.metric: _M = metric
        self._children: dict[tuple[str, ...], _M] = {}

    def labels(self, *values: str) -> _M:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self.metric.labels(*values)
        return child


def _labelled(
    registry: CollectorRegistry, kind: Callable[..., _M], name: str, documentation: str, labels: str
) -> Family[_M]:
    """A labelled counter or histogram in `registry`, its children kept (`Family`)."""
    return Family(kind(name, documentation, labels.split(), registry=registry))


@functools.cache
def _git_commit() -> str | None:
    """The checkout's commit, for a gateway run from source (`make run`); images pass GATEWAY_COMMIT instead."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, fixed arguments
            cwd=root,
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None if found.returncode == 0 else None


def _version() -> str:
    try:
        return importlib.metadata.version("ats-gateway")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


class Metrics:
    def __init__(self, commit: str | None = None) -> None:
        self.directory = os.environ.get(MULTIPROCESS_DIR) or None
        """Set by `gateway serve` for its workers: values live in files there (prometheus_client chose its value
        class from the same variable when it was imported)."""
        self.registry = registry = CollectorRegistry()
        labelled = functools.partial(_labelled, registry)
        self.requests = labelled(
            Counter, "gateway_requests_total", "Requests answered", "route method status connector"
        )
        self.request_seconds = labelled(
            _LatencyHistogram, "gateway_request_duration_seconds", "Request latency", "route method connector"
        )
        self.upstream_calls = labelled(
            Counter,
            "gateway_upstream_calls_total",
            "Vendor calls by outcome (HTTP status, or not_sent / unknown)",
            "connector operation outcome",
        )
        self.upstream_seconds = labelled(
            _LatencyHistogram, "gateway_upstream_duration_seconds", "Vendor call latency", "connector operation"
        )
        self.rate_limit = labelled(
            Counter, "gateway_rate_limit_decisions_total", "Inbound rate-limit decisions", "policy decision"
        )
        self.vendor_refusals = labelled(
            Counter,
            "gateway_vendor_budget_refusals_total",
            "Vendor calls held back (cooldown, quota, concurrency)",
            "connector reason",
        )
        self.cooldowns = labelled(
            Counter,
            "gateway_vendor_cooldowns_total",
            "Vendor 429/408 answers that started a shared cooldown",
            "connector",
        )
        self.idempotency = labelled(
            Counter,
            "gateway_idempotency_outcomes_total",
            "Idempotency outcomes: claimed, replayed, conflict, mismatch, released, stored, unknown",
            "outcome",
        )
        self.store_errors = labelled(
            Counter, "gateway_state_store_errors_total", "State store calls that failed", "operation"
        )
        self.store_fallbacks = Counter(
            "gateway_state_store_fallbacks_total",
            "Requests served with the local fallback while the store was away",
            registry=registry,
        )
        self.store_round_trips = Counter(
            "gateway_state_store_round_trips_total", "Pipelines sent to the state store (Redis only)", registry=registry
        )
        # The lowest of the live workers: 0 as soon as one of them cannot reach the store.
        self.store_up = Gauge(
            "gateway_state_store_up",
            "1 when the last state store call succeeded",
            registry=registry,
            multiprocess_mode="livemin",
        )
        self.store_up.set(1)
        Gauge(
            "gateway_build_info",
            "The running build: package version and source commit",
            ["version", "commit"],
            registry=registry,
            multiprocess_mode="livemax",
        ).labels(_version(), commit or _git_commit() or "unknown").set(1)
        self._exposed = self._exposition()

    def _exposition(self) -> CollectorRegistry:
        """What a scrape reads: this process's registry with its runtime collectors, or, with workers, every
        worker's values summed from the directory with each live process's `process_*`."""
        if self.directory is None:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
            return self.registry
        exposed = CollectorRegistry()
        _collect_directory(exposed, self.directory)
        _ServerProcesses(self.directory, registry=exposed)
        PlatformCollector(registry=exposed)
        return exposed

    def render(self) -> bytes:
        """The text exposition of every metric: this process's, or every worker's in multiprocess mode."""
        return generate_latest(self._exposed)

    def close(self) -> None:
        """At a worker's shutdown: its live gauges leave with it (its counters stay in the sums)."""
        if self.directory is not None:
            _mark_process_dead(os.getpid(), self.directory)


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields that follow are after the last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


class _ServerProcesses(Collector):
    """`process_*` of the supervisor and of every live worker, each labelled by `pid`."""

    def __init__(self, directory: str, registry: CollectorRegistry) -> None:
        self._directory = directory
        registry.register(self)

    def workers(self, supervisor: int) -> list[int]:
        """The supervisor's live children that wrote values here; the live gauges of any other (a worker that
        crashed, so never ran its shutdown) are removed on the way."""
        pids = {int(Path(name).stem.rsplit("_", 1)[1]) for name in glob.glob(os.path.join(self._directory, "*.db"))}
        alive = sorted(pid for pid in pids if _parent(pid) == supervisor)
        for pid in pids.difference(alive):
            _mark_process_dead(pid, self._directory)
        return alive

    def collect(self) -> Iterator[Metric]:
        supervisor = os.getppid()
        merged: dict[str, Metric] = {}
        for pid in [supervisor, *self.workers(supervisor)]:
            for family in _process_families(pid):
                into = merged.setdefault(family.name, Metric(family.name, family.documentation, family.type))
                into.samples += [s._replace(labels={**s.labels, "pid": str(pid)}) for s in family.samples]
        yield from merged.values()


def _process_families(pid: int) -> Iterable[Metric]:
    return ProcessCollector(pid=lambda: pid, registry=None).collect()
