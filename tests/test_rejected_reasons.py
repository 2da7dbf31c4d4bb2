"""Rejected reasons, the operation added to prove the catalogue: StackOne end to end, Bindbee's rows both ways."""

from __future__ import annotations

import uuid

from connectors.bindbee.reference import REJECTED_REASON_TABLE
from connectors.unified.base import read_record
from connectors.unified.schema import RejectedReason
from tests.conftest import Harness


async def test_stackone_lists_and_gets_rejected_reasons(harness: Harness) -> None:
    listed = await harness.call("GET", "/unified/ats/rejected_reasons?page_size=2")
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert len(page["data"]) == 2
    assert page["next"]
    rest = (await harness.call("GET", f"/unified/ats/rejected_reasons?page_size=2&next={page['next']}")).json()
    reasons = [*page["data"], *rest["data"]]
    assert [r["label"] for r in reasons] == ["Failed phone screen", "Accepted another offer", "Position filled"]
    first = reasons[0]
    assert first["rejected_reason_type"] == {"value": "rejected_by_organization", "source_value": "Failed phone screen"}
    one = await harness.call("GET", f"/unified/ats/rejected_reasons/{first['id']}?fields=id,label")
    assert one.json() == {"data": {"id": first["id"], "label": "Failed phone screen"}}
    missing = await harness.call("GET", f"/unified/ats/rejected_reasons/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_rejected_reasons_take_only_documented_parameters(harness: Harness) -> None:
    wrong = await harness.call("GET", "/unified/ats/rejected_reasons?filter[label]=x")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "unknown_parameter")


def test_bindbee_reject_reason_rows_read() -> None:
    record = {"id": "r1", "remote_id": "77", "name": "Not a fit", "modified_at": "2026-01-01T00:00:00Z"}
    reason = read_record(RejectedReason, REJECTED_REASON_TABLE.to_unified(record))
    assert (reason.id, reason.remote_id, reason.label) == ("r1", "77", "Not a fit")
    assert reason.rejected_reason_type is None  # Bindbee has no type; none is guessed
    assert REJECTED_REASON_TABLE.to_vendor(RejectedReason()) == {}
