from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.registry import Registry
from gateway.app import create_app
from gateway.config import ResolvedConfig, load_config
from gateway.sandboxes import Wiring, wire
from tests.contract import RecordingTransport

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "config" / "demo.yaml"


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@dataclass
class Harness:
    """The gateway in-process over its in-process sandboxes, every vendor request checked against its contract."""

    client: httpx.AsyncClient
    wiring: Wiring
    recorders: dict[str, RecordingTransport]

    async def call(
        self,
        method: str,
        path: str,
        account: str | None = "stackone-demo",
        key: str | None = "demo-key",
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if account is not None:
            headers["x-account-id"] = account
        if key is not None:
            headers["authorization"] = basic(key)
        return await self.client.request(method, path, headers=headers, **kwargs)

    def sent(self, provider: str) -> list[tuple[str, str, Any]]:
        return self.recorders[provider].seen


@pytest.fixture
def registry() -> Registry:
    return Registry.discover()


@pytest.fixture
def demo_config(registry: Registry) -> ResolvedConfig:
    return load_config(DEMO_CONFIG, registry, environ={})


@pytest.fixture
async def harness(demo_config: ResolvedConfig, registry: Registry) -> AsyncIterator[Harness]:
    wiring = wire(demo_config)
    recorders = {
        name: RecordingTransport(demo_config.config.providers[name].connector, transport)
        for name, transport in wiring.transports.items()
    }
    app = create_app(demo_config, registry, wiring=wiring, transports=recorders)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield Harness(client, wiring, recorders)
    await app.state.gateway.upstream.aclose()
