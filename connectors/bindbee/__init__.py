from connectors.bindbee.connector import BindbeeConnector

__all__ = ["BindbeeConnector"]
