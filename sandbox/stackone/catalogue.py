"""Every operation the sandbox serves: StackOne's 76 ATS operations, each declared in the module of its resource."""

from __future__ import annotations

from sandbox.stackone import (
    applications,
    candidates,
    documents,
    interviews,
    jobs,
    notes,
    orders,
    reference,
)
from sandbox.stackone.operation import Operation

OPERATIONS: tuple[Operation, ...] = (
    *jobs.OPERATIONS,
    *candidates.OPERATIONS,
    *applications.OPERATIONS,
    *notes.OPERATIONS,
    *documents.OPERATIONS,
    *interviews.OPERATIONS,
    *orders.OPERATIONS,
    *reference.OPERATIONS,
)
