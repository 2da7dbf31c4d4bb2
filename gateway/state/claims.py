"""Idempotency records: the claim a request holds on its key, the outcome stored for replay, and their one codec.

One store value per key, for the whole retention period (24 h). The lease is a field of the value, not the key's
TTL, so a lease that runs out says what it left behind instead of freeing the key. Both record kinds start with the
same three fields, so the fingerprint check reads one place whatever the key holds:

    pending claim     P | phase | fingerprint | owner | lease_until | started
    stored outcome    C | kind  | fingerprint | status | when      | started | body

    phase        a (admitted: nothing sent)  or  s (sending: the vendor may have the write)
    kind         a (answered: the vendor's answer, or ours)  or  u (unknown: sent, outcome not known)
    fingerprint  32 hex, of the canonical request body          owner   32 hex, random per request
    lease_until, when, started   milliseconds since the epoch, 13 digits, from the store's clock (Redis TIME)
    status       3 digits                                       body    the answer's bytes, or empty (below)

`started` is when the first claim on the key was made (kept through reconciliation), so a natural-key search for
what an attempt made can start there. A stored unknown with an empty body is one the store made itself (a lease
that ran out while sending) or one the gateway recorded when interrupted: the gateway renders its
`outcome_unknown` envelope from the kind when it replays it (`gateway.idempotency.replay`).

Phases. A claim is created *sending* when the plan's first vendor request is a write (the claim and the vendor
admission of that write are one round trip, so marking it costs nothing; a death before the send then reads as
unknown, never as a duplicate), otherwise *admitted*. A later write is marked sending in the round trip that admits
it with the vendor (`mark_sending`), and leaves only if the store answered that the claim is still this request's.
A request that must wait for vendor budget before its first write puts its optimistic claim back to admitted while
it waits (the wait is the slow path: that round trip costs the success path nothing). A claim taken back to
reconcile an unknown outcome is sending from the start: the vendor may have the original write.

When a lease has run out (`lease_until` ≤ now), the next claim on the key decides, atomically in the claim script:

    admitted  →  taken over at once: the new request's claim replaces it (nothing was sent)
    sending   →  converted to a stored unknown (status 502, empty body, `when` = now, `started` kept), and the
                 claimant gets that unknown as a replay (or 422 if its body differs): it reconciles, never re-sends

Until someone claims the key, an expired claim is still its owner's: renewal, marking and settling accept it, since
nobody has acted on the expiry. Everything below is in both stores (`memory.py`, `redis.py`), held by one contract
test over both (tests/test_state_store.py, `store_factory`); tests named without a file are there.

Interleavings: what happens, and the test that pins it (→).

- The owner dies after admit, its claim admitted: the next claimant after the lease takes over and sends once.
  → `test_an_expired_admitted_claim_is_taken_over_and_the_old_owner_cannot_settle`; tests/test_replicas.py
  `test_a_killed_replica_leaves_its_lease_to_expire_then_the_key_is_taken_over` (killed waiting for a vendor slot)
- The owner dies after sending: the next claimant gets a stored unknown, converted in the claim script, and
  reconciles from `started`. → `test_an_expired_sending_claim_becomes_unknown_never_a_new_claim`; tests/test_crash.py
- The owner dies between admit and the send of a first write: unknown (the optimistic phase), never a duplicate.
  → `test_an_expired_sending_claim_becomes_unknown_never_a_new_claim`
- The owner dies while waiting for vendor budget before its first write: its claim was put back to admitted for
  the wait, so the key is taken over. → `test_a_marked_claim_is_unknown_when_it_expires_and_one_put_back_is_taken_over`;
  tests/test_replicas.py `test_a_killed_replica_leaves_its_lease_to_expire_then_the_key_is_taken_over`
- Two claimants race on one expired sending claim: one converts, both replay the same unknown.
  → `test_two_claimants_on_an_expired_sending_claim_replay_one_unknown`
- Another body claims an expired claim: admitted, it takes the key over (the key was free); sending, the key is
  converted and the claimant gets 422. → `test_another_body_takes_over_an_admitted_claim_but_not_a_sending_one`
- Renewal racing expiry, nobody claimed meanwhile: renewed, still the owner's.
  → `test_renewal_racing_expiry_holds_while_no_one_claimed`
- Renewal after a takeover or a conversion: refused, and the owner stops (no later write of it leaves).
  → `test_renewal_after_a_takeover_or_a_conversion_is_refused`
- A paused owner wakes after its lease, before its send: its local deadline (one lease from just before the store
  call that last confirmed the lease, less a tenth) has passed, so nothing leaves; it answers 503
  `idempotency_lease_lost` (or `outcome_unknown` if an earlier write of the request had left).
  → tests/test_idempotency_and_limits.py `test_a_request_that_wakes_after_its_lease_does_not_send`;
  tests/test_replicas.py `test_a_paused_replica_that_wakes_after_its_lease_never_sends`
- A takeover between admit and a later write (admitted claim): the mark pipelined with that write's vendor
  admission is refused, and the write does not leave. → `test_marking_sending_after_a_takeover_is_refused`;
  tests/test_replicas.py `test_a_paused_replica_that_wakes_after_its_lease_never_sends`
- A slow settle after a takeover: refused; what the key holds now is returned, and logged.
  → `test_an_expired_admitted_claim_is_taken_over_and_the_old_owner_cannot_settle`
- A slow settle or release after a conversion to unknown: refused; the unknown stays.
  → `test_a_late_settle_after_a_conversion_leaves_the_unknown`
- A settle after expiry, nobody claimed meanwhile: recorded. → `test_a_settle_after_expiry_is_recorded_if_unclaimed`
- Reconciliation takes the key back, then dies: the reopened claim is sending, so it turns back into an unknown,
  `started` kept. → `test_a_reopened_claim_that_expires_is_unknown_again_with_its_start`
- Two reconcilers, or a reconciler and a settle: only a request that saw the exact stored unknown reopens it.
  → `test_reopen_takes_back_only_the_exact_unknown`
- The admit reply is lost (store timeout): 503, and the claim is released in the background by the settle script,
  which changes nothing unless the claim is still the request's. → tests/test_idempotency_and_limits.py
  `test_unreachable_store_fails_keyed_writes_closed_and_reads_open`;
  `test_a_late_settle_after_a_conversion_leaves_the_unknown`
- The store fails between the calls of a plan: nothing more leaves; 503 (`outcome_unknown` once a write left).
  → tests/test_idempotency_and_limits.py `test_the_store_going_away_between_the_calls_of_a_plan_is_a_503_not_a_500`
- Redis SIGKILLed and restarted on its append-only file: lease and times are absolute in the value and the key's
  expiry is absolute, so the state after the restart is the state before (with `appendfsync always` nothing that
  was acknowledged is lost). → tests/test_crash.py, mode `redis SIGKILL + AOF restart`
- Redis forgot the scripts (restart, flush): NOSCRIPT; the scripts are loaded and only the calls that hit NOSCRIPT
  run again, so none runs twice. → `test_scripts_are_reloaded_after_a_flush`,
  `test_a_half_loaded_script_set_never_runs_a_claim_twice`
- The scripts and the Python codec agree byte for byte on both records.
  → `test_the_scripts_write_the_records_the_codec_reads_and_writes`

What is left: a process paused in the instant between its local check and its request's first bytes leaving
(connection set-up included) that wakes after its lease has been converted and reconciled would still send. The
check is the last thing before the send; closing that window needs a vendor that honours a fencing token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RETENTION_MS = 24 * 3600 * 1000
"""How long a key's record lives, claim or outcome (CONTRACT.md: keys are kept 24 h)."""
UNKNOWN_STATUS = 502
"""The status of an unknown outcome the store or an interruption made (no vendor answer to take one from)."""

_TIME = 13
_HEAD = (("tag", 1), ("sub", 1), ("fingerprint", 32))
PENDING = (*_HEAD, ("owner", 32), ("lease_until", _TIME), ("started", _TIME))
OUTCOME = (*_HEAD, ("status", 3), ("when", _TIME), ("started", _TIME))


def _offsets(layout: tuple[tuple[str, int], ...]) -> dict[str, tuple[int, int]]:
    """Field → (start, end) in Python slice terms."""
    spans, at = {}, 0
    for name, width in layout:
        spans[name] = (at, at + width)
        at += width
    return spans


_P, _C = _offsets(PENDING), _offsets(OUTCOME)
_BODY_AT = _C["started"][1]

Phase = Literal["admitted", "sending"]
Kind = Literal["answered", "unknown"]
_PENDING_TAG, _OUTCOME_TAG = "P", "C"
_PHASES: dict[Phase, str] = {"admitted": "a", "sending": "s"}
_KINDS: dict[Kind, str] = {"answered": "a", "unknown": "u"}


@dataclass(frozen=True)
class StoredOutcome:
    """What a key answers once its request is over: replayed byte for byte, or reconciled when unknown."""

    kind: Kind
    status: int
    body: bytes
    """Empty for an unknown the store or an interruption made: the gateway renders it from the kind."""
    when_ms: int
    """When the outcome was recorded (for an unknown: when it became one; reconciliation counts from it)."""
    started_ms: int
    """When the key's first claim was made: the lower bound of a search for what the attempt made."""


@dataclass(frozen=True)
class PendingClaim:
    phase: Phase
    fingerprint: str
    owner: str
    lease_until_ms: int
    started_ms: int


def phase_code(phase: Phase) -> str:
    """The phase's letter in a pending claim (what the scripts take as an argument)."""
    return _PHASES[phase]


def _time(ms: int) -> bytes:
    return b"%013d" % ms


def encode_pending(claim: PendingClaim) -> bytes:
    return (
        _PENDING_TAG.encode()
        + _PHASES[claim.phase].encode()
        + claim.fingerprint.encode()
        + claim.owner.encode()
        + _time(claim.lease_until_ms)
        + _time(claim.started_ms)
    )


def encode(outcome: StoredOutcome, fingerprint: str) -> bytes:
    return (
        _OUTCOME_TAG.encode()
        + _KINDS[outcome.kind].encode()
        + fingerprint.encode()
        + b"%03d" % outcome.status
        + _time(outcome.when_ms)
        + _time(outcome.started_ms)
        + outcome.body
    )


def _field(value: bytes, spans: dict[str, tuple[int, int]], name: str) -> bytes:
    start, end = spans[name]
    return value[start:end]


def fingerprint_of(value: bytes) -> str:
    return _field(value, _P, "fingerprint").decode()


def decode(value: bytes) -> StoredOutcome | PendingClaim:
    """Either record, from the bytes a store holds."""
    sub = _field(value, _P, "sub").decode()
    if value[:1] == _PENDING_TAG.encode():
        phase: Phase = "sending" if sub == "s" else "admitted"
        return PendingClaim(
            phase,
            fingerprint_of(value),
            _field(value, _P, "owner").decode(),
            int(_field(value, _P, "lease_until")),
            int(_field(value, _P, "started")),
        )
    if value[:1] != _OUTCOME_TAG.encode() or len(value) < _BODY_AT:
        raise ValueError(f"not an idempotency record: {value[:_BODY_AT]!r}")
    kind: Kind = "unknown" if sub == "u" else "answered"
    return StoredOutcome(
        kind,
        int(_field(value, _C, "status")),
        value[_BODY_AT:],
        int(_field(value, _C, "when")),
        int(_field(value, _C, "started")),
    )


def decode_outcome(value: bytes) -> StoredOutcome:
    record = decode(value)
    if not isinstance(record, StoredOutcome):
        raise ValueError("expected a stored outcome, found a pending claim")
    return record


def expired_unknown(claim: PendingClaim, now_ms: int) -> StoredOutcome:
    """What a sending claim whose lease ran out becomes."""
    return StoredOutcome("unknown", UNKNOWN_STATUS, b"", now_ms, claim.started_ms)


def describe(record: StoredOutcome | PendingClaim | None) -> str:
    """What a key holds, for a log line (never the body: it may carry personal data)."""
    if record is None:
        return "nothing (released or expired)"
    if isinstance(record, PendingClaim):
        return f"a {record.phase} claim of request owner {record.owner[:8]}…"
    return f"a stored {record.kind} outcome ({record.status})"


def _lua_fields(prefix: str, spans: dict[str, tuple[int, int]]) -> str:
    return "\n".join(
        f"local function {prefix}_{name}(v) return string.sub(v, {start + 1}, {end}) end"
        for name, (start, end) in spans.items()
    )


LUA = f"""
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n) return string.format('%0{_TIME}.0f', n) end
local SENDING, PENDING = '{_PHASES["sending"]}', '{_PENDING_TAG}'
{_lua_fields("p", _P)}
{_lua_fields("c", _C)}
-- the records of gateway/state/claims.py, built from the same layout
local function pending(phase, fp, owner, lease_until, started)
  return '{_PENDING_TAG}' .. phase .. fp .. owner .. ms(lease_until) .. started
end
local function expired_unknown(v, now)
  return '{_OUTCOME_TAG}{_KINDS["unknown"]}' .. p_fingerprint(v) .. '{UNKNOWN_STATUS:03d}' .. ms(now) .. p_started(v)
end
-- the pending claim of `owner`, or nil (a stored outcome, another's claim, nothing)
local function owned(v, owner)
  if v and p_tag(v) == '{_PENDING_TAG}' and p_owner(v) == owner then return v end
  return nil
end
"""
"""Field readers (`p_owner(v)`, `c_status(v)`, …) and record builders shared by the store's Lua scripts."""
