"""The sandbox's stored objects (SIM cards, groups) and how a card's identity is derived."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from simtools.sandbox.wire import dumps, format_amount

__all__ = [
    "NETWORKS",
    "STATUS_REASONS",
    "GroupRecord",
    "SimQuery",
    "SimRecord",
    "card_identity",
    "luhn_digit",
    "random_imei",
    "to_mb",
    "uuid_from",
]

#: ``status.reason`` for every ``status.value`` (CONTRACT.md section 6.2).
STATUS_REASONS = {
    "registering": "The SIM card is being registered.",
    "enabling": "The SIM card is being enabled.",
    "enabled": "The SIM card is active, ready to connect to networks and consume data.",
    "disabling": "The SIM card is being disabled.",
    "disabled": "The SIM card is disabled. It can't connect to networks or consume data.",
    "data_limit_exceeded": "The SIM card has reached its data limit and can't consume more data.",
    "setting_standby": "The SIM card is being set to standby.",
    "standby": "The SIM card is in standby, ready to be enabled.",
}

#: (mcc, mnc, latitude, longitude) of the networks the synthetic SIMs roam on.
NETWORKS = (
    ("310", "410", 37.77, -122.42),
    ("310", "260", 40.71, -74.01),
    ("302", "720", 43.65, -79.38),
    ("234", "15", 51.51, -0.13),
    ("262", "01", 52.52, 13.40),
    ("208", "01", 48.86, 2.35),
)

_UUID_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & (2**128 - 1)
_UUID_V4 = (0x4000 << 64) | (0x8000 << 48)
_UNIT_TO_MB = {"KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}
_AREA_CODES = ("206", "312", "415", "512", "646", "702", "917", "310")


def to_mb(amount: str, unit: str) -> float:
    """A wire amount in MB, 1024 steps (KB/1024, GB*1024)."""
    return float(amount) * _UNIT_TO_MB[unit]


def uuid_from(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng``, so ids are reproducible from the seed."""
    # What uuid.UUID(int=..., version=4) computes, without its per-call overhead.
    h = f"{rng.getrandbits(128) & _UUID_MASK | _UUID_V4:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_digit(digits: str) -> str:
    """The Luhn check digit that completes ``digits`` (ICCIDs and IMEIs end with one)."""
    backwards = digits[::-1]
    total = sum(map(_DOUBLED.__getitem__, map(int, backwards[0::2]))) + sum(
        map(int, backwards[1::2])
    )
    return str((10 - total % 10) % 10)


def card_identity(seed: int, number: int, rng: random.Random, esim: bool) -> dict[str, Any]:
    """ICCID, IMSI, MSISDN and eSIM fields of physical card ``number``.

    The serial parts are affine maps of ``number`` (multipliers coprime to 10), so two cards never
    share an ICCID, IMSI or MSISDN however large the fleet; the seed shifts them.
    """
    body = f"8931041{(number * 7919 + seed * 104729 + 3571) % 10**12:012d}"
    imsi = f"310410{(number * 7907 + seed * 7 + 1234) % 10**9:09d}"
    msisdn = f"+1{_AREA_CODES[number % len(_AREA_CODES)]}{(number * 7919 + seed) % 10**7:07d}"
    eid = f"89049032{rng.getrandbits(80) % 10**24:024d}" if esim else None
    return {
        "type": "esim" if esim else "physical",
        "iccid": body + luhn_digit(body),
        "imsi": imsi,
        "msisdn": msisdn,
        "eid": eid,
        "esim_installation_status": rng.choice(("released", "disabled")) if esim else None,
    }


def random_imei(rng: random.Random) -> str:
    body = f"35{rng.randrange(10**12):012d}"
    return body + luhn_digit(body)


#: Rank of each SIM wire key in the documented order.
_KEY_RANK = {
    key: rank
    for rank, key in enumerate(
        (
            "id",
            "record_type",
            "status",
            "type",
            "iccid",
            "imsi",
            "msisdn",
            "sim_card_group_id",
            "tags",
            "authorized_imeis",
            "data_limit",
            "current_billing_period_consumed_data",
            "actions_in_progress",
            "resources_with_in_progress_actions",
            "eid",
            "esim_installation_status",
            "version",
            "voice_enabled",
            "created_at",
            "updated_at",
        )
    )
}


def _imei(rng: random.Random, imeis: list[str] | None) -> str:
    # Most SIMs with authorized IMEIs sit in one of them; the rest are unauthorized devices.
    imei = random_imei(rng)
    return imei if not imeis or rng.random() < 0.2 else rng.choice(imeis)


def _full_form(rng: random.Random, status: str, imeis: list[str] | None) -> dict[str, Any]:
    imei = _imei(rng, imeis)
    mcc, mnc, lat, lon = rng.choice(NETWORKS)
    session = rng.choices(("connected", "disconnected", "unknown"), (0.6, 0.35, 0.05))[0]
    return {
        "current_device_location": {
            "latitude": f"{lat + rng.uniform(-0.5, 0.5):.6f}",
            "longitude": f"{lon + rng.uniform(-0.5, 0.5):.6f}",
            "accuracy": rng.randrange(5, 2000),
            "accuracy_unit": "m",
        },
        "current_imei": imei,
        "current_mcc": mcc,
        "current_mnc": mnc,
        "ipv4": f"100.{64 + rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        "ipv6": f"2001:db8:{rng.randrange(1, 0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}",
        # Only an enabled SIM can hold a data session.
        "live_data_session": session if status == "enabled" else "disconnected",
    }


def _pin_puk(rng: random.Random) -> dict[str, str]:
    return {
        "pin1": f"{rng.randrange(10**4):04d}",
        "pin2": f"{rng.randrange(10**4):04d}",
        "puk1": f"{rng.randrange(10**8):08d}",
        "puk2": f"{rng.randrange(10**8):08d}",
    }


@dataclass(slots=True, eq=False)
class SimRecord:
    """A stored SIM card: its wire form (simple) and bookkeeping.

    The full-form fields (device, network, session, PIN/PUK) are drawn on demand from
    ``detail_seed``, so building a large fleet does not pay for them. ``code`` is the
    registration code, empty for a purchased eSIM.
    """

    id: str
    index: int
    code: str
    wire: dict[str, Any]
    detail_seed: int
    consumed_mb: float
    #: ``created_at`` as an epoch timestamp.
    created: float
    #: The authorized IMEIs when the card was made: its device is drawn from them, so that a
    #: later PATCH of ``authorized_imeis`` changes which devices are allowed, not the device.
    device_imeis: list[str] | None = None
    _json: bytes | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        return str(self.wire["status"]["value"])

    @property
    def group_id(self) -> str | None:
        return self.wire.get("sim_card_group_id")

    @property
    def tags(self) -> list[str]:
        return list(self.wire["tags"])

    def set_status(self, value: str) -> None:
        self.wire["status"] = {"value": value, "reason": STATUS_REASONS[value]}
        self.touch()

    def touch(self) -> None:
        """Forget the cached JSON after a change."""
        self._json = None

    def reorder(self) -> None:
        """Put the wire keys back in the documented order (after a PATCH added one)."""
        self.wire = {k: self.wire[k] for k in sorted(self.wire, key=_KEY_RANK.__getitem__)}
        self.touch()

    def simple_json(self) -> bytes:
        if self._json is None:
            self._json = dumps(self.wire)
        return self._json

    def current_imei(self) -> str:
        """The IMEI of the device the SIM sits in (the first draw of the full form)."""
        return _imei(random.Random(self.detail_seed), self.device_imeis)

    @property
    def unauthorized_imei(self) -> bool:
        """True when the SIM has authorized IMEIs and sits in a device not among them."""
        imeis = self.wire["authorized_imeis"]
        return bool(imeis) and self.current_imei() not in imeis

    def full(self, *, include_pin_puk: bool = False) -> dict[str, Any]:
        """The full form (``GET /sim_cards/{id}``)."""
        rng = random.Random(self.detail_seed)
        body = {**self.wire, **_full_form(rng, self.status, self.device_imeis)}
        if include_pin_puk:
            body["pin_puk_codes"] = _pin_puk(rng)
        return body


@dataclass(slots=True, eq=False)
class GroupRecord:
    """A stored SIM card group; ``consumed_data`` and ``sim_card_count`` are derived on read."""

    id: str
    name: str
    default: bool
    data_limit: dict[str, str] | None
    created_at: str
    updated_at: str
    private_wireless_gateway_id: str | None = None
    wireless_blocklist_id: str | None = None

    def wire(self, consumed_mb: float, sim_card_count: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "record_type": "sim_card_group",
            "name": self.name,
            "default": self.default,
        }
        if self.data_limit is not None:
            body["data_limit"] = dict(self.data_limit)
        body["consumed_data"] = {"amount": format_amount(consumed_mb), "unit": "MB"}
        body["private_wireless_gateway_id"] = self.private_wireless_gateway_id
        body["wireless_blocklist_id"] = self.wireless_blocklist_id
        body["created_at"] = self.created_at
        body["updated_at"] = self.updated_at
        if sim_card_count is not None:
            body["sim_card_count"] = sim_card_count
        return body


@dataclass(frozen=True)
class SimQuery:
    """The filters and sort of ``GET /sim_cards``; also the key of the cached result."""

    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    iccid: str | None = None
    msisdn: str | None = None
    group_id: str | None = None
    sort: str | None = None

    def matches(self, sim: SimRecord) -> bool:
        if self.statuses and not self._status_matches(sim):
            return False
        if self.tags and not set(self.tags).issubset(sim.wire["tags"]):
            return False
        if self.iccid is not None and self.iccid not in sim.wire["iccid"]:
            return False
        if self.msisdn is not None and self.msisdn != sim.wire["msisdn"]:
            return False
        return self.group_id is None or self.group_id == sim.group_id

    def _status_matches(self, sim: SimRecord) -> bool:
        if sim.status in self.statuses:
            return True
        return "unauthorized_imei" in self.statuses and sim.unauthorized_imei
