"""What a Merge linked account holds when the sandbox starts: the shared seed people and places, three jobs (one
closed) with their interview stages and postings, reject reasons, candidates with typed e-mail addresses, phone
numbers and URLs, applications at their current stages (one rejected), an offer, interviews, a scorecard, notes and
two attachments whose files the sandbox serves itself.

Every id is `stable_id(label, kind, …natural key)`, so tests and docs can quote them whatever the account's token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.common import SEED_DEPARTMENTS, SEED_JOBS, SEED_OFFICES, SEED_USERS, Tenant, seed_people, stable_id
from sandbox.merge_store import Clock, Records
from sandbox.pdf import text_pdf


@dataclass(frozen=True)
class StoredFile:
    name: str
    content: bytes
    content_type: str


ACCESS_ROLES = {"ADMIN": "ADMIN", "RECRUITER": "TEAM_MEMBER", "TEAM_MEMBER": "TEAM_MEMBER"}
"""The shared seed roles in Merge's AccessRoleEnum (which has no recruiter role)."""

JOBS = (
    ("Software Engineer", "ENG-1", SEED_DEPARTMENTS[0], SEED_OFFICES[0][0], "OPEN"),
    (SEED_JOBS[0], "SAL-1", SEED_DEPARTMENTS[1], SEED_OFFICES[1][0], "OPEN"),
    ("Support Specialist", "SUP-1", SEED_DEPARTMENTS[2], SEED_OFFICES[2][0], "CLOSED"),
)
STAGES = ("Application Review", "Phone Screen", "Onsite", "Offer")
REJECT_REASONS = ("Lacking skill(s)/qualification(s)", "Hired elsewhere", "Withdrew")
CONTACTS: dict[str, dict[str, Any]] = {
    # The named seed candidates' typed contact data and profile (numbered candidates have one personal address).
    "marie.curie@example.com": {
        "company": "Sorbonne",
        "title": "Professor",
        "locations": ["Paris"],
        "tags": ["physics"],
        "email_addresses": [{"value": "m.curie@sorbonne.example.com", "email_address_type": "WORK"}],
        "phone_numbers": [{"value": "+33 1 23 45 67 89", "phone_number_type": "MOBILE"}],
        "urls": [
            {"value": "https://www.linkedin.com/in/marie-curie", "url_type": "SOCIAL_MEDIA"},
            {"value": "https://curie.example.com", "url_type": "PORTFOLIO"},
        ],
    },
    "nikola.tesla@example.com": {
        "company": "Edison Machine Works",
        "title": "Engineer",
        "locations": ["New York"],
        "tags": ["engineering"],
        "phone_numbers": [{"value": "+1 212 555 0100", "phone_number_type": "WORK"}],
        "urls": [{"value": "https://tesla.example.com", "url_type": "PERSONAL"}],
    },
}
REMOTE = "2024-03-01T09:00:00Z"
"""When the seed records were made in the ATS (`remote_created_at`)."""


def _resume(name: str) -> bytes:
    return text_pdf([f"{name} - resume (Merge sandbox)"])


def seed_tenant(
    label: str, ats: str, clock: Clock, base_url: str, extra_candidates: int = 0
) -> tuple[Tenant, dict[str, StoredFile]]:
    tenant = Tenant(ats=ats)
    records = Records(tenant, clock)
    files: dict[str, StoredFile] = {}

    def sid(*parts: str) -> str:
        return stable_id(label, *parts)

    users = {}
    for i, person in enumerate(SEED_USERS, start=1):
        role = ACCESS_ROLES[person.role]
        users[person.first_name] = records.add(
            "users",
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "disabled": False,
                "remote_created_at": REMOTE,
                "access_role": role,
            },
            record_id=sid("user", person.email),
            remote_id=str(6_000_300 + i),
            raw={"first_name": person.first_name, "site_admin": role == "ADMIN"},
            origins={"access_role": person.role.lower()},
        )["id"]
    for i, name in enumerate(SEED_DEPARTMENTS, start=1):
        records.add("departments", {"name": name}, record_id=sid("department", name), remote_id=str(6_000_100 + i))
    for i, (name, where) in enumerate(SEED_OFFICES, start=1):
        records.add(
            "offices",
            {"name": name, "location": where},
            record_id=sid("office", name),
            remote_id=str(6_000_200 + i),
            raw={"name": name, "location": {"name": where}},
        )
    for i, reason in enumerate(REJECT_REASONS, start=1):
        records.add(
            "reject-reasons", {"name": reason}, record_id=sid("reject-reason", reason), remote_id=str(6_000_400 + i)
        )

    stages: dict[tuple[str, str], str] = {}
    for i, (name, code, department, office, status) in enumerate(JOBS, start=1):
        job_id, posting_id = sid("job", name), sid("job-posting", name)
        posting_url = {"value": f"https://boards.example.com/{code.lower()}", "url_type": "JOB_POSTING"}
        records.add(
            "jobs",
            {
                "name": name,
                "description": f"<p>{name} at the Merge sandbox.</p>",
                "code": code,
                "status": status,
                "type": "REQUISITION",
                "job_postings": [posting_id],
                "job_posting_urls": [records.contact(posting_url)],
                "remote_created_at": REMOTE,
                "remote_updated_at": REMOTE,
                "confidential": False,
                "departments": [sid("department", department)],
                "offices": [sid("office", office)],
                "hiring_managers": [users["Ada"]],
                "recruiters": [users["Grace"]],
            },
            record_id=job_id,
            remote_id=str(6_033_879_000 + i),
            raw={"name": name, "requisition_id": code, "status": status.lower()},
            origins={"status": status.lower()},
        )
        for order, stage in enumerate(STAGES):
            stages[(name, stage)] = records.add(
                "job-interview-stages",
                {"name": stage, "job": job_id, "stage_order": order},
                record_id=sid("stage", name, stage),
                remote_id=str(6_100_000 + 10 * i + order),
            )["id"]
        posting_status = "PUBLISHED" if status == "OPEN" else "CLOSED"
        records.add(
            "job-postings",
            {
                "title": name,
                "job_posting_urls": [records.contact(posting_url)],
                "job": job_id,
                "status": posting_status,
                "content": f"<p>Join us as a {name}.</p>",
                "remote_created_at": REMOTE,
                "remote_updated_at": REMOTE,
                "is_internal": False,
            },
            record_id=posting_id,
            remote_id=str(6_200_000 + i),
        )

    candidates = {}
    for i, person in enumerate(seed_people(extra_candidates), start=1):
        extra = dict(CONTACTS.get(person.email, {}))
        emails = [{"value": person.email, "email_address_type": "PERSONAL"}, *extra.pop("email_addresses", [])]
        candidates[person.email] = records.add(
            "candidates",
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "remote_created_at": REMOTE,
                "remote_updated_at": REMOTE,
                "is_private": False,
                "can_email": True,
                **extra,
                "email_addresses": [records.contact(e) for e in emails],
                "phone_numbers": [records.contact(p) for p in extra.get("phone_numbers", [])],
                "urls": [records.contact(u) for u in extra.get("urls", [])],
            },
            record_id=sid("candidate", person.email),
            remote_id=str(6_300_000 + i),
            raw={"first_name": person.first_name, "last_name": person.last_name},
        )

    marie, nikola = "marie.curie@example.com", "nikola.tesla@example.com"
    applications: tuple[tuple[str, str, str, str, str | None], ...] = (
        # (candidate, job, current stage, source, reject reason)
        (marie, JOBS[0][0], "Onsite", "LinkedIn", None),
        (nikola, JOBS[1][0], "Application Review", "Referral", None),
        (nikola, JOBS[2][0], "Phone Screen", "Company website", REJECT_REASONS[1]),
    )
    applied: dict[tuple[str, str], dict[str, Any]] = {}
    for i, (email, job, stage, source, rejected) in enumerate(applications, start=1):
        applied[(email, job)] = records.add(
            "applications",
            {
                "candidate": candidates[email]["id"],
                "job": sid("job", job),
                "applied_at": REMOTE,
                "rejected_at": "2024-03-08T16:00:00Z" if rejected else None,
                "source": source,
                "credited_to": users["Grace"],
                "current_stage": stages[(job, stage)],
                "reject_reason": sid("reject-reason", rejected) if rejected else None,
            },
            record_id=sid("application", email, job),
            remote_id=str(6_400_000 + i),
            raw={"status": "rejected" if rejected else "active", "prospect": False},
        )
    offer = records.add(
        "offers",
        {
            "application": applied[(marie, JOBS[0][0])]["id"],
            "creator": users["Grace"],
            "remote_created_at": "2024-03-12T10:00:00Z",
            "closed_at": None,
            "sent_at": "2024-03-12T10:00:00Z",
            "start_date": "2024-05-01T00:00:00Z",
            "status": "SENT",
        },
        record_id=sid("offer", marie, JOBS[0][0]),
        remote_id="6500001",
        raw={"version": 1, "status": "unresolved"},
        origins={"status": "unresolved"},
    )
    for key, application in applied.items():
        chosen = [offer["id"]] if key == (marie, JOBS[0][0]) else []
        applied[key] = records.update("applications", application, {"offers": chosen})
    for email, candidate in candidates.items():
        mine = [a["id"] for (who, _), a in applied.items() if who == email]
        if mine:
            candidates[email] = records.update("candidates", candidate, {"applications": mine})

    interviews = (
        # (candidate, job, stage, interviewers, start, end, status)
        (marie, JOBS[0][0], "Onsite", ["Alan", "Ada"], "2024-03-10T09:00:00Z", "2024-03-10T12:00:00Z", "COMPLETE"),
        (nikola, JOBS[1][0], "Phone Screen", ["Grace"], "2030-01-15T15:00:00Z", "2030-01-15T15:30:00Z", "SCHEDULED"),
    )
    for i, (email, job, stage, people, start, end, status) in enumerate(interviews, start=1):
        interview = records.add(
            "interviews",
            {
                "application": applied[(email, job)]["id"],
                "job_interview_stage": stages[(job, stage)],
                "organizer": users["Grace"],
                "interviewers": [users[p] for p in people],
                "location": SEED_OFFICES[0][1] if status == "COMPLETE" else "Phone",
                "start_at": start,
                "end_at": end,
                "remote_created_at": REMOTE,
                "remote_updated_at": REMOTE,
                "status": status,
            },
            record_id=sid("interview", email, job, stage),
            remote_id=str(6_600_000 + i),
            origins={"status": status.lower()},
        )
        if status == "COMPLETE":
            records.add(
                "scorecards",
                {
                    "application": interview["application"],
                    "interview": interview["id"],
                    "interviewer": users["Alan"],
                    "remote_created_at": end,
                    "submitted_at": end,
                    "overall_recommendation": "STRONG_YES",
                },
                record_id=sid("scorecard", email, job, stage),
                remote_id=str(6_700_000 + i),
                origins={"overall_recommendation": "strong_yes"},
            )

    notes = (
        (marie, "NOTE", "Onsite debrief", "Strong onsite: hire.", "PUBLIC"),
        (nikola, "EMAIL", "Your application", "Thank you for applying.", "PRIVATE"),
    )
    for i, (email, kind, subject, body, visibility) in enumerate(notes, start=1):
        records.add(
            "activities",
            {
                "user": users["Grace"],
                "remote_created_at": REMOTE,
                "activity_type": kind,
                "subject": subject,
                "body": body,
                "visibility": visibility,
                "candidate": candidates[email]["id"],
            },
            record_id=sid("activity", email, subject),
            remote_id=str(6_800_000 + i),
            origins={"activity_type": kind.lower(), "visibility": visibility.lower()},
        )

    letter = b"Dear hiring team,\nI would like to apply.\nNikola Tesla\n"
    documents = (
        (marie, "RESUME", StoredFile("marie-curie-resume.pdf", _resume("Marie Curie"), "application/pdf")),
        (nikola, "COVER_LETTER", StoredFile("nikola-tesla-cover-letter.txt", letter, "text/plain")),
    )
    for i, (email, kind, stored) in enumerate(documents, start=1):
        name = stored.name
        attachment_id = sid("attachment", email, name)
        files[attachment_id] = stored
        records.add(
            "attachments",
            {
                "file_name": name,
                "file_url": f"{base_url}/files/{attachment_id}/{name}",
                "candidate": candidates[email]["id"],
                "attachment_type": kind,
            },
            record_id=attachment_id,
            remote_id=str(6_900_000 + i),
            origins={"attachment_type": kind.lower()},
        )
        candidate = tenant["candidates"].records[candidates[email]["id"]]
        records.update("candidates", candidate, {"attachments": [*candidate["attachments"], attachment_id]})
    return tenant, files
