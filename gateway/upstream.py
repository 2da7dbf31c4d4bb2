"""The only place that talks HTTP to vendors: one pooled client per provider, with the provider's timeouts.

Failures are classified by what the vendor may have seen, which is all the idempotency layer needs to know:
`NotSent` (nothing reached the vendor: safe to try again) and `OutcomeUnknown` (the request may have been
processed: never re-send blindly).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from connectors.base import ProviderRequest, ProviderResponse
from gateway.config import Provider
from gateway.transport import TransportKind, classify, transport


class UpstreamFailure(Exception):
    def __init__(self, provider: str, url: str, reason: str) -> None:
        self.provider = provider
        self.url = url
        self.reason = reason
        super().__init__(f"{provider}: {reason}")


class NotSent(UpstreamFailure):
    pass


class OutcomeUnknown(UpstreamFailure):
    def __init__(self, provider: str, url: str, reason: str, *, timed_out: bool) -> None:
        super().__init__(provider, url, reason)
        self.timed_out = timed_out


@dataclass(frozen=True)
class Sent:
    """A completed exchange, kept for `raw=true`, logs and metrics."""

    request: ProviderRequest
    response: ProviderResponse
    latency_ms: float


class Upstream:
    def __init__(
        self,
        providers: Mapping[str, Provider],
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        kind: TransportKind = "aiohttp",
    ) -> None:
        self._providers = dict(providers)
        self._transports = dict(transports or {})
        self._kind = kind
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client(self, name: str) -> httpx.AsyncClient:
        """Opened on first use, and again after `aclose`: an app may be started and stopped more than once."""
        client = self._clients.get(name)
        if client is None:
            provider = self._providers[name]
            client = self._clients[name] = httpx.AsyncClient(
                base_url=provider.base_url,
                timeout=httpx.Timeout(
                    connect=provider.timeouts.connect,
                    read=provider.timeouts.read,
                    write=provider.timeouts.read,
                    pool=provider.timeouts.connect,
                ),
                transport=self._transports.get(name) or transport(self._kind, provider.max_connections),
                follow_redirects=False,
            )
        return client

    async def send(self, provider: str, request: ProviderRequest) -> Sent:
        client = self._client(provider)
        url = str(client.base_url.join(request.path))
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._providers[provider].timeouts.total):
                response = await client.request(
                    request.method,
                    request.path,
                    params=dict(request.query),
                    headers=dict(request.headers),
                    json=request.json if request.json is not None else None,
                )
        except (httpx.TransportError, TimeoutError) as exc:
            failure = classify(exc)
            if failure == "not_sent":
                raise NotSent(provider, url, f"could not connect: {type(exc).__name__}") from exc
            if failure == "timeout":
                raise OutcomeUnknown(provider, url, "no answer before the timeout", timed_out=True) from exc
            raise OutcomeUnknown(provider, url, f"connection lost: {type(exc).__name__}", timed_out=False) from exc
        latency = (time.perf_counter() - started) * 1000
        return Sent(
            request,
            ProviderResponse(response.status_code, response.headers, _body(response), str(response.url)),
            latency,
        )

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()


def _body(response: httpx.Response) -> object:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text
