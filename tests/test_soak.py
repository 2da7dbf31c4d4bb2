"""The fault-mode soak at a size CI affords (`make soak` runs 2,000 writes per mode and target): whatever the vendor
does, StackOne's or Merge's, no write is duplicated, no accepted write is lost, and the gateway never answers 500."""

from __future__ import annotations

import json

from bench.soak import MODES, TARGETS, soak


async def test_no_duplicate_no_loss_no_500_in_any_fault_mode() -> None:
    rows = await soak(writes=30, concurrency=16, retries=6)
    assert [(r["target"], r["mode"]) for r in rows] == [(t.name, m.name) for t in TARGETS for m in MODES]
    for row in rows:
        assert (row["duplicates"], row["lost"], row["gateway_500s"]) == (0, 0, 0), json.dumps(row)
        assert row["accepted"] + row["still_unknown"] + row["gave_up_nothing_sent"] == row["writes"], json.dumps(row)
    for clean in (r for r in rows if r["mode"] == "none"):
        assert clean["accepted"] == clean["writes"] == clean["requests"], json.dumps(clean)
