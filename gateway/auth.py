"""Who is calling, and which account they may act on.

Keys are held only as sha256 hashes and compared in constant time against every caller, so neither the stored
secrets nor the timing of a lookup reveals which keys exist. Unknown accounts and accounts the caller may not use
get the same 404, so account ids cannot be enumerated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers

from gateway.config import Account, Caller, ResolvedConfig
from gateway.errors import GatewayError
from gateway.inputs import single_header


def _unauthorized() -> GatewayError:
    """A new error each time: raising one shared instance again and again grows its `__traceback__` by every
    request's frames (each raise links the current frames in front of the old ones), and holds them all alive."""
    return GatewayError(
        401,
        "unauthorized",
        "Missing or invalid API key: send Authorization: Basic base64('<key>:') or Bearer <key>",
        headers={"WWW-Authenticate": 'Basic realm="ats-gateway", Bearer'},
    )


@dataclass(frozen=True)
class Authenticator:
    callers: tuple[tuple[bytes, Caller], ...]
    accounts: Mapping[str, Account]

    @classmethod
    def from_config(cls, resolved: ResolvedConfig) -> Authenticator:
        callers = tuple((bytes.fromhex(resolved.caller_key_hashes[c.name]), c) for c in resolved.config.callers)
        return cls(callers, {a.id: a for a in resolved.config.accounts})

    def identify(self, headers: Headers) -> tuple[Caller, Account]:
        """The caller and the account a request acts on, from `Authorization` and `x-account-id`, each sent once."""
        caller = self.caller(single_header(headers, "Authorization"))
        return caller, self.account(caller, single_header(headers, "x-account-id"))

    def caller(self, authorization: str | None) -> Caller:
        key = _api_key(authorization)
        if key is None:
            raise _unauthorized()
        digest = hashlib.sha256(key.encode()).digest()
        found = None
        for stored, caller in self.callers:
            if hmac.compare_digest(stored, digest):
                found = caller
        if found is None:
            raise _unauthorized()
        return found

    def account(self, caller: Caller, account_id: str | None) -> Account:
        if not account_id:
            raise GatewayError(400, "missing_account_id", "Send the x-account-id header naming the account")
        if not account_id.isprintable() or not account_id.isascii():
            raise GatewayError(400, "invalid_header", "x-account-id holds characters no account id has")
        account = self.accounts.get(account_id)
        if account is None or not caller.may_use(account_id):
            raise GatewayError(404, "account_not_found", "No such account for this API key")
        return account


def _api_key(authorization: str | None) -> str | None:
    scheme, _, credential = (authorization or "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        return credential or None
    if scheme.lower() == "basic":
        try:
            user, _, _ = base64.b64decode(credential, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user or None
    return None
