"""`gateway serve`, `gateway check-config FILE`, `gateway sandbox {stackone,bindbee,merge} --port N`,
`gateway --version`."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import uvicorn

from connectors.registry import Registry
from gateway import logs, server
from gateway.config import SANDBOX_KINDS, ConfigError, ResolvedConfig, load_config, sandboxes_installed
from gateway.metrics import MULTIPROCESS_DIR
from gateway.settings import ServerSettings, server_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("gateway")
STARTUP_FAILURE = 3
"""What uvicorn's supervisor reads as "this worker can never start" (uvicorn.config.STARTUP_FAILURE)."""


def _serve(settings: ServerSettings) -> int:
    logs.configure(settings.log_format, settings.log_level)
    registry = Registry.discover()
    if not Path(settings.gateway_config).is_file():
        log.error(
            "GATEWAY_CONFIG=%s: no such file: mount the configuration there or point GATEWAY_CONFIG at one",
            settings.gateway_config,
        )
        return 2
    try:
        resolved = load_config(settings.gateway_config, registry)
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("config problem: %s", problem)
        return 2
    sandboxes = [n for n, p in resolved.config.providers.items() if p.sandbox]
    log.info("config %s loaded; in-process sandboxes: %s", settings.gateway_config, ", ".join(sandboxes) or "none")
    if settings.gateway_workers > 1 and (not settings.redis_url or sandboxes):
        # Each worker would keep its own idempotency keys, limits and sandbox records: one process's promises.
        log.error(
            "GATEWAY_WORKERS=%d needs REDIS_URL and no in-process sandbox (they hold state in one process)",
            settings.gateway_workers,
        )
        return 2
    if settings.redis_url:
        log.info("state store: Redis at %s", _without_password(settings.redis_url))
    else:
        log.warning(
            "STATE STORE: EMBEDDED IN-MEMORY. Idempotency keys and rate limits live in this process only: "
            "run a single replica, or set REDIS_URL"
        )
    server.tune_collector()
    options: dict[str, Any] = {"forwarded_allow_ips": settings.forwarded_allow_ips}
    target: Any
    run_dir: Path | None = None
    if settings.gateway_workers > 1:
        # Each worker builds its own app from the same environment (uvicorn needs an import string for that);
        # the run directory holds their metrics and the last configuration that loaded.
        run_dir = Path(tempfile.mkdtemp(prefix="gateway-"))
        (run_dir / "metrics").mkdir()
        os.environ[MULTIPROCESS_DIR] = str(run_dir / "metrics")
        shutil.copyfile(settings.gateway_config, run_dir / "config.yaml")
        target = "gateway.cli:app_from_environment"
        # A new worker imports and builds everything before it answers: seconds on a busy small machine, more
        # than uvicorn's 5 s default, after which a SIGHUP restart would be abandoned half way.
        options |= {"factory": True, "workers": settings.gateway_workers, "timeout_worker_healthcheck": 30}
    else:
        from gateway.reload import Reloadable

        # One process: its own registry. The variable is the gateway's to set, never inherited.
        os.environ.pop(MULTIPROCESS_DIR, None)
        target = Reloadable(resolved, lambda: load_config(settings.gateway_config, registry), _builder(settings))
    try:
        server.run(
            target,
            host=settings.gateway_host,
            port=settings.gateway_port,
            limits=server.ServerLimits.of(settings),
            **options,
        )
    finally:
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def app_from_environment() -> FastAPI:
    """The app of one worker process of `gateway serve` (GATEWAY_WORKERS > 1).

    A worker starts on the configuration file if it loads, else on the last one that did (kept in the run
    directory), so a bad edit never stops a worker from starting: on SIGHUP, uvicorn's supervisor replaces the
    workers one by one, each logging the problems and keeping the previous configuration."""
    settings = server_settings()
    logs.configure(settings.log_format, settings.log_level)
    server.tune_collector()
    # SIGHUP is the supervisor's (it restarts the workers); a worker that received it too would die.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    registry = Registry.discover()
    last_good = Path(os.environ[MULTIPROCESS_DIR]).parent / "config.yaml"
    try:
        resolved = load_config(settings.gateway_config, registry)
        staged = last_good.with_suffix(f".{os.getpid()}")
        shutil.copyfile(settings.gateway_config, staged)
        staged.replace(last_good)
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("config problem: %s", problem)
        log.error("the configuration was not reloaded: this worker keeps the last one that loaded")
        try:
            resolved = load_config(last_good, registry)
        except ConfigError:
            sys.exit(STARTUP_FAILURE)
    return _builder(settings)(resolved)


def _builder(settings: ServerSettings) -> Callable[[ResolvedConfig], FastAPI]:
    """Builds the app for a configuration, keeping across builds what must outlive one (see gateway/reload.py):
    the embedded store, the metrics, and the in-process sandboxes while their providers and accounts are the same.
    A Redis store is per app: its connection closes with the app that opened it."""
    from gateway.app import create_app
    from gateway.metrics import Metrics
    from gateway.sandboxes import Wiring, wire
    from gateway.state import MemoryStore, RedisStore, StateStore

    metrics = Metrics(settings.gateway_commit)
    embedded = None if settings.redis_url else MemoryStore()
    built: list[tuple[ResolvedConfig, Wiring]] = []

    def build(resolved: ResolvedConfig) -> FastAPI:
        wiring = next((w for r, w in built if _same_sandboxes(r, resolved)), None) or wire(resolved)
        built[:] = [(resolved, wiring)]
        store: StateStore = embedded or RedisStore.from_url(settings.redis_url or "", settings.redis_timeout_ms / 1000)
        return create_app(
            resolved, wiring=wiring, store=store, http_transport=settings.gateway_http_transport, metrics=metrics
        )

    return build


def _same_sandboxes(old: ResolvedConfig, new: ResolvedConfig) -> bool:
    return (old.config.providers, old.config.accounts, old.secrets) == (
        new.config.providers,
        new.config.accounts,
        new.secrets,
    )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def _check_config(path: str) -> int:
    try:
        resolved = load_config(path, Registry.discover())
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    config = resolved.config
    print(
        f"{path}: OK ({len(config.callers)} callers, {len(config.providers)} providers, "
        f"{len(config.accounts)} accounts)"
    )
    return 0


def _sandbox(kind: str, host: str, port: int) -> int:
    """Serve one emulator on its own port; credentials come from the environment, as the gateway's do."""
    if not sandboxes_installed():
        print("gateway sandbox: the sandboxes are not installed in this build (the image's `sandbox` stage has them)")
        return 2
    logs.configure(os.environ.get("LOG_FORMAT", "json"))
    if kind == "stackone":
        from sandbox import stackone

        keys = set(os.environ.get("STACKONE_SANDBOX_API_KEYS", "sandbox-stackone-key").split(","))
        accounts = dict(
            item.split("=", 1)
            for item in os.environ.get("STACKONE_SANDBOX_ACCOUNTS", "stackone-demo-account=generic").split(",")
        )
        rate = int(os.environ.get("STACKONE_SANDBOX_RATE_PER_MINUTE", stackone.RATE_LIMIT_PER_MINUTE))
        app = stackone.create_app(stackone.StackOneSandbox(api_keys=keys, accounts=accounts, requests_per_minute=rate))
    elif kind == "merge":
        from sandbox import merge

        # MERGE_SANDBOX_API_KEY, MERGE_SANDBOX_ACCOUNTS (token=ats,…), MERGE_SANDBOX_RATE_PER_MINUTE,
        # MERGE_SANDBOX_BASE_URL (the origin of its file URLs), MERGE_SANDBOX_IDEMPOTENCY=false.
        app = merge.from_environment(os.environ, f"http://{host}:{port}")
    else:
        from sandbox import bindbee

        connectors = dict(
            item.split("=", 1)
            for item in os.environ.get(
                "BINDBEE_SANDBOX_CONNECTORS",
                "sandbox-greenhouse-token=greenhouse,sandbox-generic-token=generic",
            ).split(",")
        )
        rate = int(os.environ.get("BINDBEE_SANDBOX_RATE_PER_MINUTE", bindbee.RATE_LIMIT_PER_MINUTE))
        app = bindbee.create_app(
            bindbee.BindbeeSandbox(
                api_key=os.environ.get("BINDBEE_SANDBOX_API_KEY", "sandbox-bindbee-key"),
                connectors=connectors,
                requests_per_minute=rate,
                base_url=os.environ.get("BINDBEE_SANDBOX_BASE_URL", f"http://{host}:{port}"),
            )
        )
    uvicorn.run(app, host=host, port=port, log_config=None)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gateway", description="ATS unified-API gateway")
    parser.add_argument("--version", action="version", version=f"%(prog)s {importlib.metadata.version('ats-gateway')}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve",
        help="run the gateway",
        description="Serve the gateway. SIGTERM drains in-flight requests (30 s); SIGHUP reloads the configuration "
        "file, checking it first: a file with problems is reported and the running configuration kept.",
        epilog="environment (read by `gateway serve`):\n"
        + ServerSettings.environment_help()
        + "\n\nplus every variable the configuration file names ({env: NAME} secrets, ${NAME} values): "
        "`gateway check-config FILE` lists the missing ones",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check = commands.add_parser("check-config", help="validate a config file and the env vars it references")
    check.add_argument("file")
    sandbox = commands.add_parser("sandbox", help="run a vendor emulator")
    sandbox.add_argument("kind", choices=SANDBOX_KINDS)
    sandbox.add_argument("--port", type=int, required=True)
    sandbox.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            settings = server_settings()
        except ConfigError as exc:
            for problem in exc.problems:
                print(f"gateway serve: {problem}", file=sys.stderr)
            return 2
        return _serve(settings)
    if args.command == "check-config":
        return _check_config(args.file)
    return _sandbox(args.kind, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
