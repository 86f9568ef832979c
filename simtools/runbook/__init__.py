"""The onboarding runbook's steps as plain functions: check codes, register, verify, activate.

``notebooks/01-onboarding-runbook.ipynb`` calls these one cell at a time, and so can anyone:

>>> client = simtools.connect()  # doctest: +SKIP
>>> check = check_codes(client, codes_source(client, None))  # doctest: +SKIP
>>> result = client.register(check.source, on_invalid="skip", status="disabled")  # doctest: +SKIP
>>> sims = verify_registration(client, result)  # doctest: +SKIP
>>> actions = activate(client, sims, "enabled")  # doctest: +SKIP
>>> write_outcome(outcome_frame(result, sims, actions), "out", client=client)  # doctest: +SKIP

Each step returns a small report (``message`` and ``frame``) that shows itself when it ends a
cell. A step that cannot go on raises :class:`RunbookStop`, which IPython shows as its message
alone, without a traceback.
"""

from __future__ import annotations

from simtools.runbook.audit import OUTCOME_COLUMNS, outcome_frame, outcome_summary, write_outcome
from simtools.runbook.base import RunbookStop, StepReport
from simtools.runbook.checks import PREVIEW_COLUMNS, VERDICTS, CodeCheck, check_codes
from simtools.runbook.prepare import (
    GroupChoice,
    codes_source,
    environment_note,
    prepare_ledger,
    resolve_group,
)
from simtools.runbook.sims import (
    Activation,
    Verification,
    activate,
    group_members,
    verify_registration,
)

__all__ = [
    "OUTCOME_COLUMNS",
    "PREVIEW_COLUMNS",
    "VERDICTS",
    "Activation",
    "CodeCheck",
    "GroupChoice",
    "RunbookStop",
    "StepReport",
    "Verification",
    "activate",
    "check_codes",
    "codes_source",
    "environment_note",
    "group_members",
    "outcome_frame",
    "outcome_summary",
    "prepare_ledger",
    "resolve_group",
    "verify_registration",
    "write_outcome",
]
