# syntax=docker/dockerfile:1
# Build: the locked dependencies and the package into /app/.venv with uv; nothing else is kept.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY gateway ./gateway
COPY connectors ./connectors
COPY sandbox ./sandbox
RUN uv sync --frozen --no-dev --no-editable

# Run: slim, non-root, the virtualenv and the demo/example configs only.
FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app gateway
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY config ./config
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GATEWAY_CONFIG=/app/config/demo.yaml \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080 \
    LOG_FORMAT=json
USER gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['GATEWAY_PORT']}/healthz\", timeout=2)"]
# uvicorn stops accepting on SIGTERM and lets in-flight requests finish (up to 30 s); a request interrupted
# before its write left releases its idempotency key.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gateway"]
CMD ["serve"]
