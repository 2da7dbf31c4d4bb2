"""Unified reference data ↔ Bindbee's departments, offices, remote users and reject reasons (the common model's
tables, `connectors/reference.py`, with Bindbee's ids)."""

from __future__ import annotations

from connectors.mapping import Rename
from connectors.reference import reference_tables

DEPARTMENT_TABLE, LOCATION_TABLE, USER_TABLE, REJECTED_REASON_TABLE = reference_tables(
    (Rename("id", "id", direction="read"), Rename("remote_id", "remote_id", direction="read"))
)
