"""Before checking: the environment, where the codes come from, the group and the ledger."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_uuid
from simtools.runbook.base import RunbookStop, StepReport
from simtools.workflows.ledger import RegistrationLedger

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["GroupChoice", "codes_source", "environment_note", "prepare_ledger", "resolve_group"]


def environment_note(env: Mapping[str, str] | None = None) -> str | None:
    """A note when the environment will surprise: ``TELNYX_BASE_URL`` without a key."""
    env = os.environ if env is None else env
    if env.get("TELNYX_BASE_URL") and not env.get("TELNYX_API_KEY"):
        return (
            f"TELNYX_BASE_URL is set ({env['TELNYX_BASE_URL']}) but TELNYX_API_KEY is not, so "
            "simtools.connect() starts its own sandbox and ignores that URL. To use a sandbox "
            "started with `simtools sandbox`, export both variables it prints, then restart "
            "the kernel; to use your account, export TELNYX_API_KEY."
        )
    return None


def codes_source(client: SimClient, codes: Any) -> Any:
    """What to read the codes from: a CSV or text file named by a path, else ``codes`` itself.

    ``None`` on a sandbox that ``simtools.connect()`` started gives demonstration text (fresh
    codes, one repeated, one malformed, one already used); anywhere else it stops the run.
    """
    if codes is None:
        sandbox = getattr(client, "sandbox", None)
        if sandbox is None:
            hint = (
                "set `codes` in the parameters cell to the pasted codes or a CSV path, then rerun"
            )
            if client.is_loopback:
                hint += " (a sandbox started with `simtools sandbox` prints codes to try)"
            raise RunbookStop("codes", "no registration codes were given", hint)
        fresh = sandbox.available_codes(4)
        return "\n".join([*fresh, fresh[1], "12345x7890", *sandbox.used_codes(1)])
    if isinstance(codes, os.PathLike):
        return _existing_file(Path(codes))
    if isinstance(codes, str) and "\n" not in codes.strip():
        text = codes.strip()
        if text.lower().endswith((".csv", ".tsv", ".txt")):
            return _existing_file(Path(text))
    return codes


def _existing_file(path: Path) -> Path:
    if not path.is_file():
        raise RunbookStop(
            "codes",
            f"the codes file {str(path)!r} does not exist",
            f"check the path (the notebook runs in {Path.cwd()}) or paste the codes as text",
        )
    return path


@dataclass(frozen=True, repr=False)
class GroupChoice(StepReport):
    """The SIM card group new SIMs go into; ``id`` is None only when the account names no
    default group (the API then picks one)."""

    id: str | None
    name: str
    message: str
    frame: pd.DataFrame


def resolve_group(client: SimClient, group: str | None) -> GroupChoice:
    """The group named by ``group`` (a name or an id; ``None`` for the default group)."""
    groups = client.list_sim_card_groups()
    table = pd.DataFrame(
        {
            "name": pd.array([g.name for g in groups], dtype="string"),
            "id": pd.array([g.id for g in groups], dtype="string"),
            "default": pd.array([g.default for g in groups], dtype="boolean"),
            "sim_card_count": pd.array([g.sim_card_count for g in groups], dtype="Int64"),
        }
    )
    if group is None:
        default = next((g for g in groups if g.default and g.id), None)
        if default is None:  # the API then picks the group itself
            message = "New SIMs go into the default group."
            return GroupChoice(None, "the default group", message, table)
        name = default.name or str(default.id)
        message = f"New SIMs go into the default group, {name} ({default.id})."
        return GroupChoice(default.id, name, message, table)
    if not isinstance(group, str) or not group.strip():
        raise RunbookStop(
            "group", f"sim_card_group {group!r} is not a name or an id", "use a name from the table"
        )
    wanted = group.strip()
    try:
        gid = check_uuid(wanted, "sim_card_group")
    except InvalidInputError:
        gid = None
    matches = [g for g in groups if g.id == gid] if gid else [g for g in groups if g.name == wanted]
    if not matches and gid is None:
        matches = [g for g in groups if (g.name or "").casefold() == wanted.casefold()]
    names = [f"{g.name} ({g.id})" for g in groups]
    if not matches:
        raise RunbookStop(
            "group",
            f"no SIM card group is called or has the id {wanted!r}",
            "set `sim_card_group` to one of these names or ids, or None for the default group",
            details=names,
        )
    if len(matches) > 1:
        raise RunbookStop(
            "group",
            f"{len(matches)} SIM card groups are called {wanted!r}",
            "set `sim_card_group` to the id of the one you mean",
            details=[f"{g.name} ({g.id})" for g in matches],
        )
    chosen = matches[0]
    name = chosen.name or str(chosen.id)
    return GroupChoice(chosen.id, name, f"New SIMs go into the group {name} ({chosen.id}).", table)


def prepare_ledger(
    client: SimClient, ledger: str | os.PathLike[str] | None, output_dir: Any
) -> Path:
    """The ledger file to register with (``<output_dir>/registration-ledger.sqlite`` by default).

    A ledger written against another API or key is refused, unless both are sandboxes on this
    machine: a sandbox's SIMs are gone with it, so its ledger is set aside (renamed) and a new
    one started.
    """
    path = Path(output_dir) / "registration-ledger.sqlite" if ledger is None else Path(ledger)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        return path
    with RegistrationLedger(path, read_only=True) as book:
        if book.matches(client.base_url, client.account_fingerprint):
            return path
        bound = book.binding().get("api_base_url", client.base_url)
    others = [bound] if bound != client.base_url else [f"{bound} with another API key"]
    if client.is_loopback and _loopback_url(bound):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path.rename(path.with_name(f"{path.name}.{stamp}.old-sandbox"))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path
    raise RunbookStop(
        "ledger",
        f"the ledger {str(path)!r} records registrations at {', '.join(others)}, "
        f"but this run talks to {client.base_url}",
        "set `ledger` to a new file for this account (keep the old one: it is the record of "
        "that run)",
    )


def _loopback_url(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")
