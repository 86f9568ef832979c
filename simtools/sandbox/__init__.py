"""A local Telnyx-compatible wireless API server: a synthetic SIM fleet, faults on demand.

>>> from simtools.sandbox import serve
>>> with serve(fleet_size=200, seed=1) as sb:  # doctest: +SKIP
...     client = telnyx.Telnyx(api_key=sb.api_key, base_url=sb.base_url)
...     client.actions.register.create(registration_codes=sb.available_codes(3))

- :func:`serve` (a ``with`` block) and :func:`start` (``close()`` it yourself, e.g. in a
  notebook) build the fleet from ``seed`` and run uvicorn in a background thread on 127.0.0.1.
  The :class:`Sandbox` handle has ``base_url``, ``api_key``, ``available_codes(n)``,
  ``used_codes(n)``, ``registrations(code)``, ``request_log``, ``faults`` (changeable while it
  runs), ``state`` (the live store) and ``advance(seconds)`` (moves the sandbox clock, so
  actions settle without waiting).
- Routes follow ``CONTRACT.md`` and, where it is silent, the official SDK 4.189.0: every
  wireless endpoint of the SDK. Register, eSIM purchase and code validation; SIM cards (list,
  get, patch, delete, activation code, device details, public IP, connectivity logs); SIM card
  actions (status, voice, public IP) and bulk actions; SIM card groups and their actions;
  private wireless gateways, wireless blocklists and their values, wireless regions, mobile
  network operators, OTA updates; SIM card orders and previews; data usage notifications.
  ``accept_any_key=True`` (the CLI's
  ``--accept-any-key``) lets any non-empty Bearer key in, for suites with a key of their own.
- Test hooks on ``state``: ``add_usage(sim_id, megabytes)`` makes a SIM consume data, and
  ``notifications_fired(sim_id)`` lists the data usage notifications that fired and when.
- Usage history: 13 months of per-session records, drawn on demand (see
  :mod:`simtools.sandbox.usage_model`), served by ``/reports/wdrs``,
  ``/wireless/detail_records_reports``, ``/detail_records`` and ``/usage_reports`` (+ options);
  ``state.wdrs.anomalies()`` names the injected runaway devices and stolen SIMs. Records add up
  to consumption: for each fleet SIM, the ``uplink_data`` + ``downlink_data`` amounts (MB) of
  its records from the first of the current month (UTC) on equal its
  ``current_billing_period_consumed_data`` in MB (KB/1024, GB*1024) within 1e-6 (see
  :mod:`simtools.sandbox.wdrs`).
- :func:`main` is ``simtools sandbox`` / ``python -m simtools.sandbox``.
"""

from __future__ import annotations

from simtools.sandbox.cli import main
from simtools.sandbox.faults import Faults, LoggedRequest
from simtools.sandbox.server import Sandbox, SandboxStartError, serve, start
from simtools.sandbox.state import SandboxState

__all__ = [
    "Faults",
    "LoggedRequest",
    "Sandbox",
    "SandboxStartError",
    "SandboxState",
    "main",
    "serve",
    "start",
]
