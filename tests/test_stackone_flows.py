"""StackOne's multi-step flows through the gateway, as a product backend runs them on `stackone-demo`: seed 002's
assessment from the package list to a result the application shows, and a document uploaded, then downloaded
byte for byte. Every request the gateway sends is held to StackOne's document by the harness's recorder."""

from __future__ import annotations

import base64
import os
from typing import Any

from tests.conftest import Harness
from tests.seeds import curl_body


async def ok(h: Harness, method: str, path: str, **kwargs: Any) -> Any:
    response = await h.call(method, path, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def an_application(h: Harness) -> str:
    return str((await ok(h, "GET", "/unified/ats/applications"))["data"][0]["id"])


async def test_seed_002_package_listed_order_placed_result_recorded_and_readable(harness: Harness) -> None:
    packages = (await ok(harness, "GET", "/unified/ats/assessments/packages"))["data"]
    seed = curl_body("002")
    package = next(p for p in packages if p["name"] == seed["package"]["name"])
    assert await ok(harness, "GET", f"/unified/ats/assessments/packages/{package['id']}") == {"data": package}
    application = await an_application(harness)
    order = {**seed, "package": {**seed["package"], "id": package["id"]}}
    order["application"] = {**seed["application"], "id": application}
    placed = await ok(harness, "POST", "/unified/ats/assessments/orders", json=order)
    assert set(placed) == {"id", "remote_id", "test_url"}
    result = {
        "result": {"value": "passed", "source_value": "Passed"},
        "score": {"label": "Overall", "value": "82", "min": "0", "max": "100"},
        "result_url": "https://assessments.example/results/42",
        "summary": "Strong on algorithms.",
    }
    updated = await ok(harness, "PATCH", f"/unified/ats/assessments/orders/{placed['id']}/result", json=result)
    assert updated["statusCode"] == 200
    shown = (await ok(harness, "GET", f"/unified/ats/applications/{application}"))["data"]
    label = f"{package['name']}: passed (82/100)"
    assert {"label": label, "url": result["result_url"]} in shown["result_links"]
    sent = [body for method, url, body in harness.sent("stackone-sandbox") if method == "PATCH"]
    assert sent == [result]  # to StackOne as the caller wrote it


async def test_a_document_uploaded_through_the_gateway_downloads_byte_for_byte(harness: Harness) -> None:
    application = await an_application(harness)
    content = os.urandom(4096) + bytes(range(256))
    upload = {
        "name": "portfolio",
        "file_format": {"value": "pdf"},
        "content": base64.b64encode(content).decode(),
        "category": {"value": "take_home_test"},
    }
    documents = f"/unified/ats/applications/{application}/documents"
    before = {d["id"] for d in (await ok(harness, "GET", documents))["data"]}
    created = await ok(harness, "POST", f"{documents}/upload", json=upload)
    assert created["statusCode"] == 201
    [document] = [d for d in (await ok(harness, "GET", documents))["data"] if d["id"] not in before]
    assert (document["name"], document["file_format"]["value"]) == ("portfolio.pdf", "pdf")
    download = await harness.call("GET", f"{documents}/{document['id']}/download")
    assert download.status_code == 200, download.text
    assert download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="portfolio.pdf"'
    encoded = await harness.call("GET", f"{documents}/{document['id']}/download", params={"format": "base64"})
    assert base64.b64decode(encoded.content) == content
