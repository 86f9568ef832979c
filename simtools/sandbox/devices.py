"""What the network knows about a SIM's device and sessions: device details, wireless
connectivity logs and the eSIM activation code, each drawn from the SIM's own seed.

An eSIM activation code is a secret (whoever holds it can download the profile): it is worked out
when asked for and never stored, logged or put in an error message.
"""

from __future__ import annotations

import random
import string
from typing import Any

from simtools.sandbox.catalog import DEVICE_MODELS
from simtools.sandbox.records import NETWORKS, SimRecord
from simtools.sandbox.wire import ApiProblem, iso

__all__ = ["activation_code", "connectivity_logs", "device_details"]

_RADIO = ("LTE", "LTE-M", "NB-IoT", "5G NSA", "UMTS")
#: Smartphones come first in :data:`DEVICE_MODELS`; an eSIM sits in one of them.
_PHONES = 3


def device_details(sim: SimRecord) -> dict[str, Any]:
    """``GET /sim_cards/{id}/device_details``: the device of the SIM's current IMEI."""
    imei = sim.current_imei()
    models = DEVICE_MODELS[:_PHONES] if sim.wire["type"] == "esim" else DEVICE_MODELS
    # The model follows from the IMEI's type allocation code (its first eight digits).
    brand, model, device_type, system = models[int(imei[:8]) % len(models)]
    return {
        "brand_name": brand,
        "device_type": device_type,
        "imei": imei,
        "model_name": model,
        "operating_system": system,
        "record_type": "device_details",
    }


def connectivity_logs(sim: SimRecord, built_at: float) -> list[dict[str, Any]]:
    """``GET /sim_cards/{id}/wireless_connectivity_logs``, newest first.

    A fleet SIM attached in the week before the fleet was built: one registration, then a few
    data sessions. A SIM registered since, or still registering, has none.
    """
    if sim.created >= built_at or sim.status == "registering":
        return []
    rng = random.Random(sim.detail_seed ^ 0xC0FFEE)
    imei = sim.current_imei()
    mcc, mnc, _lat, _lon = NETWORKS[sim.detail_seed % len(NETWORKS)]
    start = max(sim.created, built_at - 7 * 86_400.0) + rng.uniform(0.0, 3600.0)
    first_id = rng.randrange(10**8, 10**9)
    logs = []
    for n in range(1 + rng.randrange(2, 9)):
        kind = "registration" if n == 0 else "data"
        length = rng.uniform(5.0, 60.0) if n == 0 else rng.uniform(60.0, 4 * 3600.0)
        stop = min(start + length, built_at)
        data = kind == "data"
        logs.append(
            {
                "id": first_id + n,
                "apn": "data00.telnyx" if data else None,
                "cell_id": str(rng.randrange(10**6, 10**8)),
                "created_at": iso(start),
                "imei": imei,
                "imsi": sim.wire["imsi"],
                "ipv4": f"100.{64 + rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                if data
                else None,
                "ipv6": None,
                "last_seen": iso(stop),
                "log_type": kind,
                "mobile_country_code": mcc,
                "mobile_network_code": mnc,
                "radio_access_technology": rng.choice(_RADIO),
                "record_type": "wireless_connectivity_log",
                "sim_card_id": sim.id,
                "start_time": iso(start),
                "state": "connected" if data else "registered",
                "stop_time": iso(stop),
            }
        )
        start = stop + rng.uniform(60.0, 12 * 3600.0)
        if start >= built_at:
            break
    return logs[::-1]


def activation_code(sim: SimRecord) -> dict[str, Any]:
    """``GET /sim_cards/{id}/activation_code``: for an eSIM not yet installed
    (``esim_installation_status`` released); a 422 for a physical SIM or an installed eSIM."""
    if sim.wire["type"] != "esim":
        raise ApiProblem.single(
            422,
            "10015",
            f"SIM card {sim.id} is a physical SIM; only eSIMs have an activation code.",
        )
    if sim.wire["esim_installation_status"] != "released":
        raise ApiProblem.single(
            422,
            "10015",
            f"The eSIM {sim.id} is installed already; its activation code was used.",
        )
    rng = random.Random(sim.detail_seed ^ 0xE51)
    alphabet = string.ascii_uppercase + string.digits
    matching = "-".join("".join(rng.choices(alphabet, k=5)) for _ in range(4))
    return {
        "activation_code": f"LPA:1$smdp.example.com${matching}",
        "record_type": "sim_card_activation_code",
    }
