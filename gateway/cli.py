"""`gateway serve`, `gateway check-config FILE`, `gateway sandbox {stackone,bindbee} --port N`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import uvicorn

from connectors.registry import Registry
from gateway import logs, server
from gateway.config import SANDBOX_KINDS, ConfigError, ResolvedConfig, ServerSettings, load_config


def _serve(settings: ServerSettings) -> int:
    logs.configure(settings.log_format)
    logger = logging.getLogger("gateway")
    try:
        resolved = load_config(settings.gateway_config, Registry.discover())
    except ConfigError as exc:
        for problem in exc.problems:
            logger.error("config problem: %s", problem)
        return 2
    sandboxes = [n for n, p in resolved.config.providers.items() if p.sandbox]
    logger.info("config %s loaded; in-process sandboxes: %s", settings.gateway_config, ", ".join(sandboxes) or "none")
    if settings.gateway_workers > 1 and (not settings.redis_url or sandboxes):
        # Each worker would keep its own idempotency keys, limits and sandbox records: one process's promises.
        logger.error(
            "GATEWAY_WORKERS=%d needs REDIS_URL and no in-process sandbox (they hold state in one process)",
            settings.gateway_workers,
        )
        return 2
    if settings.redis_url:
        logger.info("state store: Redis at %s", _without_password(settings.redis_url))
    else:
        logger.warning(
            "STATE STORE: EMBEDDED IN-MEMORY. Idempotency keys and rate limits live in this process only: "
            "run a single replica, or set REDIS_URL"
        )
    host, port = settings.gateway_host, settings.gateway_port
    if settings.gateway_workers > 1:
        # Each worker builds its own app from the same environment (uvicorn needs an import string for that).
        server.run(
            "gateway.cli:app_from_environment", host=host, port=port, workers=settings.gateway_workers, factory=True
        )
    else:
        server.run(_app(settings, resolved), host=host, port=port)
    return 0


def app_from_environment() -> Any:
    """The app of one worker process of `gateway serve` (GATEWAY_WORKERS > 1)."""
    settings = ServerSettings()
    logs.configure(settings.log_format)
    return _app(settings, load_config(settings.gateway_config, Registry.discover()))


def _app(settings: ServerSettings, resolved: ResolvedConfig) -> Any:
    from gateway.app import create_app
    from gateway.state import MemoryStore, RedisStore, StateStore

    store: StateStore = MemoryStore()
    if settings.redis_url:
        store = RedisStore.from_url(settings.redis_url, settings.redis_timeout_ms / 1000)
    return create_app(resolved, store=store, http_transport=settings.gateway_http_transport)


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
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the gateway (GATEWAY_CONFIG, GATEWAY_HOST, GATEWAY_PORT, REDIS_URL)")
    check = commands.add_parser("check-config", help="validate a config file and the env vars it references")
    check.add_argument("file")
    sandbox = commands.add_parser("sandbox", help="run a vendor emulator")
    sandbox.add_argument("kind", choices=SANDBOX_KINDS)
    sandbox.add_argument("--port", type=int, required=True)
    sandbox.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(ServerSettings())
    if args.command == "check-config":
        return _check_config(args.file)
    return _sandbox(args.kind, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
