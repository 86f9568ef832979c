"""SimClient: the Telnyx wireless API for SIM registration, fleet listing and usage history.

The client package is the only place that speaks HTTP. Everything above it gets pydantic models
or raw page bodies, never an httpx object.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal

import httpx

from simtools.client._core import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CONCURRENCY,
    MAX_BODY_BYTES,
    MAX_PAGE_SIZE,
)
from simtools.client._wire import (
    DEFAULT_BASE_URL,
    body_object,
    data_limit_body,
    page_items,
    shape_error,
    validated,
)
from simtools.client.history import HistoryVerbs
from simtools.client.paging import PagedClient
from simtools.client.wireless import WirelessVerbs
from simtools.errors import ApiError, InvalidInputError
from simtools.inputs.arguments import (
    check_data_amount,
    check_filter_statuses,
    check_group_name,
    check_imeis,
    check_register_status,
    check_tags,
    check_uuid,
)
from simtools.inputs.codes import parse_codes
from simtools.inputs.times import to_utc_timestamp
from simtools.inputs.wireless_arguments import SIM_CARD_ACTION_FILTER_TYPES, check_choice
from simtools.models import (
    CodeValidation,
    DataUsageNotification,
    RegisterResponse,
    SimCard,
    SimCardAction,
    SimCardGroup,
    UsageRecord,
)

if TYPE_CHECKING:
    from simtools.results import RegistrationResult

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_CONCURRENCY",
    "MAX_BODY_BYTES",
    "MAX_PAGE_SIZE",
    "UNSET",
    "ActionName",
    "SimClient",
    "Unset",
]

ActionName = Literal["enable", "disable", "set_standby"]


class Unset(enum.Enum):
    """The type of :data:`UNSET`: a field left as it is (where ``None`` has a meaning)."""

    UNSET = "UNSET"


#: Leave this field as it is (``authorized_imeis=None`` clears the list instead).
UNSET = Unset.UNSET


class SimClient(WirelessVerbs, HistoryVerbs, PagedClient):  # see client/wireless.py, history.py
    """A Telnyx wireless API client for SIM card registration and fleet listing.

    ``SimClient(api_key, base_url=...)`` or ``SimClient.from_env()``. Use it as a context manager
    (or call ``close()``). ``transport`` takes any httpx transport (tests pass
    ``httpx.MockTransport``). The key never appears in ``repr``, logs or exceptions, and a key
    holding spaces or control characters is refused. ``timeout`` bounds each request as a whole
    (connect to last byte), ``retry``'s deadline a whole call with its retries, and
    ``max_body_bytes`` any answer. Proxy settings from the environment (``HTTP_PROXY``, ...) are
    used for the real API but not for a sandbox on this machine; ``proxy=`` sets one explicitly.
    """

    # -- registration --------------------------------------------------------------------------

    def register(
        self,
        codes: Any,
        *,
        sim_card_group_id: str | None = None,
        tags: Iterable[str] | None = None,
        status: str | None = None,
        on_invalid: Literal["raise", "skip"] = "raise",
        ledger: str | os.PathLike[str] | None = None,
        chunk_size: int | None = None,
        progress: bool | None = None,
        dry_run: bool = False,
    ) -> RegistrationResult:
        """Register SIM cards by code: ``simtools.workflows.registration.register``."""
        from simtools.workflows.registration import register  # the one forwarder to a workflow

        return register(
            self,
            codes,
            sim_card_group_id=sim_card_group_id,
            tags=tags,
            status=status,
            on_invalid=on_invalid,
            ledger=ledger,
            chunk_size=chunk_size,
            progress=progress,
            dry_run=dry_run,
        )

    def register_chunk(
        self,
        codes: list[str],
        *,
        sim_card_group_id: str | None = None,
        tags: list[str] | None = None,
        status: str | None = None,
    ) -> RegisterResponse:
        """One register request for already-checked codes, retried only while nothing reached
        the server. A 202 with ``errors`` and a 4xx whose errors point at codes both return a
        ``RegisterResponse``; an unknown outcome raises ``TransportError`` or ``ServerError``, and
        a 2xx whose body cannot be read ``ResponseError`` (the request was performed)."""
        body: dict[str, Any] = {"registration_codes": list(codes)}
        if sim_card_group_id is not None:
            body["sim_card_group_id"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if tags is not None:
            body["tags"] = check_tags(tags)
        if status is not None:
            body["status"] = check_register_status(status)
        try:
            response = self._call("POST", "actions/register/sim_cards", json_body=body, write=True)
        except ApiError as exc:
            if 400 <= exc.status_code < 500 and any(
                e.registration_index is not None for e in exc.errors
            ):
                return RegisterResponse(data=[], errors=exc.errors)
            raise
        parsed = body_object(response)
        data, errors = parsed.get("data") or [], parsed.get("errors") or []
        if not isinstance(data, list) or not isinstance(errors, list):
            raise shape_error(response, "expected {'data': [...], 'errors': [...]}")
        return validated(response, RegisterResponse, {"data": data, "errors": errors})

    def validate_codes(self, codes: Any) -> list[CodeValidation]:
        """One ``CodeValidation`` per code (the codes are checked locally first)."""
        parsed = parse_codes(codes)
        out: list[CodeValidation] = []
        for start in range(0, len(parsed.codes), self.chunk_size):
            chunk = list(parsed.codes[start : start + self.chunk_size])
            response = self._call(
                "POST",
                "sim_cards/actions/validate_registration_codes",
                json_body={"registration_codes": chunk},
            )
            out.extend(self._data_list(response, CodeValidation))
        return out

    # -- SIM cards -----------------------------------------------------------------------------

    def sim_card_params(
        self,
        *,
        status: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        iccid: str | None = None,
        msisdn: str | None = None,
        sort: str | None = None,
    ) -> dict[str, str]:
        """The ``GET /sim_cards`` query for these filters, checked and spelled as on the wire."""
        params: dict[str, str] = {}
        statuses = check_filter_statuses(status)
        if statuses:
            params["filter[status]"] = ",".join(statuses)
        tag_list = check_tags(tags)
        if tag_list:
            params["filter[tags]"] = ",".join(tag_list)
        if sim_card_group_id is not None:
            params["filter[sim_card_group_id]"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        for name, value in (("iccid", iccid), ("msisdn", msisdn)):
            if value is not None:
                if not isinstance(value, str) or not value.strip():
                    raise InvalidInputError(
                        value, f"{name} filter must be a non-empty string", f"e.g. {name}='8931...'"
                    )
                params[f"filter[{name}]"] = value.strip()
        if sort is not None:
            allowed = ("current_billing_period_consumed_data.amount",)
            if not isinstance(sort, str) or sort.lstrip("-") not in allowed:
                raise InvalidInputError(
                    sort, f"sort {sort!r} is not supported", f"use {allowed[0]!r} or with '-'"
                )
            params["sort"] = sort
        return params

    def iter_sim_cards(
        self,
        *,
        status: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        iccid: str | None = None,
        msisdn: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        concurrency: int | None = None,
    ) -> Iterator[SimCard]:
        """Every matching SIM card, all pages, each id once (SIMs that move between pages while
        paging are de-duplicated)."""
        params = self.sim_card_params(
            status=status,
            tags=tags,
            sim_card_group_id=sim_card_group_id,
            iccid=iccid,
            msisdn=msisdn,
        )
        seen: set[str] = set()
        for content in self.iter_page_bodies(
            "sim_cards", params, page_size=page_size, concurrency=concurrency
        ):
            for item in page_items(content, "GET", f"{self.base_url}/sim_cards"):
                sim = _sim_card(item, content, f"{self.base_url}/sim_cards")
                if sim.id is not None:
                    if sim.id in seen:
                        continue
                    seen.add(sim.id)
                yield sim

    def get_sim_card(self, sim_card_id: str, *, include_sim_card_group: bool = False) -> SimCard:
        """One SIM card in its full form."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        params = {"include_sim_card_group": "true"} if include_sim_card_group else None
        return self._data(self._call("GET", f"sim_cards/{sid}", params=params), SimCard)

    def update_sim_card(
        self,
        sim_card_id: str,
        *,
        tags: Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        data_limit: tuple[float | str, str] | None = None,
        authorized_imeis: Iterable[str] | Unset | None = UNSET,
        retry_unknown: bool = True,
    ) -> SimCard:
        """Change tags (replaced), group, data limit ``(amount, "MB"|"GB")`` or the authorized
        IMEIs (``None`` allows any device); the status changes through the actions. With
        ``retry_unknown=False`` a request that may have reached the server is not sent again: a
        ``TransportError`` or ``ServerError`` then means its outcome is unknown (read the SIM)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        body: dict[str, Any] = {}
        if tags is not None:
            body["tags"] = check_tags(tags)
        if sim_card_group_id is not None:
            body["sim_card_group_id"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if data_limit is not None:
            body["data_limit"] = data_limit_body(data_limit)
        if not isinstance(authorized_imeis, Unset):
            body["authorized_imeis"] = check_imeis(authorized_imeis)
        if not body:
            raise InvalidInputError(
                None,
                "nothing to update",
                "pass tags=, sim_card_group_id=, data_limit= or authorized_imeis=",
            )
        response = self._call("PATCH", f"sim_cards/{sid}", json_body=body, write=not retry_unknown)
        return self._data(response, SimCard)

    def delete_sim_card(self, sim_card_id: str, *, report_lost: bool = False) -> SimCard:
        """Decommission a SIM card (asynchronous; it must be registered again to come back)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        params = {"report_lost": "true"} if report_lost else None
        return self._data(self._call("DELETE", f"sim_cards/{sid}", params=params), SimCard)

    # -- SIM card changes: data usage notifications (CONTRACT.md 5.6) ---------------------------

    def create_data_usage_notification(
        self, sim_card_id: str, threshold: tuple[float | str, str]
    ) -> DataUsageNotification:
        """Alert the account when the SIM's consumption reaches ``threshold``
        (``(amount, "MB"|"GB")``, amounts to 0.001). Not idempotent (a retried create could
        make two), so only a request that never reached the server is sent again: a
        ``TransportError`` or ``ServerError`` means its outcome is unknown (list the SIM's
        notifications before creating again)."""
        body = {
            "sim_card_id": check_uuid(sim_card_id, "sim_card_id"),
            "threshold": check_data_amount(threshold, "threshold"),
        }
        response = self._call(
            "POST", "sim_card_data_usage_notifications", json_body=body, write=True
        )
        return self._data(response, DataUsageNotification)

    def list_data_usage_notifications(
        self, *, sim_card_id: str | None = None
    ) -> list[DataUsageNotification]:
        """Every data usage notification (of one SIM), all pages."""
        params: dict[str, str] = {}
        if sim_card_id is not None:
            params["filter[sim_card_id]"] = check_uuid(sim_card_id, "sim_card_id")
        return self._collect("sim_card_data_usage_notifications", params, DataUsageNotification)

    def get_data_usage_notification(self, notification_id: str) -> DataUsageNotification:
        nid = check_uuid(notification_id, "notification_id")
        response = self._call("GET", f"sim_card_data_usage_notifications/{nid}")
        return self._data(response, DataUsageNotification)

    def update_data_usage_notification(
        self,
        notification_id: str,
        *,
        sim_card_id: str | None = None,
        threshold: tuple[float | str, str] | None = None,
        retry_unknown: bool = True,
    ) -> DataUsageNotification:
        """Move a notification to another SIM or threshold (idempotent in effect, so retried
        like a read unless ``retry_unknown=False``)."""
        nid = check_uuid(notification_id, "notification_id")
        body: dict[str, Any] = {}
        if sim_card_id is not None:
            body["sim_card_id"] = check_uuid(sim_card_id, "sim_card_id")
        if threshold is not None:
            body["threshold"] = check_data_amount(threshold, "threshold")
        if not body:
            raise InvalidInputError(None, "nothing to update", "pass sim_card_id= or threshold=")
        response = self._call(
            "PATCH",
            f"sim_card_data_usage_notifications/{nid}",
            json_body=body,
            write=not retry_unknown,
        )
        return self._data(response, DataUsageNotification)

    def delete_data_usage_notification(
        self, notification_id: str, *, retry_unknown: bool = True
    ) -> DataUsageNotification:
        """Delete a notification; returns it as it was. A retried delete whose first attempt
        was performed answers 404: pass ``retry_unknown=False`` to reconcile that yourself."""
        nid = check_uuid(notification_id, "notification_id")
        response = self._call(
            "DELETE", f"sim_card_data_usage_notifications/{nid}", write=not retry_unknown
        )
        return self._data(response, DataUsageNotification)

    # -- actions ---------------------------------------------------------------------------------

    def post_sim_card_action(
        self, sim_card_id: str, action: ActionName, *, retry_unknown: bool = True
    ) -> SimCardAction:
        """Start one lifecycle action; returns the new ``SimCardAction`` (202). With
        ``retry_unknown=False`` it is not sent again once it may have reached the server."""
        if action not in ("enable", "disable", "set_standby"):
            raise InvalidInputError(
                action, f"unknown action {action!r}", "use enable, disable or set_standby"
            )
        sid = check_uuid(sim_card_id, "sim_card_id")
        # An action is idempotent in effect (it sets a target state), so it is retried like a read
        # unless the caller reconciles unknown outcomes itself.
        response = self._call("POST", f"sim_cards/{sid}/actions/{action}", write=not retry_unknown)
        return self._data(response, SimCardAction)

    def get_sim_card_action(self, action_id: str) -> SimCardAction:
        aid = check_uuid(action_id, "action_id")
        return self._data(self._call("GET", f"sim_card_actions/{aid}"), SimCardAction)

    def list_sim_card_actions(
        self,
        *,
        sim_card_id: str | None = None,
        status: str | None = None,
        action_type: str | None = None,
        bulk_sim_card_action_id: str | None = None,
    ) -> list[SimCardAction]:
        """Every SIM card action matching the filters (``bulk_sim_card_action_id``: the ones a
        bulk action started)."""
        params: dict[str, str] = {}
        if sim_card_id is not None:
            params["filter[sim_card_id]"] = check_uuid(sim_card_id, "sim_card_id")
        if action_type is not None:
            params["filter[action_type]"] = check_choice(
                action_type, "action_type", SIM_CARD_ACTION_FILTER_TYPES
            )
        if bulk_sim_card_action_id is not None:
            params["filter[bulk_sim_card_action_id]"] = check_uuid(
                bulk_sim_card_action_id, "bulk_sim_card_action_id"
            )
        if status is not None:
            if status not in ("in-progress", "completed", "failed"):
                raise InvalidInputError(
                    status,
                    f"action status {status!r} is unknown",
                    "use in-progress, completed or failed",
                )
            params["filter[status]"] = status
        return self._collect("sim_card_actions", params, SimCardAction)

    # -- groups ----------------------------------------------------------------------------------

    def list_sim_card_groups(self, *, name: str | None = None) -> list[SimCardGroup]:
        """Every SIM card group (with ``sim_card_count``)."""
        params = {"filter[name]": name} if name else {}
        return self._collect("sim_card_groups", params, SimCardGroup)

    def get_sim_card_group(self, group_id: str) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        return self._data(self._call("GET", f"sim_card_groups/{gid}"), SimCardGroup)

    def create_sim_card_group(
        self, name: str, *, data_limit: tuple[float | str, str] | None = None
    ) -> SimCardGroup:
        body: dict[str, Any] = {"name": check_group_name(name)}
        if data_limit is not None:
            body["data_limit"] = data_limit_body(data_limit)
        # Not idempotent: a retried create could make two groups, so only unsent requests retry.
        return self._data(
            self._call("POST", "sim_card_groups", json_body=body, write=True), SimCardGroup
        )

    def update_sim_card_group(
        self,
        group_id: str,
        *,
        name: str | None = None,
        data_limit: tuple[float | str, str] | None = None,
    ) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = check_group_name(name)
        if data_limit is not None:
            body["data_limit"] = data_limit_body(data_limit)
        if not body:
            raise InvalidInputError(None, "nothing to update", "pass name= or data_limit=")
        return self._data(
            self._call("PATCH", f"sim_card_groups/{gid}", json_body=body), SimCardGroup
        )

    def delete_sim_card_group(self, group_id: str) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        return self._data(self._call("DELETE", f"sim_card_groups/{gid}"), SimCardGroup)

    # -- usage history ---------------------------------------------------------------------------

    def usage_records(
        self,
        start: Any,
        end: Any,
        *,
        sim_card_id: str | None = None,
        sim_group_id: str | None = None,
    ) -> list[UsageRecord]:
        """Wireless detail records between ``start`` and ``end`` (all pages)."""
        start_ts = to_utc_timestamp(start, "start")
        end_ts = to_utc_timestamp(end, "end")
        if end_ts <= start_ts:
            raise InvalidInputError(
                (start, end), "end must be after start", "pass a start earlier than the end"
            )
        params = {
            "start_date": start_ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end_ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if sim_card_id is not None:
            params["sim_card_id"] = check_uuid(sim_card_id, "sim_card_id")
        if sim_group_id is not None:
            params["sim_group_id"] = check_uuid(sim_group_id, "sim_group_id")
        return self._collect("reports/wdrs", params, UsageRecord)


def _sim_card(item: dict[str, Any], content: bytes, url: str) -> SimCard:
    response = httpx.Response(200, content=content, request=httpx.Request("GET", url))
    return validated(response, SimCard, item)
