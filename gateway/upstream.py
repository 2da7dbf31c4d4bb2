"""The only place that talks HTTP to vendors: one pooled client per provider, with the provider's timeouts.

Failures are classified by what the vendor may have seen, which is all the idempotency layer needs to know:
`NotSent` (nothing reached the vendor: safe to try again) and `OutcomeUnknown` (the request may have been
processed: never re-send blindly).

The request is encoded here, once, into the exact URL, headers and body bytes, and handed to a sender
(`gateway/transport.py`): aiohttp's client on the network, httpx's where a test or the in-process sandboxes put an
httpx transport in the vendor's place. Both therefore send the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

from connectors.base import ProviderRequest, ProviderResponse
from gateway import tracing
from gateway.config import Provider
from gateway.transport import HttpxSender, Outbound, Sender, TransportKind, classify, sender


class UpstreamFailure(Exception):
    def __init__(self, provider: str, url: str, reason: str) -> None:
        self.provider = provider
        self.url = url
        self.reason = reason
        super().__init__(f"{provider}: {reason}")


class NotSent(UpstreamFailure):
    pass


class HostNotAllowed(UpstreamFailure):
    """An absolute URL outside the provider's `download_hosts`: refused before anything is sent."""


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


def is_absolute(path: str) -> bool:
    return path.startswith(("https://", "http://"))


def refusal(provider: Provider, request: ProviderRequest) -> str | None:
    """Why an absolute URL (a file the vendor's answer pointed at) may not be fetched for this provider, or None.

    Only hosts the operator listed in `download_hosts` (default: the base URL's own) are fetched, so a vendor's
    answer can never steer the gateway to an internal address."""
    if not is_absolute(request.path):
        return None
    host = (urlsplit(request.path).hostname or "").lower()
    if _allowed(host, provider.download_hosts or [urlsplit(provider.base_url).hostname or ""]):
        return None
    return (
        f"the vendor's file is at {host or 'an unreadable URL'}, which is not one of this provider's download_hosts;"
        " nothing was fetched"
    )


def _allowed(host: str, patterns: Sequence[str]) -> bool:
    for pattern in (p.lower() for p in patterns):
        if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def encode(base_url: str, request: ProviderRequest, traceparent: str | None = None) -> Outbound:
    """The bytes on the wire: compact UTF-8 JSON (as httpx's `json=`), the query in the order the plan gave it,
    and the W3C trace context of the request that makes the call (connectors never see it). A path that is an
    absolute URL (a file the vendor's answer pointed at) is fetched as it is."""
    target = request.path if is_absolute(request.path) else base_url.rstrip("/") + request.path
    url = target + (f"?{urlencode(list(request.query.items()))}" if request.query else "")
    headers = dict(request.headers)
    if traceparent is not None:
        headers["traceparent"] = traceparent
    body = None
    if request.json is not None:
        body = json.dumps(request.json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        headers.setdefault("content-type", "application/json")
    return Outbound(request.method, url, headers, body)


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
        self._senders: dict[str, Sender] = {}

    def _sender(self, name: str) -> Sender:
        """Opened on first use, and again after `aclose`: an app may be started and stopped more than once."""
        found = self._senders.get(name)
        if found is None:
            provider = self._providers[name]
            injected = self._transports.get(name)
            found = self._senders[name] = (
                HttpxSender(provider.timeouts, injected)
                if injected is not None
                else sender(self._kind, provider.timeouts, provider.max_connections)
            )
        return found

    def encode(self, provider: str, request: ProviderRequest) -> Outbound:
        """The request's bytes, with the request's trace context for the vendor (W3C `traceparent`)."""
        return encode(self._providers[provider].base_url, request, tracing.outbound())

    def refusal(self, provider: str, request: ProviderRequest) -> str | None:
        return refusal(self._providers[provider], request)

    async def send(self, provider: str, request: ProviderRequest) -> Sent:
        return await self.transmit(provider, request, self.encode(provider, request))

    async def transmit(self, provider: str, request: ProviderRequest, outbound: Outbound) -> Sent:
        """Send what `encode` made of `request`: split, so a caller can do what must happen once the bytes exist
        and before they leave (the executor marks a write as possibly delivered only then)."""
        settings = self._providers[provider]
        refused = refusal(settings, request)
        if refused is not None:
            raise HostNotAllowed(provider, outbound.url, refused)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(settings.timeouts.total):
                status, headers, content = await self._sender(provider).send(outbound)
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            if failure == "not_sent":
                raise NotSent(provider, outbound.url, f"could not connect: {type(exc).__name__}") from exc
            if failure == "timeout":
                raise OutcomeUnknown(provider, outbound.url, "no answer before the timeout", timed_out=True) from exc
            reason = f"connection lost: {type(exc).__name__}"
            raise OutcomeUnknown(provider, outbound.url, reason, timed_out=False) from exc
        latency = (time.perf_counter() - started) * 1000
        # A file's bytes stay bytes; an error answer to a download is read like any other, for the error envelope.
        body = content if request.binary and status in request.ok_statuses else _body(content)
        return Sent(request, ProviderResponse(status, headers, body, outbound.url), latency)

    async def aclose(self) -> None:
        senders, self._senders = self._senders, {}
        for each in senders.values():
            await each.aclose()


# A surrogate written as an escape (valid pairs included) or as the bytes Python's decoder lets through.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]")


_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19


def _body(content: bytes) -> object:
    """The vendor's answer as JSON when it is JSON the gateway can pass on; otherwise its text, which plans treat
    as an unreadable answer. NaN, Infinity, numbers beyond a double and unpaired surrogates are not: each would
    make the gateway's own answer fail to encode.

    orjson reads a page of 100 records in half the time of the standard parser and refuses all four by itself. It
    reads an integer beyond 64 bits as a float, losing digits, so an answer holding a run of 19 digits anywhere is
    read by the standard parser, which keeps them, with the checks; so is one orjson refuses."""
    if not content:
        return None
    if _LONG_DIGIT_RUN not in content.translate(_DIGITS_ONLY):
        with contextlib.suppress(orjson.JSONDecodeError):
            return orjson.loads(content)
    try:
        body = json.loads(content, parse_constant=_not_a_number, parse_float=_finite)
        if _SURROGATE.search(content):
            json.dumps(body, ensure_ascii=False).encode()
    except ValueError:
        return content.decode("utf-8", "replace")
    return body


def _not_a_number(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number beyond a double's range")
    return value
