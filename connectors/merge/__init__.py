from connectors.merge.connector import MergeConnector

__all__ = ["MergeConnector"]
