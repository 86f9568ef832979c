"""Data usage notifications over HTTP, when they fire, and SIMs consuming data
(``state.add_usage``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from simtools.errors import InvalidInputError
from simtools.sandbox import Sandbox, serve
from simtools.sandbox.records import SimRecord, to_mb

PATH = "/sim_card_data_usage_notifications"
UNKNOWN = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=120, seed=21, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def take(sb: Sandbox) -> Callable[..., SimRecord]:
    """``take(status, ...)``: a SIM in that status no other test of the module took, for
    which every ``where(sim)`` given holds."""
    taken: set[str] = set()

    def pick(status: str, *where: Callable[[SimRecord], bool]) -> SimRecord:
        for sim in sb.state.sims.values():
            if sim.status == status and sim.id not in taken and all(w(sim) for w in where):
                taken.add(sim.id)
                return sim
        raise LookupError(status)

    return pick


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    assert isinstance(error, dict)
    return error


def threshold_mb(mb: float) -> dict[str, str]:
    return {"amount": f"{mb:.3f}", "unit": "MB"}


def create(api: httpx.Client, sim_id: str, threshold: dict[str, str]) -> dict[str, Any]:
    response = api.post(PATH, json={"sim_card_id": sim_id, "threshold": threshold})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def consuming(sim: SimRecord) -> bool:
    return sim.consumed_mb > 1.0


def test_a_threshold_below_the_usage_fires_at_once(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """Created under what the SIM consumed already, a notification fires at creation, once."""
    sim = take("enabled", consuming)
    notification = create(api, sim.id, threshold_mb(sim.consumed_mb / 2))
    (fired,) = sb.state.notifications_fired(sim.id)
    assert fired.notification_id == notification["id"]
    assert fired.fired_at == notification["created_at"]
    assert fired.consumed_mb == pytest.approx(sim.consumed_mb)
    assert (fired.threshold_amount, fired.threshold_unit) == (
        notification["threshold"]["amount"],
        "MB",
    )
    sb.state.add_usage(sim.id, 1.0)
    assert len(sb.state.notifications_fired(sim.id)) == 1


def test_a_threshold_above_the_usage_fires_when_usage_crosses_it(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """Above the usage, a notification waits; it fires once when add_usage takes the SIM to
    the threshold, and a new threshold arms it again."""
    sim = take("enabled", lambda s: "data_limit" not in s.wire)
    start = sim.consumed_mb
    notification = create(api, sim.id, threshold_mb(start + 10))
    assert sb.state.notifications_fired(sim.id) == []
    sb.state.add_usage(sim.id, 4)
    assert sb.state.notifications_fired(sim.id) == []
    sb.state.add_usage(sim.id, 6)
    (fired,) = sb.state.notifications_fired(sim.id)
    assert fired.consumed_mb == pytest.approx(start + 10)
    sb.state.add_usage(sim.id, 5)
    assert len(sb.state.notifications_fired(sim.id)) == 1
    raised = api.patch(f"{PATH}/{notification['id']}", json={"threshold": threshold_mb(start + 20)})
    assert raised.status_code == 200
    assert len(sb.state.notifications_fired(sim.id)) == 1
    sb.state.add_usage(sim.id, 5)
    assert len(sb.state.notifications_fired(sim.id)) == 2
    assert {f.notification_id for f in sb.state.notifications_fired()} >= {notification["id"]}


def test_usage_shows_on_the_sim_and_its_group(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """add_usage grows the SIM's consumed data (in its unit) and its group's consumed data."""
    sim = take("enabled", lambda s: "data_limit" not in s.wire)
    group_before = api.get(f"/sim_card_groups/{sim.group_id}").json()["data"]["consumed_data"]
    before = api.get(f"/sim_cards/{sim.id}").json()["data"]
    sb.state.add_usage(sim.id, 64)
    after = api.get(f"/sim_cards/{sim.id}").json()["data"]
    old, new = (d["current_billing_period_consumed_data"] for d in (before, after))
    assert new["unit"] == old["unit"]
    assert to_mb(new["amount"], new["unit"]) == pytest.approx(
        to_mb(old["amount"], old["unit"]) + 64, abs=0.01
    )
    assert after["updated_at"] > before["updated_at"]
    group_after = api.get(f"/sim_card_groups/{sim.group_id}").json()["data"]["consumed_data"]
    assert float(group_after["amount"]) == pytest.approx(float(group_before["amount"]) + 64, 1e-3)


def test_reaching_the_data_limit_stops_the_sim(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """An enabled SIM that consumes up to its data limit goes to data_limit_exceeded."""
    sim = take("enabled")
    api.patch(f"/sim_cards/{sim.id}", json={"data_limit": threshold_mb(sim.consumed_mb + 3)})
    sb.state.add_usage(sim.id, 2)
    assert api.get(f"/sim_cards/{sim.id}").json()["data"]["status"]["value"] == "enabled"
    sb.state.add_usage(sim.id, 1)
    status = api.get(f"/sim_cards/{sim.id}").json()["data"]["status"]
    assert status["value"] == "data_limit_exceeded"
    assert "data limit" in status["reason"]
    with pytest.raises(InvalidInputError, match="consumes no data"):
        sb.state.add_usage(sim.id, 1)


def test_a_standby_sim_is_enabled_by_consuming_data(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """A SIM in standby that consumes data becomes enabled, with a completed
    enable_standby_sim_card action."""
    sim = take("standby", lambda s: "data_limit" not in s.wire)
    sb.state.add_usage(sim.id, 1)
    assert api.get(f"/sim_cards/{sim.id}").json()["data"]["status"]["value"] == "enabled"
    params = {"filter[sim_card_id]": sim.id, "filter[action_type]": "enable_standby_sim_card"}
    (action,) = api.get("/sim_card_actions", params=params).json()["data"]
    assert action["status"] == {"value": "completed", "reason": None}


@pytest.mark.parametrize("megabytes", [-1, float("nan"), "5", True])
def test_add_usage_refuses_what_is_no_consumption(
    sb: Sandbox, take: Callable[..., SimRecord], megabytes: Any
) -> None:
    """add_usage takes a number of megabytes >= 0 only."""
    with pytest.raises(InvalidInputError):
        sb.state.add_usage(take("enabled").id, megabytes)


def test_notifications_list_retrieve_update_delete(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """The list filters by SIM and pages with meta; an update moves a notification to another
    SIM; a delete answers it and it is gone."""
    first, second = take("enabled"), take("enabled")
    made = [create(api, first.id, threshold_mb(10**6)) for _ in range(3)]
    listed = api.get(PATH, params={"filter[sim_card_id]": first.id, "page[size]": 2}).json()
    assert [n["id"] for n in listed["data"]] == [n["id"] for n in made[:2]]
    assert listed["meta"]["total_results"] == 3
    moved = api.patch(f"{PATH}/{made[2]['id']}", json={"sim_card_id": second.id}).json()["data"]
    assert moved["sim_card_id"] == second.id
    assert moved["threshold"] == made[2]["threshold"]
    assert api.get(f"{PATH}/{made[2]['id']}").json()["data"]["sim_card_id"] == second.id
    deleted = api.delete(f"{PATH}/{made[0]['id']}")
    assert deleted.json()["data"]["id"] == made[0]["id"]
    assert api.get(f"{PATH}/{made[0]['id']}").status_code == 404


def test_deleting_a_sim_deletes_its_notifications(
    sb: Sandbox, api: httpx.Client, take: Callable[..., SimRecord]
) -> None:
    """Once a deleted SIM is gone, so are its notifications; what fired stays on record."""
    sim = take("enabled", consuming)
    notification = create(api, sim.id, threshold_mb(0.5))
    api.delete(f"/sim_cards/{sim.id}")
    sb.advance()
    assert api.get(f"{PATH}/{notification['id']}").status_code == 404
    assert [f.notification_id for f in sb.state.notifications_fired(sim.id)] == [notification["id"]]


@pytest.mark.parametrize(
    ("body", "code", "pointer"),
    [
        ({"threshold": {"amount": "1", "unit": "MB"}}, "10004", "/sim_card_id"),
        (
            {"sim_card_id": "123", "threshold": {"amount": "1", "unit": "MB"}},
            "10006",
            "/sim_card_id",
        ),
        (
            {"sim_card_id": UNKNOWN, "threshold": {"amount": "1", "unit": "MB"}},
            "10017",
            "/sim_card_id",
        ),
        ({"sim_card_id": None}, "10004", "/sim_card_id"),
        ({"threshold": {}}, "10004", "/sim_card_id"),
    ],
)
def test_bad_notification_body_is_a_422(
    api: httpx.Client, body: dict[str, Any], code: str, pointer: str
) -> None:
    """A missing, malformed or unknown sim_card_id is a 422 pointing at it."""
    response = api.post(PATH, json=body)
    assert response.status_code == 422
    error = only_error(response)
    assert (error["code"], error["source"]["pointer"]) == (code, pointer)


@pytest.mark.parametrize(
    ("threshold", "pointer"),
    [
        (None, "/threshold"),
        ({"amount": "1", "unit": "TB"}, "/threshold/unit"),
        ({"amount": "-5", "unit": "MB"}, "/threshold/amount"),
        ({"unit": "GB"}, "/threshold/amount"),
    ],
)
def test_bad_threshold_is_a_422(
    api: httpx.Client, take: Callable[..., SimRecord], threshold: Any, pointer: str
) -> None:
    """A missing threshold, an unknown unit or an amount that is no decimal is a 422."""
    body = {"sim_card_id": take("enabled").id, "threshold": threshold}
    response = api.post(PATH, json=body)
    assert response.status_code == 422
    assert only_error(response)["source"]["pointer"] == pointer


def test_unknown_notification_is_a_404(api: httpx.Client) -> None:
    """Get, update and delete of an unknown notification are 404s with code 10005."""
    for method in ("GET", "PATCH", "DELETE"):
        response = api.request(method, f"{PATH}/{UNKNOWN}", json={} if method == "PATCH" else None)
        assert response.status_code == 404
        assert only_error(response)["code"] == "10005"
