"""Validation of vendor requests against the vendors' own OpenAPI documents in ../shared/vendor/.

Every request a connector builds in the test suite passes through `VendorContracts.check`, either directly (unit
tests) or through `RecordingTransport`, which sits in front of the sandboxes in end-to-end tests.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from jsonschema import Draft202012Validator

from connectors.base import ProviderRequest

SHARED = Path(os.environ.get("ATS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SPECS = {
    "stackone": SHARED / "vendor" / "stackone" / "ats.openapi.json",
    "bindbee": SHARED / "vendor" / "bindbee" / "ats.openapi.excerpt.json",
    "merge": SHARED / "vendor" / "merge" / "ats.openapi.json",
}
CLOSED_OBJECTS = frozenset({"merge"})
"""Vendors that keep a request's undeclared fields out of the write (Merge ignores them with a warning,
docs.merge.dev troubleshooting-writes): for them an object's declared properties are all it may carry."""


def require_shared() -> None:
    missing = [str(p) for p in SPECS.values() if not p.exists()]
    if missing:
        pytest.skip(f"vendor contracts not found ({', '.join(missing)}): run with ../shared beside the repo")


def _to_json_schema(node: Any, openapi_30: bool = False, closed: bool = False) -> Any:
    """Read the vendor documents as their authors meant them.

    StackOne's document is 3.1 in name but uses 3.0's `nullable`, and writes unions as `oneOf` with overlapping
    branches (`string` next to a `date-time` string), which strict JSON Schema would reject for every string.
    Merge's is 3.0.3, where `nullable` widens whatever it sits beside (an `allOf` around an enum's `$ref` included)
    and a `$ref`'s siblings are ignored (OpenAPI 3.0.3 §4.7.24); `closed` makes every object with declared
    properties refuse others.
    """
    if isinstance(node, list):
        return [_to_json_schema(n, openapi_30, closed) for n in node]
    if not isinstance(node, dict):
        return node
    if openapi_30 and "$ref" in node:
        return {"$ref": node["$ref"]}
    out = {k: _to_json_schema(v, openapi_30, closed) for k, v in node.items()}
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if closed and isinstance(out.get("properties"), dict) and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class _Operation:
    template: str
    pattern: re.Pattern[str]
    spec: Mapping[str, Any]


class VendorContract:
    def __init__(self, document: Mapping[str, Any], closed: bool = False) -> None:
        openapi_30 = str(document.get("openapi", "")).startswith("3.0")
        self.document = _to_json_schema(copy.deepcopy(dict(document)), openapi_30, closed)
        self.operations: dict[str, list[_Operation]] = {}
        # Paths are relative to the server URL, whose own path (Merge's `/api/ats/v1`) every request carries.
        base = urlsplit(self.document.get("servers", [{}])[0].get("url", "")).path.rstrip("/")
        for relative, item in self.document["paths"].items():
            template = base + relative
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
            for method, spec in item.items():
                self.operations.setdefault(method.upper(), []).append(_Operation(template, pattern, spec))

    def _schema(self, schema: Mapping[str, Any]) -> Draft202012Validator:
        root = {"components": self.document["components"], **schema}
        return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def component_errors(self, name: str, value: Any) -> list[str]:
        """Every way `value` breaks the document's schema `name` (answers are checked with this)."""
        validator = self._schema({"$ref": f"#/components/schemas/{name}"})
        return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(value)]

    def check(self, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: Any) -> str:
        """Raise AssertionError naming every violation; return the matched path template."""
        candidates = [op for op in self.operations.get(method.upper(), []) if op.pattern.match(path)]
        # A literal segment beats a parameter (…/candidates/create/meta over …/candidates/{id}).
        candidates.sort(key=lambda op: op.template.count("{"))
        assert candidates, f"{method} {path} is not an operation of the vendor document"
        op = candidates[0]
        problems: list[str] = []
        params = {(p["in"], p["name"].lower()): p for p in op.spec.get("parameters", [])}
        lowered = {k.lower(): v for k, v in headers.items()}
        for (where, name), param in params.items():
            if where == "header" and param.get("required") and name not in lowered:
                problems.append(f"required header {name} missing")
        for key, value in query.items():
            base = key.split("[", 1)[0]
            param = params.get(("query", base.lower()))
            if param is None:
                problems.append(f"query parameter {key} is not declared")
                continue
            if param.get("style") == "deepObject":
                inner = key[len(base) + 1 : -1]
                schema: dict[str, Any] = next(
                    (alt for alt in param["schema"].get("anyOf", [param["schema"]]) if alt.get("type") == "object"),
                    {},
                )
                props = schema.get("properties")
                if props is not None and inner not in props:
                    problems.append(f"{key}: {inner} is not a declared {base} key")
                elif props is not None:
                    for error in self._schema(props[inner]).iter_errors(value):
                        problems.append(f"query {key}={value!r}: {error.message}")
                continue
            for error in self._schema(param["schema"]).iter_errors(_coerce(value, param["schema"])):
                problems.append(f"query {key}={value!r}: {error.message}")
        content = op.spec.get("requestBody", {}).get("content", {}).get("application/json")
        if content is not None:
            if body is None and op.spec["requestBody"].get("required"):
                problems.append("request body is required")
            elif body is not None:
                for error in self._schema(content["schema"]).iter_errors(body):
                    location = "/".join(str(p) for p in error.absolute_path) or "(body)"
                    problems.append(f"body {location}: {error.message}")
        elif body is not None:
            problems.append("the operation takes no body")
        assert not problems, f"{method} {op.template}: " + "; ".join(problems)
        return op.template


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """Query values arrive as strings; read them as the type the schema declares."""
    types = {alt.get("type") for alt in schema.get("anyOf", [schema])}
    if "array" in types:
        return [value]  # a query array is the parameter repeated (form style); one occurrence is one item
    if "integer" in types and value.lstrip("-").isdigit():
        return int(value)
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value


_CONNECTOR_TOKEN = {"name": "x-connector-token", "in": "header", "required": True, "schema": {"type": "string"}}
BINDBEE_SUPPLEMENT: dict[str, Any] = {
    # The passthrough, which the excerpt in ../shared/vendor leaves out, as bindbee-merge-greenhouse.md §1.3
    # documents it. What it carries to Greenhouse is checked against the Harvest facts below.
    "/api/v1/passthrough": {
        "post": {
            "parameters": [_CONNECTOR_TOKEN],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["method", "path"],
                            "additionalProperties": False,
                            "properties": {
                                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                                "path": {"type": "string"},
                                "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                                "params": {"type": "object"},
                                "data": {},
                                "request_format": {"enum": ["JSON"]},
                                "response_format": {"enum": ["JSON"]},
                                "timeout": {"type": "integer"},
                            },
                        }
                    }
                },
            },
        }
    },
}


@dataclass(frozen=True)
class HarvestCall:
    """One Harvest endpoint as ../shared/reference documents it: the body fields it takes and needs."""

    method: str
    path: re.Pattern[str]
    fields: frozenset[str]
    required: frozenset[str] = frozenset()
    integers: frozenset[str] = frozenset()
    source: str = ""


HARVEST_CALLS = (
    HarvestCall(
        "PATCH",
        re.compile(r"/v1/candidates/\d+"),
        frozenset(
            {
                "first_name",
                "last_name",
                "company",
                "title",
                "is_private",
                "phone_numbers",
                "addresses",
                "email_addresses",
                "website_addresses",
                "social_media_addresses",
                "tags",
                "custom_fields",
                "recruiter",
                "coordinator",
            }
        ),
        source="bindbee-merge-greenhouse.md §3.4",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/candidates/\d+/applications"),
        frozenset(
            {"job_id", "source_id", "initial_stage_id", "referrer", "recruiter_id", "coordinator_id", "attachments"}
        ),
        required=frozenset({"job_id"}),
        integers=frozenset({"job_id", "source_id", "initial_stage_id", "recruiter_id", "coordinator_id"}),
        source="greenhouse-harvest-applications.md §1.11",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/applications/\d+/move"),
        frozenset({"from_stage_id", "to_stage_id"}),
        required=frozenset({"from_stage_id", "to_stage_id"}),
        integers=frozenset({"from_stage_id", "to_stage_id"}),
        source="greenhouse-harvest-applications.md §1.4",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/applications/\d+/advance"),
        frozenset({"from_stage_id"}),
        required=frozenset({"from_stage_id"}),
        integers=frozenset({"from_stage_id"}),
        source="greenhouse-harvest-applications.md §1.5",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/applications/\d+/reject"),
        frozenset({"rejection_reason_id", "notes", "rejection_email"}),
        integers=frozenset({"rejection_reason_id"}),
        source="greenhouse-harvest-applications.md §1.7",
    ),
    HarvestCall(
        "PATCH",
        re.compile(r"/v1/applications/\d+/reject"),
        frozenset({"rejection_reason_id"}),
        required=frozenset({"rejection_reason_id"}),
        integers=frozenset({"rejection_reason_id"}),
        source="greenhouse-harvest-applications.md §1.8",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/applications/\d+/unreject"),
        frozenset(),
        source="greenhouse-harvest-applications.md §1.9",
    ),
    HarvestCall(
        "PATCH",
        re.compile(r"/v1/applications/\d+"),
        frozenset(
            {
                "source_id",
                "referrer",
                "recruiter_id",
                "coordinator_id",
                "custom_fields",
                "prospect_pool_id",
                "prospect_stage_id",
                "rejection_details",
            }
        ),
        integers=frozenset({"source_id", "recruiter_id", "coordinator_id", "prospect_pool_id", "prospect_stage_id"}),
        source="greenhouse-harvest-applications.md §1.10",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/candidates/\d+/activity_feed/notes"),
        frozenset({"user_id", "body", "visibility"}),
        required=frozenset({"user_id", "body", "visibility"}),
        integers=frozenset({"user_id"}),
        source="greenhouse-harvest-applications.md §2.1",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/candidates/\d+/attachments"),
        frozenset({"filename", "type", "content", "url", "content_type"}),
        required=frozenset({"filename", "type"}),
        source="greenhouse-harvest-applications.md §2.4",
    ),
    HarvestCall(
        "POST",
        re.compile(r"/v1/applications/\d+/attachments"),
        frozenset({"filename", "type", "content", "url", "content_type", "visibility"}),
        required=frozenset({"filename", "type"}),
        source="greenhouse-harvest-applications.md §2.4",
    ),
    # Reads: no body, no On-Behalf-Of.
    HarvestCall(
        "GET", re.compile(r"/v1/applications/\d+"), frozenset(), source="greenhouse-harvest-applications.md §1.3"
    ),
    HarvestCall(
        "GET", re.compile(r"/v1/jobs/\d+/stages"), frozenset(), source="greenhouse-harvest-applications.md §3.1"
    ),
    HarvestCall(
        "GET", re.compile(r"/v1/job_stages/\d+"), frozenset(), source="greenhouse-harvest-applications.md §3.1"
    ),
    HarvestCall(
        "GET", re.compile(r"/v1/rejection_reasons"), frozenset(), source="greenhouse-harvest-applications.md §3.2"
    ),
    HarvestCall(
        "GET",
        re.compile(r"/v1/candidates/\d+/activity_feed"),
        frozenset(),
        source="greenhouse-harvest-applications.md §2.3",
    ),
    HarvestCall(
        "GET", re.compile(r"/v1/applications/\d+/offers"), frozenset(), source="greenhouse-harvest-applications.md §3.3"
    ),
    HarvestCall(
        "GET",
        re.compile(r"/v1/applications/\d+/offers/current_offer"),
        frozenset(),
        source="greenhouse-harvest-applications.md §3.3",
    ),
    HarvestCall("GET", re.compile(r"/v1/offers/\d+"), frozenset(), source="greenhouse-harvest-applications.md §3.3"),
    HarvestCall(
        "GET",
        re.compile(r"/v1/applications/\d+/scheduled_interviews"),
        frozenset(),
        source="greenhouse-harvest-applications.md §3.4",
    ),
    HarvestCall(
        "GET",
        re.compile(r"/v1/scheduled_interviews/\d+"),
        frozenset(),
        source="greenhouse-harvest-applications.md §3.4",
    ),
    HarvestCall(
        "GET",
        re.compile(r"/v1/applications/\d+/scorecards"),
        frozenset(),
        source="greenhouse-harvest-applications.md §3.5",
    ),
    HarvestCall(
        "GET", re.compile(r"/v1/scorecards/\d+"), frozenset(), source="greenhouse-harvest-applications.md §3.5"
    ),
)


def check_harvest(passthrough: Mapping[str, Any]) -> None:
    """A Harvest call inside Bindbee's passthrough: a documented path and method, `On-Behalf-Of` (a Greenhouse user
    id) on every write, only documented body fields, the required ones present, integers where Harvest wants them."""
    method, path = passthrough["method"], passthrough["path"]
    call = next((c for c in HARVEST_CALLS if c.method == method and c.path.fullmatch(path)), None)
    assert call is not None, f"Harvest {method} {path} is not among the documented calls the gateway may make"
    problems = []
    on_behalf = (passthrough.get("headers") or {}).get("On-Behalf-Of", "")
    if method != "GET" and not on_behalf.isdigit():
        problems.append("On-Behalf-Of (a numeric Greenhouse user id) is required on Harvest writes")
    data = passthrough.get("data")
    if method == "GET":
        if data is not None:
            problems.append("Harvest refuses a body on a GET (403)")
    else:
        body = data if isinstance(data, dict) else {}
        problems += [f"body field {k} is not documented ({call.source})" for k in sorted(set(body) - call.fields)]
        problems += [f"body field {k} is required ({call.source})" for k in sorted(call.required - set(body))]
        problems += [
            f"body field {k} must be an integer"
            for k in sorted(call.integers & set(body))
            if not isinstance(body[k], int) or isinstance(body[k], bool)
        ]
    assert not problems, f"Harvest {method} {path}: " + "; ".join(problems)


@cache
def contract(vendor: str) -> VendorContract:
    require_shared()
    document = json.loads(SPECS[vendor].read_text())
    if vendor == "bindbee":
        for path, operations in BINDBEE_SUPPLEMENT.items():
            for method, spec in operations.items():
                document["paths"].setdefault(path, {}).setdefault(method, spec)
    return VendorContract(document, closed=vendor in CLOSED_OBJECTS)


def check(vendor: str, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: Any) -> str:
    template = contract(vendor).check(method, path, query, headers, body)
    if vendor == "bindbee" and template == "/api/v1/passthrough":
        check_harvest(body)
    return template


def check_request(vendor: str, request: ProviderRequest) -> str:
    return check(vendor, request.method, request.path, request.query, request.headers, request.json)


def check_httpx_request(vendor: str, request: httpx.Request) -> None:
    url = urlsplit(str(request.url))
    body = json.loads(request.content) if request.content else None
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    check(vendor, request.method, url.path, query, dict(request.headers), body)


_CREDENTIAL_HEADERS = ("authorization", "x-connector-token", "x-account-token", "x-account-id")


def is_file_fetch(vendor: str, request: httpx.Request) -> bool:
    """A file URL a vendor's answer gave (an attachment's signed storage URL), which no vendor document describes:
    a GET of a path no operation has, carrying none of the vendor's credentials (they must never reach the file
    host; a call to the API itself without them is refused by the sandbox, and its test fails)."""
    documented = any(op.pattern.match(request.url.path) for op in contract(vendor).operations.get("GET", []))
    bare = not any(name in request.headers for name in _CREDENTIAL_HEADERS)
    return request.method == "GET" and not documented and bare


@dataclass
class RecordingTransport(httpx.AsyncBaseTransport):
    """Validates every request against the vendor document, then forwards it; keeps what it saw."""

    vendor: str
    inner: httpx.AsyncBaseTransport
    seen: list[tuple[str, str, Any]] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not is_file_fetch(self.vendor, request):
            check_httpx_request(self.vendor, request)
        body = json.loads(request.content) if request.content else None
        self.seen.append((request.method, urlsplit(str(request.url)).path, body))
        return await self.inner.handle_async_request(request)
