"""The fixed vendor pages the benchmark reads: 100 candidates as Bindbee and as StackOne document them.

Written from the vendors' documents (../shared/vendor: Bindbee's `PaginatedResponse_AtsCandidate_` and
`AtsCandidate`, with `AtsApplication` when `expand=applications`; StackOne's `CandidatesPaginated`, `CandidateResult`
and `Candidate`), and from bindbee-merge-greenhouse.md for what Bindbee adds on request: `custom_fields` with
`include_custom_fields=true`, `raw_data` (the source ATS's own record, Greenhouse Harvest's candidate here) with
`include_raw_data=true`. tests/test_bench.py validates every page against those documents.

Records are generated, not random: record `i` is the same in every run and on both sides of an A/B comparison,
and they vary the way a customer's candidates do (one or two e-mail addresses, a missing company, a link of a type
the mapping does not know), so no mapping takes a single shortcut for every record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from functools import cache
from typing import Any

PAGE_SIZE = 100
NAMESPACE = uuid.UUID("6f1d9c0e-3b57-4c1a-9e2f-0a8b7c6d5e4f")

FIRST = ("Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "Tim", "Radia", "Ken", "Hedy")
LAST = ("Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen", "Berners-Lee", "Perlman")
COMPANIES = ("Globex", "Initech", "Umbrella Corp", "Hooli", None, "Vandelay Industries", "Soylent", "Stark Industries")
TITLES = ("Software Engineer", "Staff Engineer", "Engineering Manager", "Data Scientist", None, "Product Designer")
COUNTRIES = ("United States", "Germany", "France", "United Kingdom", "India", "Brazil", "Japan")
TAGS = ("Referral", "Gold Medalist", "Silver Medalist", "Relocation", "Remote", "Visa", "Returning", "Campus")
SOURCES = ("LinkedIn", "Referral", "Company website", "Agency", "Indeed")
SOCIAL = (
    # (Bindbee url_type, StackOne social link type, host)
    ("SOCIAL_MEDIA", "linkedin", "www.linkedin.com/in"),
    ("SOCIAL_MEDIA", "github", "github.com"),
    ("PORTFOLIO", "portfolio", "portfolio.example.com"),
    ("PERSONAL", "website", "home.example.org"),
    ("BLOG", "blog", "blog.example.net"),
    ("OTHER", "stackoverflow", "stackoverflow.com/users"),
)


def _id(kind: str, i: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}-{i}"))


def _when(i: int, day_offset: int = 0) -> str:
    day = 1 + (i + day_offset) % 28
    return f"2026-{1 + i % 12:02d}-{day:02d}T{i % 24:02d}:{i % 60:02d}:{(7 * i) % 60:02d}.000Z"


def _person(i: int) -> dict[str, Any]:
    """The facts of candidate `i`, before either vendor's shape."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    handle = f"{first}.{last}{i}".lower().replace("-", "")
    emails = [f"{handle}@example.com", *([f"{handle}@work.example.org"] if i % 3 else [])]
    phones = [f"+1415555{i:04d}", *([f"+44770090{i:04d}"] if i % 2 else [])]
    links = [SOCIAL[(i + k) % len(SOCIAL)] for k in range(2 + i % 2)]
    applications = [_id("application", 2 * i + k) for k in range(1 + i % 2)]
    return {
        "first": first,
        "last": last,
        "emails": emails,
        "phones": phones,
        "links": [(kind, network, f"https://{host}/{handle}") for kind, network, host in links],
        "company": COMPANIES[i % len(COMPANIES)],
        "title": TITLES[i % len(TITLES)],
        "country": COUNTRIES[i % len(COUNTRIES)],
        "tags": [TAGS[(i + k) % len(TAGS)] for k in range(1 + i % 3)],
        "applications": applications,
        "remote_applications": [str(70_000_000 + 2 * i + k) for k in range(len(applications))],
        "custom": {
            "desired_salary": 90_000 + 1_000 * (i % 50),
            "visa_sponsorship": i % 4 == 0,
            "notice_period": f"{1 + i % 3} months",
            "languages": ["English", *(["German"] if i % 2 else []), *(["French"] if i % 5 == 0 else [])],
        },
        "created": _when(i),
        "updated": _when(i, 3),
    }


# --- Bindbee ----------------------------------------------------------------------------------------------------


def _bindbee_application(i: int, application_id: str, remote_id: str, candidate_id: str) -> dict[str, Any]:
    """`AtsApplication` number `i`, as `expand=applications` inlines it (its own relations stay ids)."""
    return {
        "id": application_id,
        "remote_id": remote_id,
        "modified_at": _when(i, 5),
        "raw_data": None,
        "custom_fields": None,
        "candidate": candidate_id,
        "job": _id("job", i % 7),
        "applied_at": _when(i, 1),
        "rejected_at": _when(i, 9) if i % 6 == 0 else None,
        "source": SOURCES[i % len(SOURCES)],
        "credited_to": _id("user", i % 5),
        "current_stage": _id("stage", i % 6),
        "reject_reason": _id("reject-reason", i % 3) if i % 6 == 0 else None,
    }


def _harvest_candidate(i: int, person: Mapping[str, Any]) -> dict[str, Any]:
    """Greenhouse Harvest's own candidate, which Bindbee carries as `raw_data` (greenhouse-harvest reference)."""
    return {
        "id": 40_000_000 + i,
        "first_name": person["first"],
        "last_name": person["last"],
        "company": person["company"],
        "title": person["title"],
        "created_at": person["created"],
        "updated_at": person["updated"],
        "last_activity": person["updated"],
        "is_private": False,
        "can_email": True,
        "application_ids": [int(r) for r in person["remote_applications"]],
        "phone_numbers": [{"value": p, "type": "mobile"} for p in person["phones"]],
        "addresses": [{"value": person["country"], "type": "home"}],
        "email_addresses": [{"value": e, "type": "personal"} for e in person["emails"]],
        "website_addresses": [{"value": u, "type": "personal"} for k, _, u in person["links"] if k != "SOCIAL_MEDIA"],
        "social_media_addresses": [{"value": u} for k, _, u in person["links"] if k == "SOCIAL_MEDIA"],
        "tags": person["tags"],
        "custom_fields": person["custom"],
    }


def bindbee_candidate(i: int, *, expand: bool, custom_fields: bool, raw_data: bool) -> dict[str, Any]:
    """Bindbee's `AtsCandidate` for record `i`, with what the query asked for."""
    person = _person(i)
    candidate_id = _id("candidate", i)
    applications: list[Any] = person["applications"]
    if expand:
        applications = [
            _bindbee_application(2 * i + k, a, r, candidate_id)
            for k, (a, r) in enumerate(zip(person["applications"], person["remote_applications"], strict=True))
        ]
    return {
        "id": candidate_id,
        "remote_id": str(40_000_000 + i),
        "modified_at": person["updated"],
        "raw_data": _harvest_candidate(i, person) if raw_data else None,
        "custom_fields": person["custom"] if custom_fields else None,
        "first_name": person["first"],
        "last_name": person["last"],
        "company": person["company"],
        "title": person["title"],
        "last_interaction_at": person["updated"],
        "is_private": False,
        "can_email": i % 9 != 0,
        "locations": [person["country"]],
        "phone_numbers": person["phones"],
        "email_addresses": person["emails"],
        "urls": [{"value": url, "url_type": kind} for kind, _, url in person["links"]],
        "tags": person["tags"],
        "applications": applications,
        "attachments": [_id("attachment", i)],
        "remote_created_at": person["created"],
        "remote_updated_at": person["updated"],
        "avatar": None,
    }


def bindbee_page(*, expand: bool, custom_fields: bool, raw_data: bool) -> dict[str, Any]:
    """`PaginatedResponse_AtsCandidate_`: a full page in the middle of a walk (the cursor leads on)."""
    flags = {"expand": expand, "custom_fields": custom_fields, "raw_data": raw_data}
    items = [bindbee_candidate(i, **flags) for i in range(PAGE_SIZE)]
    return {"cursor": "MDE4YjE4ZWYtYmVuY2gtcGFnZS0y", "page_size": len(items), "items": items}


# --- StackOne ---------------------------------------------------------------------------------------------------


def stackone_candidate(i: int) -> dict[str, Any]:
    """StackOne's `Candidate` for record `i`."""
    person = _person(i)
    return {
        "id": f"c{_id('stackone-candidate', i).replace('-', '')[:24]}",
        "remote_id": str(40_000_000 + i),
        "unified_custom_fields": {"bench_reference": f"REF-{i:04d}"},
        "name": f"{person['first']} {person['last']}",
        "first_name": person["first"],
        "last_name": person["last"],
        "email": person["emails"][0],
        "emails": [{"type": kind, "value": e} for kind, e in zip(("personal", "work"), person["emails"], strict=False)],
        "social_links": [{"type": network, "url": url} for _, network, url in person["links"]],
        "phone": person["phones"][0],
        "phone_numbers": [
            {"type": kind, "phone": p} for kind, p in zip(("mobile", "work"), person["phones"], strict=False)
        ],
        "company": person["company"],
        "title": person["title"],
        "application_ids": person["applications"],
        "remote_application_ids": person["remote_applications"],
        "hired_at": _when(i, 20) if i % 10 == 0 else None,
        "country": person["country"],
        "custom_fields": [
            {
                "id": _id("custom-field", k),
                "remote_id": str(9_000 + k),
                "name": name,
                "value": value,
                "value_id": None,
                "remote_value_id": None,
            }
            for k, (name, value) in enumerate(person["custom"].items())
        ],
        "tags": [{"remote_id": str(500 + TAGS.index(t)), "name": t} for t in person["tags"]],
        "created_at": person["created"],
        "updated_at": person["updated"],
    }


def stackone_page() -> dict[str, Any]:
    """`CandidatesPaginated`: a full page in the middle of a walk."""
    return {"next": "c2Vjb25kLXBhZ2U6YmVuY2g", "data": [stackone_candidate(i) for i in range(PAGE_SIZE)]}


# --- encoded once, served as bytes -----------------------------------------------------------------------------

BINDBEE_RECORD_ID = _id("candidate", 0)
STACKONE_RECORD_ID = stackone_candidate(0)["id"]


def _encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@cache
def bindbee_body(single: bool, expand: bool, custom_fields: bool, raw_data: bool) -> bytes:
    if single:
        return _encode(bindbee_candidate(0, expand=expand, custom_fields=custom_fields, raw_data=raw_data))
    return _encode(bindbee_page(expand=expand, custom_fields=custom_fields, raw_data=raw_data))


@cache
def stackone_body(single: bool) -> bytes:
    return _encode({"data": stackone_candidate(0)} if single else stackone_page())
