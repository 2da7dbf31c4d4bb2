"""Configuration: one YAML file validated by pydantic, secrets only by reference to environment variables.

`load_config` returns a fully resolved `GatewayConfig` or raises `ConfigError` listing every problem with its path
in the file, so `gateway check-config` can print them all at once.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.registry import Registry

SandboxKind = Literal["stackone", "bindbee", "merge"]
SANDBOX_KINDS: tuple[str, ...] = get_args(SandboxKind)


def sandboxes_installed() -> bool:
    """The vendor emulators (`sandbox/`) ship with the source and the wheel, not in the production image."""
    return importlib.util.find_spec("sandbox") is not None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvSecret(_Strict):
    """A secret named by the environment variable that holds it; the file never holds the value."""

    env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class RateLimit(_Strict):
    requests_per_second: float = Field(gt=0)
    burst: int = Field(ge=1)


_NAME = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
"""Names that end up inside state-store keys (and their hash tags) stay plain."""


class Caller(_Strict):
    name: str = Field(pattern=_NAME)
    api_key_sha256: str | None = Field(default=None, description="sha256 hex of the caller's API key")
    api_key_sha256_env: str | None = Field(default=None, description="env var holding the sha256 hex instead")
    accounts: list[str] = Field(description="account ids this caller may use; '*' for all")
    rate_limit: RateLimit | None = None
    rate_limit_per_account: RateLimit | None = None
    vendor_weight: float = Field(
        default=1.0,
        gt=0,
        le=1000,
        description="this caller's weight when callers share a vendor credential's quota (README, Configuration)",
    )

    @field_validator("api_key_sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("must be 64 lower-case hex digits (sha256 of the API key)")
        return value

    def may_use(self, account_id: str) -> bool:
        return "*" in self.accounts or account_id in self.accounts


class Timeouts(_Strict):
    # StackOne keeps a request alive up to 60 s before answering 408, so the read timeout must outlast it.
    connect: float = Field(default=5.0, gt=0)
    read: float = Field(default=75.0, gt=0)
    total: float = Field(default=90.0, gt=0)


class VendorQuota(_Strict):
    """The vendor's published quota for one credential, and how much of it the gateway may use."""

    requests_per_minute: int = Field(ge=1)
    share: float = Field(default=0.8, gt=0, le=1)
    burst: int | None = Field(default=None, ge=1, description="default: five seconds' worth")
    max_concurrency: int = Field(default=10, ge=1)
    max_wait_seconds: float = Field(
        default=2.0, ge=0, description="how long a call may wait for budget before answering 429"
    )


class Breaker(_Strict):
    """Consecutive failed calls (5xx, timeouts, lost connections) on one credential that stop calls for a while."""

    failures: int = Field(default=5, ge=1)
    open_seconds: float = Field(default=30.0, gt=0)


class Retries(_Strict):
    """Retries of calls that are safe to repeat: reads, and anything that was not sent or that the vendor
    refused with 429. Capped, fully jittered backoff; at most `budget_ratio` retries per call on average."""

    attempts: int = Field(default=3, ge=1, le=10)
    base_seconds: float = Field(default=0.1, gt=0)
    max_seconds: float = Field(default=2.0, gt=0)
    budget_ratio: float = Field(default=0.2, ge=0, le=1)


class Provider(_Strict):
    connector: str
    base_url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    sandbox: SandboxKind | None = Field(
        default=None, description="serve this provider from an in-process sandbox (demo and tests)"
    )
    credentials: dict[str, EnvSecret] = Field(default_factory=dict)
    timeouts: Timeouts = Timeouts()
    quota: VendorQuota | None = None
    max_connections: int = Field(default=256, ge=1, description="connection pool size to this vendor")
    breaker: Breaker = Breaker()
    retries: Retries = Retries()
    download_hosts: list[str] | None = Field(
        default=None,
        description="hosts the vendor's file URLs may be fetched from (`*.example.com`: its subdomains); "
        "default: the base_url's host only",
    )


class AccountDefaults(_Strict):
    acting_user_id: str | None = None
    openings: int | None = Field(default=None, ge=1)
    template_id: str | None = None


class Account(_Strict):
    id: str = Field(pattern=_NAME)
    provider: str
    vendor_account_id: str | None = Field(default=None, description="StackOne linked account id")
    credentials: dict[str, EnvSecret] = Field(default_factory=dict, description="e.g. Bindbee connector_token")
    ats: str | None = Field(default=None, description="the ATS behind the vendor, e.g. greenhouse")
    defaults: AccountDefaults = AccountDefaults()
    require_idempotency_key: bool = False


class GatewayConfig(_Strict):
    callers: list[Caller]
    providers: dict[str, Provider]
    accounts: list[Account]
    cursor_secret: EnvSecret | None = Field(
        default=None, description="signs list cursors; replicas must share it (random per process if unset)"
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    idempotency_lease_seconds: float = Field(
        default=90.0,
        gt=0,
        description="how long a replica may hold an idempotency key without renewing it before another takes over",
    )


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ResolvedConfig(BaseModel):
    """The validated file plus the secret values it references, looked up once at start-up."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: GatewayConfig
    secrets: Mapping[str, str]
    """Environment variable name → value, for every EnvSecret the file references."""
    caller_key_hashes: Mapping[str, str]
    """Caller name → sha256 hex of its API key."""

    def secret(self, ref: EnvSecret) -> str:
        return self.secrets[ref.env]


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_config(raw: Any, *, source: str = "config", registry: Registry | None = None) -> GatewayConfig:
    """Validate the file's structure; when it fails, the names it cross-references are checked too (with
    `registry`), so every mistake comes back in one round."""
    try:
        return GatewayConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{source}: {_loc(tuple(e['loc'])) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
            # A value still holding an unset ${VAR} cannot be judged: the missing variable is reported instead.
            if not (isinstance(e["input"], str) and _VARIABLE.search(e["input"]))
        ]
        if registry is not None and isinstance(raw, Mapping):
            problems += _reference_problems(raw, registry, source)
        raise ConfigError(problems) from exc


def _items(value: Any) -> list[tuple[Any, Mapping[str, Any]]]:
    """(index or key, item) for the mappings in a list or mapping; anything else is the schema's to report."""
    pairs = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, Mapping) else ()
    return [(key, item) for key, item in pairs if isinstance(item, Mapping)]


def _reference_problems(data: Mapping[str, Any], registry: Registry, source: str) -> list[str]:
    """Names the file uses that exist nowhere: connectors, providers, accounts. Works on the raw file as well as
    on a validated one, so these are reported whether or not the rest of the file is valid."""
    problems = []
    providers = dict(_items(data.get("providers")))
    account_ids = {a.get("id") for _, a in _items(data.get("accounts"))}
    for i, caller in _items(data.get("callers")):
        allowed = caller.get("accounts")
        for j, name in enumerate(allowed if isinstance(allowed, list) else []):
            if name != "*" and name not in account_ids:
                problems.append(f"{source}: callers[{i}].accounts[{j}]: unknown account {name!r}")
    known = ", ".join(sorted(registry))
    for name, provider in providers.items():
        connector = provider.get("connector")
        if isinstance(connector, str) and connector not in registry:
            problems.append(f"{source}: providers.{name}.connector: unknown connector {connector!r} (known: {known})")
    for i, account in _items(data.get("accounts")):
        provider_name = account.get("provider")
        if isinstance(provider_name, str) and provider_name not in providers:
            problems.append(f"{source}: accounts[{i}].provider: unknown provider {provider_name!r}")
    return problems


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _interpolate(text: str, environ: Mapping[str, str], source: str) -> tuple[str, list[str]]:
    """`${NAME}` in the file is replaced by the environment variable, for what varies by deployment (hosts,
    ports). Secrets do not go this way: they are `{env: NAME}` references, resolved and checked separately.

    An unset variable is a problem, and stays `${NAME}` in the text so the rest of the file is still checked."""
    missing = [
        f"{source}: line {text.count(chr(10), 0, m.start()) + 1}: environment variable {m.group(1)} is not set"
        for m in _VARIABLE.finditer(text)
        if m.group(1) not in environ
    ]
    return _VARIABLE.sub(lambda m: environ.get(m.group(1), m.group(0)), text), missing


def read_config_file(
    path: str | Path, environ: Mapping[str, str] | None = None, registry: Registry | None = None
) -> GatewayConfig:
    path = Path(path)
    try:
        text, missing = _interpolate(path.read_text(), os.environ if environ is None else environ, str(path))
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {exc}"]) from exc
    try:
        config = parse_config(raw, source=str(path), registry=registry)
    except ConfigError as exc:
        raise ConfigError(missing + exc.problems) from exc
    if missing:
        raise ConfigError(missing)
    return config


def resolve(
    config: GatewayConfig,
    registry: Registry,
    environ: Mapping[str, str] | None = None,
    *,
    source: str = "config",
) -> ResolvedConfig:
    """Cross-check the file and look up its secrets; every problem is reported, not just the first."""
    env = os.environ if environ is None else environ
    problems = _reference_problems(config.model_dump(), registry, source)
    secrets: dict[str, str] = {}

    def need(ref: EnvSecret, where: str) -> None:
        if env.get(ref.env):
            secrets[ref.env] = env[ref.env]
        else:
            problems.append(f"{source}: {where}: environment variable {ref.env} is not set")

    account_ids = [a.id for a in config.accounts]
    for dup in sorted({i for i in account_ids if account_ids.count(i) > 1}):
        problems.append(f"{source}: accounts: id {dup!r} is used more than once")

    hashes: dict[str, str] = {}
    for i, caller in enumerate(config.callers):
        where = f"callers[{i}]"
        if (caller.api_key_sha256 is None) == (caller.api_key_sha256_env is None):
            problems.append(f"{source}: {where}: give exactly one of api_key_sha256, api_key_sha256_env")
        elif caller.api_key_sha256 is not None:
            hashes[caller.name] = caller.api_key_sha256
        else:
            ref = EnvSecret(env=caller.api_key_sha256_env or "")
            need(ref, f"{where}.api_key_sha256_env")
            value = secrets.get(ref.env, "")
            if value and not re.fullmatch(r"[0-9a-f]{64}", value):
                problems.append(f"{source}: {where}: {ref.env} must hold 64 lower-case hex digits")
            hashes[caller.name] = value
    names = [c.name for c in config.callers]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{source}: callers: name {dup!r} is used more than once")
    seen_hashes = list(hashes.values())
    if len(set(seen_hashes)) != len(seen_hashes):
        problems.append(f"{source}: callers: two callers share one API key")

    for name, provider in config.providers.items():
        where = f"providers.{name}"
        if provider.sandbox is not None and provider.sandbox != provider.connector:
            problems.append(f"{source}: {where}.sandbox: a {provider.sandbox} sandbox cannot serve {name}")
        if provider.sandbox is not None and not sandboxes_installed():
            problems.append(
                f"{source}: {where}.sandbox: the in-process sandboxes are not installed in this build "
                "(they serve the demo and the tests; the production image leaves them out)"
            )
        for key, ref in provider.credentials.items():
            need(ref, f"{where}.credentials.{key}")

    for i, account in enumerate(config.accounts):
        where = f"accounts[{i}]"
        served_by = config.providers.get(account.provider)
        if served_by is None:
            continue  # reported by _reference_problems
        for key, ref in account.credentials.items():
            need(ref, f"{where}.credentials.{key}")
        if served_by.connector in registry and served_by.sandbox is None:
            supplied = set(served_by.credentials) | set(account.credentials)
            for key in registry[served_by.connector].credentials:
                if key not in supplied:
                    problems.append(f"{source}: {where}: connector {served_by.connector} needs credential {key!r}")
        if served_by.connector == "stackone" and not account.vendor_account_id:
            problems.append(f"{source}: {where}.vendor_account_id: StackOne accounts need their linked account id")

    if config.cursor_secret is not None:
        need(config.cursor_secret, "cursor_secret")
    if problems:
        raise ConfigError(problems)
    return ResolvedConfig(config=_connector_quotas(config, registry), secrets=secrets, caller_key_hashes=hashes)


def _connector_quotas(config: GatewayConfig, registry: Registry) -> GatewayConfig:
    """A provider without `quota` gets its connector's published one (Merge meters each linked account), so
    every reader of the quota (budgets, waits) sees the same numbers; a configured `quota` wins (a vendor plan)."""
    providers = {
        name: provider.model_copy(update={"quota": VendorQuota(requests_per_minute=default)})
        if provider.quota is None and (default := registry[provider.connector].default_requests_per_minute)
        else provider
        for name, provider in config.providers.items()
    }
    return config.model_copy(update={"providers": providers})


def load_config(path: str | Path, registry: Registry, environ: Mapping[str, str] | None = None) -> ResolvedConfig:
    return resolve(read_config_file(path, environ, registry), registry, environ, source=str(path))
