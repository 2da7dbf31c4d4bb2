"""The one error translator around every connector: what a vendor answered, or failed to, as a `GatewayError`.

Vendor statuses, transport failures and unreadable answers all leave here with a stable code and the outcome the
idempotency layer needs: `not_sent` (safe to retry), `processed` (the vendor said), `unknown` (never re-sent).
"""

from __future__ import annotations

import logging
import math

from pydantic import ValidationError

from connectors.base import Connector, ProviderRequest, ProviderResponse
from connectors.errors import NotSupported, field_errors
from gateway import idempotency, limits, logs
from gateway.errors import GatewayError, ProviderErrorDetail
from gateway.transport import Outbound
from gateway.upstream import NotSent, OutcomeUnknown, Sent, Upstream


def not_supported(exc: NotSupported) -> GatewayError:
    return GatewayError(501, "not_implemented", str(exc))


def unreadable(exc: Exception, request: ProviderRequest, response: ProviderResponse | None) -> GatewayError:
    """A vendor answer the gateway cannot read into the unified shape (a plan's reader, or the record models);
    `response` is None when the answer was a cached one."""
    logging.getLogger("gateway.upstream").warning("unreadable vendor response", exc_info=exc)
    what = "The vendor accepted the write but its answer" if request.is_write else "The vendor's answer"
    shown = [ProviderErrorDetail(response.status, response.url, response.body)] if response is not None else []
    return GatewayError(
        502,
        "unexpected_provider_response",
        f"{what} could not be read: {_unreadable(exc)}",
        provider_errors=shown,
        outcome="processed",
    )


def _unreadable(exc: Exception) -> str:
    """What in the vendor's answer could not be read, by field and rule, without the values: pydantic's own text
    repeats them (a record's e-mail, phone, name), and the caller has the answer itself in `provider_errors`."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{e.field}: {e.rule}" for e in field_errors(exc))
    return logs.scrub_message(str(exc)) or type(exc).__name__


async def send(upstream: Upstream, provider: str, request: ProviderRequest, outbound: Outbound) -> Sent:
    try:
        return await upstream.transmit(provider, request, outbound)
    except NotSent as exc:
        raise GatewayError(
            503,
            "provider_unavailable",
            f"{provider} could not be reached ({exc.reason}); nothing was sent",
            retryable=True,
            headers={"Retry-After": "1"},
        ) from exc
    except OutcomeUnknown as exc:
        if request.is_write:
            raise idempotency.outcome_unknown(
                504 if exc.timed_out else 502,
                f"The write was sent to {provider} but {exc.reason}: it may or may not have been applied. "
                "Check the record before writing again.",
            ) from exc
        raise GatewayError(
            504 if exc.timed_out else 502,
            "provider_timeout" if exc.timed_out else "provider_error",
            f"{provider}: {exc.reason}",
            retryable=True,
            outcome="unknown",
        ) from exc


def provider_error(connector: Connector, request: ProviderRequest, response: ProviderResponse) -> GatewayError:
    """The vendor answered: a 429 means it processed nothing; an ambiguous write status means we cannot know."""
    error = _status_error(connector, request, response)
    error.outcome = (
        "not_sent" if response.status == 429 else "unknown" if error.code == "outcome_unknown" else "processed"
    )
    return error


def _status_error(connector: Connector, request: ProviderRequest, response: ProviderResponse) -> GatewayError:
    status = response.status
    detail = [ProviderErrorDetail(status, response.url, response.body)]
    said = connector.error_message(response)
    suffix = f": {said}" if said else ""
    name = connector.name
    if status in (401, 403):
        return GatewayError(
            502,
            "provider_auth_failed",
            f"{name} refused the gateway's credentials for this account ({status}){suffix}",
            provider_errors=detail,
        )
    if status == 404:
        return GatewayError(404, "not_found", f"{name} has no such record{suffix}", provider_errors=detail)
    if status == 409:
        return GatewayError(409, "provider_conflict", f"{name} reports a conflict{suffix}", provider_errors=detail)
    if status in (400, 422):
        return GatewayError(
            422,
            "provider_validation_error",
            f"{name} rejected the request{suffix}",
            errors=connector.field_errors(response),
            provider_errors=detail,
        )
    if status == 429:
        # The wait every replica now keeps for this credential (the same cap), not the vendor's raw figure.
        retry_after = str(math.ceil(limits.cooldown_ms(response.headers) / 1000))
        return GatewayError(
            429,
            "provider_rate_limited",
            f"{name} is rate limiting this account; nothing was processed{suffix}",
            retryable=True,
            provider_errors=detail,
            headers={"Retry-After": retry_after},
        )
    if request.is_write and (status == 408 or status >= 500):
        return idempotency.outcome_unknown(
            504 if status == 408 else 502,
            f"{name} answered {status} to a write: it may or may not have been applied{suffix}",
            detail,
        )
    if status == 408:
        return GatewayError(
            504, "provider_timeout", f"{name} timed out{suffix}", retryable=True, provider_errors=detail
        )
    return GatewayError(
        502,
        "provider_error",
        f"{name} answered {status}{suffix}",
        retryable=status >= 500,
        provider_errors=detail,
    )
