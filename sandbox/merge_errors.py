"""Merge's error answers.

Write problems are Merge's own (`{problem_type, title, detail, source: {pointer}}`, docs.merge.dev
troubleshooting-writes and its warnings-and-errors reference): a failed write is 400 (help.merge.dev 9660257: "400
Bad Request: malformed request … or the third party system does not support the request") carrying `warnings` and
`errors`; nothing was created, so there is no `model`. Pointers are JSON pointers into the body (`/model/first_name`),
as the document's example `/model/custom_fields` writes them.

Everything else Merge leaves undocumented is Django REST Framework's (see merge_paging): `{"detail": "…"}` for
401/404/405/415/429, `{"<parameter>": ["…"]}` for a filter value that cannot be read.
"""

from __future__ import annotations

from typing import Any, Literal

ProblemType = Literal[
    "MISSING_REQUIRED_FIELD", "UNSUPPORTED_FIELD", "INCORRECT_FIELD_TYPE", "INVALID_FIELD_CHOICE", "ERROR"
]
TITLES: dict[ProblemType, str] = {
    "MISSING_REQUIRED_FIELD": "Missing Required Field",
    "UNSUPPORTED_FIELD": "Unsupported Field",
    "INCORRECT_FIELD_TYPE": "Incorrect Field Type",
    "INVALID_FIELD_CHOICE": "Invalid Field Choice",
    "ERROR": "Error",
}


class MergeError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> MergeError:
    return MergeError(status, {"detail": message}, headers)


def not_found() -> MergeError:
    return detail(404, "Not found.")


def invalid_parameter(name: str, message: str) -> MergeError:
    return MergeError(400, {name: [message]})


def pointer(*path: str | int) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def problem(kind: ProblemType, where: str | None, text: str) -> dict[str, Any]:
    found: dict[str, Any] = {"title": TITLES[kind], "detail": text, "problem_type": kind}
    if where is not None:
        found["source"] = {"pointer": where}
    return found


def write_failed(warnings: list[dict[str, Any]], errors: list[dict[str, Any]]) -> MergeError:
    return MergeError(400, {"warnings": warnings, "errors": errors})
