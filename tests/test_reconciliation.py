"""A create whose outcome was unknown, retried with its key: found at the vendor, proven absent, or still unknown."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import gateway.reconcile as reconcile
from sandbox.controls import Fault
from tests.conftest import Harness

GENERIC = "bindbee-demo"


def fault(h: Harness, provider: str, **spec: Any) -> None:
    h.wiring.apps[provider].state.controls.faults.append(Fault(**spec))


def created(h: Harness, provider: str) -> int:
    return int(h.wiring.apps[provider].state.controls.created["jobs"])


CASES = [("stackone-demo", "stackone-sandbox", "/unified/ats/jobs"), (GENERIC, "bindbee-sandbox", "/api/ats/v1/jobs")]


@pytest.mark.parametrize(("account", "provider", "vendor_path"), CASES)
async def test_a_record_the_vendor_did_make_is_found_and_answered(
    harness: Harness, account: str, provider: str, vendor_path: str
) -> None:
    fault(harness, provider, method="POST", path=vendor_path, status=503, after_handling=True)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Made but unanswered", "code": uuid.uuid4().hex}
    first = await harness.call("POST", "/unified/ats/jobs", account, json=body, headers=key)
    assert first.status_code == 502
    assert first.json()["code"] == "outcome_unknown"
    retry = await harness.call("POST", "/unified/ats/jobs", account, json=body, headers=key)
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-reconciled"] == "true"
    assert created(harness, provider) == 1  # found, not sent again
    job = (await harness.call("GET", f"/unified/ats/jobs/{retry.json()['data']['id']}", account)).json()["data"]
    assert job["code"] == body["code"]
    again = await harness.call("POST", "/unified/ats/jobs", account, json=body, headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == retry.json()


@pytest.mark.parametrize(("account", "provider", "vendor_path"), CASES)
async def test_not_found_too_early_stays_unknown(
    harness: Harness, account: str, provider: str, vendor_path: str
) -> None:
    fault(harness, provider, method="POST", path=vendor_path, status=503)  # the vendor never stored it
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Never made", "code": uuid.uuid4().hex}
    first = await harness.call("POST", "/unified/ats/jobs", account, json=body, headers=key)
    retry = await harness.call("POST", "/unified/ats/jobs", account, json=body, headers=key)
    assert retry.status_code == 502
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert created(harness, provider) == 0


async def test_stackone_absence_after_it_settled_is_proof_and_the_create_is_sent(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fault(harness, "stackone-sandbox", method="POST", path="/unified/ats/jobs", status=503)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Proven absent", "code": uuid.uuid4().hex}
    await harness.call("POST", "/unified/ats/jobs", json=body, headers=key)
    monkeypatch.setattr(reconcile, "SETTLE_SECONDS", 0.0)  # as if StackOne's 60 s had passed
    retry = await harness.call("POST", "/unified/ats/jobs", json=body, headers=key)
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert created(harness, "stackone-sandbox") == 1


async def test_bindbee_absence_is_never_proof(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    fault(harness, "bindbee-sandbox", method="POST", path="/api/ats/v1/jobs", status=503)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Unknowable", "code": uuid.uuid4().hex}
    await harness.call("POST", "/unified/ats/jobs", GENERIC, json=body, headers=key)
    monkeypatch.setattr(reconcile, "SETTLE_SECONDS", 0.0)
    retry = await harness.call("POST", "/unified/ats/jobs", GENERIC, json=body, headers=key)
    assert retry.status_code == 502
    assert retry.json()["code"] == "outcome_unknown"
    assert created(harness, "bindbee-sandbox") == 0


async def test_without_a_natural_key_the_outcome_stays_unknown(harness: Harness) -> None:
    fault(harness, "stackone-sandbox", method="POST", path="/unified/ats/jobs", status=503, after_handling=True)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "No code to look for"}
    await harness.call("POST", "/unified/ats/jobs", json=body, headers=key)
    retry = await harness.call("POST", "/unified/ats/jobs", json=body, headers=key)
    assert retry.status_code == 502
    assert retry.headers["idempotent-replayed"] == "true"
    assert created(harness, "stackone-sandbox") == 1


async def test_a_candidate_is_found_by_email(harness: Harness) -> None:
    fault(harness, "stackone-sandbox", method="POST", path="/unified/ats/candidates", status=503, after_handling=True)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"first_name": "Ada", "last_name": "Byron", "email": f"{uuid.uuid4().hex}@example.org"}
    await harness.call("POST", "/unified/ats/candidates", json=body, headers=key)
    retry = await harness.call("POST", "/unified/ats/candidates", json=body, headers=key)
    assert retry.status_code == 201
    assert retry.headers["idempotent-reconciled"] == "true"
