"""The mobile networks the synthetic fleet's sessions run on, with their rate zones and prices.

Every (MCC, MNC) pair below is a real assignment, with the country and operator names as listed on
Wikipedia's "Mobile Network Codes in ITU region 2xx (Europe)" ... "7xx (South America)" pages
(ITU-T E.212 assignments; text under CC BY-SA 3.0), as extracted in the ``mcc-mnc-p1`` 1.1.0
package's ``raw/wikip_mnc.json``. Only a hand-picked subset is kept: the home networks of a
US-based IoT fleet, the neighbours and European networks its devices roam on, and a few far-away
networks where a stolen SIM may turn up.

The zones and per-MB rates are the sandbox's own price list, not Telnyx's: Telnyx prices wireless
data by zone, and these figures only need to make roaming visibly dearer. They are in the account's
currency, :data:`ACCOUNT_CURRENCY` (USD, one of the five currencies a WDR can carry).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCOUNT_CURRENCY",
    "FAR_AWAY",
    "HOME",
    "NEIGHBOURS",
    "NETWORKS",
    "ROAMING_EU",
    "ZONE_RATES",
    "Network",
]

#: The currency of the sandbox account: every rate and cost is written in it.
ACCOUNT_CURRENCY = "USD"

#: Price per MB of each zone, as the API writes a rate (four decimals).
ZONE_RATES = {
    1: "0.0060",  # the home country
    2: "0.0080",  # North American neighbours
    3: "0.0120",  # Europe
    4: "0.0350",  # Asia-Pacific and Latin America
}


@dataclass(frozen=True, slots=True)
class Network:
    """One operator network: its codes, where it is, and the zone its data is billed in."""

    mcc: str
    mnc: str
    iso: str
    country: str
    operator: str
    zone: int

    @property
    def rate(self) -> str:
        return ZONE_RATES[self.zone]


def _n(mcc: str, mnc: str, iso: str, country: str, operator: str, zone: int) -> Network:
    return Network(mcc, mnc, iso, country, operator, zone)


#: The table; the tuples below index into it, so its order must not change.
NETWORKS = (
    _n("310", "410", "US", "United States of America", "AT&T Mobility", 1),
    _n("310", "260", "US", "United States of America", "T-Mobile US", 1),
    _n("311", "480", "US", "United States of America", "Verizon Wireless", 1),
    _n("302", "720", "CA", "Canada", "Rogers Communications", 2),
    _n("302", "610", "CA", "Canada", "Bell Mobility", 2),
    _n("302", "220", "CA", "Canada", "Telus Mobility", 2),
    _n("334", "020", "MX", "Mexico", "Telcel (América Móvil)", 2),
    _n("334", "050", "MX", "Mexico", "AT&T Mexico", 2),
    _n("234", "15", "GB", "United Kingdom", "Vodafone UK", 3),
    _n("234", "10", "GB", "United Kingdom", "O2 (Telefónica Europe)", 3),
    _n("234", "30", "GB", "United Kingdom", "EE", 3),
    _n("262", "01", "DE", "Germany", "Telekom Deutschland GmbH", 3),
    _n("262", "02", "DE", "Germany", "Vodafone D2 GmbH", 3),
    _n("208", "01", "FR", "France", "Orange S.A.", 3),
    _n("208", "10", "FR", "France", "SFR (Altice)", 3),
    _n("204", "08", "NL", "Netherlands", "KPN Mobile The Netherlands B.V.", 3),
    _n("214", "07", "ES", "Spain", "Telefónica Móviles España (Movistar)", 3),
    _n("222", "01", "IT", "Italy", "Telecom Italia S.p.A. (TIM)", 3),
    _n("228", "01", "CH", "Switzerland", "Swisscom AG", 3),
    _n("240", "01", "SE", "Sweden", "Telia Sverige AB", 3),
    _n("272", "01", "IE", "Republic of Ireland", "Vodafone Ireland", 3),
    _n("724", "05", "BR", "Brazil", "Claro", 4),
    _n("732", "101", "CO", "Colombia", "Comunicacion Celular S.A. (Comcel, Claro)", 4),
    _n("515", "02", "PH", "Philippines", "Globe Telecom", 4),
    _n("520", "01", "TH", "Thailand", "Advanced Info Service (AIS)", 4),
    _n("510", "10", "ID", "Indonesia", "PT Telekomunikasi Selular (Telkomsel)", 4),
)

#: Indexes of the home networks (one per SIM) and of the networks trips go to.
HOME = (0, 1, 2)
NEIGHBOURS = (3, 4, 5, 6, 7)
ROAMING_EU = tuple(range(8, 21))
FAR_AWAY = tuple(range(21, len(NETWORKS)))
