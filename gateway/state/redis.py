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

# KEYS: claim key. ARGV: fingerprint, owner, lease ms, phase code, retention ms. claims.py has the record
# layout and the phases; `p_*`/`c_*` read a pending claim's or a stored outcome's fields.
CLAIM = (
    claims.LUA
    + """
local now = now_ms()
local v = redis.call('GET', KEYS[1])
if v and p_tag(v) == PENDING then
  if p_owner(v) == ARGV[2] then return {'new', p_started(v)} end  -- our own claim, seen again
  local lease_until = tonumber(p_lease_until(v))
  if lease_until > now then
    if p_fingerprint(v) ~= ARGV[1] then return {'mismatch'} end
    return {'in_flight', lease_until - now}
  end
  if p_sub(v) == SENDING then
    -- the vendor may have the write: the key keeps saying so, never free for a new send
    v = expired_unknown(v, now)
    redis.call('SET', KEYS[1], v, 'PX', ARGV[5])
  else
    v = nil  -- nothing was sent: taken over
  end
end
if not v then
  redis.call('SET', KEYS[1], pending(ARGV[4], ARGV[1], ARGV[2], now + tonumber(ARGV[3]), ms(now)), 'PX', ARGV[5])
  return {'new', ms(now)}
end
if c_fingerprint(v) ~= ARGV[1] then return {'mismatch'} end
return {'replay', v}
"""
)

# KEYS: claim key. ARGV: owner, new value ('' releases), ttl ms. Refused: the key's value now, for the log.
SETTLE = (
    claims.LUA
    + """
local v = redis.call('GET', KEYS[1])
if not owned(v, ARGV[1]) then return {0, v or ''} end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return {1, ''}
"""
)

# KEYS: claim key. ARGV: the stored unknown expected, owner, lease ms. The claim is sending and keeps the start.
REOPEN = (
    claims.LUA
    + """
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] then return 0 end
local lease_until = now_ms() + tonumber(ARGV[3])
redis.call('SET', KEYS[1], pending(SENDING, c_fingerprint(v), ARGV[2], lease_until, c_started(v)), 'KEEPTTL')
return 1
"""
)

# KEYS: claim key. ARGV: owner, lease ms, phase code (or '' to keep the phase).
RENEW = (
    claims.LUA
    + """
local v = owned(redis.call('GET', KEYS[1]), ARGV[1])
if not v then return 0 end
local phase = ARGV[3] ~= '' and ARGV[3] or p_sub(v)
local lease_until = now_ms() + tonumber(ARGV[2])
redis.call('SET', KEYS[1], pending(phase, p_fingerprint(v), ARGV[1], lease_until, p_started(v)), 'KEEPTTL')
return 1
"""
)

_SHARE = """
-- The caller's part of a credential's quota: its weight among the callers seen on it within the window
-- (VendorBudget); stale callers are dropped on the way.
local function share_part(callers, caller, weight, now_ms, window)
  local others = 0
  local active = redis.call('HGETALL', callers)
  for i = 1, #active, 2 do
    local w, seen = string.match(active[i + 1], '^([^:]+):(%d+)$')
    if tonumber(seen) <= now_ms - window then redis.call('HDEL', callers, active[i])
    elseif active[i] ~= caller then others = others + tonumber(w) end
  end
  return weight / (others + weight)
end
"""

# KEYS: cooldown, gcra, slots, breaker, callers, share. ARGV: rate (0: no quota), burst, max concurrency, owner,
# slot lease ms, caller, weight, active window ms.
VENDOR = (
    _GCRA
    + _SHARE
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
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
if rate > 0 then
  redis.call('HSET', KEYS[5], ARGV[6], ARGV[7] .. ':' .. now_ms)
  redis.call('PEXPIRE', KEYS[5], ARGV[8])
  local part = share_part(KEYS[5], ARGV[6], tonumber(ARGV[7]), now_ms, tonumber(ARGV[8]))
  local within, _, _, share_retry = gcra(KEYS[6], rate * part, math.max(1, math.floor(burst * part + 1e-9)), true)
  if within == 1 then
    -- the credential is charged even into debt, which holds back whoever borrows
    local now = now_ms / 1000
    local tat = math.max(tonumber(redis.call('GET', KEYS[2])) or now, now) + 1 / rate
    redis.call('SET', KEYS[2], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1)
  else
    local borrowed, _, _, retry = gcra(KEYS[2], rate, burst, true)
    if borrowed == 0 then return {'quota', math.ceil(math.min(retry, share_retry) * 1000)} end
  end
end
redis.call('ZADD', KEYS[3], now_ms + tonumber(ARGV[5]), ARGV[4])
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]))
return {'ok', 0}
"""
)

# KEYS: gcra, slots, callers, share. ARGV: rate, owner, caller, weight, active window ms.
REFUND = (
    _SHARE
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
if rate > 0 then
  local part = share_part(KEYS[3], ARGV[3], tonumber(ARGV[4]), math.floor(now * 1000), tonumber(ARGV[5]))
  for key, emission in pairs({[KEYS[1]] = 1 / rate, [KEYS[4]] = 1 / (rate * part)}) do
    local tat = tonumber(redis.call('GET', key))
    if tat then
      local back = tat - emission
      if back <= now then redis.call('DEL', key)
      else redis.call('SET', key, string.format('%.6f', back), 'PX', math.ceil((back - now) * 1000) + 1) end
    end
  end
end
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"""
)

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
