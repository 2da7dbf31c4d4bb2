"""Renders docs/mappings.md from the connectors' own mapping declarations (`python -m connectors.docs`).

A test regenerates it and fails when the committed file differs, so the documentation cannot go stale.
"""

from __future__ import annotations

from connectors.base import AccountContext
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
from connectors.catalogue import CATALOGUE, Operation
from connectors.extensions import EXTENSION_FIELDS
from connectors.mapping import Table
from connectors.merge import applications as merge_applications
from connectors.merge import candidates as merge_candidates
from connectors.merge import records as merge_records
from connectors.merge.connector import ACTING_USER, MOVE_STAGE, MergeConnector
from connectors.merge.reads import READS as MERGE_READS
from connectors.merge.writes import META_TTL_SECONDS
from connectors.registry import Registry
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
        *_merge(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _merge() -> list[str]:
    support = MergeConnector().support(_ACCOUNTS[0])
    reads = [
        f"| `{op_id}` | `GET /api/ats/v1/{spec.collection}` | "
        + (", ".join(f"`{u}`→`{v}`" for u, v in spec.filters.items() if u in support[op_id].filters) or " ")
        + f" | {_cell(spec.note or '')} |"
        for op_id, spec in MERGE_READS.items()
    ]
    served_notes = [
        f"| `{op_id}` | {_cell(entry.note)} |"
        for op_id, entry in support.items()
        if entry.supported and entry.note and op_id not in MERGE_READS
    ]
    lines = [
        "## Merge",
        "",
        "Writes are `{model, remote_user_id}`: `acting_user_id` becomes `remote_user_id`, which Merge requires,",
        "so a write without it (and without an account default) is a 422 before any call. Before each create the",
        "connector reads Merge's `/meta/post` for the linked account (kept "
        f"{META_TTL_SECONDS:.0f} s in the state store for",
        "every replica): a field it requires that the body leaves empty is a 422 naming the unified field, and",
        "`/unified/ats/meta` shows the same requirements in each write's schema. Merge's answers",
        "`{model, warnings, errors}` come back as the record's ids with `unified_warnings`; Merge's `errors[]` as",
        "the envelope's `errors`, each named by the unified field its `source.pointer` maps back to",
        "(`passthrough.<name>` when no row carries it). The caller's `Idempotency-Key` is forwarded on POSTs.",
        "`raw=true` asks Merge for `include_remote_data`.",
        "",
        *_table("Candidates (`POST/PATCH/GET /api/ats/v1/candidates`)", merge_candidates.CANDIDATE_TABLE),
        *_table("Applications (`POST/GET /api/ats/v1/applications`)", merge_applications.APPLICATION_TABLE),
        *_table("Move (`POST /api/ats/v1/applications/{id}/change-stage`)", merge_applications.MOVE_TABLE),
        *_rules("Rules on every write (move: both)", (ACTING_USER, MOVE_STAGE)),
        *_table(
            "Documents (`POST/GET /api/ats/v1/attachments`, the application's candidate's)",
            merge_records.DOCUMENT_TABLE,
        ),
        *_table("Notes (`POST/GET /api/ats/v1/activities`, written as `NOTE` activities)", merge_records.NOTE_TABLE),
        *_table("Interviews (`GET /api/ats/v1/interviews`)", merge_records.INTERVIEW_TABLE),
        *_table("Stages (`GET /api/ats/v1/job-interview-stages`)", merge_records.STAGE_TABLE),
        *_table("Offers (`GET /api/ats/v1/offers`)", merge_records.OFFER_TABLE),
        *_table("Scorecards (`GET /api/ats/v1/scorecards`)", merge_records.SCORECARD_TABLE),
        *_table("Job postings (`GET /api/ats/v1/job-postings`)", merge_records.JOB_POSTING_TABLE),
        *_table("Jobs (`GET /api/ats/v1/jobs`, read only)", merge_records.JOB_TABLE),
        *_table("Users (`GET /api/ats/v1/users`)", merge_records.USER_TABLE),
        *_table("Departments (`GET /api/ats/v1/departments`)", merge_records.DEPARTMENT_TABLE),
        *_table("Locations (`GET /api/ats/v1/offices`)", merge_records.LOCATION_TABLE),
        *_table("Rejected reasons (`GET /api/ats/v1/reject-reasons`)", merge_records.REJECTED_REASON_TABLE),
        "### Reads",
        "",
        "Merge filters by its own `created_at`/`modified_at` (when its copy was stored or changed), which can be later",
        "than the ATS's: a filtered list has everything changed after the date, and possibly more.",
        "",
        "| operation | Merge | filters | notes |",
        "|---|---|---|---|",
        *reads,
        "",
        "### Writes that differ from their unified meaning",
        "",
        "| operation | how |",
        "|---|---|",
        *served_notes,
        "",
        "### Not served (501)",
        "",
        "| operation | reason |",
        "|---|---|",
        *[f"| `{op_id}` | {_cell(entry.reason or '')} |" for op_id, entry in support.items() if not entry.supported],
    ]
    return [*lines, ""]


_ACCOUNTS = (
    AccountContext("generic", None, "linked", {}),
    AccountContext("greenhouse", "greenhouse", "linked", {}),
)
_ACTIONS = {"move", "reject", "upload", "download", "result"}
_CONNECTORS = (("StackOne", "stackone"), ("Bindbee", "bindbee"), ("Merge", "merge"))


def _group(op: Operation) -> str:
    """An operation's resource, as its shortest route names it: `applications/{id}/notes`."""
    parts = op.path.removeprefix("/unified/ats/").split("/")
    while parts[-1] in _ACTIONS or parts[-1] == "{subResourceId}" or (len(parts) > 1 and parts[-1] == "{id}"):
        parts.pop()
    return "/".join(parts)


def _served(registry: Registry, name: str, ops: list[Operation]) -> str:
    generic, greenhouse = (registry[name].support(account) for account in _ACCOUNTS)
    verbs = [op.id.split("_")[1] for op in ops]
    everywhere = [verb for op, verb in zip(ops, verbs, strict=True) if generic[op.id].supported]
    only_greenhouse = [
        verb
        for op, verb in zip(ops, verbs, strict=True)
        if greenhouse[op.id].supported and not generic[op.id].supported
    ]
    if len(everywhere) == len(ops):
        return "✓"
    cell = ", ".join([*dict.fromkeys(everywhere), *(f"{v} (Greenhouse)" for v in dict.fromkeys(only_greenhouse))])
    return cell or "—"


def operations_table(registry: Registry | None = None) -> str:
    """README's "Operations by connector": each resource's operations a connector serves (`✓`: all of them),
    from the support tables the gateway routes by; `/unified/ats/meta` says why the others are 501."""
    registry = registry or Registry.discover()
    groups: dict[str, list[Operation]] = {}
    for op in CATALOGUE.values():
        groups.setdefault(_group(op), []).append(op)
    lines = [
        "| resource | operations | " + " | ".join(title for title, _ in _CONNECTORS) + " |",
        "|---|---|" + "---|" * len(_CONNECTORS),
    ]
    for group, ops in groups.items():
        verbs = ", ".join(dict.fromkeys(op.id.split("_")[1] for op in ops))
        cells = " | ".join(_served(registry, name, ops) for _, name in _CONNECTORS)
        lines.append(f"| `{group}` | {verbs} | {cells} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    print(operations_table() if sys.argv[1:] == ["operations"] else render(), end="")
