"""Test controls both emulators expose under `/_sandbox/`: injected faults and request counts.

Faults make a vendor slow, failing or rate-limiting on purpose, so backend teams (and our own tests) can see
what the gateway does then. They apply to matching requests in order, each a given number of times:

    POST /_sandbox/faults {"method": "POST", "path": "/api/ats/v1/jobs", "latency_ms": 3000, "times": 1}
    POST /_sandbox/faults {"status": 429, "headers": {"Retry-After": "30"}, "times": 1}
    POST /_sandbox/faults {"status": 503, "after_handling": true}   # the vendor stored it, then failed
    POST /_sandbox/faults {"status": 503, "probability": 0.2, "times": 1000000}   # one request in five
    DELETE /_sandbox/faults
    GET /_sandbox/stats   -> {"requests": {"POST /api/ats/v1/jobs": 3, ...}, "created": {"jobs": 2}, "received": {...}}

`after_handling` applies the fault to the answer of a request the vendor did process (a lost response, or with only
`latency_ms` a late one: the record is made at once, the answer comes after the delay); without it the request
never reaches the vendor's logic, and a client that goes away during the delay leaves nothing made. `received`
lists what a vendor took in without keeping it as a record of its own (StackOne's `proxy[...]` parameters, say), so a
test can see that it arrived.
"""

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Fault(BaseModel):
    method: str | None = None
    path: str | None = None
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    status: int | None = Field(default=None, ge=100, le=599)
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)
    after_handling: bool = False
    times: int = Field(default=1, ge=1)
    probability: float = Field(default=1.0, gt=0, le=1, description="share of matching requests it hits")

    def matches(self, request: Request) -> bool:
        return (self.method is None or self.method.upper() == request.method) and (
            self.path is None or request.url.path == self.path
        )


@dataclass
class Controls:
    faults: list[Fault] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    created: Counter[str] = field(default_factory=Counter)
    received: defaultdict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def take(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.matches(request) and random.random() < fault.probability:  # noqa: S311 - test tool
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None


def install(app: FastAPI, error_body: Callable[[int], Any]) -> Controls:
    """Add the control routes and the fault middleware; `error_body` renders an injected status the vendor's way."""
    controls = Controls()
    app.state.controls = controls

    @app.post("/_sandbox/faults", include_in_schema=False)
    async def add_fault(fault: Fault) -> dict[str, int]:
        controls.faults.append(fault)
        return {"faults": len(controls.faults)}

    @app.delete("/_sandbox/faults", include_in_schema=False)
    async def clear_faults() -> dict[str, int]:
        controls.faults.clear()
        return {"faults": 0}

    @app.get("/_sandbox/stats", include_in_schema=False)
    async def stats() -> dict[str, Any]:
        return {
            "requests": dict(controls.requests),
            "created": dict(controls.created),
            "received": dict(controls.received),
        }

    @app.middleware("http")
    async def inject(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith("/_sandbox/"):
            return await call_next(request)
        controls.requests[f"{request.method} {request.url.path}"] += 1
        fault = controls.take(request)
        if fault is None:
            return await call_next(request)
        handled = await call_next(request) if fault.after_handling else None
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.status is None:
            return handled or await call_next(request)
        body = fault.body if fault.body is not None else error_body(fault.status)
        return JSONResponse(body, fault.status, headers=fault.headers)

    return controls
