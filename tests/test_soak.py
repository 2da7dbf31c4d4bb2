"""The fault-mode soak at a size CI affords (`make soak` runs 2,000 writes per mode): whatever the vendor does,
no write is duplicated, no accepted write is lost, and the gateway never answers 500."""

from __future__ import annotations

from bench.soak import soak


async def test_no_duplicate_no_loss_no_500_in_any_fault_mode() -> None:
    rows = await soak(writes=30, concurrency=16, retries=6)
    assert len(rows) == 8
    for row in rows:
        assert (row["duplicates"], row["lost"], row["gateway_500s"]) == (0, 0, 0), row
        assert row["accepted"] + row["still_unknown"] + row["gave_up_nothing_sent"] == row["writes"], row
    clean = next(r for r in rows if r["mode"] == "none")
    assert clean["accepted"] == clean["writes"] == clean["requests"]
