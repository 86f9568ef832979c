"""The wireless verbs beyond registration and the SIM card resource, as one base of SimClient:
eSIMs (:mod:`~simtools.client.esim`), what the network knows of each SIM and the voice, public IP
and bulk actions (:mod:`~simtools.client.sim_data`), group actions, gateways and blocklists
(:mod:`~simtools.client.networks`), regions, operators, OTA updates and orders
(:mod:`~simtools.client.catalog`)."""

from __future__ import annotations

from simtools.client.catalog import CatalogVerbs
from simtools.client.esim import EsimVerbs
from simtools.client.networks import NetworkVerbs
from simtools.client.sim_data import SimDataVerbs

__all__ = ["WirelessVerbs"]


class WirelessVerbs(EsimVerbs, SimDataVerbs, NetworkVerbs, CatalogVerbs):
    """Every wireless endpoint of SDK 4.189.0 that the SIM card verbs do not cover (PATCH
    ``/sim_cards``, data usage notifications and usage history live elsewhere)."""
