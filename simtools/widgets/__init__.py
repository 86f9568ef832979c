"""ipywidgets forms for notebooks: thin views over the plain functions of this package.

- ``register_form(client)``: paste or upload registration codes, validate, register, retry.
- ``usage_explorer(client_or_frame)``: filter a fleet and see the SIMs nearest their limit.
- ``api_key_form()``: set ``TELNYX_API_KEY`` for the kernel without echoing it.
- ``esim_qr_form(onboarding)``: eSIM activation codes as QR codes, on screen only.
- ``changes_form(client, plan)``: review a change plan by field, untick rows, apply it.

Each form is displayed by ending a cell with it. Every decision (reading codes and tags, the
preview, chunked registration, filtering, ranking) lives in ``codeinput``, ``registering`` and
``filtering``; messages, tables and figures go into the form's ``Output`` (``outputs``), and errors
are shown there instead of raised.
"""

from __future__ import annotations

from simtools.widgets.api_key import ApiKeyForm, api_key_form, apply_api_key
from simtools.widgets.changes_form import ChangesForm, changes_form
from simtools.widgets.esim_qr import EsimQrForm, esim_qr_form
from simtools.widgets.explorer import UsageExplorer, usage_explorer
from simtools.widgets.register_form import RegisterForm, register_form

__all__ = [
    "ApiKeyForm",
    "ChangesForm",
    "EsimQrForm",
    "RegisterForm",
    "UsageExplorer",
    "api_key_form",
    "apply_api_key",
    "changes_form",
    "esim_qr_form",
    "register_form",
    "usage_explorer",
]
