"""Both stores, one contract: the embedded store and a real redis-server must behave alike."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import redis.asyncio as aioredis

from gateway.state import MemoryStore, RedisStore, StateStore, StoreUnavailable, claims
from gateway.state.base import Claim, ClaimOutcome, Limit, Outcome, VendorBudget
from gateway.state.claims import PendingClaim, StoredOutcome
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


def claim(
    fingerprint: str = "f" * 32, lease_ms: int = 5_000, key: str = "idem:{acct:a}:k", sending: bool = False
) -> Claim:
    return Claim(key, fingerprint, uuid.uuid4().hex, lease_ms, sending)


def budget(
    owner: str | None = None,
    rate: float = 100.0,
    burst: int = 100,
    concurrency: int = 10,
    caller: str = "",
    weight: float = 1.0,
) -> VendorBudget:
    return VendorBudget(
        "cred:test", rate, burst, concurrency, owner or uuid.uuid4().hex, 5_000, caller=caller, weight=weight
    )


def answered(body: bytes = b'{"ok":true}', started_ms: int = 1) -> StoredOutcome:
    return StoredOutcome("answered", 201, body, 2, started_ms)


LEASE_S = 0.15
"""The short lease of the expiry tests; they sleep twice as long."""


async def admit(store: StateStore, c: Claim) -> ClaimOutcome:
    outcome = (await store.admit([], c, None)).claim
    assert outcome is not None
    return outcome


async def expired(store: StateStore, sending: bool) -> tuple[Claim, ClaimOutcome]:
    """A claim whose owner stopped and whose lease has run out, nobody having claimed the key since."""
    c = claim(lease_ms=int(LEASE_S * 1000), sending=sending)
    outcome = await admit(store, c)
    assert outcome.kind == "new"
    await asyncio.sleep(2 * LEASE_S)
    return c, outcome


async def test_claim_lifecycle(store: StateStore) -> None:
    first = claim()
    made = await admit(store, first)
    assert made.kind == "new"
    assert abs(made.started_ms - time.time() * 1000) < 60_000  # the store's clock, in ms since the epoch
    again = await admit(store, claim())
    assert again.kind == "in_flight"
    assert 0 < again.retry_after_ms <= 5_000
    assert (await admit(store, claim("0" * 32))).kind == "mismatch"
    record = answered(started_ms=made.started_ms)
    assert (await store.finish(Outcome(first, record, 60_000), None)).held
    replay = await admit(store, claim())
    assert replay.kind == "replay"
    assert replay.stored == record
    assert (await admit(store, claim("0" * 32))).kind == "mismatch"


async def test_release_lets_a_retry_run(store: StateStore) -> None:
    first = claim()
    await store.admit([], first, None)
    assert (await store.finish(Outcome(first, None, 0), None)).held
    assert (await admit(store, claim())).kind == "new"


async def test_an_expired_admitted_claim_is_taken_over_and_the_old_owner_cannot_settle(store: StateStore) -> None:
    crashed, _ = await expired(store, sending=False)
    successor = claim()
    assert (await admit(store, successor)).kind == "new"
    late = await store.finish(Outcome(crashed, answered(), 60_000), None)
    assert not late.held
    assert isinstance(late.current, PendingClaim)
    assert late.current.owner == successor.owner
    assert (await store.finish(Outcome(successor, answered(), 60_000), None)).held


async def test_an_expired_sending_claim_becomes_unknown_never_a_new_claim(store: StateStore) -> None:
    _, made = await expired(store, sending=True)
    retry = await admit(store, claim())
    assert retry.kind == "replay"
    assert retry.stored is not None
    assert (retry.stored.kind, retry.stored.status, retry.stored.body) == ("unknown", 502, b"")
    assert retry.stored.started_ms == made.started_ms
    assert retry.stored.when_ms >= made.started_ms + LEASE_S * 1000
    assert await admit(store, claim()) == retry  # stored: every later claimant replays the same unknown


async def test_two_claimants_on_an_expired_sending_claim_replay_one_unknown(store: StateStore) -> None:
    await expired(store, sending=True)
    first, second = await asyncio.gather(admit(store, claim()), admit(store, claim()))
    assert first.kind == second.kind == "replay"
    assert first.stored == second.stored


async def test_another_body_takes_over_an_admitted_claim_but_not_a_sending_one(store: StateStore) -> None:
    await expired(store, sending=False)
    assert (await admit(store, claim("0" * 32))).kind == "new"
    sending = claim(lease_ms=int(LEASE_S * 1000), key="idem:{acct:a}:s", sending=True)
    await admit(store, sending)
    await asyncio.sleep(2 * LEASE_S)
    assert (await admit(store, claim("0" * 32, key=sending.key))).kind == "mismatch"
    assert (await admit(store, claim(key=sending.key))).kind == "replay"


async def test_renewal_racing_expiry_holds_while_no_one_claimed(store: StateStore) -> None:
    mine, _ = await expired(store, sending=True)
    assert await store.renew(Claim(mine.key, mine.fingerprint, mine.owner, 5_000))
    assert (await admit(store, claim())).kind == "in_flight"
    assert not await store.renew(claim())


async def test_renewal_after_a_takeover_or_a_conversion_is_refused(store: StateStore) -> None:
    admitted, _ = await expired(store, sending=False)
    await admit(store, claim())
    assert not await store.renew(admitted)
    sending = claim(lease_ms=int(LEASE_S * 1000), key="idem:{acct:a}:3", sending=True)
    await admit(store, sending)
    await asyncio.sleep(2 * LEASE_S)
    assert (await admit(store, claim(key=sending.key))).kind == "replay"
    assert not await store.renew(sending)


async def test_marking_sending_after_a_takeover_is_refused(store: StateStore) -> None:
    late, _ = await expired(store, sending=False)
    await admit(store, claim())
    marked = await store.mark_sending(late, budget())
    assert not marked.held
    assert marked.vendor is not None  # the admission rode in the same round trip


async def test_a_marked_claim_is_unknown_when_it_expires_and_one_put_back_is_taken_over(store: StateStore) -> None:
    marked = claim(lease_ms=int(LEASE_S * 1000))
    await admit(store, marked)
    sending = await store.mark_sending(marked, None)
    assert sending.held
    assert sending.vendor is None
    await asyncio.sleep(2 * LEASE_S)
    assert (await admit(store, claim())).kind == "replay"
    waiting = claim(lease_ms=int(LEASE_S * 1000), key="idem:{acct:a}:w", sending=True)
    await admit(store, waiting)
    assert await store.renew(waiting, "admitted")  # waits for vendor budget before its first write
    await asyncio.sleep(2 * LEASE_S)
    assert (await admit(store, claim(key=waiting.key))).kind == "new"


async def test_a_late_settle_after_a_conversion_leaves_the_unknown(store: StateStore) -> None:
    late, _ = await expired(store, sending=True)
    converted = await admit(store, claim())
    for record in (answered(), None):
        refused = await store.finish(Outcome(late, record, 60_000), None)
        assert not refused.held
        assert refused.current == converted.stored
    assert await admit(store, claim()) == converted


async def test_a_settle_after_expiry_is_recorded_if_unclaimed(store: StateStore) -> None:
    slow, _ = await expired(store, sending=True)
    assert (await store.finish(Outcome(slow, answered(), 60_000), None)).held
    assert (await admit(store, claim())).stored == answered()


async def test_a_reopened_claim_that_expires_is_unknown_again_with_its_start(store: StateStore) -> None:
    first = claim(sending=True)
    made = await admit(store, first)
    unknown = StoredOutcome("unknown", 504, b'{"code":"outcome_unknown"}', 5, made.started_ms)
    await store.finish(Outcome(first, unknown, 60_000), None)
    reconciler = claim(lease_ms=int(LEASE_S * 1000))
    assert await store.reopen(reconciler, unknown)
    assert (await admit(store, claim())).kind == "in_flight"
    await asyncio.sleep(2 * LEASE_S)  # the reconciler died during its lookup
    again = await admit(store, claim())
    assert again.kind == "replay"
    assert again.stored is not None
    assert (again.stored.kind, again.stored.started_ms) == ("unknown", made.started_ms)


async def test_reopen_takes_back_only_the_exact_unknown(store: StateStore) -> None:
    first = claim(sending=True)
    made = await admit(store, first)
    unknown = StoredOutcome("unknown", 502, b"", 5, made.started_ms)
    await store.finish(Outcome(first, unknown, 60_000), None)
    assert not await store.reopen(claim(), replace(unknown, when_ms=6))
    one, other = claim(), claim()
    assert await store.reopen(one, unknown)
    assert not await store.reopen(other, unknown)
    assert (await store.finish(Outcome(one, answered(), 60_000), None)).held
    assert not await store.reopen(other, unknown)


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


# --- a vendor credential shared by callers -------------------------------------------------------------------------


async def paced(store: StateStore, caller: str, per_second: float, seconds: float, weight: float = 1.0) -> list[str]:
    """`caller` asks for the credential at a steady pace; each admitted call ends at once. The verdicts."""
    verdicts: list[str] = []
    started = time.monotonic()
    for i in range(int(per_second * seconds)):
        await asyncio.sleep(max(0.0, started + i / per_second - time.monotonic()))
        call = budget(rate=10.0, burst=10, concurrency=100, caller=caller, weight=weight)
        decision = await store.admit_vendor(call)
        verdicts.append(decision.verdict)
        if decision.allowed:
            await store.finish(None, call)
    return verdicts


async def test_a_caller_within_its_share_is_never_refused_by_one_over_it(store: StateStore) -> None:
    """The issue's case: one caller at 19/s (within its own limit) on a credential spending 10/s, another at 2/s."""
    hog, slow = await asyncio.gather(paced(store, "hog", 19, 4), paced(store, "slow", 2, 4))
    assert set(slow) == {"ok"}, slow
    assert "quota" in hog
    # the hog gets what the slow caller leaves: about 10/s in all (a GCRA allows a burst on top)
    assert 30 <= hog.count("ok") + slow.count("ok") <= 10 * 4 + 10 + 10


async def test_weights_split_a_contended_credential(store: StateStore) -> None:
    heavy, light = await asyncio.gather(paced(store, "heavy", 30, 3, weight=3), paced(store, "light", 30, 3, weight=1))
    ratio = heavy.count("ok") / light.count("ok")
    assert 2 <= ratio <= 4.5, (heavy.count("ok"), light.count("ok"))


async def test_a_lone_caller_has_the_whole_credential(store: StateStore) -> None:
    assert (await paced(store, "alone", 40, 1)).count("ok") >= 10 + 5  # its burst, then the rate


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
    from gateway.state.scripts import CLAIM

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


async def test_the_scripts_write_the_records_the_codec_reads_and_writes(redis_url: str) -> None:
    """The claim script builds a pending claim and, on expiry, a stored unknown from the layout in claims.py:
    byte for byte what the Python codec reads and writes."""
    store = RedisStore.from_url(redis_url)
    client = aioredis.Redis.from_url(redis_url)
    mine = claim(lease_ms=int(LEASE_S * 1000), sending=True)
    made = await admit(store, mine)
    raw = await client.get(mine.key)
    assert isinstance(raw, bytes)
    pending = claims.decode(raw)
    assert isinstance(pending, PendingClaim)
    assert (pending.phase, pending.owner, pending.started_ms) == ("sending", mine.owner, made.started_ms)
    assert pending.lease_until_ms == made.started_ms + mine.lease_ms
    assert claims.encode_pending(pending) == raw
    await asyncio.sleep(2 * LEASE_S)
    replay = await admit(store, claim())
    assert replay.stored is not None
    assert await client.get(mine.key) == claims.encode(replay.stored, mine.fingerprint)
    assert 0 < await client.pttl(mine.key) <= claims.RETENTION_MS
    await client.aclose()
    await store.aclose()
