"""Attachment files: the bytes the sandbox holds for the attachments it was given, served on its own base URL.

An attachment's `file_url` stands for the vendor's signed storage URL (Greenhouse's are temporary S3 URLs): it
carries no credentials and is fetched as it is. The sandbox serves only bytes it was handed (an upload's
`file_content`, or a seed); an attachment given by `file_url` keeps that URL and is never fetched from here.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Response

from sandbox.pdf import text_pdf

FILES_PATH = "/files"


@dataclass(frozen=True)
class StoredFile:
    name: str
    content: bytes
    content_type: str


@dataclass
class FileStore:
    base_url: str
    files: dict[str, StoredFile] = field(default_factory=dict)

    def put(self, key: str, stored: StoredFile) -> str:
        """Keep the file under `key` (an attachment id) and return the URL that serves it."""
        self.files[key] = stored
        return f"{self.base_url.rstrip('/')}{FILES_PATH}/{key}/{quote(stored.name, safe='')}"


def decode_base64(text: str) -> bytes | None:
    """The bytes of a base64 string, or None when it is not base64 (strictly: no stray characters)."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def install(app: FastAPI, store: FileStore) -> None:
    @app.get(FILES_PATH + "/{key}/{name:path}", include_in_schema=False)
    async def download(key: str, name: str) -> Response:
        stored = store.files.get(key)
        if stored is None or stored.name != name:
            raise HTTPException(404, "Not found")
        disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
        return Response(stored.content, media_type=stored.content_type, headers={"Content-Disposition": disposition})


def resume_pdf(full_name: str) -> bytes:
    """A small, valid one-page PDF résumé, so a download returns a real file a viewer opens."""
    return text_pdf([f"{full_name} - Curriculum vitae"])
