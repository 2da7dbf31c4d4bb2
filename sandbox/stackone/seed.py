"""What every linked account starts with. Ids are `stable_id(account, kind, name…)`, so they survive restarts and
the README and tests can quote them; records are built by the same code the operations use, so a seeded record
is one the API could have written.

Per account: departments, locations, users, rejected reasons, document categories, custom field definitions,
assessment and background-check packages; the two seed jobs with four stages and one posting each; the named
candidates (plus `extra_candidates` numbered ones), each applied to both jobs, with the history that brought each
application where it is (moves, a rejection), interviews, a scorecard, an offer, notes and documents with real
bytes; and one list.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from connectors.unified import schema as s
from sandbox.common import (
    SEED_CANDIDATES,
    SEED_DEPARTMENTS,
    SEED_JOBS,
    SEED_OFFICES,
    SEED_REJECTED_REASONS,
    SEED_STAGES,
    SEED_TEMPLATE_JOB,
    SEED_USERS,
    Tenant,
    now_iso,
    seed_people,
    stable_id,
)
from sandbox.stackone import documents
from sandbox.stackone.jobs import add_stages, default_stages
from sandbox.stackone.records import Record, build, enum
from sandbox.stackone.seed_applications import Ids, custom_field_values, seed_applications

DOCUMENT_CATEGORIES = ("Resume", "Cover Letter", "Take-home Test", "Offer Letter", "Other")
CUSTOM_FIELDS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "jobs": (("Cost centre", "text", ()), ("Hiring priority", "single_select", ("High", "Medium", "Low"))),
    "candidates": (("Right to work", "boolean", ()), ("Notice period (weeks)", "integer", ())),
    "applications": (
        ("Referral bonus eligible", "boolean", ()),
        ("Interview format", "single_select", ("On-site", "Remote")),
    ),
}
"""Per record kind: (name, type, options)."""
ASSESSMENT_PACKAGES = (
    ("Test 1", "Skills test to gauge a candidate's proficiency in job-specific skills"),
    ("Coding challenge", "A 90-minute take-home coding exercise"),
)
BACKGROUND_CHECK_PACKAGES = (
    ("Standard check", "Identity and criminal record", ("Identity", "Criminal record")),
    ("Enhanced check", "Standard check and credit history", ("Identity", "Criminal record", "Credit history")),
)
LIST_NAME = "Silver medallists"

JOB_FIELDS = {SEED_TEMPLATE_JOB: ("ENG-01", "High"), SEED_JOBS[0]: ("SAL-02", "Medium")}
CANDIDATE_FIELDS = {SEED_CANDIDATES[0].email: (True, 4), SEED_CANDIDATES[1].email: (True, 8)}


def seed_tenant(account: str, provider: str, extra_candidates: int = 0) -> Tenant:
    tenant = Tenant(ats=provider)
    ids: Ids = partial(stable_id, account)
    _reference(tenant, ids)
    _candidates(tenant, ids, extra_candidates)
    _jobs(tenant, ids)
    seed_applications(tenant, ids)
    members = [tenant["candidates"].records[ids("candidate", p.email)] for p in SEED_CANDIDATES]
    stamp = now_iso()
    tenant["lists"].add(
        build(
            s.List,
            id=ids("list", LIST_NAME),
            remote_id=tenant.remote_id(),
            name=LIST_NAME,
            items=[{"id": c["id"], "remote_id": c["remote_id"]} for c in members],
            created_at=stamp,
            updated_at=stamp,
            type=enum("candidates"),
        )
    )
    return tenant


def _reference(tenant: Tenant, ids: Ids) -> None:
    for i, name in enumerate(SEED_DEPARTMENTS, start=1):
        tenant["departments"].add(
            build(s.Department, id=ids("department", name), remote_id=str(5_000_100 + i), name=name)
        )
    for i, (name, _) in enumerate(SEED_OFFICES, start=1):
        tenant["locations"].add(build(s.ATSLocation, id=ids("location", name), remote_id=str(5_000_200 + i), name=name))
    for i, person in enumerate(SEED_USERS, start=1):
        tenant["users"].add(
            build(
                s.User,
                id=ids("user", person.email),
                remote_id=str(5_000_300 + i),
                first_name=person.first_name,
                last_name=person.last_name,
                name=f"{person.first_name} {person.last_name}",
                email=person.email,
            )
        )
    for i, (label, kind) in enumerate(SEED_REJECTED_REASONS, start=1):
        tenant["rejected_reasons"].add(
            build(
                s.RejectedReason,
                id=ids("rejected_reason", label),
                remote_id=str(5_000_400 + i),
                label=label,
                type=kind,
                rejected_reason_type=enum(kind, label),
            )
        )
    for i, name in enumerate(DOCUMENT_CATEGORIES, start=1):
        tenant[documents.CATEGORIES].add(
            build(s.Reference, id=ids("document_category", name), remote_id=str(5_000_500 + i), name=name, active=True)
        )
    for kind, definitions in CUSTOM_FIELDS.items():
        for name, field_type, options in definitions:
            definition = ids("custom_field_definition", kind, name)
            tenant[f"custom_field_definitions/{kind}"].add(
                build(
                    s.CustomFieldDefinition,
                    id=definition,
                    remote_id=tenant.remote_id(),
                    name=name,
                    description=f"{name} ({kind[:-1]})",
                    type=enum(field_type),
                    options=[{"id": ids("custom_field_option", definition, o), "value": o} for o in options],
                )
            )
    for name, description in ASSESSMENT_PACKAGES:
        tenant["assessments/packages"].add(
            build(
                s.AssessmentPackage,
                id=ids("assessment_package", name),
                remote_id=tenant.remote_id(),
                name=name,
                description=description,
            )
        )
    for name, description, tests in BACKGROUND_CHECK_PACKAGES:
        package = ids("background_check_package", name)
        tenant["background_checks/packages"].add(
            build(
                s.BackgroundCheckPackage,
                id=package,
                remote_id=tenant.remote_id(),
                name=name,
                description=description,
                tests=[
                    {"id": ids("background_check_test", package, t), "remote_id": tenant.remote_id(), "name": t}
                    for t in tests
                ],
            )
        )


def _candidates(tenant: Tenant, ids: Ids, extra: int) -> None:
    stamp = now_iso()
    for i, person in enumerate(seed_people(extra), start=1):
        values = CANDIDATE_FIELDS.get(person.email)
        tenant["candidates"].add(
            build(
                s.Candidate,
                id=ids("candidate", person.email),
                remote_id=str(5_100_000 + i),
                name=f"{person.first_name} {person.last_name}",
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                emails=[{"type": "personal", "value": person.email}],
                phone_numbers=[],
                social_links=[],
                application_ids=[],
                remote_application_ids=[],
                custom_fields=custom_field_values(tenant, "candidates", values) if values else [],
                tags=[],
                created_at=stamp,
                updated_at=stamp,
            )
        )


def _jobs(tenant: Tenant, ids: Ids) -> None:
    stamp = now_iso()
    department = tenant["departments"].records[ids("department", SEED_DEPARTMENTS[0])]
    location = tenant["locations"].records[ids("location", SEED_OFFICES[0][0])]
    for i, name in enumerate((SEED_TEMPLATE_JOB, *SEED_JOBS), start=1):
        job = tenant["jobs"].add(
            build(
                s.AtsJob,
                id=ids("job", name),
                remote_id=str(5_033_879_000 + i),
                title=name,
                job_status=enum("open"),
                department_ids=[department["id"]],
                remote_department_ids=[department["remote_id"]],
                location_ids=[location["id"]],
                remote_location_ids=[location["remote_id"]],
                hiring_team=[],
                confidential="false",
                custom_fields=custom_field_values(tenant, "jobs", JOB_FIELDS[name]),
                created_at=stamp,
                updated_at=stamp,
            )
        )
        add_stages(tenant, job["id"], default_stages(), [ids("stage", name, stage) for stage in SEED_STAGES])
        tenant["job_postings"].add(_posting(tenant, ids, job, location))


def _posting(tenant: Tenant, ids: Ids, job: Record, location: Record) -> Record:
    stamp = now_iso()
    posting = ids("job_posting", job["title"])
    question: dict[str, Any] = {
        "id": ids("question", posting, "right_to_work"),
        "remote_id": tenant.remote_id(),
        "name": "right_to_work",
        "type": enum("boolean"),
        "text": f"Do you have the right to work in {location['name']}?",
        "required": True,
        "multiple_choice_answers": [],
    }
    return build(
        s.JobPosting,
        id=posting,
        remote_id=tenant.remote_id(),
        title=job["title"],
        locations=[{"id": location["id"], "remote_id": location["remote_id"], "name": location["name"]}],
        internal="false",
        status=enum("live"),
        job_id=job["id"],
        remote_job_id=job["remote_id"],
        content={"plain": f"Join us as {job['title']}.", "html": f"<p>Join us as {job['title']}.</p>", "sections": []},
        compensation=[],
        employment_type=enum("permanent"),
        employment_contract_type=enum("full_time"),
        external_url=f"https://careers.example.com/jobs/{job['remote_id']}",
        external_apply_url=f"https://careers.example.com/jobs/{job['remote_id']}/apply",
        questionnaires=[
            {
                "id": ids("questionnaire", posting),
                "remote_id": tenant.remote_id(),
                "name": "Application questions",
                "internal": "false",
                "questions": [question],
            }
        ],
        start_date=stamp,
        created_at=stamp,
        updated_at=stamp,
    )
