"""The URLs phonesvc hands out: phone services for CUCM and integration pages, and the base they start with."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from starlette.requests import Request

HOST_MAX = 64  # a Host header longer than this is not believed: every link would pass the phone's 256
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]{{2,45}}\])(?::([0-9]{{1,5}}))?")

DEVICE = "device=#DEVICENAME#"  # CUCM replaces #DEVICENAME# with the phone's device name

# (response element, accepted `service` values, path under src/). The manual's example responses
# name the 1 Button Service element lButtonService (an XML name cannot start with a digit) and the
# pickup element PickupCall; the parameter table says 1ButtonService and PickupCalls. Both are taken.
PHONE_SERVICES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("MainMenu", ("MainMenu",), f"PhoneMenu.asp?{DEVICE}"),
    ("lButtonService", ("1ButtonService", "lButtonService", "OneButtonService"), f"OneButton.asp?{DEVICE}"),
    ("TransferCall", ("TransferCall",), f"IndependentServices.asp?action=transferCall&{DEVICE}"),
    ("PickupCall", ("PickupCalls", "PickupCall"), f"IndependentServices.asp?action=pickupCalls&{DEVICE}"),
    ("DirectCall", ("DirectCall",), f"IndependentServices.asp?action=directCall&{DEVICE}"),
    ("ChangeGroup", ("ChangeGroup",), f"IndependentServices.asp?action=changeGroup&{DEVICE}"),
    ("ChangeStatus", ("ChangeStatus",), f"IndependentServices.asp?action=changeStatus&{DEVICE}"),
    ("TeamStatus", ("TeamStatus",), f"IndependentServices.asp?action=teamStatus&{DEVICE}"),
    ("SetForwarding", ("SetForwarding",), f"IndependentServices.asp?action=setForwarding&{DEVICE}"),
    # Not in the manual: the status display (the member grid, also the phones' Idle URL)
    ("StatusDisplay", ("StatusDisplay",), f"StatusDisplay.asp?{DEVICE}"),
)


def valid_host(value: str) -> bool:
    """A Host header phonesvc may put in its links: hostname, IPv4 or [IPv6], an optional port, 64 characters
    at most."""
    match = _HOST.fullmatch(value) if len(value) <= HOST_MAX else None
    return bool(match) and (match.group(1) is None or 0 < int(match.group(1)) < 65536)


def base_url(request: Request) -> str:
    """Scheme and host of every absolute link: PHONESVC_PUBLIC_URL when set, else the Host the client asked
    for when it is a sane hostname[:port], else the address the client reached this server on."""
    configured = request.app.state.settings.public_url
    if configured:
        return configured
    host = request.headers.get("host", "")  # from the scope, not request.url: phones ask all day
    if not valid_host(host):
        server = request.scope.get("server") or ("localhost", None)
        name = f"[{server[0]}]" if ":" in server[0] else server[0]
        host = f"{name}:{server[1]}" if server[1] else "localhost"  # no port: a Unix socket
    return f"{request.scope.get('scheme', 'http')}://{host}"


def app_base(base_url: str, instance: str) -> str:
    return f"{base_url}/Applications/inbound/{quote(instance)}"


def phone_service_urls(base_url: str, instance: str) -> list[tuple[str, str]]:
    root = app_base(base_url, instance)
    return [(element, f"{root}/src/{path}") for element, _names, path in PHONE_SERVICES]


def integration_urls(base_url: str, instance: str) -> dict[str, str]:
    page = f"/Applications/inbound/{quote(instance)}/src/Jabber.asp"
    return {
        "manual": f"{base_url}{page}",
        "auto": f"{base_url}/LogonPage.asp?page={page}&user=xxx&pwd=xxx",
        "coc": f"{base_url}/LogonPage.asp?page={page}&user=%user%&pwd=%pwd%",
    }


def diversion_service_url(base_url: str, instance: str, group_id: int | None) -> str:
    query = f"groupID={group_id}&{DEVICE}" if group_id else DEVICE
    return f"{app_base(base_url, instance)}/src/PhoneService.asp?{query}"
