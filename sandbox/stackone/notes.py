"""Notes on applications, candidates and interviews, kept under their record (`applications/{id}/notes`, …).

StackOne documents no read of an interview's notes (only create and update): they are kept like the others, so an
update of one that was never created is a 404, and the sandbox's state (`app.state.sandbox.tenants`) shows them.
"""

from __future__ import annotations

import uuid

from fastapi.responses import Response

from connectors.unified import schema as s
from sandbox.common import Collection, now_iso
from sandbox.stackone.errors import not_found
from sandbox.stackone.operation import Call, Handler, Operation, created, listing, reading, updated, writing
from sandbox.stackone.records import Record, build, written


def _notes(call: Call, parent: str) -> Collection:
    owner = call.require(parent, call.path["id"])
    return call.tenant[f"{parent}/{owner['id']}/notes"]


def _note(call: Call, parent: str) -> Record:
    found = _notes(call, parent).get(call.path["subResourceId"])
    if found is None:
        raise not_found()
    return found


def _author(call: Call, body: s.AtsCreateNotesRequestDto | s.AtsUpdateNotesRequestDto) -> dict[str, str | None]:
    call.check_references([("author_id", "users", body.author_id)])
    if body.author_id is None:
        return {}
    return {"remote_author_id": call.tenant["users"].records[body.author_id]["remote_id"]}


def _create(parent: str) -> Handler:
    def create_note(call: Call) -> Response:
        notes = _notes(call, parent)
        body = call.dto(s.AtsCreateNotesRequestDto)
        stamp = now_iso()
        record = build(
            s.Note,
            **written(body),
            **_author(call, body),
            id=str(uuid.uuid4()),
            remote_id=call.tenant.remote_id(),
            created_at=stamp,
            updated_at=stamp,
        )
        return created(call, notes.add(record), "notes")

    return create_note


def _update(parent: str) -> Handler:
    def update_note(call: Call) -> Response:
        stored = _note(call, parent)
        body = call.dto(s.AtsUpdateNotesRequestDto)
        changes = {**written(body), **_author(call, body), "updated_at": now_iso()}
        _notes(call, parent).add(build(s.Note, **{**stored, **changes}))
        return updated()

    return update_note


def _list_and_get(parent: str, name: str) -> tuple[Operation, Operation]:
    path = f"/unified/ats/{parent}/{{id}}/notes"
    return (
        listing(f"ats_list_{name}_notes", path, s.Note, lambda call: _notes(call, parent).all()),
        reading(f"ats_get_{name}_note", f"{path}/{{subResourceId}}", s.Note, lambda call: _note(call, parent)),
    )


def _create_and_update(parent: str, name: str) -> tuple[Operation, Operation]:
    path = f"/unified/ats/{parent}/{{id}}/notes"
    return (
        writing(f"ats_create_{name}_note", "POST", path, s.AtsCreateNotesRequestDto, _create(parent)),
        writing(
            f"ats_update_{name}_note", "PATCH", f"{path}/{{subResourceId}}", s.AtsUpdateNotesRequestDto, _update(parent)
        ),
    )


OPERATIONS = (
    *_list_and_get("applications", "application"),
    *_create_and_update("applications", "application"),
    *_list_and_get("candidates", "candidate"),
    _create_and_update("candidates", "candidate")[0],
    *_create_and_update("interviews", "interview"),
)
"""Notes: applications (list, create, get, update), candidates (list, create, get), interviews (create, update)."""
