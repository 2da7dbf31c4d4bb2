"""The example payloads in ../shared/seeds/, read straight from the documentation pages they were copied from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.contract import SHARED, require_shared


def _seed(prefix: str) -> str:
    require_shared()
    [path] = sorted(Path(SHARED / "seeds").glob(f"{prefix}_*.txt"))
    return path.read_text()


def _json_after(text: str, marker: str) -> dict[str, Any]:
    start = text.index("{", text.index(marker) + len(marker))
    value, _ = json.JSONDecoder().raw_decode(text[start:])
    assert isinstance(value, dict)
    return value


def curl_body(prefix: str) -> dict[str, Any]:
    """The `--data '…'` body of the page's curl example."""
    return _json_after(_seed(prefix), "--data '")


def greenhouse_job_example() -> dict[str, Any]:
    """Bindbee's documented Greenhouse job payload (seed 004)."""
    return _json_after(_seed("004"), "When the underlying ATS is Greenhouse")
