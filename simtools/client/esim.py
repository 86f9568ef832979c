"""eSIM verbs: buy eSIMs and read each one's activation code, which is a secret.

An activation code never reaches a log, a repr or an exception from here: it is read straight out
of the answer into a :class:`pydantic.SecretStr`, and an answer that does not read is reported
without quoting its body (the generic shape errors quote the first 200 characters, which would
be the code).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx
from pydantic import SecretStr

from simtools.client._wire import body_object, shape_error
from simtools.client.paging import PagedClient
from simtools.errors import ResponseError
from simtools.inputs.arguments import check_register_status, check_tags, check_uuid
from simtools.inputs.wireless_arguments import (
    MAX_ESIM_PURCHASE,
    check_count,
    check_text,
    check_whitelabel_name,
)
from simtools.wireless_models import ActivationCode, EsimPurchaseResponse

__all__ = ["WITHHELD", "EsimVerbs"]

#: What a shape error of the activation code endpoint quotes instead of the body.
WITHHELD = "(body withheld: it may hold an activation code)"
#: An activation code answer is a few hundred bytes; anything much larger is not one.
_CODE_BODY_LIMIT = 64 << 10


class EsimVerbs(PagedClient):
    """``POST /actions/purchase/esims`` and ``GET /sim_cards/{id}/activation_code``."""

    def purchase_esims(
        self,
        amount: int,
        *,
        sim_card_group_id: str | None = None,
        tags: Iterable[str] | None = None,
        status: str | None = None,
        product: str | None = None,
        whitelabel_name: str | None = None,
    ) -> EsimPurchaseResponse:
        """Buy ``amount`` eSIMs (at most :data:`MAX_ESIM_PURCHASE` at once), put in the group
        (the account's default group if None) with the tags, set to ``status`` once ready.

        A purchase is charged and not idempotent, so it is retried only while nothing reached the
        server: a ``TransportError`` or ``ServerError`` means its outcome is unknown, and sending
        it again could buy twice. ``simtools.workflows.esim.purchase_esims`` reconciles such an
        outcome by listing the eSIMs created since.
        """
        body: dict[str, Any] = {"amount": check_count(amount, "amount", high=MAX_ESIM_PURCHASE)}
        if sim_card_group_id is not None:
            body["sim_card_group_id"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if tags is not None:
            body["tags"] = check_tags(tags)
        if status is not None:
            body["status"] = check_register_status(status)
        if product is not None:
            body["product"] = check_text(product, "product", "e.g. product='whitelabel'")
        if whitelabel_name is not None:
            body["whitelabel_name"] = check_whitelabel_name(whitelabel_name)
        response = self._call("POST", "actions/purchase/esims", json_body=body, write=True)
        parsed = body_object(response)
        if not isinstance(parsed.get("data", []), list):
            raise shape_error(response, "expected {'data': [...], 'errors': [...]}")
        return EsimPurchaseResponse.model_validate(
            {"data": parsed.get("data") or [], "errors": parsed.get("errors") or []}
        )

    def get_activation_code(self, sim_card_id: str) -> ActivationCode:
        """The eSIM's activation code, held as a secret (``.activation_code`` is a
        ``SecretStr``). Only an eSIM whose profile waits to be downloaded has one; the API
        answers an error (422) for a physical SIM or an installed eSIM."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        response = self._call("GET", f"sim_cards/{sid}/activation_code", max_bytes=_CODE_BODY_LIMIT)
        return activation_code_from(response, sid)


def activation_code_from(response: httpx.Response, sim_card_id: str) -> ActivationCode:
    """The activation code of an answer; one that does not read is a ``ResponseError`` that
    quotes nothing of the body."""
    method, url = response.request.method, str(response.request.url)

    def refuse(reason: str) -> ResponseError:
        return ResponseError(method, url, response.status_code, reason, WITHHELD)

    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise refuse("the body is not JSON") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise refuse("no 'data' object in the body")
    code = data.get("activation_code")
    if not isinstance(code, str) or not code.strip():
        raise refuse("'data' holds no activation_code text")
    kind = data.get("record_type")
    return ActivationCode(
        sim_card_id=sim_card_id,
        activation_code=SecretStr(code.strip()),
        record_type=kind if isinstance(kind, str) else None,
    )
