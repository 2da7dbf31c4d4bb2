"""The Redis store: every read-modify-write is one Lua script over keys of one hash slot, clocked by Redis `TIME`.

Scripts are sent with EVALSHA in a non-transactional pipeline, so `admit` and `finish` are one round trip each;
they are loaded once, and again only if Redis answers NOSCRIPT (after a restart or a flush). Every call has a
deadline; a call that misses it raises `StoreUnavailable`, and its replies, if they come, are dropped by the client
(`resp.py`), never handed to the next caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisError

from gateway.state import claims
from gateway.state.base import (
    Admission,
    Claim,
    ClaimOutcome,
    Health,
    Limit,
    LimitDecision,
    Outcome,
    Sending,
    Settled,
    StoreUnavailable,
    VendorBudget,
    VendorDecision,
    VendorVerdict,
)
from gateway.state.claims import Phase, StoredOutcome
from gateway.state.resp import Command, ConnectionLost, RedisClient, ReplyError
from gateway.state.scripts import SCRIPTS as _SCRIPTS


class Commands(Protocol):
    """What the store needs of a Redis client: pipelines of commands, error replies in place as `ReplyError`."""

    async def execute(self, commands: Sequence[Command]) -> list[Any]: ...

    async def aclose(self) -> None: ...


class ClusterCommands:
    """`redis+cluster://`: redis-py's cluster client routes each script to the node of its keys' slot. It is the
    slower client (see `resp.py`); a single master (with Sentinel for failover) holds a gateway's state easily."""

    def __init__(self, url: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        base = urlunsplit((parts.scheme.removesuffix("+cluster"), parts.netloc, parts.path, parts.query, ""))
        self._client = RedisCluster.from_url(base, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)

    async def execute(self, commands: Sequence[Command]) -> list[Any]:
        try:
            if commands and commands[0][:2] == ["SCRIPT", "LOAD"]:
                # Each primary has its own script cache; redis-py loads on all of them.
                return [await self._client.script_load(str(c[2])) for c in commands]
            pipe = self._client.pipeline()
            for command in commands:
                pipe.execute_command(*command)
            replies = await pipe.execute(raise_on_error=False)
        except RedisError as exc:
            raise ConnectionLost(f"{type(exc).__name__}: {exc}") from exc
        return [_reply_error(r) if isinstance(r, RedisError) else r for r in replies]

    async def aclose(self) -> None:
        await self._client.aclose()


def _reply_error(error: RedisError) -> ReplyError:
    # redis-py strips the error code from the messages it has a class for; the store reads NOSCRIPT by its code.
    return ReplyError(f"NOSCRIPT {error}" if isinstance(error, NoScriptError) else str(error))


def connect(url: str, timeout_s: float) -> Commands:
    """`redis://`, `rediss://`, `unix://`, `redis+sentinel://h:p,h:p/service[/db]` (resp.py), `redis+cluster://`."""
    if urlsplit(url).scheme.endswith("+cluster"):
        return ClusterCommands(url, timeout_s)
    return RedisClient.from_url(url, timeout_s)


def _uncounted() -> None:
    return None


class RedisStore:
    kind = "redis"

    def __init__(self, client: Commands, timeout_s: float = 0.25) -> None:
        self._client = client
        self._timeout = timeout_s
        self.on_round_trip: Callable[[], None] = _uncounted
        """Called for each pipeline sent to Redis: the app counts them (`gateway_state_store_round_trips_total`,
        which the benchmark divides by requests)."""

    @classmethod
    def from_url(cls, url: str, timeout_s: float = 0.25) -> RedisStore:
        return cls(connect(url, timeout_s), timeout_s)

    async def _run(self, calls: Sequence[tuple[str, Sequence[str], Sequence[Any]]]) -> list[Any]:
        """Run scripts in one pipelined round trip.

        A pipeline is not a transaction: if Redis has forgotten some scripts (after a restart or a flush), the
        others have already run, so only the calls that hit NOSCRIPT are run again, once the scripts are loaded.
        """
        try:
            async with asyncio.timeout(self._timeout * 2):
                replies = await self._pipeline(calls)
                missing = [i for i, reply in enumerate(replies) if _no_script(reply)]
                if missing:
                    await self._load()
                    for i, reply in zip(missing, await self._pipeline([calls[i] for i in missing]), strict=True):
                        replies[i] = reply
        except (OSError, TimeoutError, ReplyError) as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        for reply in replies:
            if isinstance(reply, Exception):
                raise StoreUnavailable(f"{type(reply).__name__}: {reply}") from reply
        return replies

    async def _pipeline(self, calls: Sequence[tuple[str, Sequence[str], Sequence[Any]]]) -> list[Any]:
        self.on_round_trip()
        return await self._client.execute(
            [["EVALSHA", _SCRIPTS[name][1], len(keys), *keys, *args] for name, keys, args in calls]
        )

    async def _load(self) -> None:
        for reply in await self._client.execute([["SCRIPT", "LOAD", text] for text, _ in _SCRIPTS.values()]):
            if isinstance(reply, ReplyError):
                raise reply

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._timeout * 2):
                [reply] = await self._client.execute([["PING"]])
        except (OSError, TimeoutError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        if isinstance(reply, ReplyError):
            raise StoreUnavailable(str(reply))

    async def admit(self, limits: Sequence[Limit], claim: Claim | None, vendor: VendorBudget | None) -> Admission:
        calls: list[tuple[str, Sequence[str], Sequence[Any]]] = [
            ("limit", [limit.key], [repr(limit.rate), limit.burst]) for limit in limits
        ]
        if claim is not None:
            phase = claims.phase_code("sending" if claim.sending else "admitted")
            args = [claim.fingerprint, claim.owner, claim.lease_ms, phase, claim.retention_ms]
            calls.append(("claim", [claim.key], args))
        if vendor is not None:
            calls.append(_vendor_call(vendor))
        if not calls:
            return Admission([], None, None)
        replies = await self._run(calls)
        decisions = []
        for limit, reply in zip(limits, replies, strict=False):
            ok, remaining, reset, retry = reply
            decisions.append(
                LimitDecision(
                    limit.policy,
                    bool(ok),
                    limit.burst,
                    int(remaining),
                    float(reset),
                    float(retry),
                    limit.burst / limit.rate,
                )
            )
        rest = replies[len(limits) :]
        claim_outcome = _claim_outcome(rest.pop(0)) if claim is not None else None
        vendor_decision = _vendor_decision(rest.pop(0)) if vendor is not None else None
        return Admission(decisions, claim_outcome, vendor_decision)

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> Settled:
        calls: list[tuple[str, Sequence[str], Sequence[Any]]] = []
        if outcome is not None:
            new = b"" if outcome.record is None else claims.encode(outcome.record, outcome.claim.fingerprint)
            calls.append(("settle", [outcome.claim.key], [outcome.claim.owner, new, outcome.ttl_ms]))
        if vendor is not None:
            calls.append(
                (
                    "release",
                    [vendor.slots_key, vendor.breaker_key],
                    [vendor.owner, health, vendor.breaker_failures, vendor.breaker_open_ms],
                )
            )
        if not calls:
            return Settled(True)
        replies = await self._run(calls)
        if outcome is None:
            return Settled(True)
        held, current = replies[0]
        if held:
            return Settled(True)
        return Settled(False, claims.decode(_bytes(current)) if current else None)

    async def admit_vendor(self, vendor: VendorBudget) -> VendorDecision:
        [reply] = await self._run([_vendor_call(vendor)])
        return _vendor_decision(reply)

    async def mark_sending(self, claim: Claim, vendor: VendorBudget | None) -> Sending:
        calls = [_renew_call(claim, "sending")]
        if vendor is not None:
            calls.append(_vendor_call(vendor))
        replies = await self._run(calls)
        return Sending(bool(replies[0]), _vendor_decision(replies[1]) if vendor is not None else None)

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        keys = [vendor.gcra_key, vendor.slots_key, vendor.callers_key, vendor.share_key]
        args = [repr(vendor.rate), vendor.owner, vendor.caller, repr(vendor.weight), vendor.active_window_ms]
        await self._run([("refund", keys, args)])

    async def reopen(self, claim: Claim, stored: StoredOutcome) -> bool:
        args = [claims.encode(stored, claim.fingerprint), claim.owner, claim.lease_ms]
        [reply] = await self._run([("reopen", [claim.key], args)])
        return bool(reply)

    async def renew(self, claim: Claim, phase: Phase | None = None) -> bool:
        [reply] = await self._run([_renew_call(claim, phase)])
        return bool(reply)

    async def cooldown(self, vendor: VendorBudget, ms: int) -> None:
        await self._run([("cooldown", [vendor.cooldown_key], [ms])])

    async def recall(self, key: str) -> bytes | None:
        [reply] = await self._plain([["GET", key]])
        return reply if isinstance(reply, bytes) or reply is None else str(reply).encode()

    async def remember(self, key: str, value: bytes, ttl_ms: int) -> None:
        await self._plain([["SET", key, value, "PX", ttl_ms]])

    async def _plain(self, commands: Sequence[Command]) -> list[Any]:
        """Commands that need no script: one round trip, with the same deadline as the scripts."""
        try:
            async with asyncio.timeout(self._timeout * 2):
                self.on_round_trip()
                replies = await self._client.execute(commands)
        except (OSError, TimeoutError) as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc
        for reply in replies:
            if isinstance(reply, Exception):
                raise StoreUnavailable(f"{type(reply).__name__}: {reply}") from reply
        return replies

    async def aclose(self) -> None:
        await self._client.aclose()


def _vendor_call(vendor: VendorBudget) -> tuple[str, Sequence[str], Sequence[Any]]:
    return (
        "vendor",
        [
            vendor.cooldown_key,
            vendor.gcra_key,
            vendor.slots_key,
            vendor.breaker_key,
            vendor.callers_key,
            vendor.share_key,
        ],
        [
            repr(vendor.rate),
            vendor.burst,
            vendor.max_concurrency,
            vendor.owner,
            vendor.slot_lease_ms,
            vendor.caller,
            repr(vendor.weight),
            vendor.active_window_ms,
        ],
    )


def _renew_call(claim: Claim, phase: Phase | None) -> tuple[str, Sequence[str], Sequence[Any]]:
    code = claims.phase_code(phase) if phase is not None else ""
    return ("renew", [claim.key], [claim.owner, claim.lease_ms, code])


def _no_script(reply: Any) -> bool:
    return isinstance(reply, ReplyError) and str(reply).startswith("NOSCRIPT")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _claim_outcome(reply: Sequence[Any]) -> ClaimOutcome:
    kind = _text(reply[0])
    if kind == "in_flight":
        return ClaimOutcome("in_flight", retry_after_ms=max(0, int(_text(reply[1]))))
    if kind == "replay":
        return ClaimOutcome("replay", stored=claims.decode_outcome(_bytes(reply[1])))
    if kind == "new":
        return ClaimOutcome("new", started_ms=int(_text(reply[1])))
    assert kind == "mismatch"
    return ClaimOutcome("mismatch")


def _vendor_decision(reply: Sequence[Any]) -> VendorDecision:
    verdict = _text(reply[0])
    assert verdict in ("ok", "cooldown", "open", "quota", "concurrency")
    checked: VendorVerdict = verdict  # type: ignore[assignment]
    return VendorDecision(checked, int(reply[1]))
