"""Mechanics both vendor emulators share: tenants with in-memory records, cursors, quotas and seed data.

What differs between vendors (paths, envelopes, auth, error bodies, models) lives in each emulator's module.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

NAMESPACE = uuid.UUID("5b0c4e52-8a5f-4f7e-9d2e-0a9b8a1c2f10")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stable_id(*parts: str) -> str:
    """Seed ids are derived from names so the README can quote them and they survive restarts."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


@dataclass
class Collection:
    """One resource of one tenant, in insertion order (the order list endpoints page through)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        self.records[str(record["id"])] = record
        return record

    def get(self, record_id: str) -> dict[str, Any] | None:
        return self.records.get(record_id)

    def find(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return [r for r in list(self.records.values()) if predicate(r)]

    def all(self) -> list[dict[str, Any]]:
        return list(self.records.values())


@dataclass
class Tenant:
    """One customer's ATS behind the vendor (a StackOne linked account, a Bindbee connector)."""

    ats: str
    collections: dict[str, Collection] = field(default_factory=dict)
    next_remote_id: int = 4_033_879_100

    def __getitem__(self, name: str) -> Collection:
        return self.collections.setdefault(name, Collection())

    def remote_id(self) -> str:
        """Greenhouse-style numeric ids for records created through the sandbox."""
        self.next_remote_id += 1
        return str(self.next_remote_id)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, offset = text.partition(":")
        return int(offset) if kind == "o" and int(offset) >= 0 else None
    except (ValueError, UnicodeDecodeError):
        return None


def page(items: list[dict[str, Any]], offset: int, size: int) -> tuple[list[dict[str, Any]], str | None]:
    chunk = items[offset : offset + size]
    following = offset + size
    return chunk, encode_cursor(following) if following < len(items) else None


class MinuteQuota:
    """The vendor's per-credential quota: at most `limit` requests in any 60 s window (sliding log)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._log: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, credential: str) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the oldest request leaves the window)."""
        now = time.monotonic()
        with self._lock:
            log = [t for t in self._log.get(credential, []) if now - t < 60.0]
            allowed = len(log) < self.limit
            if allowed:
                log.append(now)
            self._log[credential] = log
            reset_in = 60.0 - (now - log[0]) if log else 0.0
            return allowed, max(self.limit - len(log), 0), reset_in


@dataclass(frozen=True)
class SeedPerson:
    first_name: str
    last_name: str
    email: str
    role: str


SEED_DEPARTMENTS = ("Engineering", "Sales", "Customer Success")
SEED_OFFICES = (("London", "London, UK"), ("New York", "New York, NY, USA"), ("Remote", "Anywhere"))
SEED_USERS = (
    SeedPerson("Ada", "Lovelace", "ada.lovelace@example.com", "ADMIN"),
    SeedPerson("Grace", "Hopper", "grace.hopper@example.com", "RECRUITER"),
    SeedPerson("Alan", "Turing", "alan.turing@example.com", "TEAM_MEMBER"),
)
SEED_CANDIDATES = (
    SeedPerson("Marie", "Curie", "marie.curie@example.com", "candidate"),
    SeedPerson("Nikola", "Tesla", "nikola.tesla@example.com", "candidate"),
)
SEED_REJECTED_REASONS = (
    ("Failed phone screen", "rejected_by_organization"),
    ("Accepted another offer", "rejected_by_candidate"),
    ("Position filled", "other"),
)
SEED_TEMPLATE_JOB = "Software Engineer (template)"
SEED_JOBS = ("Account Executive",)
SEED_STAGES = ("Application Review", "Phone Screen", "Onsite Interview", "Offer")
"""Every seed job's pipeline, in order (also the pipeline a job gets when it is created without stages)."""


def seed_people(extra: int) -> list[SeedPerson]:
    """The named seed candidates, then `extra` numbered ones (paging tests ask for a thousand)."""
    numbered = [
        SeedPerson("Candidate", f"No{n:04d}", f"candidate{n:04d}@example.com", "candidate") for n in range(1, extra + 1)
    ]
    return [*SEED_CANDIDATES, *numbered]
