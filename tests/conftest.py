"""Shared fixtures: a session-wide sandbox server and a factory for sandboxes with faults."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from simtools.sandbox import Sandbox, serve

MakeSandbox = Callable[..., AbstractContextManager[Sandbox]]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the whole run: the default fleet (500 SIMs, seed 0), no faults.

    Tests share it, so each takes fresh codes with ``available_codes`` and never switches its
    faults on; a test that needs faults or a pristine fleet uses ``make_sandbox``.
    """
    with serve(fleet_size=500, seed=0) as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[MakeSandbox]:
    """``with make_sandbox(**serve_kwargs) as sb:`` starts a private sandbox for one test."""
    started: list[Sandbox] = []

    @contextmanager
    def factory(**kwargs: Any) -> Iterator[Sandbox]:
        with serve(**kwargs) as sb:
            started.append(sb)
            yield sb

    yield factory
    for sb in started:  # stopped already unless the test left its with-block by a bare yield
        sb.close()
