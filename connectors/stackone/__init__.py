from connectors.stackone.connector import StackOneConnector

__all__ = ["StackOneConnector"]
