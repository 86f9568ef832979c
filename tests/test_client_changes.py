"""The REST verbs of fleet changes: PATCH /sim_cards in full and the data usage notifications,
over the sandbox (real HTTP) and, for the rare wire conditions, a MockTransport."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_client import KEY, Recorder

from simtools.client import SimClient
from simtools.errors import InvalidInputError, NotFoundError, ServerError, TransportError
from simtools.sandbox import Sandbox, serve

SIM = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
NOTIFICATION = {
    "id": "0ba6b3c1-8f0e-4a52-9f3a-2b7f9f1c1d11",
    "record_type": "sim_card_data_usage_notification",
    "sim_card_id": SIM,
    "threshold": {"amount": "80.0", "unit": "MB"},
}


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox: these tests change SIMs."""
    with serve(fleet_size=40, seed=21) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


def enabled_sim(client: SimClient) -> str:
    sim = next(s for s in client.iter_sim_cards(status="enabled") if s.sim_card_group_id)
    assert sim.id is not None
    return sim.id


def test_update_sim_card_sets_every_writable_field(client: SimClient, sb: Sandbox) -> None:
    """One PATCH sets data limit, tags, group and authorized IMEIs; None clears the IMEIs and
    a field left out keeps its value."""
    sim_id = enabled_sim(client)
    group = client.create_sim_card_group("Changes wire")
    assert group.id is not None
    sim = client.update_sim_card(
        sim_id,
        data_limit=(2, "GB"),
        tags=["a", "b"],
        sim_card_group_id=group.id,
        authorized_imeis=["356938035643809"],
    )
    assert (sim.data_limit.amount, sim.data_limit.unit) == ("2.0", "GB")  # type: ignore[union-attr]
    assert (sim.tags, sim.sim_card_group_id) == (["a", "b"], group.id)
    assert sim.authorized_imeis == ["356938035643809"]
    cleared = client.update_sim_card(sim_id, authorized_imeis=None)
    assert cleared.authorized_imeis is None
    assert cleared.tags == ["a", "b"]
    assert sb.state.sim(sim_id).wire["authorized_imeis"] is None


def test_data_usage_notifications_round_trip(client: SimClient, sb: Sandbox) -> None:
    """Create (201), list by SIM, retrieve, update and delete a notification; it is gone after."""
    sim_id = enabled_sim(client)
    created = client.create_data_usage_notification(sim_id, (80, "MB"))
    assert created.id is not None
    assert created.threshold is not None
    assert (created.threshold.amount, created.threshold.unit) == ("80.0", "MB")
    assert [n.id for n in client.list_data_usage_notifications(sim_card_id=sim_id)] == [created.id]
    assert client.get_data_usage_notification(created.id).sim_card_id == sim_id
    moved = client.update_data_usage_notification(created.id, threshold=(0.125, "GB"))
    assert moved.threshold is not None
    assert moved.threshold.amount == "0.125"
    assert client.delete_data_usage_notification(created.id).id == created.id
    with pytest.raises(NotFoundError):
        client.get_data_usage_notification(created.id)
    assert created.id in {f.notification_id for f in sb.state.notifications_fired(sim_id)}


def answer(status: int, body: Any = None) -> httpx.Response:
    return httpx.Response(status, json={"data": NOTIFICATION} if body is None else body)


def test_a_create_whose_answer_is_lost_is_not_sent_again() -> None:
    """A 503 or a dropped answer to a notification create raises at once (outcome unknown):
    only a 429 or a connection that never opened is tried again."""
    unavailable = answer(503, {"errors": [{"code": "10007", "title": "Unavailable"}]})
    for first, error in ((unavailable, ServerError), (httpx.ReadError("gone"), TransportError)):
        recorder = Recorder(first, answer(201))
        with recorder.client() as client, pytest.raises(error):
            client.create_data_usage_notification(SIM, (80, "MB"))
        assert len(recorder.requests) == 1
    recorder = Recorder(
        answer(429, {"errors": [{"code": "10011", "title": "Too many"}]}),
        httpx.ConnectError("refused"),
        answer(201),
    )
    with recorder.client() as client:
        assert client.create_data_usage_notification(SIM, (80, "MB")).id == NOTIFICATION["id"]
    assert len(recorder.requests) == 3


def test_retry_unknown_false_sends_a_patch_or_an_action_once() -> None:
    """update_sim_card and post_sim_card_action are retried like reads by default, and sent at
    most once past the server with retry_unknown=False."""
    sim = {"data": {"id": SIM, "record_type": "sim_card", "tags": ["a"]}}
    for retry_unknown, sent in ((True, 2), (False, 1)):
        recorder = Recorder(httpx.ReadError("gone"), httpx.Response(200, json=sim))
        with recorder.client() as client:
            try:
                client.update_sim_card(SIM, tags=["a"], retry_unknown=retry_unknown)
            except TransportError:
                assert not retry_unknown
        assert len(recorder.requests) == sent
    recorder = Recorder(httpx.Response(500, json={"errors": []}))
    with recorder.client() as client, pytest.raises(ServerError):
        client.post_sim_card_action(SIM, "enable", retry_unknown=False)
    assert len(recorder.requests) == 1


def test_the_bodies_are_the_contracts() -> None:
    """Thresholds travel as {amount: decimal string, unit}; authorized_imeis=None as null."""
    recorder = Recorder(
        answer(201), httpx.Response(200, json={"data": {"id": SIM, "record_type": "sim_card"}})
    )
    with recorder.client() as client:
        client.create_data_usage_notification(SIM, (819.2, "MB"))
        client.update_sim_card(SIM, authorized_imeis=None)
    first, second = (r.read() for r in recorder.requests)
    assert first == (
        b'{"sim_card_id":"' + SIM.encode() + b'","threshold":{"amount":"819.2","unit":"MB"}}'
    )
    assert second == b'{"authorized_imeis":null}'


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("create_data_usage_notification", {"sim_card_id": SIM, "threshold": (1, "TB")}),
        ("create_data_usage_notification", {"sim_card_id": SIM, "threshold": (-1, "MB")}),
        ("create_data_usage_notification", {"sim_card_id": "nope", "threshold": (1, "MB")}),
        ("update_data_usage_notification", {"notification_id": SIM}),
        ("update_sim_card", {"sim_card_id": SIM, "authorized_imeis": "356938035643809"}),
        ("update_sim_card", {"sim_card_id": SIM}),
    ],
)
def test_bad_arguments_send_nothing(call: str, kwargs: dict[str, Any]) -> None:
    """A wrong unit, a negative amount, a bad id or nothing to change is refused locally."""
    recorder = Recorder(answer(200))
    with SimClient(KEY, transport=httpx.MockTransport(recorder)) as client:
        with pytest.raises(InvalidInputError):
            getattr(client, call)(**kwargs)
    assert recorder.requests == []
