"""/docs and /redoc with no network: every asset the pages reference comes from the gateway itself."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from tests.conftest import Harness

_REFERENCE = re.compile(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ?'([^']+)'""")


def references(html: str) -> list[str]:
    return [a or b for a, b in _REFERENCE.findall(html)]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png", "openapi.json"}),
        ("/redoc", {"redoc.standalone.js", "favicon.png", "openapi.json"}),
    ],
)
async def test_the_page_and_everything_it_references_come_from_the_gateway(
    harness: Harness, page: str, expected: set[str]
) -> None:
    response = await harness.client.get(page)
    assert response.status_code == 200
    html = response.text
    # Nothing from another host: no CDN, no web fonts, and Swagger UI's online validator off.
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
    assert '"validatorUrl": null' in html or page == "/redoc"
    found = references(html)
    assert {ref.rsplit("/", 1)[-1] for ref in found} == expected
    for ref in found:
        assert ref.startswith("/"), ref
        asset = await harness.client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.content, ref


async def test_assets_are_the_pinned_package_files_with_their_licences(harness: Harness) -> None:
    static = files("fastapi_standalone_docs") / "static"
    served = await harness.client.get("/docs/assets/swagger/swagger-ui-bundle.js")
    assert served.content == (static / "swagger" / "swagger-ui-bundle.js").read_bytes()
    assert served.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert served.headers["etag"]
    for licence in ("swagger/LICENSE", "redoc/redoc.standalone.js.LICENSE.txt"):
        assert (await harness.client.get(f"/docs/assets/{licence}")).status_code == 200
    outside = await harness.client.get("/docs/assets/../../../../etc/passwd")
    assert outside.status_code == 404
    assert (await harness.client.get("/docs/assets/nope.js")).json()["code"] == "route_not_found"
