"""Assessments and background checks: packages, orders and their results (reference §3.2, seed 002).

An order describes what it is about inline (copies of the ATS's package, application, job, candidate and
requester, as StackOne's assessment flow hands them to the provider), so its ids need not name records of the
linked account; it answers the bare `Create…OrderResult` `{id, remote_id, test_url}` with 200. Its result comes
later, `PATCH …/orders/{id}/result` (an unknown order is a 404).

StackOne documents no read of an order or a result (the Mar-2025 GETs were removed), so a result shows where the
documented reads show results:
- on the application the order names (`application.id`, when it is one of the account's), as one of its
  `result_links`: label "<package name>: <result>[ (<score value>/<score max>)]" (the account's package when the
  order names one, else the order's own description of it), url the result's `result_url`, else the order's
  `test_url`; a later result for the same order replaces its link;
- always in `/_sandbox/stats`, under `received.assessment_results` / `received.background_check_results`, as
  `{order_id, result}` (the body as given, `passthrough` aside).
Background-check packages are also created, updated (tests with an `id` are that test updated, tests without one
are new, tests left out are removed) and deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi.responses import Response

from connectors.unified import schema as s
from connectors.unified.base import Dto
from sandbox.common import Tenant
from sandbox.stackone.errors import not_found
from sandbox.stackone.operation import (
    Call,
    Handler,
    Operation,
    bare,
    created,
    deleted,
    listing,
    reading,
    updated,
    writing,
)
from sandbox.stackone.records import Record, build, written


@dataclass(frozen=True)
class Kind:
    name: str
    """`assessment` or `background_check`, as the operationIds and stats name it."""
    path: str
    """`assessments` or `background_checks`, as StackOne's paths (and the sandbox's collections) name it."""
    stem: str
    """`assessments` or `background_check`, as StackOne's operationIds name it."""
    order: type[s.AtsCreateCandidatesAssessmentsRequestDto] | type[s.AtsCreateBackgroundCheckOrderRequestDto]
    answer: type[Dto]
    result: type[Dto]
    host: str

    @property
    def orders(self) -> str:
        return f"{self.path}/orders"

    @property
    def packages(self) -> str:
        return f"{self.path}/packages"


ASSESSMENTS = Kind(
    "assessment",
    "assessments",
    "assessments",
    s.AtsCreateCandidatesAssessmentsRequestDto,
    s.CreateAssessmentOrderResult,
    s.AtsUpdateCandidatesAssessmentsResultsRequestDto,
    "assessments.example",
)
BACKGROUND_CHECKS = Kind(
    "background_check",
    "background_checks",
    "background_check",
    s.AtsCreateBackgroundCheckOrderRequestDto,
    s.CreateBackgroundCheckOrderResult,
    s.AtsUpdateBackgroundCheckResultRequestDto,
    "checks.example",
)


def result_links(tenant: Tenant, application_id: str) -> list[Record]:
    links = []
    for kind in (ASSESSMENTS, BACKGROUND_CHECKS):
        for order in tenant[kind.orders].find(lambda o: o["application_id"] == application_id):
            result = order["result"]
            if result is None:
                continue
            label = f"{(order['package'] or {}).get('name') or kind.name}: {(result.get('result') or {}).get('value')}"
            score = result.get("score")
            if score:
                label += f" ({score.get('value')}/{score.get('max')})"
            links.append(build(s.ResultLink, label=label, url=result.get("result_url") or order["test_url"]))
    return links


def _order(kind: Kind) -> Handler:
    def place_order(call: Call) -> Response:
        body = call.dto(kind.order)
        order_id = str(uuid.uuid4())
        remote_id = call.tenant.remote_id()
        described = body.package
        # The provider's own package when the order names one of the account's, else the order's description of it.
        package = call.tenant[kind.packages].get((described and described.id) or "") or (
            written(described) if described else None
        )
        test_url = f"https://{kind.host}/tests/{order_id}"
        call.tenant[kind.orders].add(
            {
                "id": order_id,
                "remote_id": remote_id,
                "test_url": test_url,
                "package": package,
                "application_id": body.application.id if body.application else None,
                "result": None,
            }
        )
        return bare(call, kind.answer, f"{kind.name}_orders", id=order_id, remote_id=remote_id, test_url=test_url)

    return place_order


def _result(kind: Kind) -> Handler:
    def update_result(call: Call) -> Response:
        order = call.require(kind.orders, call.path["id"])
        order["result"] = written(call.dto(kind.result))
        call.controls.received[f"{kind.name}_results"].append({"order_id": order["id"], "result": order["result"]})
        return updated()

    return update_result


def _tests(call: Call, stored: Record, given: list[s.CreatePackage] | list[s.UpdatePackage]) -> list[Record]:
    known = {t["id"]: t for t in stored.get("tests") or []}
    tests = []
    for i, test in enumerate(given):
        test_id = getattr(test, "id", None)
        if test_id is not None and test_id not in known:
            raise call.refused([(f"tests[{i}].id", f"Unknown test {test_id} of this package")])
        base = known.get(test_id or "") or {"id": str(uuid.uuid4()), "remote_id": call.tenant.remote_id()}
        tests.append(build(s.Package, **{**base, **written(test, "id")}))
    return tests


def create_package(call: Call) -> Response:
    body = call.dto(s.AtsCreateBackgroundCheckPackagesRequestDto)
    blank: Record = {"id": str(uuid.uuid4()), "remote_id": call.tenant.remote_id(), "tests": []}
    record = build(
        s.BackgroundCheckPackage, **{**blank, **written(body), "tests": _tests(call, blank, body.tests or [])}
    )
    return created(call, call.tenant[BACKGROUND_CHECKS.packages].add(record), "background_check_packages")


def update_package(call: Call) -> Response:
    stored = call.require(BACKGROUND_CHECKS.packages, call.path["id"])
    body = call.dto(s.AtsUpdateBackgroundCheckPackagesRequestDto)
    changes = written(body)
    if body.tests is not None:
        changes["tests"] = _tests(call, stored, body.tests)
    call.tenant[BACKGROUND_CHECKS.packages].add(build(s.BackgroundCheckPackage, **{**stored, **changes}))
    return updated()


def delete_package(call: Call) -> Response:
    if call.tenant[BACKGROUND_CHECKS.packages].records.pop(call.path["id"], None) is None:
        raise not_found()
    return deleted()


def _operations(kind: Kind, package: type[Dto]) -> tuple[Operation, ...]:
    root = f"/unified/ats/{kind.path}"
    return (
        listing(
            f"ats_list_{kind.stem}_packages",
            f"{root}/packages",
            package,
            lambda call: call.tenant[kind.packages].all(),
            params=(),
        ),
        reading(
            f"ats_get_{kind.stem}_package",
            f"{root}/packages/{{id}}",
            package,
            lambda call: call.require(kind.packages, call.path["id"]),
        ),
        writing(
            f"ats_order_{kind.stem}_request",
            "POST",
            f"{root}/orders",
            kind.order,
            _order(kind),
        ),
        writing(
            f"ats_update_{kind.stem}_result",
            "PATCH",
            f"{root}/orders/{{id}}/result",
            kind.result,
            _result(kind),
        ),
    )


_PACKAGES = f"/unified/ats/{BACKGROUND_CHECKS.packages}"

OPERATIONS = (
    *_operations(ASSESSMENTS, s.AssessmentPackage),
    *_operations(BACKGROUND_CHECKS, s.BackgroundCheckPackage),
    writing(
        "ats_create_background_check_package",
        "POST",
        _PACKAGES,
        s.AtsCreateBackgroundCheckPackagesRequestDto,
        create_package,
    ),
    writing(
        "ats_update_background_check_package",
        "PATCH",
        f"{_PACKAGES}/{{id}}",
        s.AtsUpdateBackgroundCheckPackagesRequestDto,
        update_package,
    ),
    writing("ats_delete_background_check_package", "DELETE", f"{_PACKAGES}/{{id}}", None, delete_package),
)
"""Assessment packages, orders and results; background-check packages (all of CRUD), orders and results."""
