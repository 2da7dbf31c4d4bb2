"""The records every connector starts with: a small Greenhouse organisation, as Bindbee has synced it.

Ids are stable (`stable_id` of the seed label and a name), and Greenhouse's numeric ids (`remote_id`) are fixed
per kind, so the README and the tests can quote them:

| kind | remote ids |
|---|---|
| departments, offices, users | 4000101…, 4000201…, 4000301… |
| jobs | 4033879009 (the template, the id in Bindbee's own example), 4033879010 (Account Executive) |
| stages | 42000{job}{order}: 4200010–4200013 on the template, 4200020–4200023 on Account Executive |
| reject reasons | 262 (the organisation's), 8 and 815 (Greenhouse defaults; the ids in Harvest's examples) |
| candidates | 4100001 (Marie Curie), 4100002 (Nikola Tesla), then the numbered ones |
| applications | 4400001 (Marie, Account Executive, at Offer), 4400002 (Nikola, Account Executive, at Phone Screen) |
| offers, interviews, scorecards | 4500001–2 (Marie's, versions 1 and 2), 4600001–2, 4700001 |
| attachments, activities | 4800001–2 (a résumé each), 4900001… |
"""

from __future__ import annotations

from typing import Any

from sandbox.bindbee.files import FileStore, resume_pdf
from sandbox.bindbee.records import (
    STAGES,
    add_attachment,
    add_stages,
    apply_to_job,
    log_activity,
    new_record,
    stages_of,
)
from sandbox.common import (
    SEED_CANDIDATES,
    SEED_DEPARTMENTS,
    SEED_JOBS,
    SEED_OFFICES,
    SEED_TEMPLATE_JOB,
    SEED_USERS,
    Tenant,
    now_iso,
    seed_people,
    stable_id,
)

REJECT_REASONS: tuple[tuple[int, str, int, bool], ...] = (
    (262, "Missing resume", 1, False),
    (8, "Lacking skill(s)/qualification(s)", 1, True),
    (815, "Higher Salary Offer Made", 2, True),
)
"""(Greenhouse id, name, type id, a Greenhouse default)."""
TAGS = ("Top talent", "Referral")


def seed_tenant(label: str, ats: str, files: FileStore, extra_candidates: int = 0) -> Tenant:
    tenant = Tenant(ats=ats)
    _seed_people(tenant, label, extra_candidates)
    _seed_jobs(tenant, label)
    for remote, name, kind, default in REJECT_REASONS:
        raw = {"name": name, "type_id": kind, "default": default}
        _add(tenant, label, "reject-reasons", ("reject-reason", name), remote, {"name": name}, raw)
    for n, name in enumerate(TAGS, start=1):
        _add(tenant, label, "tags", ("tag", name), 4_970_000 + n, {"name": name}, {"name": name})
    _seed_pipeline(tenant, label, files)
    return tenant


def _add(
    tenant: Tenant,
    label: str,
    kind: str,
    name: tuple[str, ...],
    remote: int,
    fields: dict[str, Any],
    raw: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return new_record(tenant, kind, fields, raw=raw, record_id=stable_id(label, *name), remote_id=str(remote))


def _seed_people(tenant: Tenant, label: str, extra_candidates: int) -> None:
    stamp = now_iso()
    for i, person in enumerate(seed_people(extra_candidates), start=1):
        fields: dict[str, Any] = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "company": None,
            "title": None,
            "email_addresses": [person.email],
            "phone_numbers": [],
            "urls": [],
            "locations": [],
            "tags": [],
            "applications": [],
            "attachments": [],
            "remote_created_at": stamp,
            "remote_updated_at": stamp,
        }
        raw = {"first_name": person.first_name}
        _add(tenant, label, "candidates", ("candidate", person.email), 4_100_000 + i, fields, raw)
    for i, name in enumerate(SEED_DEPARTMENTS, start=1):
        _add(tenant, label, "departments", ("department", name), 4_000_100 + i, {"name": name}, {"name": name})
    for i, (name, where) in enumerate(SEED_OFFICES, start=1):
        fields = {"name": name, "location": where}
        _add(tenant, label, "offices", ("office", name), 4_000_200 + i, fields, {"name": name})
    for i, user in enumerate(SEED_USERS, start=1):
        fields = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "disabled": False,
            "remote_created_at": stamp,
            "access_role": user.role,
        }
        _add(
            tenant, label, "remote-users", ("user", user.email), 4_000_300 + i, fields, {"first_name": user.first_name}
        )


def _seed_jobs(tenant: Tenant, label: str) -> None:
    """The Greenhouse template job and an open job, each with Greenhouse's default stages."""
    stamp = now_iso()
    for i, (name, template) in enumerate(((SEED_TEMPLATE_JOB, True), *((n, False) for n in SEED_JOBS)), start=1):
        fields: dict[str, Any] = {
            "name": name,
            "description": None,
            "code": None,
            "status": "DRAFT" if template else "OPEN",
            "job_posting_urls": [],
            "remote_created_at": stamp,
            "remote_updated_at": stamp,
            "confidential": False,
            "departments": [stable_id(label, "department", SEED_DEPARTMENTS[0])],
            "offices": [stable_id(label, "office", SEED_OFFICES[0][0])],
            "hiring_managers": [],
            "recruiters": [],
        }
        raw = {"name": name, "is_template": template, "status": "draft" if template else "open"}
        # The template is 4033879009, the id in Bindbee's Greenhouse example.
        job = _add(tenant, label, "jobs", ("job", name), 4_033_879_008 + i, fields, raw)
        stage_ids = [(stable_id(label, "stage", name, s), str(4_200_000 + i * 10 + n)) for n, s in enumerate(STAGES)]
        add_stages(tenant, job["id"], stage_ids)


def _seed_pipeline(tenant: Tenant, label: str, files: FileStore) -> None:
    """Marie Curie at Offer on Account Executive (interviewed, scored, offered), Nikola Tesla at Phone Screen."""
    marie, nikola = (stable_id(label, "candidate", p.email) for p in SEED_CANDIDATES)
    ada, grace, alan = (stable_id(label, "user", u.email) for u in SEED_USERS)
    job = stable_id(label, "job", SEED_JOBS[0])
    stages = {s["name"]: s["id"] for s in stages_of(tenant, job)}
    pipeline = (
        (marie, "Offer", 16, grace, "2026-01-05T09:00:00.000Z"),
        (nikola, "Phone Screen", 7, None, "2026-01-12T14:30:00.000Z"),
    )
    applications = []
    for n, (candidate, stage, source, credited, applied) in enumerate(pipeline, start=1):
        person = tenant["candidates"].records[candidate]
        record = apply_to_job(
            tenant,
            candidate,
            job,
            stage_id=stages[stage],
            source={16: "Referral", 7: "LinkedIn"}[source],
            credited_to=credited,
            raw={"source_id": source, "recruiter": grace, "coordinator": None, "referrer": None},
            record_id=stable_id(label, "application", person["email_addresses"][0], SEED_JOBS[0]),
            remote_id=str(4_400_000 + n),
        )
        record["applied_at"] = applied
        applications.append(record)
        full_name = f"{person['first_name']} {person['last_name']}"
        add_attachment(
            tenant,
            files,
            candidate,
            f"{person['first_name']}_{person['last_name']}_resume.pdf",
            "RESUME",
            content=resume_pdf(full_name),
            content_type="application/pdf",
            raw={"type": "resume", "application_id": int(record["remote_id"]), "visibility": "public"},
            record_id=stable_id(label, "attachment", person["email_addresses"][0], "resume"),
            remote_id=str(4_800_000 + n),
        )
        _seed_eeoc(tenant, label, candidate, n)
    marie_app, nikola_app = applications
    for version, (status, harvest, sent) in enumerate(
        (("DEPRECATED", "deprecated", None), ("SENT", "unresolved", "2026-02-03")), start=1
    ):
        fields = {
            "application": marie_app["id"],
            "creator": grace,
            "remote_created_at": f"2026-02-0{version}T10:00:00.000Z",
            "closed_at": None,
            "sent_at": sent,
            "start_date": "2026-03-02",
            "status": status,
        }
        new_record(
            tenant,
            "offers",
            fields,
            raw={"version": version, "status": harvest},
            record_id=stable_id(label, "offer", marie_app["id"], str(version)),
            remote_id=str(4_500_000 + version),
        )
    interviews = (
        (marie_app, "Onsite", "COMPLETE", {alan: "accepted", ada: "accepted"}, "2026-01-28T10:00", "2026-01-28T11:00"),
        (nikola_app, "Phone Screen", "SCHEDULED", {alan: "needs_action"}, "2026-02-20T15:00", "2026-02-20T15:30"),
    )
    for n, (app, stage, status, responses, start, end) in enumerate(interviews, start=1):
        fields = {
            "application": app["id"],
            "job_interview_stage": stages[stage],
            "organizer": grace,
            "interviewers": list(responses),
            "location": "London office" if stage == "Onsite" else None,
            "start_at": f"{start}:00.000Z",
            "end_at": f"{end}:00.000Z",
            "remote_created_at": "2026-01-20T09:00:00.000Z",
            "remote_updated_at": "2026-01-20T09:00:00.000Z",
            "status": status,
        }
        raw = {
            "external_event_id": f"calendar-event-{4_600_000 + n}",
            "video_conferencing_url": None if stage == "Onsite" else "https://meet.example.com/phone-screen",
            "responses": responses,
        }
        new_record(
            tenant,
            "scheduled-interviews",
            fields,
            raw=raw,
            record_id=stable_id(label, "interview", app["id"], stage),
            remote_id=str(4_600_000 + n),
        )
    onsite = stable_id(label, "interview", marie_app["id"], "Onsite")
    card = {
        "application": marie_app["id"],
        "interview": onsite,
        "interviewer": alan,
        "remote_created_at": "2026-01-28T12:00:00.000Z",
        "submitted_at": "2026-01-28T12:00:00.000Z",
        "overall_recommendation": "STRONG_YES",
    }
    ratings: dict[str, list[str]] = {
        "definitely_not": [],
        "no": [],
        "mixed": [],
        "yes": ["Communication"],
        "strong_yes": ["Sales judgement"],
    }
    raw_card: dict[str, Any] = {
        "attributes": [
            {"name": "Communication", "type": "Skills", "note": None, "rating": "yes"},
            {"name": "Sales judgement", "type": "Skills", "note": "Closed the mock deal", "rating": "strong_yes"},
        ],
        "ratings": ratings,
        "questions": [{"id": None, "question": "Key take-aways", "answer": "<p>Hire.</p>"}],
    }
    new_record(
        tenant, "scorecards", card, raw=raw_card, record_id=stable_id(label, "scorecard", onsite), remote_id="4700001"
    )
    notes = (
        (marie, grace, "PUBLIC", "Strong fundamentals; ready for an offer."),
        (nikola, alan, "PRIVATE", "Phone screen booked for February."),
    )
    for n, (candidate, author, visibility, body) in enumerate(notes, start=1):
        log_activity(
            tenant,
            candidate,
            author,
            "NOTE",
            body,
            visibility=visibility,
            record_id=stable_id(label, "activity", candidate, str(n)),
            remote_id=str(4_900_000 + n),
            stamp="2026-01-29T08:00:00.000Z",
        )
    _seed_screening_questions(tenant, label, job)


def _seed_eeoc(tenant: Tenant, label: str, candidate: str, n: int) -> None:
    """Marie's answers use Bindbee's values; Nikola's gender is Greenhouse's own wording, which Bindbee's open
    enums pass through unchanged (PROVENANCE.md, ambiguity 1)."""
    answers = (
        ("PREFER_NOT_TO_DISCLOSE", "FEMALE", "I_AM_NOT_A_PROTECTED_VETERAN", "I_DONT_WISH_TO_ANSWER"),
        ("-", "Decline To Self Identify", "I_DONT_WISH_TO_ANSWER", "NO_I_DONT_HAVE_A_DISABILITY"),
    )[n - 1]
    race, gender, veteran, disability = answers
    fields = {
        "candidate": candidate,
        "submitted_at": "2026-01-05T09:05:00.000Z",
        "race": race,
        "gender": gender,
        "veteran_status": veteran,
        "disability_status": disability,
    }
    new_record(tenant, "eeocs", fields, record_id=stable_id(label, "eeoc", candidate), remote_id=str(4_950_000 + n))


def _seed_screening_questions(tenant: Tenant, label: str, job: str) -> None:
    questions = (
        ("Are you authorised to work in the UK?", "BOOLEAN", True, None),
        ("Years of B2B sales experience", "NUMERIC", False, None),
        ("Preferred office", "SINGLE_SELECT", True, [{"id": 1, "label": "London"}, {"id": 2, "label": "New York"}]),
    )
    for n, (title, kind, required, options) in enumerate(questions, start=1):
        fields = {
            "job": job,
            "description": None,
            "title": title,
            "type": kind,
            "required": required,
            "options": options,
        }
        new_record(
            tenant,
            "screening-questions",
            fields,
            record_id=stable_id(label, "question", job, title),
            remote_id=str(4_960_000 + n),
        )
