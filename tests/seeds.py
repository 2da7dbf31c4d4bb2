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
    """The `--data '…'` body of the page's curl example (with the shell's `'\\''` quoting undone)."""
    return _json_after(_seed(prefix).replace("'\\''", "'"), "--data '")


def greenhouse_job_example() -> dict[str, Any]:
    """Bindbee's documented Greenhouse job payload (seed 004)."""
    return _json_after(_seed("004"), "When the underlying ATS is Greenhouse")


def create_candidate_example() -> dict[str, Any]:
    """Seed 003 documents the create-candidate body as a schema: its per-field examples make the payload."""
    import yaml

    text = _seed("003")
    block = text[text.index("````yaml") : text.rindex("````")].split("\n", 1)[1]
    schemas = yaml.safe_load(block)["components"]["schemas"]

    def example(schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return example(schemas[schema["$ref"].rsplit("/", 1)[1]])
        if "example" in schema:
            return schema["example"]
        if schema.get("type") == "array":
            return [example(schema["items"])]
        if "properties" in schema:
            return {key: example(value) for key, value in schema["properties"].items()}
        return None

    return {key: example(value) for key, value in schemas["AtsCreateCandidateRequestDto"]["properties"].items()}
