"""The store's Redis client (gateway/state/resp.py), against a real redis-server and through a fault proxy."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.state.redis import RedisStore
from gateway.state.resp import Address, ConnectionLost, RedisClient, ReplyError, Sentinels, pack, parse_url
from tests.conftest import REDIS_SERVER, RedisServer, free_port, listening
from tests.faultproxy import FaultProxy
from tests.test_state_store import budget, claim

pytestmark = pytest.mark.redis


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6380/2", Address("127.0.0.1", 6380, db=2)),
        ("redis://redis", Address("redis", 6379)),
        ("redis://:s%40cret@h:1/0", Address("h", 1, password="s@cret")),
        ("redis://app:pw@h:1?db=4", Address("h", 1, username="app", password="pw", db=4)),
        ("rediss://h:6380/1", Address("h", 6380, tls=True, db=1)),
        ("unix:///run/redis.sock?db=3", Address(unix_path="/run/redis.sock", db=3)),
        (
            "redis+sentinel://:pw@s1:26379,s2:26380/mymaster/5",
            Sentinels((("s1", 26379), ("s2", 26380)), "mymaster", Address(password="pw", db=5)),
        ),
    ],
)
def test_urls(url: str, expected: Address | Sentinels) -> None:
    assert parse_url(url) == expected


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="scheme"):
        parse_url("http://h:1")


def test_commands_are_packed_as_resp_arrays_of_bulk_strings() -> None:
    assert pack(["SET", b"k\r\n", 12]) == b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$2\r\n12\r\n"


async def test_replies_come_back_in_order_with_errors_in_place(redis_url: str) -> None:
    client = RedisClient.from_url(redis_url, 1.0)
    replies = await client.execute([["SET", "a", "1"], ["INCR", "a"], ["HGET", "a", "f"], ["GET", "nothing"]])
    assert replies[:2] == [b"OK", 2]
    assert isinstance(replies[2], ReplyError)
    assert "WRONGTYPE" in str(replies[2])
    assert replies[3] is None
    await client.aclose()


async def test_many_callers_share_one_connection_and_each_gets_its_own_replies(redis_url: str) -> None:
    client = RedisClient.from_url(redis_url, 1.0)

    async def caller(n: int) -> None:
        for i in range(20):
            [_, value] = await client.execute([["SET", f"k{n}", f"{n}-{i}"], ["GET", f"k{n}"]])
            assert value == f"{n}-{i}".encode()

    await asyncio.gather(*(caller(n) for n in range(50)))
    info = await client.execute([["CLIENT", "LIST"]])
    assert info[0].count(b"cmd=client") == 1  # one connection served all 50 callers
    await client.aclose()


async def test_a_cancelled_call_never_hands_its_reply_to_the_next_caller(redis_url: str) -> None:
    """CVE-2023-28858/28859: a reply left on the wire after a cancellation must never reach the next caller."""
    proxy = FaultProxy(_port(redis_url), delay_s=0.3)
    await proxy.start()
    client = RedisClient.from_url(f"redis://127.0.0.1:{proxy.port}/0", 1.0)
    proxy.delay_s = 0.0
    await client.execute([["SET", "a", "value-a"], ["SET", "b", "value-b"]])
    for _ in range(3):
        proxy.delay_s = 0.3
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(client.execute([["GET", "a"]]), 0.05)
        proxy.delay_s = 0.0
        assert await client.execute([["GET", "b"]]) == [b"value-b"]
    await client.aclose()
    await proxy.stop()


async def test_a_silent_connection_is_dropped_and_the_next_call_reconnects(redis_url: str) -> None:
    proxy = FaultProxy(_port(redis_url))
    await proxy.start()
    client = RedisClient.from_url(f"redis://127.0.0.1:{proxy.port}/0", 0.1)
    assert await client.execute([["PING"]]) == [b"PONG"]
    proxy.blackhole = True
    others = asyncio.gather(*(client.execute([["PING"]]) for _ in range(5)), return_exceptions=True)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.execute([["PING"]]), 0.15)
    # everyone else waiting on the dead connection fails at once rather than at their own deadlines
    assert all(isinstance(r, ConnectionLost) for r in await asyncio.wait_for(others, 0.5))
    proxy.blackhole = False
    assert await client.execute([["PING"]]) == [b"PONG"]
    await client.aclose()
    await proxy.stop()


async def test_a_cancellation_before_the_deadline_keeps_the_connection(redis_url: str) -> None:
    """A caller going away (its client hung up) says nothing about Redis: the others keep their connection."""
    proxy = FaultProxy(_port(redis_url), delay_s=0.2)
    await proxy.start()
    client = RedisClient.from_url(f"redis://127.0.0.1:{proxy.port}/0", 5.0)
    await client.execute([["PING"]])
    other = asyncio.create_task(client.execute([["ECHO", "other"]]))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.execute([["ECHO", "gone"]]), 0.05)
    assert await other == [b"other"]
    await client.aclose()
    await proxy.stop()


async def test_a_cut_connection_fails_its_callers_and_is_replaced(redis_url: str) -> None:
    proxy = FaultProxy(_port(redis_url), delay_s=0.2)
    await proxy.start()
    client = RedisClient.from_url(f"redis://127.0.0.1:{proxy.port}/0", 1.0)
    await client.execute([["PING"]])
    waiting = asyncio.create_task(client.execute([["PING"]]))
    await asyncio.sleep(0.05)
    proxy.reset_all()
    with pytest.raises(ConnectionLost):
        await waiting
    proxy.delay_s = 0.0
    assert await client.execute([["PING"]]) == [b"PONG"]
    await client.aclose()
    await proxy.stop()


async def test_nothing_listening_fails_within_the_timeout() -> None:
    client = RedisClient.from_url(f"redis://127.0.0.1:{free_port()}/0", 0.2)
    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError):
        await client.execute([["PING"]])
    assert time.monotonic() - started < 1.0


async def test_a_user_and_password_and_a_database_are_used(redis_url: str) -> None:
    admin = RedisClient.from_url(redis_url, 1.0)
    await admin.execute([["ACL", "SETUSER", "gw", "on", ">pass word", "~*", "+@all"]])
    try:
        user = redis_url.replace("redis://", "redis://gw:pass%20word@")
        client = RedisClient.from_url(user.rsplit("/", 1)[0] + "/3", 1)
        await client.execute([["SET", "where", "three"]])
        db3 = RedisClient.from_url(redis_url.rsplit("/", 1)[0] + "/3", 1.0)
        assert await db3.execute([["GET", "where"]]) == [b"three"]
        await db3.aclose()
        assert await admin.execute([["GET", "where"]]) == [None]
        await client.aclose()
        wrong = RedisClient.from_url(redis_url.replace("redis://", "redis://gw:nope@"), 1)
        with pytest.raises(ReplyError, match="WRONGPASS"):
            await wrong.execute([["PING"]])
    finally:
        await admin.execute([["ACL", "DELUSER", "gw"]])
        await admin.aclose()


@pytest.fixture
def sentinel(redis_server: RedisServer, tmp_path: Path) -> Iterator[int]:
    """A real Sentinel watching the test redis-server as `gw-master`."""
    if redis_server.process is None:
        redis_server.start()
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\nsentinel monitor gw-master 127.0.0.1 {redis_server.port} 1\ndir {tmp_path}\n"
    )
    process = subprocess.Popen([REDIS_SERVER, str(conf), "--sentinel"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                asyncio.run(RedisClient.from_url(f"redis://127.0.0.1:{port}", 0.5).execute([["PING"]]))
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_sentinel_urls_find_the_master(sentinel: int, redis_url: str) -> None:
    dead = free_port()
    store = RedisStore.from_url(f"redis+sentinel://127.0.0.1:{dead},127.0.0.1:{sentinel}/gw-master/0", 1.0)
    await store.ping()
    admission = await store.admit([], claim(), None)
    assert admission.claim is not None
    assert admission.claim.kind == "new"
    await store.aclose()
    unknown = RedisClient.from_url(f"redis+sentinel://127.0.0.1:{sentinel}/nobody", 1.0)
    with pytest.raises(ConnectionLost, match="nobody"):
        await unknown.execute([["PING"]])


async def test_a_demoted_master_is_left_for_a_fresh_connection(redis_url: str) -> None:
    """After a failover the old master answers READONLY: the client drops it so the next call asks again."""
    replica = RedisServer(free_port())
    replica.start()
    try:
        client = RedisClient.from_url(replica.url, 1.0)
        await client.execute([["REPLICAOF", "127.0.0.1", str(_port(redis_url))]])
        [reply] = await client.execute([["SET", "k", "v"]])
        assert isinstance(reply, ReplyError)
        assert str(reply).startswith("READONLY")
        assert client._connection is not None
        await asyncio.sleep(0)
        assert client._connection.lost is not None
        await client.execute([["REPLICAOF", "NO", "ONE"]])  # a new connection
        assert await client.execute([["SET", "k", "v"]]) == [b"OK"]
        await client.aclose()
    finally:
        replica.stop()


@pytest.fixture
def cluster_node(tmp_path: Path) -> Iterator[int]:
    """A one-node Redis Cluster owning every slot."""
    for _ in range(5):
        port = free_port()
        argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
        argv += ["--cluster-enabled", "yes", "--cluster-config-file", str(tmp_path / f"nodes-{port}.conf")]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        if listening(process, port):
            break
        # Another test's server took the port between choosing and binding it: choose again.
    else:
        pytest.fail("redis-server in cluster mode did not start on any of five ports")

    async def assign_slots() -> None:
        admin = RedisClient.from_url(f"redis://127.0.0.1:{port}", 1.0)
        await admin.execute([["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]])
        # A node takes its slots at once but says the cluster is ok only two seconds after it started (Redis's
        # writable delay); until then every command is CLUSTERDOWN, which the cluster client retries with pauses.
        deadline = time.monotonic() + 30
        while b"cluster_state:ok" not in (await admin.execute([["CLUSTER", "INFO"]]))[0]:
            if time.monotonic() > deadline:
                pytest.fail("the one-node cluster did not come to cluster_state:ok within 30 s")
            await asyncio.sleep(0.1)
        await admin.aclose()

    try:
        asyncio.run(assign_slots())
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_one_node_cluster_runs_the_store(cluster_node: int) -> None:
    """`redis+cluster://` goes through redis-py's cluster client; every script's keys share one slot."""
    # The first call also discovers the cluster's slots; the generous timeout keeps a loaded machine from failing it.
    store = RedisStore.from_url(f"redis+cluster://127.0.0.1:{cluster_node}", 5.0)
    admission = await store.admit([], claim(), budget())
    assert admission.claim is not None
    assert admission.claim.kind == "new"
    assert admission.vendor is not None
    assert admission.vendor.allowed
    await store.aclose()


def test_the_client_runs_on_uvloop(redis_url: str) -> None:
    """The server runs on uvloop, whose transports are not asyncio's classes."""
    import uvloop

    async def run() -> list[object]:
        client = RedisClient.from_url(redis_url, 1.0)
        try:
            return await client.execute([["PING"], ["ECHO", "x"]])
        finally:
            await client.aclose()

    assert uvloop.run(run()) == [b"PONG", b"x"]
