"""What an error says on the command line: the library's advice names keyword arguments
(``errors='collect'``, ``port=0``), a shell user needs flags (``--skip-invalid``, ``--port 0``).

This is the one place where that translation happens; both ``simtools`` and the sandbox's own
command (``python -m simtools.sandbox``) print errors through :func:`cli_message`. It sits with the
error tree (it imports nothing else) so that the sandbox layer may use it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from simtools.errors import (
    AuthenticationError,
    InvalidInputError,
    RateLimitError,
    SimToolsError,
    TransportError,
)

__all__ = ["FLAG_FOR", "PHRASES", "cli_hint", "cli_message"]

#: Keyword arguments with the same meaning as a flag, and that flag. A keyword given with a
#: value whose flag is a switch (``errors='collect'``) is listed with that value.
FLAG_FOR: Mapping[str, str] = {
    "errors='collect'": "--skip-invalid",
    'errors="collect"': "--skip-invalid",
    "on_invalid='skip'": "--skip-invalid",
    'on_invalid="skip"': "--skip-invalid",
    "dry_run=True": "--dry-run",
    "port": "--port",
    "host": "--host",
    "threshold": "--threshold",
    "by": "--by",
    "status": "--status",
    "tags": "--tag",
    "start": "--start",
    "end": "--end",
    "sim_group_id": "--group",
    "sim_card_group_id": "--group",
    "ledger": "--ledger",
    "fleet_size": "--fleet-size",
    "seed": "--seed",
    "api_key": "--api-key",
    "rate_limit": "--rate-limit",
    "error_rate": "--error-rate",
    "drop_rate": "--drop-rate",
    "latency": "--latency",
    "action_delay": "--action-delay",
    "key": "--key",
    "timeout": "--timeout",
}
#: Advice that names a Python call, and what to do instead from the shell.
PHRASES: Mapping[str, str] = {
    "move them first with client.update_sim_card(id, sim_card_group_id=...)": (
        "move them into a group first: simtools plan on a file with iccid and sim_card_group "
        "columns, then simtools apply"
    ),
    "build the frame with simtools.sim_cards_frame(...) or simtools.fleet_frame(...), "
    "or add the missing columns": "pass one of the choices simtools usage --help lists",
    "name the column registration_code, or pass column= with its header name": (
        "name the column of codes registration_code (or code) in the file's first row"
    ),
}
_SWITCHES = {k: v for k, v in FLAG_FOR.items() if "=" in k}
_KEYWORDS = sorted((k for k in FLAG_FOR if "=" not in k), key=len, reverse=True)
# ``port=0``, ``threshold=0.8``, ``by='group'``, ``by=['group', 'status']``: a keyword argument
# as the library writes one in a hint (not preceded by a letter, a dot or an underscore, so
# ``simtools.x(by=...)`` inside a call is matched but ``sort_by=`` is not).
_ASSIGNMENT = re.compile(
    r"(?<![\w.])(?P<name>" + "|".join(map(re.escape, _KEYWORDS)) + r")="
    r"(?P<value>\[[^\]]*\]|'[^']*'|\"[^\"]*\"|[\w.+-]+)"
)

# A value the library asks for "as the text '80%'" is typed as it is on the command line.
_TEXT_VALUE = re.compile(r"the text '([^']*)'")

#: What to do about errors that are not about one input value.
_AUTH_FIX = (
    "the API refused the key: check TELNYX_API_KEY (copy a key from the Telnyx portal, "
    "Auth > API Keys, with no spaces or quotes), or unset TELNYX_API_KEY to use a local sandbox"
)
_TRANSPORT_FIX = (
    "check the network and TELNYX_BASE_URL (unset it to use the real API), then run the "
    "command again"
)
_RATE_FIX = "the account is sending too many requests: wait a minute and run the command again"


_QUOTES = "'\""
#: Flags given once per value (``--tag a --tag b``) rather than once with several.
_REPEATED = ("--tag", "--status")


def _flag_text(flag: str, value: str) -> str:
    if not value.startswith("["):
        return f"{flag} {value.strip(_QUOTES)}"
    values = [v.strip(" " + _QUOTES) for v in value[1:-1].split(",") if v.strip()]
    if flag in _REPEATED:
        return " ".join(f"{flag} {v}" for v in values)
    return f"{flag} {' '.join(values)}"


def cli_hint(text: str) -> str:
    """``text`` with each keyword argument the CLI has a flag for written as that flag."""
    for phrase, instead in PHRASES.items():
        text = text.replace(phrase, instead)
    for keyword, switch in _SWITCHES.items():
        text = text.replace(keyword, switch)

    def flag(match: re.Match[str]) -> str:
        return _flag_text(FLAG_FOR[match["name"]], match["value"])

    return _TEXT_VALUE.sub(r"\1", _ASSIGNMENT.sub(flag, text))


def cli_message(exc: BaseException) -> str:
    """The lines a command prints for ``exc``: what went wrong and a ``How to fix`` line in the
    words of the command line."""
    if isinstance(exc, InvalidInputError):
        lines = [cli_hint(exc.reason)]
        lines.extend(f"  - {p}" for p in exc.problems[:20])
        if len(exc.problems) > 20:
            lines.append(f"  - ... and {len(exc.problems) - 20} more")
        lines.append(f"How to fix: {cli_hint(exc.hint)}")
        return "\n".join(lines)
    fix = None
    if isinstance(exc, AuthenticationError):
        fix = _AUTH_FIX
    elif isinstance(exc, RateLimitError):
        fix = _RATE_FIX
    elif isinstance(exc, TransportError):
        fix = _TRANSPORT_FIX
    text = cli_hint(str(exc)) if isinstance(exc, SimToolsError) else str(exc)
    if fix and "How to fix" not in text:
        text += f"\nHow to fix: {fix}"
    return text
