"""Renders docs/mappings.md from the connectors' own mapping declarations (`python -m connectors.docs`).

A test regenerates it and fails when the committed file differs, so the documentation cannot go stale.
"""

from __future__ import annotations

from connectors.bindbee.applications import APPLICATION_TABLE, HARVEST_APPLICATION_UNSUPPORTED
from connectors.bindbee.candidates import (
    CANDIDATE_TABLE,
    HARVEST_EMAIL_TYPES,
    HARVEST_PHONE_TYPES,
    HARVEST_UNSUPPORTED,
    HARVEST_WEBSITE_TYPES,
)
from connectors.bindbee.connector import GREENHOUSE_CANDIDATE_UPDATE_RULES, GREENHOUSE_JOB_RULES, NOTE_RULES
from connectors.bindbee.jobs import JOB_TABLE
from connectors.bindbee.process import (
    DOCUMENT_TABLE,
    INTERVIEW_TABLE,
    NOTE_TABLE,
    OFFER_TABLE,
    SCORECARD_TABLE,
    STAGE_TABLE,
)
from connectors.bindbee.reference import DEPARTMENT_TABLE, LOCATION_TABLE, REJECTED_REASON_TABLE, USER_TABLE
from connectors.extensions import EXTENSION_FIELDS
from connectors.mapping import Table
from connectors.rules import Rule

_ARROW = {"both": "↔", "write": "→", "read": "←"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def _table(title: str, table: Table) -> list[str]:
    lines = [f"### {title}", "", "| unified | | vendor | transform | notes |", "|---|---|---|---|---|"]
    for row in table.rows:
        unified = ", ".join(f"`{name}`" for name in (row.unified, *row.aliases))
        lines.append(
            f"| {unified} | {_ARROW[row.direction]} | `{row.vendor}` | {_cell(row.transform)} | {_cell(row.notes)} |"
        )
    for name, reason in table.unsupported.items():
        lines.append(f"| `{name}` | ✗ | | refused with 422 `unsupported_field` | {_cell(reason)} |")
    return [*lines, ""]


def _rules(title: str, rules: tuple[Rule, ...]) -> list[str]:
    lines = [f"### {title}", "", "| field | rule |", "|---|---|"]
    lines += [f"| `{rule.field}` | `{rule.rule}` |" for rule in rules]
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Field mappings",
        "",
        "Generated from the connectors' declarations by `python -m connectors.docs`; do not edit by hand.",
        "`↔` both directions, `→` unified to vendor only (writes), `←` vendor to unified only (reads),",
        "`✗` the vendor cannot carry it: a value is refused, never dropped. `passthrough` is merged into the vendor",
        "body last; a key that clashes with a mapped field is refused.",
        "",
        "## StackOne",
        "",
        "StackOne's DTOs are the unified model: bodies and records pass unchanged. The gateway's extension fields",
        f"({', '.join(f'`{f}`' for f in EXTENSION_FIELDS)}, and `file_url` on uploads) travel in `passthrough` under",
        "their own names; on a DTO without `passthrough` (the document upload) they are refused.",
        "",
        "## Bindbee",
        "",
        *_table("Jobs (`POST/GET /api/ats/v1/jobs`)", JOB_TABLE),
        *_table("Candidates (`POST/GET /api/ats/v1/candidates`, body `{data, remote_user_id}`)", CANDIDATE_TABLE),
        *_table("Applications (`GET /api/ats/v1/applications`)", APPLICATION_TABLE),
        *_table("Departments (`GET /api/ats/v1/departments`)", DEPARTMENT_TABLE),
        *_table("Locations (`GET /api/ats/v1/offices`)", LOCATION_TABLE),
        *_table("Users (`GET /api/ats/v1/remote-users`)", USER_TABLE),
        *_table("Rejected reasons (`GET /api/ats/v1/reject-reasons`)", REJECTED_REASON_TABLE),
        "Bindbee keeps notes and attachments on the candidate, not the application: an application's notes and",
        "documents are those of its candidate (read through `GET /api/ats/v1/applications/{id}` first), and a note or",
        "document added to an application is added to its candidate. A sub-record read under a parent it does not",
        "belong to is not found there.",
        "",
        *_table("Notes (`GET/POST /api/ats/v1/activities`, NOTE activities only)", NOTE_TABLE),
        *_table(
            "Documents (`GET /api/ats/v1/attachments`, `POST /api/ats/v1/candidates/{id}/attachments`)", DOCUMENT_TABLE
        ),
        *_table(
            "Application stages, job application stages, interview stages (`GET /api/ats/v1/job-interview-stages`)",
            STAGE_TABLE,
        ),
        *_table("Offers (`GET /api/ats/v1/offers`)", OFFER_TABLE),
        *_table("Interviews, scheduled interviews (`GET /api/ats/v1/scheduled-interviews`)", INTERVIEW_TABLE),
        *_table("Scorecards (`GET /api/ats/v1/scorecards`)", SCORECARD_TABLE),
        "Creating an application: with an inline `candidate`, one `POST /api/ats/v1/candidates` whose `data.job_id`",
        "puts the new candidate on the job (never two writes that could half succeed). Bindbee documents no request",
        "body for `POST /api/ats/v1/applications`, so an existing candidate (`candidate_id`) is put on a job only on",
        "Greenhouse, through the passthrough to Harvest's `POST /v1/candidates/{id}/applications` (`On-Behalf-Of` from",
        "`acting_user_id`, required; the candidate's, job's and user's Greenhouse ids read from Bindbee first;",
        "`passthrough` keys such as `source_id` go into Harvest's body); on any other ATS it is a 501.",
        "",
        "### Greenhouse candidate update (Bindbee passthrough → Harvest `PATCH /v1/candidates/{remote_id}`)",
        "",
        "The candidate's and the acting user's Greenhouse ids are read from Bindbee first; `On-Behalf-Of` is the",
        "acting user's. Lists sent replace Greenhouse's (an empty list clears).",
        "",
        "| unified | Harvest | transform |",
        "|---|---|---|",
        "| `first_name`, `last_name`, `name` | `first_name`, `last_name` | `name` split at its last space when alone |",
        "| `company`, `title` | same | copied |",
        "| `emails[]`, `email` | `email_addresses[{value, type}]` | type "
        + ", ".join(f"`{k}`→`{v}`" for k, v in HARVEST_EMAIL_TYPES.items())
        + ", else `other` |",
        "| `phone_numbers[]`, `phone` | `phone_numbers[{value, type}]` | type "
        + ", ".join(f"`{k}`→`{v}`" for k, v in HARVEST_PHONE_TYPES.items())
        + ", else `other` |",
        "| `social_links[]` (social networks) | `social_media_addresses[{value}]` | |",
        "| `social_links[]` (others) | `website_addresses[{value, type}]` | type "
        + ", ".join(f"`{k}`→`{v}`" for k, v in HARVEST_WEBSITE_TYPES.items())
        + ", else `other` |",
        *[f"| `{name}` | ✗ | {_cell(reason)} |" for name, reason in HARVEST_UNSUPPORTED.items()],
        "",
        "### Greenhouse application writes (Bindbee passthrough → Harvest)",
        "",
        "Each reads the application's, the stage's or reason's and the acting user's Greenhouse ids from Bindbee",
        "first; `On-Behalf-Of` is the acting user's (`acting_user_id`, required). `passthrough` keys go into Harvest's",
        "body; one that would overwrite a mapped field is refused.",
        "",
        "| unified | Harvest | transform |",
        "|---|---|---|",
        "| move `interview_stage_id` | `POST /v1/applications/{id}/move` `{from_stage_id, to_stage_id}` | the "
        "current stage Bindbee shows → `from_stage_id` |",
        "| reject `rejected_reason_id` | `POST /v1/applications/{id}/reject` `{rejection_reason_id}` | `notes`, "
        "`rejection_email` from `passthrough` |",
        "| update `source.id` | `PATCH /v1/applications/{id}` `{source_id}` | a numeric Greenhouse id |",
        "| update `custom_fields[].remote_id`, `.value` | `custom_fields[{id, value}]` | a numeric Greenhouse id |",
        *[f"| update `{name}` | ✗ | {_cell(reason)} |" for name, reason in HARVEST_APPLICATION_UNSUPPORTED.items()],
        "",
        "## Bindbee rules",
        "",
        *_rules("Note create (candidate and application)", NOTE_RULES),
        "## Greenhouse rules (accounts with `ats: greenhouse`)",
        "",
        *_rules("Job create", GREENHOUSE_JOB_RULES),
        *_rules("Candidate update", GREENHOUSE_CANDIDATE_UPDATE_RULES),
    ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
