"""The documentation of the connectors' operations is generated from the support tables, so it cannot go stale."""

from __future__ import annotations

from connectors.catalogue import CATALOGUE
from connectors.docs import operations_table, render
from connectors.merge import MergeConnector
from tests.conftest import ROOT
from tests.test_catalogue import ACCOUNTS


def test_the_readmes_operations_table_is_the_support_tables() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("<!-- operations:begin -->\n") + 26 : readme.index("<!-- operations:end -->")]
    assert block == operations_table(), "README's operations table is stale: run `python -m connectors.docs operations`"


def test_the_table_names_every_catalogue_operation_once() -> None:
    rows = operations_table().splitlines()[2:]
    assert sum(len(row.split(" | ")[1].split(", ")) for row in rows) == len(CATALOGUE)
    assert {row.split("`")[1].split("/")[0] for row in rows} == {op.resource for op in CATALOGUE.values()}


def test_mappings_md_gives_every_merge_501_its_reason() -> None:
    section = render()[render().index("## Merge") :]
    for op_id, entry in MergeConnector().support(ACCOUNTS[0]).items():
        if not entry.supported:
            assert f"| `{op_id}` | {entry.reason} |" in section, op_id
