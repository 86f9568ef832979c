"""Registration codes of the sandbox: which are valid, which are in use, and how often each was
registered."""

from __future__ import annotations

from collections import Counter
from itertools import islice
from typing import Any

from simtools.errors import InvalidInputError
from simtools.sandbox.wire import error_object

__all__ = ["CODE_PROBLEMS", "CodeBook", "code_error", "code_problem"]

#: ``invalid_detail`` of a code that cannot be registered, by reason.
CODE_PROBLEMS = {
    "malformed": "This code is malformed: a registration code is a string of 10 digits.",
    "unknown": "This code is not valid.",
    "used": "This code has already been used.",
}
_TITLES = {
    "malformed": "Malformed registration code",
    "unknown": "Unknown registration code",
    "used": "Registration code already used",
}


def code_problem(code: object) -> str | None:
    """``malformed`` unless ``code`` is a string of exactly 10 ASCII digits."""
    if isinstance(code, str) and len(code) == 10 and code.isascii() and code.isdigit():
        return None
    return "malformed"


def code_error(index: int, code: object, problem: str) -> dict[str, Any]:
    """The ``errors`` entry of a code that register refused."""
    return error_object(
        "10015",
        f"Registration code {code!r}: {CODE_PROBLEMS[problem]}",
        title=_TITLES[problem],
        pointer=f"/registration_codes/{index}",
        meta={"registration_code": code},
    )


class CodeBook:
    """Valid codes (the fleet's, then an unused pool), their owners and registration counts.

    Not locked: :class:`~simtools.sandbox.state.SandboxState` calls it under its own lock.
    """

    def __init__(self, fleet_codes: dict[str, str], pool: list[str]) -> None:
        self._fleet = list(fleet_codes)
        self.pool = pool
        #: code -> id of the SIM that holds it now.
        self.owner = dict(fleet_codes)
        #: Every valid code and the number of the physical card behind it.
        self.card_number = {code: i for i, code in enumerate([*self._fleet, *pool])}
        self.registered: Counter[str] = Counter()
        self._handed_out = 0

    def problem(self, code: object) -> str | None:
        """None when ``code`` can be registered, else a key of :data:`CODE_PROBLEMS`."""
        problem = code_problem(code)
        if problem is not None:
            return problem
        assert isinstance(code, str)
        if code in self.owner:
            return "used"
        # A fleet SIM's code becomes registrable again once the SIM is deleted.
        return None if code in self.card_number else "unknown"

    def validation(self, code: str) -> dict[str, Any]:
        problem = self.problem(code)
        return {
            "record_type": "sim_card_registration_code_validation",
            "registration_code": code,
            "valid": problem is None,
            "invalid_detail": CODE_PROBLEMS[problem] if problem else None,
        }

    def claim(self, code: str, sim_id: str) -> int:
        """Record a registration of ``code`` as ``sim_id``; returns the card number."""
        self.owner[code] = sim_id
        self.registered[code] += 1
        return self.card_number[code]

    def release(self, code: str) -> None:
        del self.owner[code]

    def hand_out(self, n: int) -> list[str]:
        """``n`` unused pool codes, none handed out before."""
        codes: list[str] = []
        while len(codes) < n and self._handed_out < len(self.pool):
            code = self.pool[self._handed_out]
            self._handed_out += 1
            if code not in self.owner:
                codes.append(code)
        if len(codes) < n:
            raise InvalidInputError(
                n,
                f"the sandbox had only {len(codes)} unused registration codes left to hand out",
                "start the sandbox with a larger code_pool",
            )
        return codes

    def in_use(self, n: int) -> list[str]:
        """``n`` fleet codes whose SIM is still on the account."""
        codes = list(islice((c for c in self._fleet if c in self.owner), n))
        if len(codes) < n:
            raise InvalidInputError(
                n,
                f"the sandbox fleet has only {len(codes)} registration codes in use",
                "ask for fewer, or start the sandbox with a larger fleet_size",
            )
        return codes
