# syntax=docker/dockerfile:1
# Two images from one file: `production` (the default, last stage) runs the gateway without the vendor emulators;
# `sandbox` adds them, for docker-compose's sandbox services. Build with BuildKit (`docker build`, compose v2, or
# DOCKER_BUILDKIT=1 with compose v1).
#
# The base image is pinned by digest; `make bump-base-image` moves it to what the tag points at now.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# Build: the locked dependencies and the package into /app/.venv with uv; nothing else is kept.
FROM ${PYTHON_IMAGE} AS build
# The same uv as the Makefile's (UV_VERSION there).
ARG UV_VERSION=0.13.9
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN --mount=type=cache,target=/root/.cache/pip pip install "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-install-project
COPY gateway ./gateway
COPY connectors ./connectors
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev --no-editable

# The emulators: the same package built again with sandbox/ beside it.
FROM build AS build-sandbox
COPY sandbox ./sandbox
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --reinstall-package ats-gateway

# Run: slim, non-root (numeric, so Kubernetes' runAsNonRoot can check it), the virtualenv only. No configuration
# is baked in: `gateway serve` reads /etc/ats-gateway/gateway.yaml and refuses to start until one is mounted there.
FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --system --uid 10001 --user-group --home /app gateway
WORKDIR /app
ARG GATEWAY_COMMIT=""
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GATEWAY_CONFIG=/etc/ats-gateway/gateway.yaml \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080 \
    LOG_FORMAT=json \
    GATEWAY_COMMIT=${GATEWAY_COMMIT}
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['GATEWAY_PORT']}/healthz\", timeout=2)"]
# uvicorn stops accepting on SIGTERM and lets in-flight requests finish (up to 30 s); a request interrupted
# before its write left releases its idempotency key. SIGHUP reloads the configuration.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gateway"]
CMD ["serve"]

FROM runtime AS sandbox
COPY --from=build-sandbox /app/.venv /app/.venv

FROM runtime AS production
COPY --from=build /app/.venv /app/.venv
