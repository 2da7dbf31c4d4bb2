"""Every catalogue operation as one Starlette route, matched by walking a tree of path segments.

It is a proper route of the app, first in its router: middleware added with `app.add_middleware` (CORS, tracing)
runs on unified calls, `root_path` deployments work, and errors go through the app's exception handlers like
every other route's. What it saves over one route per operation is the matching: Starlette tries each route's
regular expression in turn, while this is one dictionary lookup per path segment (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from starlette._utils import get_route_path  # what Starlette's own routes match with (root_path aware)
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from connectors.catalogue import Operation

Endpoint = Callable[[Request, Operation], Awaitable[Response]]


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None
    """The one parameter segment at this depth: its name and the subtree below it."""
    methods: dict[str, Operation] = field(default_factory=dict)


class UnifiedRoute(BaseRoute):
    def __init__(self, operations: Iterable[Operation], endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.root = _Node()
        for op in operations:
            node = self.root
            for segment in op.path.lstrip("/").split("/"):
                if segment.startswith("{"):
                    name = segment[1:-1]
                    if node.param is None:
                        node.param = (name, _Node())
                    if node.param[0] != name:
                        raise ValueError(f"{op.path}: {name} where another operation has {node.param[0]}")
                    node = node.param[1]
                else:
                    node = node.children.setdefault(segment, _Node())
            node.methods[op.method] = op

    def _find(self, path: str) -> tuple[_Node, dict[str, str]] | None:
        """A literal segment wins over a parameter (`…/documents/upload` before `…/documents/{subResourceId}`);
        an empty segment (a trailing slash) matches nothing, so Starlette's slash redirect applies as elsewhere."""
        node, params = self.root, {}
        for segment in path.lstrip("/").split("/"):
            child = node.children.get(segment)
            if child is not None:
                node = child
            elif node.param is not None and segment:
                name, node = node.param
                params[name] = segment
            else:
                return None
        return (node, params) if node.methods else None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path = get_route_path(scope)
        if not path.startswith("/unified/"):
            return Match.NONE, {}
        found = self._find(path)
        if found is None:
            return Match.NONE, {}
        node, params = found
        operation = node.methods.get(scope["method"])
        child = {"path_params": {**scope.get("path_params", {}), **params}, "unified": node}
        if operation is None:
            return Match.PARTIAL, child
        # The operation is the route's name for logs and metrics: its `path` is the template.
        return Match.FULL, {**child, "route": operation}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = scope.get("route")
        if not isinstance(operation, Operation):
            allowed = ", ".join(sorted(scope["unified"].methods))
            raise HTTPException(405, f"Method not allowed; use {allowed}", headers={"Allow": allowed})
        request = Request(scope, receive, send)
        response = await self.endpoint(request, operation)
        await response(scope, receive, send)
