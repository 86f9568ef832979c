"""Fixed reference data of the sandbox: wireless regions, mobile network operators, the values a
wireless blocklist may hold, device models, and the fleet's over-the-air updates.

Telnyx manages these resources and clients only read them. The names, codes and identifiers
here are synthetic but shaped as the official SDK types them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from simtools.sandbox.records import SimRecord, uuid_from
from simtools.sandbox.wire import iso

__all__ = [
    "BLOCKLIST_TYPES",
    "DEFAULT_REGION",
    "DEVICE_MODELS",
    "MOBILE_NETWORK_OPERATORS",
    "REGION_PRODUCTS",
    "blocklist_value_objects",
    "blocklist_values",
    "ota_updates",
    "regions",
]

#: ``(code, name)`` of the regions public IPs and private wireless gateways are placed in.
_REGIONS = (
    ("dc2", "Ashburn, Virginia (US)"),
    ("ch1", "Chicago, Illinois (US)"),
    ("sv1", "San Jose, California (US)"),
    ("am2", "Amsterdam (NL)"),
    ("fr5", "Frankfurt (DE)"),
)
#: The region of a public IP or gateway created without one (the first region above).
DEFAULT_REGION = "dc2"
#: What ``GET /wireless/regions?product=`` accepts (the SDK names these two).
REGION_PRODUCTS = ("public_ips", "private_wireless_gateways")
_REGIONS_SINCE = iso(1_672_531_200.0)  # 2023-01-01


def regions() -> list[dict[str, Any]]:
    """The ``data`` of ``GET /wireless/regions``: the same regions serve both products."""
    return [
        {"code": code, "name": name, "inserted_at": _REGIONS_SINCE, "updated_at": _REGIONS_SINCE}
        for code, name in _REGIONS
    ]


#: (name, country code, MCC, MNC, TADIG, usable in network preferences).
_OPERATORS = (
    ("AT&T Mobility", "US", "310", "410", "USACG", True),
    ("T-Mobile USA", "US", "310", "260", "USAW6", True),
    ("Verizon Wireless", "US", "311", "480", "USAVZ", False),
    ("Rogers Wireless", "CA", "302", "720", "CANRW", True),
    ("Bell Mobility", "CA", "302", "610", "CANBM", True),
    ("Vodafone UK", "GB", "234", "15", "GBRVF", True),
    ("EE", "GB", "234", "30", "GBRME", True),
    ("Telekom Deutschland", "DE", "262", "01", "DEUD1", True),
    ("Vodafone Germany", "DE", "262", "02", "DEUD2", True),
    ("Orange France", "FR", "208", "01", "FRAF1", True),
    ("SFR", "FR", "208", "10", "FRAF2", False),
    ("KPN Mobile", "NL", "204", "08", "NLDPT", True),
    ("Telstra", "AU", "505", "01", "AUSTA", True),
    ("Telcel", "MX", "334", "020", "MEXTL", False),
)
MOBILE_NETWORK_OPERATORS: tuple[dict[str, Any], ...] = tuple(
    {
        "id": uuid_from(random.Random(f"mobile_network_operator:{tadig}")),
        "country_code": country,
        "mcc": mcc,
        "mnc": mnc,
        "name": name,
        "network_preferences_enabled": preferred,
        "record_type": "mobile_network_operator",
        "tadig": tadig,
    }
    for name, country, mcc, mnc, tadig, preferred in _OPERATORS
)

_COUNTRIES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split()
_MCCS = """
202 204 206 208 212 214 216 218 219 220 222 226 228 230 231 232 234 235 238 240 242 244 246 247
248 250 255 260 262 268 270 272 274 278 280 284 286 302 310 311 312 313 314 315 316 334 404 405
440 441 450 454 460 466 502 505 510 515 520 525 530 602 655 722 724 730 732
""".split()
#: ``type`` of a wireless blocklist and the key its values are listed under.
_VALUE_KEYS = {"country": "country_code", "mcc": "mcc", "plmn": "plmn"}
BLOCKLIST_TYPES = tuple(_VALUE_KEYS)
_VALUES = {
    "country": tuple(_COUNTRIES),
    "mcc": tuple(_MCCS),
    "plmn": tuple(sorted({op["mcc"] + op["mnc"] for op in MOBILE_NETWORK_OPERATORS})),
}


def blocklist_values(blocklist_type: str) -> tuple[str, ...]:
    """The values a blocklist of ``blocklist_type`` may hold."""
    return _VALUES[blocklist_type]


def blocklist_value_objects(blocklist_type: str) -> list[dict[str, str]]:
    """The ``data`` of ``GET /wireless_blocklist_values?type=``."""
    key = _VALUE_KEYS[blocklist_type]
    return [{key: value} for value in _VALUES[blocklist_type]]


#: (brand, model, device type, operating system) of the devices SIMs sit in; eSIMs sit in the
#: phones (the first three), physical SIMs in any of them.
DEVICE_MODELS = (
    ("Apple", "iPhone 14", "smartphone", "iOS"),
    ("Samsung", "Galaxy S23", "smartphone", "Android"),
    ("Google", "Pixel 8", "smartphone", "Android"),
    ("Quectel", "EC25", "module", "Linux"),
    ("Quectel", "BG96", "module", "ThreadX"),
    ("Sierra Wireless", "RV55", "router", "Linux"),
    ("Teltonika", "FMB920", "tracker", "FreeRTOS"),
    ("Teltonika", "RUT241", "router", "RutOS"),
    ("Nordic Semiconductor", "nRF9160", "module", "Zephyr"),
)

_OTA_STATUSES = ("completed", "completed", "completed", "in-progress", "failed")


def ota_updates(sims: Sequence[SimRecord], seed: int, now: float) -> dict[str, dict[str, Any]]:
    """The fleet's over-the-air updates (network preferences sent to a few SIMs), by id.

    Up to a dozen fleet SIMs, spread over the fleet, each got one in the last 30 days. Cheap
    however large the fleet: only those SIMs are touched.
    """
    rng = random.Random(f"ota:{seed}")
    step = max(1, len(sims) // 12)
    updates: dict[str, dict[str, Any]] = {}
    preferable = [op for op in MOBILE_NETWORK_OPERATORS if op["network_preferences_enabled"]]
    for i, sim in enumerate(sims[::step][:12]):
        created = now - rng.uniform(1.0, 30.0) * 86_400.0
        chosen = rng.sample(preferable, 2)
        update: dict[str, Any] = {
            "id": uuid_from(rng),
            "created_at": iso(created),
            "record_type": "ota_update",
            "settings": {
                "mobile_network_operators_preferences": [
                    {
                        "mobile_network_operator_id": op["id"],
                        "mobile_network_operator_name": op["name"],
                        "priority": priority,
                    }
                    for priority, op in enumerate(chosen)
                ]
            },
            "sim_card_id": sim.id,
            "status": _OTA_STATUSES[i % len(_OTA_STATUSES)],
            "type": "sim_card_network_preferences",
            "updated_at": iso(created + rng.uniform(60.0, 3600.0)),
        }
        updates[update["id"]] = update
    return updates
