"""Process settings: every environment variable `gateway serve` reads, declared once (CONTRACT.md), with one
line per problem when a value is bad or missing. The configuration file is gateway/config.py's."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from gateway.config import ConfigError, _Strict

LogLevel = Literal["debug", "info", "warning", "error"]


class ServerSettings(_Strict):
    """Process settings: every environment variable `gateway serve` reads, declared once (CONTRACT.md).

    Each field is the variable of its name in upper case; the descriptions are what `gateway serve --help`
    prints, so the help cannot drift from what is read."""

    gateway_config: str = Field(
        description="the configuration file (`make run` serves config/demo.yaml; the image reads "
        "/etc/ats-gateway/gateway.yaml)"
    )
    redis_url: str | None = Field(
        default=None,
        description="all state in this Redis (redis://, rediss://, unix://, redis+sentinel://, redis+cluster://); "
        "unset: the embedded store, one process only",
    )
    # Long enough that a busy event loop is not mistaken for a dead Redis (a keyed write then fails closed).
    redis_timeout_ms: int = Field(default=500, ge=1, description="deadline of each state store call")
    gateway_host: str = Field(default="127.0.0.1", description="address to listen on")
    gateway_port: int = Field(default=8080, ge=1, le=65535, description="port to listen on")
    # Processes serving one port: a Python process uses one core, and every piece of shared state is in Redis.
    gateway_workers: int = Field(
        default=1, ge=1, le=64, description="worker processes on the port (more than one needs REDIS_URL)"
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="proxies whose X-Forwarded-For and -Proto are believed (the client address logged); "
        "comma-separated addresses or networks, or *",
    )
    gateway_http_transport: Literal["aiohttp", "httpx"] = Field(
        default="aiohttp", description="the outbound HTTP client"
    )
    log_format: Literal["json", "console"] = Field(
        default="json", description="json, or console (coloured only on a terminal)"
    )
    log_level: LogLevel = Field(
        default="info", description="debug, info (one access event per request), warning or error"
    )
    gateway_commit: str | None = Field(
        default=None, description="the source commit, shown by gateway_build_info (read from git when unset)"
    )
    # What one client connection may take (gateway/server.py enforces them).
    gateway_header_timeout_seconds: float = Field(
        default=10.0, gt=0, description="from a request's first byte to the end of its headers: else 408"
    )
    gateway_body_timeout_seconds: float = Field(
        default=30.0, gt=0, description="from the end of the headers to the end of the body: else 408"
    )
    gateway_keep_alive_seconds: int = Field(
        default=5, gt=0, description="an idle connection is closed after this long (shorter than a proxy's)"
    )
    gateway_send_timeout_seconds: float = Field(
        default=30.0, gt=0, description="a client that stops reading its answers is cut off after this long"
    )
    gateway_max_header_bytes: int = Field(
        default=16 * 1024, ge=1024, description="the request line and headers together: past it, 431"
    )
    gateway_max_pipelined_requests: int = Field(
        default=16, ge=1, description="requests one connection may queue behind the one being answered"
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @classmethod
    def environment_help(cls) -> str:
        """One line per variable: its name, default and meaning."""
        lines = []
        for name, field in cls.model_fields.items():
            default = "required" if field.is_required() else f"default {field.default}"
            if field.default is None and not field.is_required():
                default = "optional"
            lines.append(f"  {name.upper():<32} {field.description} ({default})")
        return "\n".join(lines)


def server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """The settings, or `ConfigError` with one line per bad or missing variable (never a traceback)."""
    env = os.environ if environ is None else environ
    # An empty variable is an unset one (compose and Kubernetes often pass `NAME=`).
    values = {name: env[name.upper()] for name in ServerSettings.model_fields if env.get(name.upper())}
    try:
        return ServerSettings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0])
            if error["type"] == "missing":
                description = ServerSettings.model_fields[name].description
                problems.append(f"{name.upper()} is not set: {description}")
            else:
                problems.append(f"{name.upper()}={error['input']!r}: {error['msg']}")
        raise ConfigError(problems) from None
