"""The connector registry: a typed map from connector name to connector.

Filled from the entry-point group `ats_gateway.connectors`, which this package itself uses for StackOne and
Bindbee, so a third party adds a vendor by publishing a package, without editing the gateway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib.metadata import entry_points

from connectors.base import Connector

ENTRY_POINT_GROUP = "ats_gateway.connectors"


class UnknownConnector(KeyError):
    pass


class Registry(Mapping[str, Connector]):
    def __init__(self, connectors: Mapping[str, Connector]) -> None:
        self._connectors = dict(connectors)

    @classmethod
    def discover(cls) -> Registry:
        found: dict[str, Connector] = {}
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            factory = entry.load()
            connector = factory()
            if not isinstance(connector, Connector):
                raise TypeError(f"entry point {entry.name} did not produce a Connector")
            if entry.name != connector.name:
                raise ValueError(f"entry point {entry.name} registers a connector named {connector.name}")
            found[entry.name] = connector
        return cls(found)

    def __getitem__(self, name: str) -> Connector:
        try:
            return self._connectors[name]
        except KeyError:
            raise UnknownConnector(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._connectors)

    def __len__(self) -> int:
        return len(self._connectors)
