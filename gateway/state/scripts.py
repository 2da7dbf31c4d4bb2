"""The Redis store's Lua scripts, one per read-modify-write, each over keys of one hash slot and clocked by Redis
`TIME` (gateway/state/redis.py sends them). The claim records' layout comes from gateway/state/claims.py, which
declares it once for Python and Lua.
"""

from __future__ import annotations

import hashlib

from gateway.state import claims

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

SCRIPTS = {
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
