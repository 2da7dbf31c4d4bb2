"""The account's reference data, read only: departments, locations, users, rejected reasons, custom field
definitions (of applications, candidates and jobs) and lists.

StackOne documents the list parameters (`filter`, `page`, `page_size`, `next`, `updated_after`) on the get of a
custom field definition too, without saying what they select there; the sandbox reads and checks them, and they
change nothing in the one record answered.
"""

from __future__ import annotations

from connectors.unified import schema as s
from connectors.unified.base import Dto
from sandbox.stackone.operation import LIST, Operation, listing, reading


def _list_and_get(collection: str, record: type[Dto], one: str, sync: bool = True) -> tuple[Operation, ...]:
    path = f"/unified/ats/{collection}"
    return (
        listing(
            f"ats_list_{collection}",
            path,
            record,
            lambda call: call.tenant[collection].all(),
            params=("sync_token",) if sync else (),
        ),
        reading(f"ats_get_{one}", f"{path}/{{id}}", record, lambda call: call.require(collection, call.path["id"])),
    )


def _custom_field_definitions(kind: str, one: str) -> tuple[Operation, ...]:
    collection = f"custom_field_definitions/{kind}"
    path = f"/unified/ats/{collection}"
    return (
        listing(
            f"ats_list_{one}_custom_field_definitions",
            path,
            s.CustomFieldDefinition,
            lambda call: call.tenant[collection].all(),
            params=(),
        ),
        reading(
            f"ats_get_{one}_custom_field_definition",
            f"{path}/{{id}}",
            s.CustomFieldDefinition,
            lambda call: call.require(collection, call.path["id"]),
            params=LIST,
            filters=("updated_after",),
        ),
    )


OPERATIONS = (
    *_list_and_get("departments", s.Department, "department"),
    *_list_and_get("locations", s.ATSLocation, "location"),
    *_list_and_get("users", s.User, "user"),
    *_list_and_get("rejected_reasons", s.RejectedReason, "rejected_reason"),
    *_list_and_get("lists", s.List, "list", sync=False),
    *_custom_field_definitions("applications", "application"),
    *_custom_field_definitions("candidates", "candidate"),
    *_custom_field_definitions("jobs", "job"),
)
"""Reference data: departments, locations, users, rejected reasons, lists, custom field definitions."""
