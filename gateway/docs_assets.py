"""`/docs` (Swagger UI), `/redoc` (ReDoc) and `/openapi.json`, with every asset served by the gateway itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc its fonts from Google), so they are blank in an
air-gapped network. This follows FastAPI's "Custom Docs UI Static Assets (Self-Hosting)": its page builders with
local asset URLs. The assets come from the pinned `fastapi-standalone-docs` package (MIT; it ships Swagger UI,
Apache-2.0, and ReDoc, MIT, with their licences), not from this repository.

The routes are FastAPI routes, not a Starlette mount, so the request metrics name them (`route="/docs"`), and
Swagger UI's online validator is off: it would send the document's address to validator.swagger.io.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

ASSETS = "/docs/assets"
OPENAPI = "/openapi.json"
_STATIC = StaticFiles(packages=[("fastapi_standalone_docs", "static")])


def install(app: FastAPI) -> None:
    """Add the documentation routes to an app built with `openapi_url=None, docs_url=None, redoc_url=None`."""
    title = app.title

    @app.get(OPENAPI, include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI,
            title=f"{title} - Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS}/swagger/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/fastapi/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/fastapi/favicon.png",
            with_google_fonts=False,
        )

    @app.get(ASSETS + "/{path:path}", include_in_schema=False)
    async def asset(path: str, request: Request) -> Response:
        # StaticFiles resolves the path inside the package (no traversal), and sets ETag and Last-Modified.
        return await _STATIC.get_response(path, request.scope)
