"""Merge's list pages: `{next, previous, results}`, `page_size` 30 by default and 100 at most (docs.merge.dev
basics/pagination, reference §2.6).

Merge's API is Django REST Framework (the document's Paginated…List/Patched…Request/…Enum names are
drf-spectacular's, and the documented cursor `cD0yMDIxLTAxLTA2KzAzJTNBMjQlM0E1My40MzQzMjYlMkIwMCUzQTAw` is DRF's
CursorPagination encoding of `p=2021-01-06 03:24:53.434326+00:00`), so what Merge leaves undocumented follows DRF:
the cursor is base64 of `o`/`r`/`p` (offset, reverse, position), here ordered by `created_at`; an unreadable cursor
is 404 `{"detail": "Invalid cursor"}`; a `page_size` that is not a positive integer falls back to the default and
one above 100 is cut to 100. Merge documents `next`/`previous` as the cursor itself, not DRF's URL.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 100


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    position: datetime | None = None
    reverse: bool = False
    offset: int = 0

    def encode(self) -> str:
        tokens: dict[str, str] = {}
        if self.offset:
            tokens["o"] = str(self.offset)
        if self.reverse:
            tokens["r"] = "1"
        if self.position is not None:
            tokens["p"] = str(self.position)
        return base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")

    @classmethod
    def decode(cls, encoded: str) -> Cursor:
        try:
            tokens = parse_qs(base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii"))
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
            when = datetime.fromisoformat(position) if position is not None else None
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidCursor("Invalid cursor") from None
        if offset < 0:
            raise InvalidCursor("Invalid cursor")
        return cls(when, reverse, offset)


def page_size(raw: str | None) -> int:
    try:
        size = int(raw) if raw is not None else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else DEFAULT_PAGE_SIZE


def _created(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["created_at"])


def page(records: list[dict[str, Any]], cursor: str | None, size: int) -> dict[str, Any]:
    """One page of `records` (in creation order): `{next, previous, results}`; raises InvalidCursor."""
    where = Cursor.decode(cursor) if cursor is not None else Cursor()
    if where.position is None:
        start = where.offset
        end = start + size
    elif where.reverse:
        end = max(sum(1 for r in records if _created(r) < where.position) - where.offset, 0)
        start = max(end - size, 0)
    else:
        start = sum(1 for r in records if _created(r) <= where.position) + where.offset
        end = start + size
    results = records[start:end]
    return {
        "next": Cursor(_created(results[-1])).encode() if results and end < len(records) else None,
        "previous": Cursor(_created(results[0]), reverse=True).encode() if results and start > 0 else None,
        "results": results,
    }
