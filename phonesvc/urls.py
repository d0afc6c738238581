"""The URLs phonesvc hands out: phone services for CUCM and integration pages."""

from __future__ import annotations

from urllib.parse import quote

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
