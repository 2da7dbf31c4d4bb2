"""The Redis store: every read-modify-write is one Lua script over keys of one hash slot, clocked by Redis `TIME`.

Scripts are sent with EVALSHA in a non-transactional pipeline, so `admit` and `finish` are one round trip each;
they are loaded once, and again only if Redis answers NOSCRIPT (after a restart or a flush). Every call has a
deadline; a call that misses it raises `StoreUnavailable`, and its replies, if they come, are dropped by the client
(`resp.py`), never handed to the next caller.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisError

from gateway.state.base import (
    Admission,
    Claim,
    ClaimOutcome,
    Health,
    Limit,
    LimitDecision,
    Outcome,
    StoreUnavailable,
    VendorBudget,
    VendorDecision,
    VendorVerdict,
    completed_value,
    pending_value,
)
from gateway.state.resp import Command, ConnectionLost, RedisClient, ReplyError

_GCRA = """
local function now_s()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
-- One GCRA step on KEYS[gk]; returns allowed, remaining, reset_s, retry_s (the Python store mirrors it).
local function gcra(gk, rate, burst, commit)
  local now = now_s()
  local emission = 1 / rate
  local tat = tonumber(redis.call('GET', gk)) or now
  if tat < now then tat = now end
  local new_tat = tat + emission
  local allow_at = new_tat - emission * burst
  if now < allow_at then
    return 0, 0, tat - now, allow_at - now
  end
  if commit then
    redis.call('SET', gk, string.format('%.6f', new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
  end
  return 1, math.floor((now - allow_at) / emission + 1e-9), new_tat - now, 0
end
"""

LIMIT = (
    _GCRA
    + """
local ok, remaining, reset, retry = gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), true)
return {ok, remaining, string.format('%.3f', reset), string.format('%.3f', retry)}
"""
)

CLAIM = """
local v = redis.call('GET', KEYS[1])
if v == ARGV[3] then return {'new'} end  -- our own claim, seen again
if not v then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
  return {'new'}
end
if string.sub(v, 2, 33) ~= ARGV[1] then return {'mismatch'} end
if string.sub(v, 1, 1) == 'P' then return {'in_flight', tostring(redis.call('PTTL', KEYS[1]))} end
return {'replay', string.sub(v, 34)}
"""

# KEYS: claim key. ARGV: expected pending value, new value ('' releases), ttl ms.
SETTLE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
"""

# KEYS: claim key. ARGV: the completed value expected, the pending value, lease ms.
REOPEN = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

RENEW = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# KEYS: cooldown, gcra, slots, breaker. ARGV: rate (0: no quota), burst, max concurrency, owner, slot lease ms.
VENDOR = (
    _GCRA
    + """
local cooldown = redis.call('PTTL', KEYS[1])
if cooldown > 0 then return {'cooldown', cooldown} end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local open_until = tonumber(redis.call('HGET', KEYS[4], 'open_until') or '0')
if open_until > now_ms then return {'open', open_until - now_ms} end
if open_until > 0 then
  -- half open: one probe at a time, for as long as a call may take
  local probe = tonumber(redis.call('HGET', KEYS[4], 'probe_until') or '0')
  if probe > now_ms then return {'open', probe - now_ms} end
  redis.call('HSET', KEYS[4], 'probe_until', now_ms + tonumber(ARGV[5]))
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now_ms)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return {'concurrency', 50} end
if tonumber(ARGV[1]) > 0 then
  local ok, _, _, retry = gcra(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), true)
  if ok == 0 then return {'quota', math.ceil(retry * 1000)} end
end
redis.call('ZADD', KEYS[3], now_ms + tonumber(ARGV[5]), ARGV[4])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]))
return {'ok', 0}
"""
)

# KEYS: gcra, slots. ARGV: rate, owner.
REFUND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tonumber(ARGV[1]) > 0 then
  local back = tat - 1 / tonumber(ARGV[1])
  if back <= now then redis.call('DEL', KEYS[1])
  else redis.call('SET', KEYS[1], string.format('%.6f', back), 'PX', math.ceil((back - now) * 1000) + 1) end
end
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"""

# KEYS: slots, breaker. ARGV: owner, health (ok|fail|neutral), failures that open, open ms.
RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == 'ok' then
  redis.call('DEL', KEYS[2])
elseif ARGV[2] == 'fail' then
  local fails = redis.call('HINCRBY', KEYS[2], 'fails', 1)
  local was_open = redis.call('HEXISTS', KEYS[2], 'open_until') == 1
  if fails >= tonumber(ARGV[3]) or was_open then
    -- a failed probe of a half-open breaker opens it again at once
    local t = redis.call('TIME')
    local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    redis.call('HSET', KEYS[2], 'open_until', now_ms + tonumber(ARGV[4]), 'probe_until', 0)
  end
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) * 10)
end
return 1
"""

# KEYS: cooldown. ARGV: ms. Never shortens a longer cooldown another replica set.
COOLDOWN = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
"""

_SCRIPTS = {
    name: (text, hashlib.sha1(text.encode()).hexdigest())  # noqa: S324 - Redis names scripts by SHA-1
    for name, text in {
        "limit": LIMIT,
        "claim": CLAIM,
        "settle": SETTLE,
        "renew": RENEW,
        "reopen": REOPEN,
        "vendor": VENDOR,
        "refund": REFUND,
        "release": RELEASE,
        "cooldown": COOLDOWN,
    }.items()
}


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
            calls.append(("claim", [claim.key], [claim.fingerprint, claim.lease_ms, pending_value(claim)]))
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

    async def finish(self, outcome: Outcome | None, vendor: VendorBudget | None, health: Health = "neutral") -> bool:
        calls: list[tuple[str, Sequence[str], Sequence[Any]]] = []
        if outcome is not None:
            new = b"" if outcome.record is None else completed_value(outcome.claim, outcome.record)
            calls.append(("settle", [outcome.claim.key], [pending_value(outcome.claim), new, outcome.ttl_ms]))
        if vendor is not None:
            calls.append(
                (
                    "release",
                    [vendor.slots_key, vendor.breaker_key],
                    [vendor.owner, health, vendor.breaker_failures, vendor.breaker_open_ms],
                )
            )
        if not calls:
            return True
        replies = await self._run(calls)
        return bool(replies[0]) if outcome is not None else True

    async def admit_vendor(self, vendor: VendorBudget) -> VendorDecision:
        [reply] = await self._run([_vendor_call(vendor)])
        return _vendor_decision(reply)

    async def refund_vendor(self, vendor: VendorBudget) -> None:
        await self._run([("refund", [vendor.gcra_key, vendor.slots_key], [repr(vendor.rate), vendor.owner])])

    async def reopen(self, claim: Claim, stored: bytes) -> bool:
        args = [completed_value(claim, stored), pending_value(claim), claim.lease_ms]
        [reply] = await self._run([("reopen", [claim.key], args)])
        return bool(reply)

    async def renew(self, claim: Claim) -> bool:
        [reply] = await self._run([("renew", [claim.key], [pending_value(claim), claim.lease_ms])])
        return bool(reply)

    async def cooldown(self, vendor: VendorBudget, ms: int) -> None:
        await self._run([("cooldown", [vendor.cooldown_key], [ms])])

    async def aclose(self) -> None:
        await self._client.aclose()


def _vendor_call(vendor: VendorBudget) -> tuple[str, Sequence[str], Sequence[Any]]:
    return (
        "vendor",
        [vendor.cooldown_key, vendor.gcra_key, vendor.slots_key, vendor.breaker_key],
        [repr(vendor.rate), vendor.burst, vendor.max_concurrency, vendor.owner, vendor.slot_lease_ms],
    )


def _no_script(reply: Any) -> bool:
    return isinstance(reply, ReplyError) and str(reply).startswith("NOSCRIPT")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _claim_outcome(reply: Sequence[Any]) -> ClaimOutcome:
    kind = _text(reply[0])
    if kind == "in_flight":
        return ClaimOutcome("in_flight", retry_after_ms=max(0, int(_text(reply[1]))))
    if kind == "replay":
        stored = reply[1]
        return ClaimOutcome("replay", stored=stored if isinstance(stored, bytes) else str(stored).encode())
    assert kind in ("new", "mismatch")
    return ClaimOutcome("new" if kind == "new" else "mismatch")


def _vendor_decision(reply: Sequence[Any]) -> VendorDecision:
    verdict = _text(reply[0])
    assert verdict in ("ok", "cooldown", "open", "quota", "concurrency")
    checked: VendorVerdict = verdict  # type: ignore[assignment]
    return VendorDecision(checked, int(reply[1]))
