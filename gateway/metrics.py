"""Prometheus metrics: what an SRE needs to see the gateway, its vendors and its state store at a glance.

Labels stay low-cardinality: route templates (never raw paths), connector names, status codes, outcomes.
Each app gets its own registry, so test apps in one process do not share counters.
"""

from __future__ import annotations

from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

_M = TypeVar("_M", bound=MetricWrapperBase)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90)


class _KnownLabels(MetricWrapperBase):
    """`labels()` looked up in a plain dict first: prometheus_client validates the values and takes a lock on
    every call, and a request makes about a dozen of them."""

    def labels(self: _M, *labelvalues: Any, **labelkwargs: Any) -> _M:
        if labelkwargs:
            return super().labels(*labelvalues, **labelkwargs)
        known: dict[tuple[Any, ...], _M] = self.__dict__.setdefault("_known", {})
        child = known.get(labelvalues)
        if child is None:
            child = known[labelvalues] = super().labels(*labelvalues)
        return child


class _Counter(_KnownLabels, Counter):
    pass


class _Histogram(_KnownLabels, Histogram):
    pass


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = _Counter(
            "gateway_requests_total",
            "Requests answered",
            ["route", "method", "status", "connector"],
            registry=self.registry,
        )
        self.request_seconds = _Histogram(
            "gateway_request_duration_seconds",
            "Request latency",
            ["route", "method", "connector"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_calls = _Counter(
            "gateway_upstream_calls_total",
            "Vendor calls by outcome (HTTP status, or not_sent / unknown)",
            ["connector", "operation", "outcome"],
            registry=self.registry,
        )
        self.upstream_seconds = _Histogram(
            "gateway_upstream_duration_seconds",
            "Vendor call latency",
            ["connector", "operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limit = _Counter(
            "gateway_rate_limit_decisions_total",
            "Inbound rate-limit decisions",
            ["policy", "decision"],
            registry=self.registry,
        )
        self.vendor_refusals = _Counter(
            "gateway_vendor_budget_refusals_total",
            "Vendor calls held back (cooldown, quota, concurrency)",
            ["connector", "reason"],
            registry=self.registry,
        )
        self.cooldowns = _Counter(
            "gateway_vendor_cooldowns_total",
            "Vendor 429/408 answers that started a shared cooldown",
            ["connector"],
            registry=self.registry,
        )
        self.idempotency = _Counter(
            "gateway_idempotency_outcomes_total",
            "Idempotency outcomes: claimed, replayed, conflict, mismatch, released, stored, unknown",
            ["outcome"],
            registry=self.registry,
        )
        self.store_fallbacks = Counter(
            "gateway_state_store_fallbacks_total",
            "Requests served with the local fallback while the store was away",
            registry=self.registry,
        )
        self.store_errors = _Counter(
            "gateway_state_store_errors_total",
            "State store calls that failed",
            ["operation"],
            registry=self.registry,
        )
        self.store_up = Gauge(
            "gateway_state_store_up",
            "1 when the last state store call succeeded",
            registry=self.registry,
        )
        self.store_up.set(1)
        self.store_round_trips = Gauge(
            "gateway_state_store_round_trips",
            "Round trips to the state store since start (Redis only)",
            registry=self.registry,
        )
