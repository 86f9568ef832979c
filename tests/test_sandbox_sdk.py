"""Telnyx's official Python SDK, pointed at the sandbox, works end to end and parses each answer.

The client validates every answer strictly (``_strict_response_validation=True``, as the SDK's own
tests do): a field of the wrong type or an enum value the SDK does not know fails the call.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import telnyx

from simtools.sandbox import Sandbox


@pytest.fixture(scope="module")
def sdk(sandbox: Sandbox) -> Iterator[telnyx.Telnyx]:
    client = telnyx.Telnyx(
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        max_retries=0,
        _strict_response_validation=True,
    )
    with client:
        yield client


def test_sdk_validates_and_registers_codes(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """The SDK validates and registers codes, filled models and all; a repeat fails in errors."""
    codes = sandbox.available_codes(2)
    checked = sdk.sim_cards.actions.validate_registration_codes(registration_codes=codes)
    assert [c.valid for c in checked.data or []] == [True, True]

    registered = sdk.actions.register.create(registration_codes=codes, tags=["sdk"])
    assert not registered.errors
    sims = registered.data or []
    assert len(sims) == 2
    for sim in sims:
        assert sim.id is not None
        assert sim.iccid is not None
        assert sim.iccid.startswith("89")
        assert sim.status is not None
        assert sim.status.value == "registering"
        assert sim.tags == ["sdk"]
        assert sim.current_billing_period_consumed_data is not None
        assert sim.current_billing_period_consumed_data.amount == "0.0"
        assert sim.created_at is not None

    again = sdk.actions.register.create(registration_codes=codes)
    assert not again.data
    errors = again.errors or []
    assert [e.source.pointer if e.source else None for e in errors] == [
        "/registration_codes/0",
        "/registration_codes/1",
    ]
    assert all(e.code == "10015" for e in errors)
    assert [sandbox.registrations(c) for c in codes] == [1, 1]


def test_sdk_validates_no_codes(sdk: telnyx.Telnyx) -> None:
    """validate_registration_codes without codes, as the SDK allows, answers an empty list."""
    assert sdk.sim_cards.actions.validate_registration_codes().data == []


def test_sdk_auto_paginates_the_whole_fleet(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """Iterating the SDK's page object walks every SIM once and stops at the end."""
    first = sdk.sim_cards.list(page_size=100)
    # The SDK's meta model keeps total_results as an extra field.
    total = getattr(first.meta, "total_results", None)
    ids = [sim.id for sim in first]
    assert total is not None
    assert len(ids) == total
    assert len(set(ids)) == total
    assert total >= 500


def test_sdk_filters_by_tags_and_status(sdk: telnyx.Telnyx) -> None:
    """The SDK's comma-joined filters reach the sandbox: every SIM found has all the tags."""
    found = list(sdk.sim_cards.list(filter={"tags": ["eu", "test"]}, page_size=250))
    assert found
    assert all({"eu", "test"} <= set(sim.tags or []) for sim in found)
    standby = list(sdk.sim_cards.list(filter={"status": ["standby", "disabled"]}, page_size=250))
    assert standby
    assert {sim.status.value for sim in standby if sim.status} <= {"standby", "disabled"}


def test_sdk_retrieves_the_full_form_and_enables(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """retrieve returns the full SimCard; enable returns an action the SDK can read back."""
    (code,) = sandbox.available_codes(1)
    (sim,) = sdk.actions.register.create(registration_codes=[code], status="disabled").data or []
    assert sim.id is not None
    sandbox.advance()
    full = sdk.sim_cards.retrieve(sim.id).data
    assert full is not None
    assert full.status is not None
    assert full.status.value == "disabled"
    assert full.current_imei is not None
    assert full.current_mcc is not None
    assert full.live_data_session == "disconnected"
    assert full.current_device_location is not None
    assert full.current_device_location.latitude is not None

    action = sdk.sim_cards.actions.enable(sim.id).data
    assert action is not None
    assert action.action_type == "enable"
    assert action.status is not None
    assert action.status.value == "in-progress"
    sandbox.advance()
    done = sdk.sim_cards.actions.retrieve(action.id or "").data
    assert done is not None
    assert done.status is not None
    assert done.status.value == "completed"
    listed = list(sdk.sim_cards.actions.list(filter={"sim_card_id": sim.id}))
    assert [a.id for a in listed] == [action.id]


def test_sdk_lists_groups_with_counts(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """Group listing parses, with sim_card_count and consumed data on each group."""
    groups = list(sdk.sim_card_groups.list())
    assert {g.id for g in groups} == set(sandbox.state.groups)
    assert sum(1 for g in groups if g.default) == 1
    for group in groups:
        assert group.sim_card_count is not None
        assert group.consumed_data is not None
        assert group.consumed_data.unit == "MB"


def test_sdk_reads_usage_records(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """list_wdrs parses the records: numbers for data, strings for money, a datetime."""
    sim = max(sandbox.state.sims.values(), key=lambda s: s.consumed_mb)
    records = list(sdk.reports.list_wdrs(sim_card_id=sim.id))
    assert records
    for record in records:
        assert record.sim_card_id == sim.id
        assert record.created_at is not None
        assert record.uplink_data is not None
        assert isinstance(record.uplink_data.amount, float)
        assert record.cost is not None
        assert isinstance(record.cost.amount, str)


def test_sdk_gets_authentication_error_for_a_wrong_key(sandbox: Sandbox) -> None:
    """A wrong key makes the SDK raise AuthenticationError carrying Telnyx's 10009 body."""
    with telnyx.Telnyx(api_key="KEYnotthis", base_url=sandbox.base_url, max_retries=0) as sdk:
        with pytest.raises(telnyx.AuthenticationError) as caught:
            sdk.sim_cards.list()
    assert caught.value.status_code == 401
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["errors"][0]["code"] == "10009"


def test_sdk_gets_not_found_for_an_unknown_sim(sdk: telnyx.Telnyx) -> None:
    """An unknown SIM id makes the SDK raise NotFoundError."""
    with pytest.raises(telnyx.NotFoundError):
        sdk.sim_cards.retrieve("6a09cdc3-8948-47f0-aa62-74ac943d6c58")


def test_sdk_creates_updates_and_deletes_a_group(sandbox: Sandbox, sdk: telnyx.Telnyx) -> None:
    """Group create, retrieve, update and delete through the SDK all parse their answers."""
    created = sdk.sim_card_groups.create(
        name="SDK group", data_limit={"amount": "10", "unit": "GB"}
    )
    group = created.data
    assert group is not None
    assert group.id is not None
    assert group.data_limit is not None
    assert group.data_limit.amount == "10.0"
    fetched = sdk.sim_card_groups.retrieve(group.id).data
    assert fetched is not None
    assert fetched.name == "SDK group"
    updated = sdk.sim_card_groups.update(group.id, name="SDK group 2").data
    assert updated is not None
    assert updated.name == "SDK group 2"
    deleted = sdk.sim_card_groups.delete(group.id).data
    assert deleted is not None
    assert deleted.id == group.id
    assert group.id not in sandbox.state.groups
