"""The seed applications and what happened to them.

Each starts at its job's first stage and is moved stage by stage to where it stands, each move an application
change as `/move` records one; one is rejected as `/reject` records it. Then come its interviews, a scorecard and
an offer where the table says so, notes, and documents with real bytes: a PDF résumé each (with a `text/plain`
rendition, for `export_format=text/plain`), and a plain-text cover letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.unified import schema as s
from sandbox.common import (
    SEED_CANDIDATES,
    SEED_JOBS,
    SEED_REJECTED_REASONS,
    SEED_TEMPLATE_JOB,
    SEED_USERS,
    Tenant,
    now_iso,
)
from sandbox.pdf import text_pdf
from sandbox.stackone import documents
from sandbox.stackone.applications import at_stage, move, reject
from sandbox.stackone.jobs import stages_of
from sandbox.stackone.records import Record, build, enum

Ids = Callable[..., str]

MARIE, NIKOLA = (p.email for p in SEED_CANDIDATES)
RECRUITER, INTERVIEWER = SEED_USERS[1].email, SEED_USERS[2].email


@dataclass(frozen=True)
class SeedApplication:
    candidate: str
    job: str
    stage: str
    status: str
    rejected: str | None = None
    interviews: tuple[tuple[str, str], ...] = ()
    """(stage, interview status), in order; a scorecard goes with the last completed one."""
    offer: bool = False
    note: str | None = None
    cover_letter: bool = False
    custom_fields: tuple[Any, ...] = (False, "On-site")
    """Values of the application custom field definitions, in their order."""


SEED_APPLICATIONS = (
    SeedApplication(
        MARIE,
        SEED_TEMPLATE_JOB,
        "Offer",
        "offer",
        interviews=(("Phone Screen", "completed"), ("Onsite Interview", "completed")),
        offer=True,
        note="Strong systems design in the onsite.",
    ),
    SeedApplication(MARIE, SEED_JOBS[0], "Application Review", "active"),
    SeedApplication(
        NIKOLA,
        SEED_TEMPLATE_JOB,
        "Phone Screen",
        "screen",
        interviews=(("Phone Screen", "scheduled"),),
        cover_letter=True,
        custom_fields=(True, "Remote"),
    ),
    SeedApplication(NIKOLA, SEED_JOBS[0], "Application Review", "active", rejected=SEED_REJECTED_REASONS[2][0]),
)
CANDIDATE_NOTES = {MARIE: "Met at the Paris meetup; keen on platform roles."}
INTERVIEW_DAY = "2026-01-12"
OFFER_START = "2026-03-02T00:00:00.000Z"


def seed_applications(tenant: Tenant, ids: Ids) -> None:
    for seed in SEED_APPLICATIONS:
        application = _application(tenant, ids, seed)
        interviews = [_interview(tenant, ids, application, i, *spec) for i, spec in enumerate(seed.interviews)]
        done = [i for i in interviews if i["interview_status"]["value"] == "completed"]
        if done:
            _scorecard(tenant, ids, application, done[-1])
        if seed.offer:
            _offer(tenant, ids, application)
        if seed.note:
            _note(tenant, ids, "applications", application["id"], seed.note)
        _documents(tenant, ids, application, seed)
    for email, text in CANDIDATE_NOTES.items():
        _note(tenant, ids, "candidates", ids("candidate", email), text)


def custom_field_values(tenant: Tenant, kind: str, values: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Values of the kind's custom field definitions, in their order (a select's value names its option)."""
    fields = []
    for definition, value in zip(tenant[f"custom_field_definitions/{kind}"].all(), values, strict=True):
        option = next((o for o in definition["options"] if o["value"] == value), None)
        fields.append(
            build(
                s.CustomFields,
                id=definition["id"],
                remote_id=definition["remote_id"],
                name=definition["name"],
                value=value,
                value_id=option and option["id"],
            )
        )
    return fields


def _application(tenant: Tenant, ids: Ids, seed: SeedApplication) -> Record:
    candidate = tenant["candidates"].records[ids("candidate", seed.candidate)]
    job = tenant["jobs"].records[ids("job", seed.job)]
    stages = stages_of(tenant, job["id"])
    stamp = now_iso()
    application = tenant["applications"].add(
        build(
            s.Application,
            id=ids("application", seed.candidate, seed.job),
            remote_id=tenant.remote_id(),
            candidate_id=candidate["id"],
            remote_candidate_id=candidate["remote_id"],
            job_id=job["id"],
            remote_job_id=job["remote_id"],
            **at_stage(stages[0]),
            location_ids=job["location_ids"],
            remote_location_ids=job["remote_location_ids"],
            application_status=enum(seed.status),
            questionnaires=[],
            source={"id": ids("source", "Careers page"), "name": "Careers page"},
            rejected_reasons=[],
            rejected_reason_ids=[],
            remote_rejected_reason_ids=[],
            custom_fields=custom_field_values(tenant, "applications", seed.custom_fields),
            created_at=stamp,
            updated_at=stamp,
        )
    )
    candidate["application_ids"].append(application["id"])
    candidate["remote_application_ids"].append(application["remote_id"])
    reached = [st["name"] for st in stages].index(seed.stage)
    for stage in stages[1 : reached + 1]:
        application = move(tenant, application, stage)
    if seed.rejected is not None:
        application = reject(
            tenant, application, tenant["rejected_reasons"].records[ids("rejected_reason", seed.rejected)]
        )
    return application


def _interview(tenant: Tenant, ids: Ids, application: Record, number: int, stage_name: str, status: str) -> Record:
    stage = next(st for st in stages_of(tenant, application["job_id"]) if st["name"] == stage_name)
    interviewer = tenant["users"].records[ids("user", INTERVIEWER)]
    hour = 10 + 2 * number
    start, end = f"{INTERVIEW_DAY}T{hour:02d}:00:00.000Z", f"{INTERVIEW_DAY}T{hour + 1:02d}:00:00.000Z"
    key = ids("interview", application["id"], stage_name)
    url = f"https://meet.example.com/{key}"
    stamp = now_iso()
    by = {"interviewer_ids": [interviewer["id"]], "remote_interviewer_ids": [interviewer["remote_id"]]}
    part: dict[str, Any] = {
        "id": ids("interview_part", key),
        "remote_id": tenant.remote_id(),
        "type": enum("video"),
        "title": stage_name,
    }
    part |= {**by, "meeting_url": url, "meeting_provider": "Example Meet", "start_at": start, "end_at": end}
    return tenant["interviews"].add(
        build(
            s.Interview,
            id=key,
            remote_id=tenant.remote_id(),
            application_id=application["id"],
            remote_application_id=application["remote_id"],
            interview_stage_id=stage["id"],
            remote_interview_stage_id=stage["remote_id"],
            interview_stage=build(s.InterviewStage, **stage),
            interview_status=enum(status),
            **by,
            interview_parts=[{**part, "created_at": stamp, "updated_at": stamp}],
            interviewers=[{k: interviewer[k] for k in ("id", "remote_id", "first_name", "last_name", "name", "email")}],
            start_at=start,
            end_at=end,
            meeting_url=url,
            created_at=stamp,
            updated_at=stamp,
        )
    )


def _scorecard(tenant: Tenant, ids: Ids, application: Record, interview: Record) -> None:
    author = tenant["users"].records[ids("user", INTERVIEWER)]
    key = ids("scorecard", interview["id"])
    field = {
        "id": ids("scorecard_field", key, "Problem solving"),
        "remote_id": tenant.remote_id(),
        "label": "Problem solving",
        "type": "single_select",
        "values": ["Excellent", "Good", "Average", "Poor"],
        "required": True,
    }
    stamp = now_iso()
    tenant["scorecards"].add(
        build(
            s.Scorecard,
            id=key,
            remote_id=tenant.remote_id(),
            sections=[
                {
                    "id": ids("scorecard_section", key),
                    "remote_id": tenant.remote_id(),
                    "label": "Technical",
                    "fields": [field],
                }
            ],
            label=f"{interview['interview_stage']['name']} scorecard",
            candidate_id=application["candidate_id"],
            remote_candidate_id=application["remote_candidate_id"],
            application_id=application["id"],
            remote_application_id=application["remote_id"],
            interview_id=interview["id"],
            remote_interview_id=interview["remote_id"],
            author_id=author["id"],
            remote_author_id=author["remote_id"],
            overall_recommendation="strong_yes",
            created_at=stamp,
            updated_at=stamp,
        )
    )


def _offer(tenant: Tenant, ids: Ids, application: Record) -> None:
    stamp = now_iso()
    terms = {"start_date": OFFER_START, "salary": 95_000, "currency": "GBP"}
    tenant["offers"].add(
        build(
            s.Offer,
            id=ids("offer", application["id"]),
            remote_id=tenant.remote_id(),
            application_id=application["id"],
            remote_application_id=application["remote_id"],
            offer_status=enum("pending"),
            **terms,
            offer_history=[{**terms, "created_at": stamp, "updated_at": stamp}],
            created_at=stamp,
            updated_at=stamp,
        )
    )


def _note(tenant: Tenant, ids: Ids, parent: str, owner: str, text: str) -> None:
    author = tenant["users"].records[ids("user", RECRUITER)]
    stamp = now_iso()
    tenant[f"{parent}/{owner}/notes"].add(
        build(
            s.Note,
            id=ids("note", parent, owner),
            remote_id=tenant.remote_id(),
            content=[{"body": text}],
            author_id=author["id"],
            remote_author_id=author["remote_id"],
            visibility=enum("private"),
            created_at=stamp,
            updated_at=stamp,
        )
    )


def _documents(tenant: Tenant, ids: Ids, application: Record, seed: SeedApplication) -> None:
    candidate = tenant["candidates"].records[application["candidate_id"]]
    name = str(candidate["name"])
    slug = name.lower().replace(" ", "-")
    lines = [name, str(candidate["email"]), f"Applying for: {seed.job}"]
    documents.store(
        tenant,
        application["id"],
        s.AtsDocumentsUploadRequestDto(
            name=f"{slug}-resume",
            file_format=s.FileFormatEnum(value="pdf"),
            category_id=ids("document_category", "Resume"),
        ),
        text_pdf(lines),
        renditions={"text/plain": "\n".join(lines).encode()},
        record_id=ids("document", application["id"], "resume"),
    )
    if seed.cover_letter:
        documents.store(
            tenant,
            application["id"],
            s.AtsDocumentsUploadRequestDto(
                name=f"{slug}-cover-letter",
                file_format=s.FileFormatEnum(value="txt"),
                category_id=ids("document_category", "Cover Letter"),
            ),
            f"Dear hiring team,\n\nI would like to apply for {seed.job}.\n\n{name}\n".encode(),
            record_id=ids("document", application["id"], "cover_letter"),
        )
