"""What a transport failure means for a write, on real sockets, for both outbound transports.

A refused connection never reached the vendor; a connection that dies after the request was written, or a vendor
that never answers, may have processed it. Misreading the second as the first would re-send a create.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from connectors.base import ProviderRequest
from gateway.config import Provider, Timeouts
from gateway.transport import TransportKind
from gateway.upstream import NotSent, OutcomeUnknown, Upstream
from tests.conftest import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
WRITE = ProviderRequest("POST", "/jobs", {}, json={"name": "x"})


@pytest.fixture(params=["aiohttp", "httpx"])
def kind(request: pytest.FixtureRequest) -> TransportKind:
    value: TransportKind = request.param
    return value


async def serve(handler: Handler) -> tuple[asyncio.base_events.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def upstream(port: int, kind: TransportKind, read: float = 5.0) -> Upstream:
    timeouts = Timeouts(connect=1, read=read, total=read + 1)
    return Upstream(
        {"v": Provider(connector="bindbee", base_url=f"http://127.0.0.1:{port}", timeouts=timeouts)}, kind=kind
    )


@pytest.fixture
async def hung_servers() -> AsyncIterator[list[asyncio.base_events.Server]]:
    servers: list[asyncio.base_events.Server] = []
    yield servers
    for server in servers:
        server.close()


async def test_refused_connection_is_not_sent(kind: TransportKind) -> None:
    client = upstream(free_port(), kind)
    with pytest.raises(NotSent):
        await client.send("v", WRITE)
    await client.aclose()


async def test_connection_closed_after_the_request_is_outcome_unknown(
    kind: TransportKind, hung_servers: list[asyncio.base_events.Server]
) -> None:
    async def read_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()

    server, port = await serve(read_then_close)
    hung_servers.append(server)
    client = upstream(port, kind)
    with pytest.raises(OutcomeUnknown) as caught:
        await client.send("v", WRITE)
    assert not caught.value.timed_out
    await client.aclose()


async def test_no_answer_is_an_unknown_outcome_by_timeout(
    kind: TransportKind, hung_servers: list[asyncio.base_events.Server]
) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    server, port = await serve(never_answer)
    hung_servers.append(server)
    client = upstream(port, kind, read=0.3)
    with pytest.raises(OutcomeUnknown) as caught:
        await client.send("v", WRITE)
    assert caught.value.timed_out
    await client.aclose()


async def _capture(requests: list[bytes]) -> tuple[asyncio.base_events.Server, int]:
    """A vendor that records the raw request and answers 201 with a cookie."""

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            lengths = [int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")]
            length = lengths[0] if lengths else 0
            requests.append(head + await reader.readexactly(length))
            body = b'{"id":"1"}'
            writer.write(
                b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: session=tenant-a; Path=/\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()

    return await serve(record)


def _lines(raw: bytes) -> tuple[bytes, set[bytes], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    start, *headers = head.split(b"\r\n")
    return start, {h.lower() for h in headers}, body


async def test_both_clients_send_the_same_request_and_never_replay_a_vendors_cookie(
    hung_servers: list[asyncio.base_events.Server],
) -> None:
    seen: dict[str, list[bytes]] = {"aiohttp": [], "httpx": []}
    request = ProviderRequest(
        "POST",
        "/jobs",
        {"authorization": "Bearer t", "x-connector-token": "c"},
        query={"ats": "greenhouse", "q": "a b&c"},
        json={"name": "Ingénieur", "n": 1},
    )
    for kind in ("aiohttp", "httpx"):
        server, port = await _capture(seen[kind])
        hung_servers.append(server)
        client = upstream(port, kind)
        answer = await client.send("v", request)
        assert answer.response.status == 201
        assert answer.response.body == {"id": "1"}
        await client.send("v", request)  # the second request must not carry the first answer's cookie
        await client.aclose()
    (a_first, a_second), (h_first, h_second) = seen["aiohttp"], seen["httpx"]
    for raw in (a_first, a_second, h_first, h_second):
        assert b"cookie" not in raw.lower().replace(b"set-cookie", b"")
    a_start, a_headers, a_body = _lines(a_first)
    h_start, h_headers, h_body = _lines(h_first)
    assert a_start == h_start == b"POST /jobs?ats=greenhouse&q=a+b%26c HTTP/1.1"
    assert a_body == h_body == '{"name":"Ingénieur","n":1}'.encode()
    shared = {b"authorization: bearer t", b"x-connector-token: c", b"content-type: application/json"}
    assert shared <= a_headers
    assert shared <= h_headers
