"""connect() without a key: one sandbox per fleet, shared by the clients asking for it."""

from __future__ import annotations

import pytest

from simtools.client import SimClient
from simtools.client.retrying import NO_RETRIES
from simtools.errors import TransportError
from simtools.workflows.connect import connect


def test_connect_twice_shares_one_sandbox_and_says_so() -> None:
    first = connect(env={}, fleet_size=20, seed=11)
    try:
        with pytest.warns(UserWarning, match="still running at .*instead of starting a second"):
            second = connect(env={}, fleet_size=20, seed=11)
        assert second.base_url == first.base_url
        assert second.sandbox is first.sandbox
        first.close()
        # The sandbox keeps running for the client still open.
        assert len(second.list_sim_card_groups()) >= 1
        second.close()
        with connect(env={}, fleet_size=20, seed=11) as third:
            # The last close stopped it: a later connect() starts a fresh one.
            assert third.list_sim_card_groups()
            assert third.sandbox is not first.sandbox
    finally:
        first.close()


def test_another_fleet_gets_its_own_sandbox() -> None:
    with connect(env={}, fleet_size=20, seed=1) as a, connect(env={}, fleet_size=20, seed=2) as b:
        assert a.base_url != b.base_url


def test_the_last_close_stops_the_sandbox() -> None:
    client = connect(env={}, fleet_size=20, seed=12)
    sandbox = client.sandbox
    client.close()
    with (
        SimClient(sandbox.api_key, base_url=sandbox.base_url, retry=NO_RETRIES) as probe,
        pytest.raises(TransportError),
    ):
        probe.list_sim_card_groups()
