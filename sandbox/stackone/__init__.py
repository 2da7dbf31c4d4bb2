"""A local emulator of StackOne's unified ATS API, as StackOne documents it (../shared/vendor/stackone, reference).

All 76 operations of StackOne's ATS document (`catalogue.OPERATIONS`, each declared in the module of its resource),
with Basic auth (the API key as user name), `x-account-id` naming a linked account, StackOne's error envelope,
`{next, data}` pages of at most 100, and 429 + `Retry-After` past 1,000 requests per minute per API key. Bodies
are validated, and records built, with the models generated from StackOne's document
(`connectors/unified/schema.py`), never with the gateway's own write models.
"""

from sandbox.stackone.app import RATE_LIMIT_PER_MINUTE, StackOneSandbox, create_app
from sandbox.stackone.catalogue import OPERATIONS

__all__ = ["OPERATIONS", "RATE_LIMIT_PER_MINUTE", "StackOneSandbox", "create_app"]
