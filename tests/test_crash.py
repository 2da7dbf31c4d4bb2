"""The crash suite at a size CI affords (`make crash` runs 2,000 writes per mode): replicas SIGKILLed (also while
the vendor holds their writes), SIGSTOPped then SIGKILLed, Redis SIGKILLed and restarted on its append-only file.
Whatever dies, no write reaches any vendor (StackOne, Bindbee, Merge) twice, none a client was told was made is
missing, and nothing answers 500."""

from __future__ import annotations

import json

import pytest

from bench.crash import MODES, VENDORS, crash


@pytest.mark.slow
async def test_no_duplicate_no_loss_no_500_through_any_process_death() -> None:
    # A client's tries as `make crash` gives them: with Redis down half of the time while the faults last, a client
    # told "nothing was sent" a dozen times in a row could run out of tries before the faults end.
    rows = await crash(writes=300, concurrency=16, seconds=8)
    assert [r["mode"] for r in rows] == [m.name for m in MODES]
    for row in rows:
        shown = json.dumps(row)
        assert (row["duplicates"], row["lost"], row["gateway_500s"]) == (0, 0, 0), shown
        assert all(row["writes_per_vendor"][vendor] == 100 for vendor in VENDORS), shown  # the three vendors
        assert row["faults"] >= 1, shown
        assert row["vendor_created"] == row["vendor_listed"], shown  # the listing saw every record the vendor made
        # every write ended with an answer: made, or reported unknown (never a silent give-up on 409 or 503)
        assert row["accepted"] + row["unknown_after_retries"] == row["writes"], shown
    by_mode = {r["mode"]: r for r in rows}
    assert by_mode["replica SIGKILL mid-vendor-call"]["cut"] > 0
    assert by_mode["redis SIGKILL + AOF restart"]["statuses"].get(503, 0) > 0  # keyed writes refused while down
