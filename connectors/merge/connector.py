"""Merge: a unified API whose model Bindbee copied, with shapes of its own on both sides of StackOne's.

Auth is a Bearer API key plus the linked account's `X-Account-Token`, which is also what Merge rate-limits
(100, 400 or 600 requests a minute by plan). Writes are `{model, remote_user_id}` with `remote_user_id` required,
answered `{model, warnings, errors}`; `/meta/post` says what each linked account requires. Merge ATS has no job
writes, no application update or rejection, and keeps attachments and notes on candidates. Facts:
../shared/reference/bindbee-merge-greenhouse.md §2 and Merge's OpenAPI (../shared/vendor/merge/ats.openapi.json).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from connectors.base import (
    AccountContext,
    Call,
    Connector,
    Handler,
    LookupResult,
    Plan,
    ProviderRequest,
    ProviderResponse,
    Support,
    WriteResult,
    json_list,
    one_request,
    unsupported,
)
from connectors.catalogue import CATALOGUE, Answer, Operation
from connectors.errors import FieldError
from connectors.merge import writes
from connectors.merge.api import (
    WriteSpec,
    collection_path,
    field_error,
    headers_of,
    merge_id,
    problems,
    spec_of,
    text,
)
from connectors.merge.reads import READS, download, read_list, read_one
from connectors.rules import Required, Rule

ACTING_USER = Required(
    "acting_user_id",
    "merge.requires_remote_user",
    "Merge records who makes every write (remote_user_id): give acting_user_id, a user id from /unified/ats/users, "
    "or set it in the account's defaults",
)
MOVE_STAGE = Required(
    "interview_stage_id",
    "merge.requires_stage",
    "Merge moves an application to one of its job's stages: give interview_stage_id "
    "(from /unified/ats/jobs/{id}/application_stages)",
)
_APPLICANT_WRITE = (
    "Merge keeps {what} on the candidate: this one is filed on the application's candidate, where every application "
    "of that candidate shows it."
)


def _create_candidate(call: Call, account: AccountContext) -> Plan:
    return writes.create(writes.CANDIDATES, call, account)


def _create_application(call: Call, account: AccountContext) -> Plan:
    return writes.create(writes.APPLICATIONS, call, account)


def _upload_document(call: Call, account: AccountContext) -> Plan:
    return writes.create_for_applicant(writes.ATTACHMENTS, call, account)


def _create_candidate_note(call: Call, account: AccountContext) -> Plan:
    return writes.create(writes.ACTIVITIES, call, account, owner=merge_id(call.record_id))


def _create_application_note(call: Call, account: AccountContext) -> Plan:
    return writes.create_for_applicant(writes.ACTIVITIES, call, account)


_WRITES: Mapping[str, tuple[Handler, str | None]] = {
    "ats_create_candidate": (_create_candidate, None),
    "ats_update_candidate": (writes.update_candidate, None),
    "ats_create_application": (_create_application, None),
    "ats_move_application": (writes.move_application, None),
    "ats_upload_application_document": (_upload_document, _APPLICANT_WRITE.format(what="attachments")),
    "ats_create_candidate_note": (_create_candidate_note, None),
    "ats_create_application_note": (_create_application_note, _APPLICANT_WRITE.format(what="notes (activities)")),
}
_META: Mapping[str, WriteSpec] = {
    "ats_create_candidate": writes.CANDIDATES,
    "ats_create_application": writes.APPLICATIONS,
    "ats_upload_application_document": writes.ATTACHMENTS,
    "ats_create_candidate_note": writes.ACTIVITIES,
    "ats_create_application_note": writes.ACTIVITIES,
}
"""The writes Merge publishes `/meta/post` for."""

_HANDLERS: Mapping[str, Handler] = {
    **{op_id: read_list if CATALOGUE[op_id].answer == Answer.PAGE else read_one for op_id in READS},
    "ats_download_application_document": download,
    **{op_id: handler for op_id, (handler, _) in _WRITES.items()},
}


def _read_support(op: Operation) -> Support:
    spec = READS[op.id]
    documented = {f.alias_of or f.name for f in op.filters}
    return Support(
        None, frozenset(set(spec.filters) & documented) if op.answer == Answer.PAGE else frozenset(), note=spec.note
    )


_SUPPORT: Mapping[str, Support] = {
    **{op_id: _read_support(CATALOGUE[op_id]) for op_id in READS},
    "ats_download_application_document": Support(
        note="Merge keeps attachments on the candidate: this is the application's candidate's file, fetched from the "
        "URL Merge gives (only from the provider's download_hosts)."
    ),
    **{op_id: Support(note=note) for op_id, (_, note) in _WRITES.items()},
    **unsupported("Merge ATS cannot create or update jobs", "ats_create_job", "ats_update_job"),
    **unsupported(
        "Merge has no application update: it moves an application (change-stage) and nothing else",
        "ats_update_application",
    ),
    **unsupported("Merge has no endpoint to reject an application", "ats_reject_application"),
    **unsupported("Merge keeps no history of an application's changes", "ats_list_application_changes"),
    **unsupported("Merge's activities (notes) cannot be edited", "ats_update_application_note"),
    **unsupported("Merge has no notes on interviews", "ats_create_interview_note", "ats_update_interview_note"),
    **unsupported(
        "Merge's ATS API has no custom field definitions",
        *(
            f"ats_{verb}_{kind}_custom_field_definition{plural}"
            for kind in ("application", "candidate", "job")
            for verb, plural in (("list", "s"), ("get", ""))
        ),
    ),
    **unsupported("Merge has no lists of candidates", "ats_list_lists", "ats_get_list"),
    **unsupported("Merge's offers are read only", "ats_create_offer"),
    **unsupported(
        "Merge's ATS API has no assessments",
        "ats_list_assessments_packages",
        "ats_get_assessments_package",
        "ats_order_assessments_request",
        "ats_update_assessments_result",
    ),
    **unsupported(
        "Merge's ATS API has no background checks",
        "ats_list_background_check_packages",
        "ats_create_background_check_package",
        "ats_get_background_check_package",
        "ats_update_background_check_package",
        "ats_delete_background_check_package",
        "ats_order_background_check_request",
        "ats_update_background_check_result",
    ),
    **unsupported(
        "Merge's attachments have a type, not categories it lists",
        "ats_list_application_document_categories",
        "ats_get_application_document_category",
    ),
}


class MergeConnector(Connector):
    name: ClassVar[str] = "merge"
    secret_headers: ClassVar[frozenset[str]] = frozenset({"authorization", "x-account-token"})
    credentials: ClassVar[tuple[str, ...]] = ("api_key", "account_token")
    quota_credential: ClassVar[str] = "account_token"
    default_requests_per_minute: ClassVar[int | None] = 100
    """Merge's Launch plan, per linked account (docs.merge.dev basics/rate-limits); Professional is 400 and
    Enterprise 600: a provider's `quota` says which."""

    def support(self, account: AccountContext) -> Mapping[str, Support]:
        return _SUPPORT

    def handler(self, operation: Operation) -> Handler:
        return _HANDLERS[operation.id]

    def rules(self, operation: Operation, account: AccountContext) -> Sequence[Rule]:
        if operation.id == "ats_move_application":
            return (ACTING_USER, MOVE_STAGE)
        return (ACTING_USER,) if operation.id in _WRITES else ()

    def requirements(self, operation: Operation, account: AccountContext) -> Plan | None:
        spec = _META.get(operation.id)
        return None if spec is None else writes.requirements(spec, operation, account)

    def lookup(self, call: Call, account: AccountContext, since: str, settled: bool) -> Plan | None:
        """Merge's reads come from its synced copy of the ATS: a record found settles the question, not finding
        it never does (`settled` changes nothing). The e-mail is a Merge filter, bounded by when Merge stored the
        record, so the search is exact whatever the account's size."""
        email = getattr(call.body, "email", None)
        if call.operation.id != "ats_create_candidate" or not email:
            return None
        query = {"email_addresses": str(email), "created_after": since, "page_size": "1"}
        request = ProviderRequest("GET", collection_path("candidates"), headers_of(account), query)

        def read(response: ProviderResponse) -> LookupResult:
            found = json_list(response, "results")
            if not found:
                return LookupResult(None, conclusive=False)
            return LookupResult(WriteResult(str(found[0]["id"]), text(found[0].get("remote_id"))), conclusive=True)

        return one_request(request, read)

    def error_message(self, response: ProviderResponse) -> str | None:
        body = response.body
        if not isinstance(body, dict):
            return None
        if isinstance(body.get("detail"), str):
            return str(body["detail"])
        said = [*problems(body, "errors"), *problems(body, "warnings")]
        if said:
            return "; ".join(str(p.get("detail") or p.get("title") or p.get("problem_type")) for p in said)
        parts = [f"{key}: {' '.join(map(str, value))}" for key, value in body.items() if isinstance(value, list)]
        return "; ".join(parts) or None

    def field_errors(self, response: ProviderResponse) -> list[FieldError]:
        """Merge's `errors[]`, each named by the unified field its `source.pointer` maps back to."""
        spec = spec_of(response.url, writes.SPECS)
        if spec is None:
            return []
        found = (field_error(p, spec) for p in problems(response.body, "errors"))
        return [error for error in found if error is not None]
