"""New SIM cards on the account: registration of physical cards by code, and eSIM purchases.

Both answer ``{"data": [SimpleSIMCard...], "errors": [...]}`` with 202 (CONTRACT.md section 5.1):
the new SIMs show ``registering`` and settle to the requested status after ``action_delay``.
Not locked on its own: every method takes the store's lock.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from simtools.sandbox.codes import code_error
from simtools.sandbox.records import SimRecord, uuid_from
from simtools.sandbox.synthetic import new_sim
from simtools.sandbox.wire import ApiProblem, iso

if TYPE_CHECKING:
    from simtools.sandbox.state import SandboxState

__all__ = ["Enrolment"]


class Enrolment:
    """Registration and purchase; ``first_card`` is the first card number no code stands for."""

    def __init__(self, state: SandboxState, *, first_card: int) -> None:
        self._state = state
        self._next_index = len(state.sims)
        self._next_card = first_card

    def _check_group(self, group_id: str | None) -> str:
        state = self._state
        if group_id is not None and group_id not in state.groups:
            raise ApiProblem.single(
                422,
                "10017",
                f"SIM card group {group_id} does not exist.",
                pointer="/sim_card_group_id",
            )
        return group_id or state.default_group_id

    def register(
        self, codes: list[str], group_id: str | None, status: str, tags: list[str]
    ) -> tuple[list[SimRecord], list[dict[str, Any]]]:
        """Register every valid code; the others come back as errors pointing at their index."""
        state = self._state
        with state.locked():
            group = self._check_group(group_id)
            created: list[SimRecord] = []
            errors: list[dict[str, Any]] = []
            for index, code in enumerate(codes):
                problem = state.codes.problem(code)
                if problem is not None:
                    errors.append(code_error(index, code, problem))
                    continue
                sim_id = _sim_id(state.seed, code, state.codes.registered[code])
                number = state.codes.claim(code, sim_id)
                created.append(self._new(sim_id, number, code, group, status, tags, esim=None))
            return created, errors

    def purchase_esims(
        self, amount: int, group_id: str | None, status: str, tags: list[str]
    ) -> list[SimRecord]:
        """``amount`` new eSIMs, ready to be downloaded (``esim_installation_status`` released,
        an activation code to fetch)."""
        state = self._state
        with state.locked():
            group = self._check_group(group_id)
            bought = []
            for _ in range(amount):
                number, self._next_card = self._next_card, self._next_card + 1
                sim_id = _sim_id(state.seed, f"esim-{number}", 0)
                sim = self._new(sim_id, number, "", group, status, tags, esim=True)
                sim.wire["esim_installation_status"] = "released"
                sim.touch()
                bought.append(sim)
            return bought

    def install_esim(self, sim_id: str) -> SimRecord:
        """Test hook: a device downloads the eSIM's profile with its activation code.

        ``esim_installation_status`` goes from ``released`` to ``disabled``: the contract names
        only these two values, and an installed profile stays disabled on the device until it
        is enabled (GSMA SGP.22), so ``disabled`` is read as "installed". From then on the
        activation code endpoint answers 422, as it does for an installed eSIM.
        """
        state = self._state
        with state.locked():
            sim = state.sim(sim_id)
            if sim.wire["type"] != "esim" or sim.wire["esim_installation_status"] != "released":
                raise ValueError(f"SIM card {sim_id} is not an eSIM waiting to be installed")
            sim.wire["esim_installation_status"] = "disabled"
            sim.wire["updated_at"] = iso(state.clock.now())
            sim.touch()
            return sim

    def _new(
        self,
        sim_id: str,
        number: int,
        code: str,
        group_id: str,
        status: str,
        tags: list[str],
        *,
        esim: bool | None,
    ) -> SimRecord:
        state = self._state
        now = state.clock.now()
        # The card behind a code is the same every time it is registered; the SIM id is not.
        rng = random.Random(f"card:{state.seed}:{number}")
        sim = new_sim(
            rng,
            seed=state.seed,
            number=number,
            index=self._next_index,
            code=code,
            status="registering",
            group_id=group_id,
            tags=list(tags),
            created=now,
            updated=now,
            esim=esim,
        )
        sim.id = sim.wire["id"] = sim_id
        self._next_index += 1
        state.sims[sim.id] = sim
        state.start_status_change(sim, "registering", status, None)
        return sim


def _sim_id(seed: int, code: str, registered_before: int) -> str:
    return uuid_from(random.Random(f"sim:{seed}:{code}:{registered_before}"))
