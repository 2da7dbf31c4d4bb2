"""schemathesis against the gateway's own OpenAPI, in-process: generated requests for every operation, valid and
invalid, with a caller who may use the account. No 500, and no answer that breaks the documented schema.

`FUZZ_EXAMPLES` sets the examples per operation: 60 by default, which keeps the suite within CI's budget (at 100
this module was a third of the suite's time); run it with more for a deeper search.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from connectors.registry import Registry
from gateway.app import create_app
from gateway.config import load_config
from tests.conftest import DEMO_CONFIG

APP = create_app(load_config(DEMO_CONFIG, Registry.discover(), environ={}))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
ACCOUNTS = ("stackone-demo", "bindbee-greenhouse-demo", "bindbee-demo", "merge-demo")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))


@schemathesis.check
def no_internal_error(ctx: object, response: schemathesis.Response, case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    """501 (an operation a connector lacks) and 502-504 (a vendor's failure) are answers; 500 is a bug."""
    assert response.status_code != 500, f"500 Internal error: {response.text[:500]}"


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_gateway_keeps_its_own_contract(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
    account = ACCOUNTS[hash(case.operation.label) % len(ACCOUNTS)]
    headers = {"authorization": "Bearer demo-key", "x-account-id": account}
    case.call_and_validate(headers=headers, checks=[no_internal_error, response_schema_conformance])
