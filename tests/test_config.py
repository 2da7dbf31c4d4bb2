"""Configuration: every problem reported with its place in the file; secrets only from the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connectors.registry import Registry
from gateway.config import ConfigError, load_config
from tests.conftest import DEMO_CONFIG, ROOT

EXAMPLE = ROOT / "config" / "example.yaml"
EXAMPLE_ENV = {
    "RECRUITING_BACKEND_KEY_SHA256": "a" * 64,
    "STACKONE_API_KEY": "sk",
    "BINDBEE_API_KEY": "bk",
    "ACME_BINDBEE_CONNECTOR_TOKEN": "ct",
    "MERGE_API_KEY": "mk",
    "INITECH_MERGE_ACCOUNT_TOKEN": "mt",
    "GATEWAY_CURSOR_SECRET": "cs",
}


def problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, Registry.discover(), environ=env or {})
    return caught.value.problems


def test_demo_config_loads_without_any_secret() -> None:
    resolved = load_config(DEMO_CONFIG, Registry.discover(), environ={})
    assert {a.id for a in resolved.config.accounts} == {
        "stackone-demo",
        "bindbee-greenhouse-demo",
        "bindbee-demo",
        "merge-demo",
    }


def test_example_config_loads_when_its_env_vars_are_set() -> None:
    resolved = load_config(EXAMPLE, Registry.discover(), environ=EXAMPLE_ENV)
    assert resolved.secrets["STACKONE_API_KEY"] == "sk"


def test_each_missing_env_var_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(EXAMPLE, Registry.discover(), environ={})
    text = "\n".join(caught.value.problems)
    for name in EXAMPLE_ENV:
        assert name in text
    assert "providers.stackone.credentials.api_key: environment variable STACKONE_API_KEY is not set" in text


def test_schema_errors_carry_their_path(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
callers:
  - name: a
    api_key_sha256: NOTHEX
    accounts: [x]
providers:
  p: {connector: stackone, base_url: "not a url", colour: red}
accounts:
  - {id: x, provider: p, defaults: {openings: 0}}
""",
    )
    text = "\n".join(found)
    assert "callers[0].api_key_sha256" in text
    assert "providers.p.base_url" in text
    assert "providers.p.colour: Extra inputs are not permitted" in text
    assert "accounts[0].defaults.openings" in text


def test_cross_references_are_checked(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        f"""
callers:
  - {{name: a, api_key_sha256: "{"a" * 64}", accounts: [ghost]}}
  - {{name: b, api_key_sha256: "{"a" * 64}", accounts: ["*"]}}
providers:
  p: {{connector: nosuch, base_url: "https://x.test"}}
  q: {{connector: bindbee, base_url: "https://y.test", credentials: {{api_key: {{env: BB}}}}}}
  s: {{connector: stackone, base_url: "https://z.test", credentials: {{api_key: {{env: SO}}}}}}
accounts:
  - {{id: x, provider: missing}}
  - {{id: y, provider: q}}
  - {{id: z, provider: s}}
""",
        env={"BB": "1", "SO": "2"},
    )
    text = "\n".join(found)
    assert "callers[0].accounts[0]: unknown account 'ghost'" in text
    assert "two callers share one API key" in text
    assert "providers.p.connector: unknown connector 'nosuch'" in text
    assert "accounts[0].provider: unknown provider 'missing'" in text
    assert "accounts[1]: connector bindbee needs credential 'connector_token'" in text
    assert "accounts[2].vendor_account_id" in text


def test_secret_values_in_the_file_are_refused(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        yaml.safe_dump(
            {
                "callers": [],
                "accounts": [],
                "providers": {
                    "p": {
                        "connector": "stackone",
                        "base_url": "https://x.test",
                        "credentials": {"api_key": "sk_live_inline"},
                    }
                },
            }
        ),
    )
    assert any("providers.p.credentials.api_key" in p for p in found)


def test_check_config_cli_prints_every_problem_and_fails(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check-config", str(DEMO_CONFIG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check-config", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin"},
    )
    assert bad.returncode == 1
    assert "STACKONE_API_KEY" in bad.stderr
    assert f"{len(EXAMPLE_ENV)} problem(s)" in bad.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("callers: [\n")
    yaml_error = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "check-config", str(broken)], capture_output=True, text=True, check=False
    )
    assert yaml_error.returncode == 1
    assert "not valid YAML" in yaml_error.stderr


def test_schema_errors_and_unknown_names_come_back_in_one_round(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
callers:
  - {name: a, api_key_sha256: NOTHEX, accounts: [ghost]}
providers:
  p: {connector: nosuch, base_url: "not a url"}
accounts:
  - {id: x, provider: missing, defaults: {openings: 0}}
""",
    )
    text = "\n".join(found)
    # The schema's findings...
    assert "callers[0].api_key_sha256" in text
    assert "providers.p.base_url" in text
    assert "accounts[0].defaults.openings" in text
    # ...and, in the same round, every name that exists nowhere.
    assert "callers[0].accounts[0]: unknown account 'ghost'" in text
    assert "providers.p.connector: unknown connector 'nosuch'" in text
    assert "accounts[0].provider: unknown provider 'missing'" in text


def test_an_unset_variable_is_reported_with_the_rest_of_the_file(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
callers: []
providers:
  p: {connector: stackone, base_url: "${VENDOR_URL}", colour: red}
accounts: []
""",
    )
    assert any("environment variable VENDOR_URL is not set" in p for p in found)
    assert any("providers.p.colour: Extra inputs are not permitted" in p for p in found)
    # The value still holding ${VENDOR_URL} is not judged: the missing variable is the problem.
    assert not any("base_url" in p for p in found)


def test_in_process_sandboxes_are_refused_where_they_are_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gateway.config.sandboxes_installed", lambda: False)
    with pytest.raises(ConfigError) as caught:
        load_config(DEMO_CONFIG, Registry.discover(), environ={})
    refused = [p for p in caught.value.problems if "sandboxes are not installed" in p]
    assert {p.split(": ")[1] for p in refused} == {
        "providers.stackone-sandbox.sandbox",
        "providers.bindbee-sandbox.sandbox",
        "providers.merge-sandbox.sandbox",
    }


def test_the_gateway_runs_without_the_sandbox_package(tmp_path: Path) -> None:
    """The production image has no `sandbox`: the app still builds and serves for a config without one."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['sandbox'] = None\n")
    script = (
        "import asyncio, httpx\n"
        "from connectors.registry import Registry\n"
        "from gateway.app import create_app\n"
        "from gateway.config import load_config, sandboxes_installed\n"
        "assert not sandboxes_installed()\n"
        f"resolved = load_config({str(EXAMPLE)!r}, Registry.discover(), environ={EXAMPLE_ENV!r})\n"
        "app = create_app(resolved)\n"
        "async def main():\n"
        "    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://g') as c:\n"
        "        print((await c.get('/healthz')).status_code)\n"
        "asyncio.run(main())\n"
        "import sys; print(sorted(m for m in sys.modules if m.startswith('sandbox') and sys.modules[m]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin", "PYTHONPATH": f"{tmp_path}:{ROOT}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == ["200", "[]"]
