"""The official SDK, unmodified and validating strictly, reads back what apply_changes did: the
data usage notifications it created and the SIM fields it set."""

from __future__ import annotations

import pandas as pd
import telnyx

import simtools
from simtools.client import SimClient
from simtools.sandbox import serve


def test_the_sdk_reads_the_notifications_and_fields_an_apply_set() -> None:
    """Each SIM's notifications list and retrieve through the SDK with the planned thresholds;
    its data limit, tags and group read back as planned."""
    with (
        serve(fleet_size=60, seed=17) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as client,
        telnyx.Telnyx(
            api_key=sb.api_key,
            base_url=sb.base_url,
            max_retries=0,
            _strict_response_validation=True,
        ) as sdk,
    ):
        fleet = simtools.fleet_frame(client, include=["alerts"], progress=False)
        sims = fleet[fleet["sim_card_group_id"].notna()].head(5)
        desired = pd.DataFrame(
            {
                "iccid": sims["iccid"],
                "data_limit_mb": 2048,
                "tags": [["sdk", "checked"]] * len(sims),
                "sim_card_group": "Retail POS",
                "alert_mb": [[819.2, 1638.4]] * len(sims),
            }
        )
        outcome = simtools.apply_changes(
            client, simtools.plan_changes(fleet, desired), progress=False
        )
        assert set(outcome["result"]) <= {"applied", "no-op"}
        group_id = fleet.loc[
            fleet["sim_card_group_name"] == "Retail POS", "sim_card_group_id"
        ].iloc[0]
        for sim_id in sims["id"]:
            page = sdk.sim_card_data_usage_notifications.list(filter_sim_card_id=sim_id)
            found = list(page)
            assert sorted((n.threshold.amount, n.threshold.unit) for n in found) == [  # type: ignore[union-attr]
                ("1638.4", "MB"),
                ("819.2", "MB"),
            ]
            for notification in found:
                assert notification.id is not None
                again = sdk.sim_card_data_usage_notifications.retrieve(notification.id).data
                assert again is not None
                assert again.sim_card_id == sim_id
            card = sdk.sim_cards.retrieve(sim_id).data
            assert card is not None
            assert card.data_limit is not None
            assert (card.data_limit.amount, card.data_limit.unit) == ("2048.0", "MB")
            assert (card.tags, card.sim_card_group_id) == (["sdk", "checked"], group_id)
