"""Which PBX adapter runs, from the settings (`pbx`): the one place outside an adapter that names them."""

from __future__ import annotations

from starlette.routing import Route

from phonesvc.config import Settings
from phonesvc.telephony.o2g import O2GTelephony
from phonesvc.telephony.o2g_session import Connection
from phonesvc.telephony.protocol import Telephony
from phonesvc.telephony.sim_http import sim_routes
from phonesvc.telephony.simulator import Simulator

SIM_ID_PREFIX = Simulator.ID_PREFIX  # the simulator numbers its calls; the call log knows the highest


def connection(settings: Settings) -> Connection:
    verify: bool | str = (settings.o2g_ca_file or True) if settings.o2g_verify_tls else False
    return Connection(settings.o2g_url, settings.o2g_login, settings.o2g_password, verify, settings.o2g_timeout)


def voice_guides(text: str) -> dict[str, int]:
    """"greeting.wav=1, waiting.wav=2" -> {"greeting.wav": 1, "waiting.wav": 2}."""
    out = {}
    for item in filter(None, (i.strip() for i in text.split(","))):
        name, _, number = item.rpartition("=")
        if name.strip() and number.strip().isdigit():
            out[name.strip()] = int(number)
    return out


def create_telephony(settings: Settings, call_ids_after: int = 0) -> Telephony:
    """`call_ids_after`: the simulator's call ids go on after the logged ones (a real PBX has its own)."""
    if settings.pbx == "o2g":
        adapter = O2GTelephony(connection(settings))
        adapter.voice_guides = voice_guides(settings.o2g_voice_guides)
        return adapter
    return Simulator(start_after=call_ids_after)


def routes(telephony: Telephony) -> list[Route]:
    """HTTP endpoints of the adapter: the simulator's loopback driver; a real PBX has none."""
    return sim_routes() if isinstance(telephony, Simulator) else []
