"""Progress bars that appear where a person is watching, and nowhere else."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["interactive", "progress_bar"]


def interactive() -> bool:
    """True in a Jupyter kernel or when stderr is a terminal."""
    shell = sys.modules.get("IPython")
    if shell is not None:
        get = getattr(shell, "get_ipython", None)
        ip = get() if get else None
        if ip is not None and type(ip).__name__ == "ZMQInteractiveShell":
            return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_bar(total: int | None, desc: str, enabled: bool | None = None, *, unit: str) -> Any:
    """A ``tqdm.auto`` bar (notebook or terminal flavour) counting ``unit`` (the thing counted,
    plural: ``"codes"``, ``"pages"``, ``"SIMs"``), so it reads ``12/100 [..., 8.5 codes/s]``
    rather than tqdm's ``it/s``; disabled when nobody watches."""
    from tqdm.auto import tqdm

    show = interactive() if enabled is None else enabled
    return tqdm(total=total, desc=desc, disable=not show, leave=False, unit=f" {unit.strip()}")
