"""Both stores, one contract: the embedded store and a real redis-server must behave alike."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from gateway.state import MemoryStore, RedisStore, StateStore, StoreUnavailable
from gateway.state.base import Claim, Limit, Outcome, VendorBudget
from tests.conftest import free_port
from tests.faultproxy import FaultProxy


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = request.getfixturevalue("redis_url")
    redis_store = RedisStore.from_url(url, timeout_s=1.0)
    yield redis_store
    await redis_store.aclose()


def claim(fingerprint: str = "f" * 32, lease_ms: int = 5_000, key: str = "idem:{acct:a}:k") -> Claim:
    return Claim(key, fingerprint, uuid.uuid4().hex, lease_ms)


def budget(owner: str | None = None, rate: float = 100.0, burst: int = 100, concurrency: int = 10) -> VendorBudget:
    return VendorBudget("cred:test", rate, burst, concurrency, owner or uuid.uuid4().hex, 5_000)


async def test_claim_lifecycle(store: StateStore) -> None:
    first = claim()
    assert (await store.admit([], first, None)).claim.kind == "new"  # type: ignore[union-attr]
    again = await store.admit([], claim(), None)
    assert again.claim is not None
    assert again.claim.kind == "in_flight"
    assert 0 < again.claim.retry_after_ms <= 5_000
    other_body = await store.admit([], claim("0" * 32), None)
    assert other_body.claim is not None
    assert other_body.claim.kind == "mismatch"
    assert await store.finish(Outcome(first, b'201{"ok":true}', 60_000), None)
    replay = await store.admit([], claim(), None)
    assert replay.claim is not None
    assert replay.claim.kind == "replay"
    assert replay.claim.stored == b'201{"ok":true}'
    mismatch = await store.admit([], claim("0" * 32), None)
    assert mismatch.claim is not None
    assert mismatch.claim.kind == "mismatch"


async def test_release_lets_a_retry_run(store: StateStore) -> None:
    first = claim()
    await store.admit([], first, None)
    assert await store.finish(Outcome(first, None, 0), None)
    assert (await store.admit([], claim(), None)).claim.kind == "new"  # type: ignore[union-attr]


async def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_settle(store: StateStore) -> None:
    crashed = claim(lease_ms=150)
    await store.admit([], crashed, None)
    await asyncio.sleep(0.3)
    successor = claim(lease_ms=5_000)
    assert (await store.admit([], successor, None)).claim.kind == "new"  # type: ignore[union-attr]
    assert not await store.finish(Outcome(crashed, b"201{}", 60_000), None)
    assert await store.finish(Outcome(successor, b"201{}", 60_000), None)


async def test_renew_extends_only_the_owners_lease(store: StateStore) -> None:
    mine = claim(lease_ms=200)
    await store.admit([], mine, None)
    assert await store.renew(Claim(mine.key, mine.fingerprint, mine.owner, 5_000))
    assert not await store.renew(claim())
    await asyncio.sleep(0.3)
    assert (await store.admit([], claim(), None)).claim.kind == "in_flight"  # type: ignore[union-attr]


async def test_gcra_allows_the_burst_then_limits(store: StateStore) -> None:
    limit = Limit("rl:{caller:x}", "caller", rate=10.0, burst=5)
    decisions = [(await store.admit([limit], None, None)).limits[0] for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert 0 < decisions[5].retry_after_s <= 0.11
    await asyncio.sleep(0.12)
    assert (await store.admit([limit], None, None)).limits[0].allowed


async def test_vendor_concurrency_cap_and_release(store: StateStore) -> None:
    a, b, c = budget(concurrency=2), budget(concurrency=2), budget(concurrency=2)
    assert (await store.admit_vendor(a)).allowed
    assert (await store.admit_vendor(b)).allowed
    assert (await store.admit_vendor(c)).verdict == "concurrency"
    await store.finish(None, a)
    assert (await store.admit_vendor(c)).allowed


async def test_vendor_quota_and_refund(store: StateStore) -> None:
    one, two = budget(rate=1.0, burst=1), budget(rate=1.0, burst=1)
    assert (await store.admit_vendor(one)).allowed
    denied = await store.admit_vendor(two)
    assert denied.verdict == "quota"
    assert 0 < denied.retry_after_ms <= 1_000
    await store.refund_vendor(one)
    assert (await store.admit_vendor(two)).allowed


async def test_cooldown_is_shared_and_never_shortened(store: StateStore) -> None:
    await store.cooldown(budget(), 2_000)
    await store.cooldown(budget(), 100)
    decision = await store.admit_vendor(budget())
    assert decision.verdict == "cooldown"
    assert 1_500 < decision.retry_after_ms <= 2_000


# --- Redis only --------------------------------------------------------------------------------------------------


async def test_scripts_are_reloaded_after_a_flush(redis_url: str) -> None:
    store = RedisStore.from_url(redis_url)
    await store.admit([Limit("rl:{c:1}", "c", 1.0, 1)], None, None)
    client = aioredis.Redis.from_url(redis_url)
    await client.script_flush()
    await client.aclose()
    assert (await store.admit([], claim(), None)).claim.kind == "new"  # type: ignore[union-attr]
    await store.aclose()


async def test_an_unreachable_redis_is_store_unavailable_quickly() -> None:
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(StoreUnavailable):
        await store.admit([], claim(), None)
    assert loop.time() - started < 1.0
    await store.aclose()


async def test_store_timeouts_through_a_slow_proxy_then_recovery(redis_url: str) -> None:
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    proxy = FaultProxy(port)
    await proxy.start()
    store = RedisStore.from_url(f"redis://127.0.0.1:{proxy.port}/0", timeout_s=0.1)
    assert (await store.admit([], claim(key="idem:{acct:p}:1"), None)).claim.kind == "new"  # type: ignore[union-attr]
    proxy.blackhole = True
    with pytest.raises(StoreUnavailable):
        await store.admit([], claim(key="idem:{acct:p}:2"), None)
    proxy.blackhole = False
    proxy.reset_all()
    outcome = await store.admit([], claim(key="idem:{acct:p}:3"), None)
    assert outcome.claim is not None
    assert outcome.claim.kind == "new"
    await store.aclose()
    await proxy.stop()


async def test_a_half_loaded_script_set_never_runs_a_claim_twice(redis_url: str) -> None:
    """A pipeline is not a transaction: when only some scripts are missing, only those calls run again."""
    from gateway.state.redis import CLAIM

    store = RedisStore.from_url(redis_url)
    client = aioredis.Redis.from_url(redis_url)
    await client.script_flush()
    await client.script_load(CLAIM)  # the claim runs on the first pass; the vendor script must be reloaded
    await client.aclose()
    admission = await store.admit([Limit("rl:{c:2}", "c", 100.0, 100)], claim(), budget())
    assert admission.claim is not None
    assert admission.claim.kind == "new"
    assert admission.vendor is not None
    assert admission.vendor.allowed
    assert admission.limits[0].remaining == 99
    await store.aclose()
