"""The sandboxes' models of the vendor schemas are held to the vendor documents in ../shared/vendor/, and the
sandboxes answer in the vendors' documented shapes (auth, errors, paging, rate limits).

Bindbee's sandbox keeps models of its own (compared field by field with Bindbee's excerpt). StackOne's sandbox
validates with the models generated from StackOne's document: what is checked here is that each of its operations
is one of the document's, with the parameters the document lists, and validates and answers with the generated
model of the schema the document names for it."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from connectors.unified import schema
from sandbox import bindbee, merge_models, stackone
from sandbox.bindbee import models as bindbee_models
from sandbox.stackone.documents import DOWNLOAD_TYPES
from sandbox.stackone.operation import Operation
from tests.contract import contract


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _enum(prop: dict[str, Any], document: dict[str, Any]) -> set[Any]:
    values: set[Any] = set()
    for alt in [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]:
        alt = _resolve(alt, document)
        values |= {v for v in alt.get("enum", []) if v is not None}
    return values


CASES = [("bindbee", name, model) for name, model in bindbee_models.VENDOR_SCHEMAS.items()]


@pytest.mark.parametrize(("vendor", "name", "model"), CASES, ids=[f"{v}:{n}" for v, n, _ in CASES])
def test_sandbox_model_matches_vendor_schema(vendor: str, name: str, model: type[BaseModel]) -> None:
    document = contract(vendor).document
    schema = _resolve(document["components"]["schemas"][name], document)
    ours = model.model_json_schema()
    assert set(ours["properties"]) == set(schema["properties"]), "property names"
    assert set(ours.get("required", [])) == set(schema.get("required", [])), "required properties"
    defs = ours.get("$defs", {})
    for prop, spec in schema["properties"].items():
        vendor_values = _enum(spec, document)
        if vendor_values:
            our_values = _enum(ours["properties"][prop], {"components": {"schemas": defs}})
            if not our_values and "$ref" in str(ours["properties"][prop]):  # a nested model (e.g. job_status)
                continue
            assert our_values == vendor_values, f"enum of {prop}"


BINDBEE_WRITES = {"AtsUrl", "CreateAtsJob", "PostCandidate", "CreateCandidate", "AtsCandidateWrite"}
BINDBEE_WRITES |= {"AtsAttachmentWrite", "CreateAtsActivity"}
BINDBEE_ENUMS = [
    (name, prop)
    for name, model in bindbee_models.VENDOR_SCHEMAS.items()
    for prop, spec in model.model_json_schema()["properties"].items()
    if _enum(spec, {"components": {"schemas": model.model_json_schema().get("$defs", {})}})
]


@pytest.mark.parametrize(("name", "prop"), BINDBEE_ENUMS, ids=[f"{n}.{p}" for n, p in BINDBEE_ENUMS])
def test_bindbee_enums_are_open_on_reads_and_closed_on_writes(name: str, prop: str) -> None:
    """PROVENANCE.md, ambiguity 1: an unlisted upstream value passes through a read; a write takes the documented
    values (or null) only. AtsUrl serves both and stays closed: the sandbox never reads a value it did not write."""
    annotation = bindbee_models.VENDOR_SCHEMAS[name].model_fields[prop].annotation
    assert annotation is not None
    field: TypeAdapter[Any] = TypeAdapter(annotation)
    assert field.validate_python(None) is None
    if name in BINDBEE_WRITES:
        with pytest.raises(ValidationError):
            field.validate_python("SOMETHING_UPSTREAM")
    else:
        assert field.validate_python("SOMETHING_UPSTREAM") == "SOMETHING_UPSTREAM"


def test_every_bindbee_model_of_the_excerpt_has_a_sandbox_model() -> None:
    document = contract("bindbee").document
    wanted = {n for n in document["components"]["schemas"] if n.startswith(("Ats", "Create", "Post"))}
    assert wanted == set(bindbee_models.VENDOR_SCHEMAS)


def _stackone_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    document = contract("stackone").document
    return {
        spec["operationId"]: (method.upper(), path, spec)
        for path, item in document["paths"].items()
        for method, spec in item.items()
    }


def _first_ref(node: Any) -> str | None:
    if isinstance(node, dict):
        if "$ref" in node:
            return str(node["$ref"]).rsplit("/", 1)[1]
        return next((ref for value in node.values() if (ref := _first_ref(value))), None)
    if isinstance(node, list):
        return next((ref for value in node if (ref := _first_ref(value))), None)
    return None


def _alternative(schema: dict[str, Any], key: str) -> Any:
    """`schema[key]`, looking into `anyOf` (a nullable parameter reads as `anyOf: [its schema, null]`)."""
    return next((alt[key] for alt in [schema, *schema.get("anyOf", [])] if key in alt), None)


def test_the_stackone_sandbox_serves_every_documented_operation_and_no_other() -> None:
    ours = [op.id for op in stackone.OPERATIONS]
    assert len(ours) == len(set(ours)), "an operation is declared twice"
    assert set(ours) == set(_stackone_operations())
    assert len(ours) == 76


@pytest.mark.parametrize("operation", stackone.OPERATIONS, ids=[op.id for op in stackone.OPERATIONS])
def test_stackone_sandbox_operation_is_the_documented_one(operation: Operation) -> None:
    method, path, spec = _stackone_operations()[operation.id]
    assert (operation.method, operation.path) == (method, path)
    params = {p["name"]: p for p in spec.get("parameters", []) if p["in"] == "query"}
    assert operation.declared.params == set(params), "query parameters"
    documented_filters = set(_alternative(params["filter"]["schema"], "properties")) if "filter" in params else set()
    assert operation.declared.filters == documented_filters, "filter keys"
    for name in ("include", "expand"):
        example = _alternative(params[name]["schema"], "example") if name in params else None
        assert getattr(operation.declared, name) == (tuple(example.split(",")) if example else ()), name
    content = spec.get("requestBody", {}).get("content", {}).get("application/json")
    request = _first_ref(content["schema"]) if content else None
    assert (operation.request.__name__ if operation.request else None) == request, "request model"
    if operation.request is not None:
        assert operation.request is getattr(schema, operation.request.__name__), "not the generated model"
    if method == "GET" and operation.record is not None:
        [answer] = [r for code, r in spec["responses"].items() if code.startswith("2")]
        envelope = _first_ref(answer["content"]["application/json"]["schema"])
        data = contract("stackone").document["components"]["schemas"][envelope]["properties"]["data"]
        assert operation.record.__name__ == _first_ref(data), "record model"
        assert operation.record is getattr(schema, operation.record.__name__), "not the generated model"


def test_stackone_downloads_answer_only_documented_content_types() -> None:
    _, _, spec = _stackone_operations()["ats_download_application_document"]
    assert set(DOWNLOAD_TYPES.values()) <= set(spec["responses"]["200"]["content"])


# --- behaviour as documented ------------------------------------------------------------------------------------

BB_KEY, BB_TOKEN = "bb-key", "gh-token"


@pytest.fixture
def bindbee_client() -> httpx.AsyncClient:
    app = bindbee.create_app(
        bindbee.BindbeeSandbox(api_key=BB_KEY, connectors={BB_TOKEN: "greenhouse"}, requests_per_minute=5)
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bindbee")


async def test_bindbee_auth_errors(bindbee_client: httpx.AsyncClient) -> None:
    missing_token = await bindbee_client.get("/api/ats/v1/jobs", headers={"authorization": f"Bearer {BB_KEY}"})
    assert missing_token.status_code == 422
    assert missing_token.json()["detail"][0]["loc"] == ["header", "x-connector-token"]
    bad_key = await bindbee_client.get(
        "/api/ats/v1/jobs", headers={"authorization": "Bearer no", "x-connector-token": BB_TOKEN}
    )
    assert bad_key.status_code == 401
    assert bad_key.json() == {"detail": "Invalid or missing API key"}
    assert bad_key.headers["www-authenticate"] == "Bearer"
    bad_token = await bindbee_client.get(
        "/api/ats/v1/jobs", headers={"authorization": f"Bearer {BB_KEY}", "x-connector-token": "other"}
    )
    assert bad_token.status_code == 403
    assert isinstance(bad_token.json()["detail"], str)


async def test_bindbee_rate_limit_headers_and_429(bindbee_client: httpx.AsyncClient) -> None:
    headers = {"authorization": f"Bearer {BB_KEY}", "x-connector-token": BB_TOKEN}
    answers = [await bindbee_client.get("/api/ats/v1/departments", headers=headers) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0].headers["x-ratelimit-limit"] == "5"
    assert answers[0].headers["x-ratelimit-remaining"] == "4"
    assert int(answers[0].headers["x-ratelimit-reset"]) > 0
    assert answers[5].json() == {"detail": "Rate limit exceeded"}
    assert int(answers[5].headers["retry-after"]) >= 1


async def test_bindbee_paging_and_page_size_bounds(bindbee_client: httpx.AsyncClient) -> None:
    headers = {"authorization": f"Bearer {BB_KEY}", "x-connector-token": BB_TOKEN}
    first = (await bindbee_client.get("/api/ats/v1/remote-users?page_size=2", headers=headers)).json()
    assert set(first) == {"cursor", "page_size", "items"}
    assert first["page_size"] == 2
    assert first["cursor"]
    rest = (
        await bindbee_client.get(f"/api/ats/v1/remote-users?page_size=2&cursor={first['cursor']}", headers=headers)
    ).json()
    assert rest["cursor"] is None
    assert rest["page_size"] == 1
    too_big = await bindbee_client.get("/api/ats/v1/remote-users?page_size=201", headers=headers)
    assert too_big.status_code == 422


async def test_bindbee_template_is_found_by_raw_data() -> None:
    app = bindbee.create_app(bindbee.BindbeeSandbox(api_key=BB_KEY, connectors={BB_TOKEN: "greenhouse"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client:
        jobs = (
            await client.get(
                "/api/ats/v1/jobs?include_raw_data=true",
                headers={"authorization": f"Bearer {BB_KEY}", "x-connector-token": BB_TOKEN},
            )
        ).json()
    templates = [j for j in jobs["items"] if j["raw_data"]["is_template"]]
    assert [t["remote_id"] for t in templates] == ["4033879009"]


async def test_stackone_envelope_errors_and_paging() -> None:
    app = stackone.create_app(
        stackone.StackOneSandbox(api_keys={"sk"}, accounts={"acc": "greenhouse"}, requests_per_minute=3)
    )
    auth = "Basic " + base64.b64encode(b"sk:").decode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as client:
        unauthorized = await client.get("/unified/ats/jobs", headers={"x-account-id": "acc"})
        assert unauthorized.status_code == 401
        assert set(unauthorized.json()) == {"statusCode", "message", "timestamp"}
        unknown = await client.get("/unified/ats/jobs", headers={"authorization": auth, "x-account-id": "zz"})
        assert unknown.status_code == 404
        assert unknown.json()["message"] == "Invalid account ID"
        page = await client.get("/unified/ats/jobs?page_size=1", headers={"authorization": auth, "x-account-id": "acc"})
        assert page.status_code == 200
        assert set(page.json()) == {"next", "data"}
        assert page.json()["next"]
        await client.get("/unified/ats/jobs", headers={"authorization": auth, "x-account-id": "acc"})
        limited = await client.get("/unified/ats/jobs", headers={"authorization": auth, "x-account-id": "acc"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["statusCode"] == 429


# --- Merge: every model held to Merge's schema field by field ------------------------------------------------------


def _shape(schema: dict[str, Any], schemas: dict[str, Any]) -> tuple[Any, bool]:
    """(what a property holds, whether it may be null), read the same way from Merge's document (after
    `_to_json_schema`) and from a pydantic JSON schema: a named object by its name, an enum by its values."""
    branches = schema.get("anyOf", [schema])
    nullable = any(b.get("type") == "null" for b in branches)
    rest = [b for b in branches if b.get("type") != "null"]
    if len(rest) != 1:
        return ("union", tuple(sorted(str(_shape(b, schemas)) for b in rest))), nullable
    node = rest[0]
    while "allOf" in node and len(node["allOf"]) == 1:
        node = node["allOf"][0]
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        target = schemas[name]
        if "enum" in target:
            return ("enum", tuple(sorted(target["enum"]))), nullable
        return ("object", name), nullable
    if "enum" in node:
        return ("enum", tuple(sorted(v for v in node["enum"] if v is not None))), nullable
    kind = node.get("type")
    if kind == "array":
        return ("array", _shape(node["items"], schemas)), nullable
    if kind is None:
        return ("any",), True
    return (kind, node.get("format")), nullable


def _merge_required(schema: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """Merge's required fields, plus the read-only ones that cannot be null: every answer carries those, so the
    sandbox's models of Merge's records require them."""
    always = {
        name
        for name, prop in schema["properties"].items()
        if prop.get("readOnly") and not _shape(prop, schemas)[1] and _shape(prop, schemas)[0] != ("any",)
    }
    return set(schema.get("required", [])) | always


MERGE_CASES = sorted(merge_models.VENDOR_SCHEMAS.items())


@pytest.mark.parametrize(("name", "model"), MERGE_CASES, ids=[n for n, _ in MERGE_CASES])
def test_merge_model_matches_merge_schema_field_by_field(name: str, model: type[BaseModel]) -> None:
    document = contract("merge").document
    schemas = document["components"]["schemas"]
    schema = schemas[name]
    ours = model.model_json_schema(ref_template="#/$defs/{model}")
    defs = ours.get("$defs", {})
    assert set(ours["properties"]) == set(schema["properties"]), "property names"
    assert set(ours.get("required", [])) == _merge_required(schema, schemas), "required properties"
    for prop, spec in schema["properties"].items():
        assert _shape(ours["properties"][prop], defs) == _shape(spec, schemas), f"type of {prop}"
