"""Serving providers from in-process sandboxes (`sandbox:` in the config): the demo and the test suite.

Each sandbox is seeded with one tenant per configured account, and is reached through an ASGI transport, so the
gateway's whole request path runs unchanged. Credentials the config leaves out are generated for the life of the
process: a sandbox needs no secrets from anyone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI

from gateway.config import EnvSecret, ResolvedConfig

TENANT_CREDENTIALS = {"bindbee": "connector_token", "merge": "account_token"}
"""Sandbox kind → the per-account credential its tenants are named by (StackOne's is the configured account id)."""


@dataclass
class Wiring:
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    apps: dict[str, FastAPI] = field(default_factory=dict)
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)
    """Account id → every credential its connector gets (configured, or generated for a sandbox)."""


def wire(resolved: ResolvedConfig, seed_candidates: int = 0) -> Wiring:
    """Build the in-process sandboxes; `seed_candidates` adds that many numbered candidates to each tenant."""
    config = resolved.config
    wiring = Wiring()

    def value(ref: EnvSecret | None) -> str:
        return resolved.secret(ref) if ref is not None else secrets.token_urlsafe(24)

    provider_keys = {
        name: value(p.credentials.get("api_key")) if p.sandbox else None for name, p in config.providers.items()
    }
    for account in config.accounts:
        provider = config.providers[account.provider]
        creds = {key: resolved.secret(ref) for key, ref in provider.credentials.items()}
        if provider.sandbox:
            creds["api_key"] = provider_keys[account.provider] or ""
            tenant_key = TENANT_CREDENTIALS.get(provider.sandbox)
            if tenant_key is not None:
                creds[tenant_key] = value(account.credentials.get(tenant_key))
        creds.update({key: resolved.secret(ref) for key, ref in account.credentials.items()})
        wiring.credentials[account.id] = creds

    for name, provider in config.providers.items():
        if provider.sandbox is None:
            continue
        # Imported only when a config asks for an in-process sandbox: the production image has none, and
        # `resolve` has already refused such a config there.
        from sandbox import bindbee, merge, stackone

        served = [a for a in config.accounts if a.provider == name]
        app: FastAPI
        if provider.sandbox == "stackone":
            app = stackone.create_app(
                stackone.StackOneSandbox(
                    api_keys={provider_keys[name] or ""},
                    accounts={a.vendor_account_id or a.id: a.ats or "generic" for a in served},
                    seed_candidates=seed_candidates,
                    short_pages=True,
                )
            )
        elif provider.sandbox == "bindbee":
            app = bindbee.create_app(
                bindbee.BindbeeSandbox(
                    api_key=provider_keys[name] or "",
                    connectors={wiring.credentials[a.id]["connector_token"]: a.ats or "generic" for a in served},
                    seed_labels={wiring.credentials[a.id]["connector_token"]: a.id for a in served},
                    seed_candidates=seed_candidates,
                    base_url=provider.base_url,
                )
            )
        else:
            origin = urlsplit(provider.base_url)
            app = merge.create_app(
                merge.MergeSandbox(
                    api_key=provider_keys[name] or "",
                    accounts={wiring.credentials[a.id]["account_token"]: a.ats or "generic" for a in served},
                    base_url=f"{origin.scheme}://{origin.netloc}",
                    seed_labels={wiring.credentials[a.id]["account_token"]: a.id for a in served},
                    seed_candidates=seed_candidates,
                )
            )
        wiring.apps[name] = app
        wiring.transports[name] = httpx.ASGITransport(app=app)
    return wiring
