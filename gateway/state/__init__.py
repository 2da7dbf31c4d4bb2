"""Shared state: idempotency records, rate-limit and vendor-quota counters, cooldowns."""

from gateway.state.base import StateStore, StoreUnavailable
from gateway.state.memory import MemoryStore
from gateway.state.redis import RedisStore

__all__ = ["MemoryStore", "RedisStore", "StateStore", "StoreUnavailable"]
