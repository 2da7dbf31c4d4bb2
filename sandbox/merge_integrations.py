"""What the ATS behind a Merge linked account demands of a write: its required fields, and the fields it cannot
take (Merge drops those with an UNSUPPORTED_FIELD warning). `/meta/post` and `/meta/patch` answer from the same
rules the writes enforce.

Every linked account starts from the base rules (what no ATS can do without: an application needs its candidate
and job, an attachment its candidate and file). Greenhouse adds Harvest's own, from the Harvest reference
(../shared/reference/bindbee-merge-greenhouse.md §3.3-3.4, greenhouse-harvest-applications.md §1.11, §2.1, §2.4,
§3.4); another ATS name gets the base rules only.
"""

from __future__ import annotations

from dataclasses import dataclass

Operation = tuple[str, str]
"""(Merge model name, method): ("Candidate", "POST")."""


@dataclass(frozen=True)
class Rules:
    required: frozenset[str] = frozenset()
    unsupported: frozenset[str] = frozenset()

    def __or__(self, other: Rules) -> Rules:
        return Rules(self.required | other.required, self.unsupported | other.unsupported)


@dataclass(frozen=True)
class Integration:
    name: str
    """As Merge's messages name it ("…not supported in Candidate POST Requests to Greenhouse")."""
    api: str
    """Where its API lives: the URL in debug-mode logs and the path in `remote_data`."""
    rules: dict[Operation, Rules]
    moves_rejected: bool = True
    """Whether `change-stage` may move an application that was rejected."""


BASE: dict[Operation, Rules] = {
    ("Application", "change-stage"): Rules(required=frozenset({"job_interview_stage"})),
    ("Application", "POST"): Rules(required=frozenset({"candidate", "job"})),
    ("Attachment", "POST"): Rules(required=frozenset({"candidate", "file_name", "file_url"})),
    ("Activity", "POST"): Rules(required=frozenset({"candidate"})),
    ("ScheduledInterview", "POST"): Rules(required=frozenset({"application"})),
}

GREENHOUSE = Integration(
    name="Greenhouse",
    api="https://harvest.greenhouse.io/v1",
    rules={
        # Add Candidate: first and last name required; no privacy, e-mail consent, interaction date or files.
        ("Candidate", "POST"): Rules(
            required=frozenset({"first_name", "last_name"}),
            unsupported=frozenset({"is_private", "can_email", "last_interaction_at", "attachments"}),
        ),
        # Edit Candidate: every field optional; applications and files have endpoints of their own.
        ("Candidate", "PATCH"): Rules(
            unsupported=frozenset({"can_email", "last_interaction_at", "applications", "attachments"})
        ),
        # Add Application: the job is required; dates, offers, answers and rejection are not inputs.
        ("Application", "POST"): Rules(
            unsupported=frozenset(
                {"applied_at", "rejected_at", "offers", "screening_question_answers", "reject_reason"}
            )
        ),
        # Add Attachment: `filename` and `type` required.
        ("Attachment", "POST"): Rules(required=frozenset({"attachment_type"})),
        # Add Note: the writing user, the body and the visibility required.
        ("Activity", "POST"): Rules(required=frozenset({"user", "body", "visibility"})),
        # Create Scheduled Interview (v2): interviewers, start and end required; the status is Greenhouse's own.
        ("ScheduledInterview", "POST"): Rules(
            required=frozenset({"interviewers", "start_at", "end_at"}), unsupported=frozenset({"status"})
        ),
        # Move Application (active applications only, see `moves_rejected`) is audited under its On-Behalf-Of
        # user like every write: `remote_user_id`, optional in Merge's schema for this one, is required here.
        ("Application", "change-stage"): Rules(required=frozenset({"remote_user_id"})),
    },
    moves_rejected=False,
)
INTEGRATIONS = {"greenhouse": GREENHOUSE}


def integration(ats: str) -> Integration:
    return INTEGRATIONS.get(ats) or Integration(name=ats.title(), api=f"https://{ats}.ats.invalid/api", rules={})


def rules(ats: str, operation: Operation) -> Rules:
    return BASE.get(operation, Rules()) | integration(ats).rules.get(operation, Rules())
