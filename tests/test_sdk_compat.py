"""StackOne's published TypeScript SDK, pinned (tests/sdk/package-lock.json), driving the gateway as a StackOne user
would: `gateway serve` with the demo configuration, and tests/sdk/readme_examples.js running the SDK README's usage
example of every ATS operation against it, on every demo account.

What must hold: on `stackone-demo` every example succeeds, its answer parsed by the SDK into its typed model; on
the Bindbee and Merge accounts every example succeeds or the SDK raises its typed error for a 501 whose reason is
the one `/meta` gives, or for a 400 naming only parameters `/meta` says the account does not honour, and on Merge
the document upload is a 422 naming what the SDK's upload model cannot carry. The README's section
"Using StackOne's SDKs" is held here too: the extension fields reach the gateway in `passthrough`, and the SDK
drops them as top-level fields.

Node and the SDK are installed by `make test` (target `sdk-deps`); without them this module fails, never skips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.catalogue import CATALOGUE
from tests.conftest import ROOT, basic
from tests.contract import SPECS, require_shared

SDK_DIR = ROOT / "tests" / "sdk"
SDK_PACKAGE = SDK_DIR / "node_modules" / "@stackone" / "stackone-client-ts"
KEY = "demo-key"
STACKONE = "stackone-demo"
OTHERS = ("bindbee-demo", "bindbee-greenhouse-demo", "merge-demo")
ACCOUNTS = (STACKONE, *OTHERS)
UNHONOURED = {"connector.unsupported_parameter", "connector.unsupported_filter"}
"""The rules of a 400 for a documented parameter this account's vendor cannot honour (listed so in `/meta`)."""
UNCARRIED = {("merge-demo", "ats_upload_application_document"): {"acting_user_id", "file_url"}}
"""Writes the SDK cannot make on an account, and the fields the gateway's 422 asks for: StackOne's upload model has
neither `passthrough` nor `file_url`, Merge takes attachments by URL and needs the acting user (README)."""


def _pinned_version() -> str:
    lock = json.loads((SDK_DIR / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/@stackone/stackone-client-ts"]["version"])


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node is not installed: `make test` installs it (Debian's nodejs and npm) and the pinned SDK")
    if not (SDK_PACKAGE / "package.json").exists():
        pytest.fail("StackOne's SDK is not installed in tests/sdk/node_modules: run `make sdk-deps` (npm ci)")
    installed = json.loads((SDK_PACKAGE / "package.json").read_text())["version"]
    if installed != _pinned_version():
        pytest.fail(f"tests/sdk has SDK {installed}, the lock pins {_pinned_version()}: run `make sdk-deps`")
    return node


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The gateway as a real process on a free loopback port; its log goes to a file (a pipe nobody reads would
    fill and stall the server)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("gateway") / "gateway.log"
    env = {**os.environ, "GATEWAY_CONFIG": "config/demo.yaml", "GATEWAY_PORT": str(port), "LOG_FORMAT": "json"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gateway"), "serve"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"gateway did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def node() -> str:
    return _node()


@pytest.fixture(scope="module")
def report(node: str, gateway: str) -> dict[str, Any]:
    script = SDK_DIR / "readme_examples.js"
    done = subprocess.run(
        [node, str(script), gateway, KEY, *ACCOUNTS], cwd=SDK_DIR, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _examples(report: dict[str, Any], account: str) -> list[dict[str, Any]]:
    return [e for e in report["examples"] if e["account"] == account]


@pytest.fixture(scope="module")
def meta(gateway: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Each account's `/unified/ats/meta`, by operation."""
    found = {}
    for account in ACCOUNTS:
        answer = httpx.get(
            f"{gateway}/unified/ats/meta", headers={"authorization": basic(KEY), "x-account-id": account}
        )
        assert answer.status_code == 200, answer.text
        found[account] = {op["operation"]: op for op in answer.json()["operations"]}
    return found


def test_the_pinned_sdk_has_a_readme_example_for_every_ats_operation_and_each_is_in_the_catalogue(
    report: dict[str, Any],
) -> None:
    assert report["sdk"]["version"] == _pinned_version() == "4.28.0"
    readme = (SDK_PACKAGE / "docs" / "sdks" / "ats" / "README.md").read_text()
    snippets = re.findall(r'<!-- UsageSnippet language="typescript" operationID="(\w+)"', readme)
    for account in ACCOUNTS:
        assert [e["operationId"] for e in _examples(report, account)] == snippets
    assert len(snippets) == len(set(snippets)) == 74
    assert set(snippets) <= set(CATALOGUE)
    # The catalogue follows StackOne's document, which has two operations this SDK version does not.
    assert set(CATALOGUE) - set(snippets) == {"ats_create_interview_note", "ats_update_interview_note"}


def test_every_readme_example_succeeds_on_stackone_typed_by_the_sdk(report: dict[str, Any]) -> None:
    examples = _examples(report, STACKONE)
    failed = [e for e in examples if e["outcome"] != "ok"]
    assert not failed, json.dumps(failed, indent=1)
    for example in examples:
        assert 200 <= example["status"] < 300
        assert example["typed"], example
        assert not example.get("unlisted"), example
    download = next(e for e in examples if e["method"] == "downloadApplicationDocument")
    assert download["bytes"] > 0


@pytest.mark.parametrize("account", OTHERS)
def test_elsewhere_every_readme_example_succeeds_or_answers_a_documented_501_400_or_422(
    report: dict[str, Any], meta: dict[str, dict[str, dict[str, Any]]], account: str
) -> None:
    operations = meta[account]
    outcomes: Counter[str | int] = Counter()
    for example in _examples(report, account):
        op = operations[example["operationId"]]
        if example["outcome"] == "ok":
            assert op["supported"], example
            assert 200 <= example["status"] < 300, example
            assert example["typed"], example
            outcomes["ok"] += 1
            continue
        assert example["outcome"] == "error", example
        if (account, example["operationId"]) in UNCARRIED:
            assert example["status"] == 422, example
            asked = {e["field"] for e in example["errors"]}
            assert asked, example
            assert asked <= UNCARRIED[account, example["operationId"]], example
        elif example["status"] == 501:
            assert example["error"] == "NotImplementedResponse", example
            assert example["code"] == "not_implemented"
            assert not op["supported"], example
            assert op["reason"] in example["message"], example
        else:
            assert example["status"] == 400, example
            assert example["error"] == "BadRequestResponse", example
            assert example["code"] in {"unsupported_parameter", "unsupported_filter", "validation_error"}, example
            for error in example["errors"]:
                assert error["rule"] in UNHONOURED, example
                if error["rule"] == "connector.unsupported_filter":
                    assert _filtered_by(example["operationId"], error["field"]) not in op["filters"], example
                else:
                    # false, or the values it honours (Bindbee's `include`: custom_fields) without the one sent
                    assert op["parameters"][error["field"]] is not True, example
        outcomes[example["status"]] += 1
    # Every example of an operation /meta says the account cannot serve answered 501, and no other did.
    examples = _examples(report, account)
    unserved = {e["operationId"] for e in examples if e.get("status") == 501}
    assert unserved == {e["operationId"] for e in examples if not operations[e["operationId"]]["supported"]}
    assert outcomes["ok"] > 0
    assert sum(outcomes.values()) == len(examples)


def _filtered_by(op_id: str, spelled: str) -> str:
    """The filter a query parameter names, as /meta lists it: `filter[job_id]`, or the deprecated `job_id=`."""
    if spelled.startswith("filter["):
        return spelled[len("filter[") : -1]
    alias = next(p.alias_of for p in CATALOGUE[op_id].params if p.name == spelled and p.alias_of)
    return alias[len("filter[") : -1]


def test_fields_the_examples_had_to_drop_are_not_in_stackones_models(report: dict[str, Any]) -> None:
    """The README names fields in `fields` that StackOne's document (the one the gateway implements) does not give
    the model; the gateway's 400 names them and the user drops them. Each dropped name is held against the
    document here, so the gateway cannot refuse a field StackOne has."""
    require_shared()
    document = json.loads(SPECS["stackone"].read_text())
    dropped = [(e["operationId"], name) for e in report["examples"] for name in e.get("droppedFields", [])]
    assert dropped
    for op_id, name in dropped:
        assert name not in _record_properties(document, op_id), (op_id, name)


def _record_properties(document: dict[str, Any], op_id: str) -> set[str]:
    """The properties of the record an operation answers (a page's items, or a result's `data`)."""
    op = CATALOGUE[op_id]
    answer = document["paths"][op.path][op.method.lower()]["responses"]["200"]["content"]["application/json"]
    envelope = _resolve(document, answer["schema"])["properties"]["data"]
    return set(_resolve(document, envelope.get("items", envelope))["properties"])


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_sdk_walks_every_page_through_next(report: dict[str, Any]) -> None:
    for walk in report["walks"]:
        assert len(walk["everyone"]) > 1, walk
        assert walk["seen"] == walk["everyone"], walk
        assert walk["pages"] >= len(walk["everyone"]), walk


def test_extension_fields_travel_in_passthrough_and_the_sdk_drops_them_at_the_top_level(
    report: dict[str, Any], gateway: str
) -> None:
    extensions = report["extensions"]
    names = {"template_id", "openings", "acting_user_id"}
    carried = extensions["passthrough"]
    assert carried["status"] == 201, carried
    assert carried["sent"]["passthrough"] == extensions["values"]
    created = httpx.get(
        f"{gateway}/unified/ats/jobs/{carried['id']}",
        headers={"authorization": basic(KEY), "x-account-id": "bindbee-greenhouse-demo"},
    )
    assert created.status_code == 200, created.text
    assert created.json()["data"]["title"] == "Backend Engineer (passthrough)"
    # Given as top-level fields (snake_case and camelCase), the SDK's model strips them before sending, so
    # Greenhouse's rules answer that they are missing.
    stripped = extensions["topLevel"]
    assert not (names | {"templateId", "actingUserId", "passthrough"}) & set(stripped["sent"]), stripped
    assert stripped["status"] == 422, stripped
    assert stripped["error"] == "UnprocessableEntityResponse", stripped
    assert set(stripped["fields"]) == names


def test_the_readme_sections_typescript_runs_as_printed(node: str, gateway: str) -> None:
    """README "Using StackOne's SDKs", each TypeScript block run by Node as printed, against the gateway."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Using StackOne's SDKs") : text.index("## Idempotency keys")]
    listing, creating = (
        subprocess.run(
            [node, "--input-type=module", "-e", block.replace("http://127.0.0.1:8080", gateway)],
            cwd=SDK_DIR,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        for block in re.findall(r"```typescript\n(.*?)```", section, re.S)
    )
    assert "Software Engineer (template)" in listing
    status, job_id = creating.split()
    assert status == "201"
    assert job_id
