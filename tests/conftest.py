from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from connectors.registry import Registry
from gateway import logs
from gateway.app import create_app
from gateway.config import ResolvedConfig, load_config, parse_config, resolve
from gateway.sandboxes import Wiring, wire
from gateway.state import MemoryStore, RedisStore, StateStore
from tests.contract import RecordingTransport

ROOT = Path(__file__).resolve().parents[1]

# Loggers cache their configuration on first use: configure before any test logs.
logs.configure("console")
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


def demo_with(change: Callable[[dict[str, Any]], None]) -> ResolvedConfig:
    """The demo configuration with a test's change applied to its YAML, validated as the gateway would."""
    raw = yaml.safe_load(DEMO_CONFIG.read_text())
    change(raw)
    return resolve(parse_config(raw), Registry.discover(), environ={})


@asynccontextmanager
async def running(
    config: ResolvedConfig, store: StateStore | None = None, seed_candidates: int = 0
) -> AsyncIterator[Harness]:
    wiring = wire(config, seed_candidates=seed_candidates)
    recorders = {
        name: RecordingTransport(config.config.providers[name].connector, transport)
        for name, transport in wiring.transports.items()
    }
    app = create_app(config, Registry.discover(), wiring=wiring, transports=recorders, store=store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield Harness(client, wiring, recorders)
    await app.state.gateway.aclose()


@pytest.fixture
async def harness(demo_config: ResolvedConfig) -> AsyncIterator[Harness]:
    async with running(demo_config) as h:
        yield h


def listening(process: subprocess.Popen[bytes], port: int) -> bool:
    """Whether this process, and not another test's server that took the port first, listens on the port: the
    server answering says its own process id."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"INFO server\r\n")
                info = s.recv(65536)
        except OSError:
            time.sleep(0.05)
            continue
        if f"process_id:{process.pid}\r\n".encode() in info:
            return True
        time.sleep(0.05)  # someone else's server: ours exits when it fails to bind
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
    return False


class RedisServer:
    """A real redis-server on a free loopback port, owned by the test session; it can be stopped and restarted."""

    def __init__(self, port: int, data_dir: Path | None = None) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # With a data directory the server keeps an append-only file, as production does, so a restart keeps keys.
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.data_dir)]
            if self.data_dir
            else ["--appendonly", "no"]
        )
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence],
            stdout=subprocess.DEVNULL,
        )
        if not listening(self.process, self.port):
            raise RuntimeError(f"redis-server did not start on port {self.port} (another process may hold it)")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(64)


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.fail("redis-server is not installed: `make test` installs it")
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    if redis_server.process is None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


@pytest.fixture(params=["memory", "redis"])
def store_factory(request: pytest.FixtureRequest) -> Callable[[], StateStore]:
    """Each test that takes it runs twice: on the embedded store and on a real redis-server."""
    if request.param == "memory":
        return MemoryStore
    url = request.getfixturevalue("redis_url")
    return lambda: RedisStore.from_url(url, timeout_s=1.0)
