"""Sending one request of a change plan through SimClient's verbs, at most once past the server,
and telling an error that settles the request (refused, never sent) from one that leaves its
outcome unknown (a lost answer, a 5xx), which is reconciled by reading back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simtools.errors import (
    ApiError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    SimToolsError,
    TransportError,
)
from simtools.frames.change_values import Request
from simtools.models import DataUsageNotification, SimCard, SimCardAction

if TYPE_CHECKING:
    from simtools.client import ActionName, SimClient

__all__ = ["error_fields", "outcome_unknown", "send"]

_NOTIFICATIONS = "sim_card_data_usage_notifications"
_ACTIONS: tuple[ActionName, ...] = ("enable", "disable", "set_standby")


def _amount(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise InvalidInputError(value, "an amount must be {amount, unit}", "plan it again")
    return str(value.get("amount")), str(value.get("unit"))


def send(client: SimClient, request: Request) -> SimCard | SimCardAction | DataUsageNotification:
    """Send ``request`` with the verb it names; writes are not sent again once they may have
    reached the server (a ``TransportError`` or ``ServerError`` then means unknown)."""
    method, path, body = request["method"], request["path"], request["body"] or {}
    parts = path.split("/")
    if parts[0] == "sim_cards" and method == "PATCH" and len(parts) == 2:
        limit = body.get("data_limit")
        return client.update_sim_card(
            parts[1],
            data_limit=None if limit is None else _amount(limit),
            tags=body.get("tags"),
            sim_card_group_id=body.get("sim_card_group_id"),
            retry_unknown=False,
        )
    if parts[0] == "sim_cards" and method == "POST" and len(parts) == 4:
        action = next((a for a in _ACTIONS if a == parts[3]), None)
        if parts[2] == "actions" and action is not None:
            return client.post_sim_card_action(parts[1], action, retry_unknown=False)
    if parts[0] == _NOTIFICATIONS:
        if method == "POST" and len(parts) == 1:
            threshold = _amount(body.get("threshold"))
            return client.create_data_usage_notification(str(body.get("sim_card_id")), threshold)
        if method == "PATCH" and len(parts) == 2:
            return client.update_data_usage_notification(
                parts[1], threshold=_amount(body.get("threshold")), retry_unknown=False
            )
        if method == "DELETE" and len(parts) == 2:
            return client.delete_data_usage_notification(parts[1], retry_unknown=False)
    raise InvalidInputError(
        request, f"{method} {path} is not a request a change plan makes", "plan it again"
    )


def outcome_unknown(exc: SimToolsError, request: Request) -> bool:
    """Whether the request may have been performed although it raised: a lost answer, a 5xx,
    an answer that could not be read, or a 404 for a notification an earlier attempt of the
    same request may have changed. A 429 that outlasted the retries, a refusal (4xx) and a
    connection that never opened were not performed."""
    if isinstance(exc, TransportError):
        return exc.request_sent
    if isinstance(exc, ServerError | ResponseError):
        return True
    if isinstance(exc, NotFoundError):
        return request["path"].startswith(f"{_NOTIFICATIONS}/")
    return False


def error_fields(exc: SimToolsError) -> tuple[str | None, str | None, str]:
    """(code, title, detail) of an error for the outcome frame: Telnyx's first error when the
    API sent one, else the error's class and message."""
    if isinstance(exc, ApiError) and exc.errors:
        first = exc.errors[0]
        return first.code, first.title, first.detail or str(exc)
    if isinstance(exc, RateLimitError):
        return "429", "Too many requests", str(exc)
    return None, type(exc).__name__, str(exc)
