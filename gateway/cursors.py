"""Opaque list cursors: the vendor's cursor, signed and bound to who may continue the walk.

A cursor minted for one caller, account, resource and filter set is refused (400) for any other, so a leaked or
edited cursor cannot read another tenant's data or silently change the query half-way through a walk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.errors import GatewayError


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid() -> GatewayError:
    # A new error per refusal, never one kept in a local of the raising frame (a reference cycle: see
    # gateway.inputs._too_large).
    return GatewayError(
        400,
        "invalid_cursor",
        "The next cursor is not valid for this caller, account, resource and filters; start the walk again",
    )


@dataclass(frozen=True)
class CursorScope:
    caller: str
    account: str
    resource: str
    filters: Mapping[str, str]

    def encode(self) -> bytes:
        return json.dumps(
            [self.caller, self.account, self.resource, sorted(self.filters.items())], separators=(",", ":")
        ).encode()


class CursorSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes, scope: CursorScope) -> bytes:
        return hmac.new(self._secret, payload + b"\x00" + scope.encode(), hashlib.sha256).digest()[:16]

    def wrap(self, vendor_cursor: str, scope: CursorScope) -> str:
        payload = vendor_cursor.encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload, scope))}"

    def unwrap(self, cursor: str, scope: CursorScope) -> str:
        payload_text, _, mac_text = cursor.partition(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except ValueError:
            raise _invalid() from None
        if not mac or not hmac.compare_digest(mac, self._mac(payload, scope)):
            raise _invalid()
        try:
            return payload.decode()
        except UnicodeDecodeError:
            raise _invalid() from None
