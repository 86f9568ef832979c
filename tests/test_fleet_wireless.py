"""What the network knows of each SIM joins onto the fleet: devices, public IPs and when each SIM
was last seen, one request per SIM, concurrent within the client's bounds; and the wireless frames
read as their contracts say."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pandas as pd
import pytest

import simtools
from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import AuthenticationError, SimToolsDataWarning
from simtools.frames import wireless_frames as w
from simtools.frames.connectivity import connectivity_logs_frame
from simtools.frames.contracts import FLEET
from simtools.frames.wireless_contracts import DEVICE_DETAILS, LAST_SEEN, WIRELESS_CONTRACTS
from simtools.sandbox import Sandbox, serve
from simtools.workflows.wireless_extras import fetch_device_details

IDS = [f"6a09cdc3-8948-47f0-aa62-74ac943d6c{n:02d}" for n in range(12)]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=40, seed=31) as sandbox:
        yield sandbox


def test_fleet_frame_joins_devices_public_ips_and_last_seen(sb: Sandbox) -> None:
    """Each extra adds its declared columns after the fleet's, one request per SIM (the
    operators once): the device the API names, the public IP where one was set, and the newest
    connectivity log's time, network and country."""
    with SimClient(sb.api_key, base_url=sb.base_url) as client:
        plain = simtools.fleet_frame(client, progress=False)
        with_ip = plain[plain["status"] == "enabled"]["id"].iloc[0]
        client.set_public_ip(with_ip, region_code="am2")
        sb.advance()
        sb.clear_request_log()
        fleet = simtools.fleet_frame(
            client, include=["device", "public_ip", "last_seen"], progress=False
        )
        device_cols = [n for n in DEVICE_DETAILS.names if n != "sim_card_id"]
        assert list(fleet.columns) == [
            *FLEET.names,
            *device_cols,
            "public_ip",
            "region_code",
            *LAST_SEEN.names,
        ]
        paths = Counter(r.path.rsplit("/", 1)[-1] for r in sb.requests())
        assert (paths["device_details"], paths["public_ip"]) == (len(fleet), len(fleet))
        assert paths["wireless_connectivity_logs"] == len(fleet)
        assert paths["mobile_network_operators"] == 1

        row = fleet.set_index("id").loc[with_ip]
        details = client.get_device_details(with_ip)
        assert (row["imei"], row["model_name"]) == (details.imei, details.model_name)
        assert (row["public_ip"], row["region_code"]) == (client.get_public_ip(with_ip).ip, "am2")
        assert fleet["public_ip"].notna().sum() == 1
        logs = client.list_connectivity_logs(with_ip)
        newest = max(logs, key=lambda log: log.last_seen or "")
        assert row["last_seen"] == pd.Timestamp(newest.last_seen)
        operator = client.list_mobile_network_operators(
            mcc=newest.mobile_country_code, mnc=newest.mobile_network_code
        )[0]
        assert (row["last_seen_network"], row["last_seen_country"]) == (
            operator.name,
            operator.country_code,
        )
    assert plain.columns.tolist() == list(FLEET.names)  # the first frame is left as it was


def answering(handler_404: set[str] | None = None, barrier: threading.Barrier | None = None):  # type: ignore[no-untyped-def]
    """A MockTransport answering device details for any SIM (404 for those in ``handler_404``),
    waiting at ``barrier`` first when one is given."""

    def handle(request: httpx.Request) -> httpx.Response:
        if barrier is not None:
            barrier.wait(timeout=30)
        sim_id = request.url.path.split("/")[-2]
        if handler_404 and sim_id in handler_404:
            return httpx.Response(500, json={"errors": [{"code": "10007", "title": "Boom"}]})
        body = {"data": {"imei": "35" + sim_id[-13:].replace("-", "0"), "model_name": "nRF9160"}}
        return httpx.Response(200, content=json.dumps(body).encode())

    return httpx.MockTransport(handle)


def test_per_sim_requests_run_concurrently_up_to_the_clients_concurrency() -> None:
    """With concurrency=4 the first four requests are in flight together (they all wait at a
    barrier of four), and every SIM gets its row."""
    barrier = threading.Barrier(4)
    transport = answering(barrier=barrier)
    with SimClient("KEY0123456789", transport=transport, concurrency=4) as client:
        frame = fetch_device_details(client, IDS[:4], progress=False)
    assert sorted(frame["sim_card_id"]) == sorted(IDS[:4])
    assert not barrier.broken


@pytest.mark.slow
def test_per_sim_fetches_are_paced_under_the_rate_limit(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    """Against a server allowing 25 requests a second, device details for 60 SIMs read four at
    a time all arrive: the 429s are waited out and the pacer spaces the rest."""
    with make_sandbox(fleet_size=60, seed=5, rate_limit=25) as sandbox:
        with SimClient(sandbox.api_key, base_url=sandbox.base_url, concurrency=4) as client:
            ids = [s.id for s in sandbox.state.sims.values()]
            frame = fetch_device_details(client, ids, progress=False)
            assert client.pacer.gap > 0
    assert len(frame) == 60
    assert frame["imei"].notna().all()


def test_a_sim_that_cannot_be_read_is_left_missing_and_named_once() -> None:
    """One SIM answers 500 every time: the others are read, that one is missing, and one
    SimToolsDataWarning names it."""
    transport = answering(handler_404={IDS[3]})
    with SimClient("KEY0123456789", transport=transport, retry=RetryPolicy(attempts=1)) as client:
        with pytest.warns(SimToolsDataWarning, match=f"1 of 12 SIM card.*{IDS[3]}"):
            frame = fetch_device_details(client, IDS, progress=False)
    assert sorted(frame["sim_card_id"]) == sorted(set(IDS) - {IDS[3]})


def test_a_refused_key_stops_the_per_sim_fetch() -> None:
    """A 401 is raised, not warned about: every request would fail alike."""
    transport = httpx.MockTransport(
        lambda r: httpx.Response(401, json={"errors": [{"code": "10009", "title": "Auth"}]})
    )
    with SimClient("KEY0123456789", transport=transport) as client:
        with pytest.raises(AuthenticationError):
            fetch_device_details(client, IDS, progress=False)


def test_connectivity_logs_name_network_and_country_by_mcc_and_mnc() -> None:
    """A log's network comes from the operator with its MCC and MNC, padded or not; an unknown
    network stays missing, and duration_s is stop minus start."""
    log = {
        "id": 7,
        "sim_card_id": IDS[0],
        "log_type": "data",
        "mobile_country_code": "234",
        "mobile_network_code": "015",
        "start_time": "2026-05-01T10:00:00Z",
        "stop_time": "2026-05-01T10:30:00Z",
        "record_type": "wireless_connectivity_log",
    }
    unknown = {**log, "id": 8, "mobile_country_code": "999"}
    operators = [{"name": "Vodafone UK", "country_code": "GB", "mcc": "234", "mnc": "15"}]
    frame = connectivity_logs_frame([log, unknown], operators=operators)
    assert frame["network_name"].tolist() == ["Vodafone UK", pd.NA]
    assert frame["country_code"].tolist() == ["GB", pd.NA]
    assert frame["duration_s"].tolist() == [1800.0, 1800.0]
    assert frame["log_id"].tolist() == [7, 8]


def test_a_bulk_actions_summary_becomes_counts() -> None:
    """Summary entries become per-status counts (0 where none) and a total; an answer without
    a summary (a creation) leaves them missing."""
    done = {
        "id": IDS[0],
        "action_type": "bulk_set_public_ips",
        "sim_card_actions_summary": [
            {"count": 3, "status": "completed"},
            {"count": 1, "status": "failed"},
        ],
    }
    created = {"id": IDS[1], "action_type": "bulk_enable_voice"}
    frame = w.bulk_sim_card_actions_frame([done, created])
    assert frame["completed_count"].tolist() == [3, pd.NA]
    assert frame["in_progress_count"].tolist() == [0, pd.NA]
    assert frame["sim_card_action_count"].tolist() == [4, pd.NA]


@pytest.mark.parametrize(
    "builder",
    [
        w.device_details_frame,
        w.public_ips_frame,
        w.sim_card_actions_frame,
        w.bulk_sim_card_actions_frame,
        w.sim_card_group_actions_frame,
        w.private_wireless_gateways_frame,
        w.wireless_blocklists_frame,
        w.sim_card_orders_frame,
        w.mobile_network_operators_frame,
        connectivity_logs_frame,
    ],
)
def test_empty_input_gives_the_contracts_empty_frame(builder) -> None:  # type: ignore[no-untyped-def]
    """No records, or an empty response, give every declared column with its dtype."""
    (contract,) = [c for c in WIRELESS_CONTRACTS if builder.__name__ == f"{c.name}_frame"]
    for empty in ([], {"data": [], "meta": {}}):
        frame = builder(empty)
        assert list(frame.columns) == list(contract.names)
        assert frame.dtypes.to_dict() == contract.empty().dtypes.to_dict()
