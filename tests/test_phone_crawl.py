"""Every screen a manager, an assistant, an admin and a user with no privileges can reach, on a 7965
and an 8865, with calls ringing and active: each answer is a valid CiscoIPPhone object (the phone
client checks XML, schema, entities, limits and headers) with the softkeys where the family wants
them, and none is the catch-all error screen. One crawl runs against a real `phonesvc serve`."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from phonesvc.store import users as store_users
from tests.phoneclient import Phone, crawl
from tests.phonekit import EXT, MENU, ONE_BUTTON, check_screen_softkeys, pbx, service, toggle_url, user

__all__ = ["pbx"]  # fixture

EXT2 = "0311234567"
STARTS = (MENU, ONE_BUTTON, service("changeStatus"), service("transferCall"), service("pickupCalls"), toggle_url())
ADMIN_DEVICE = "SEPADMIN00001"

PEOPLE = {
    # who: (device, line, titles the crawl must reach)
    "manager": ("SEP000000001047", "1047", {"ManagerAssistant", "My status", "Away: message", "Status saved",
                                            "Set forwarding", "My forwarding", "To number", "Change group",
                                            "Transfer call", "VIP list", "VIP list of Tijana Vlahović",
                                            "PhoneDiversions", "Toggle Diversion"}),
    "assistant": ("SEP000000001175", "1175", {"ManagerAssistant", "MA Group", "Tijana Vlahović", "Set forwarding",
                                              "Transfer call", "Pickup calls", "1 Button", "VIP list",
                                              "Remove from Tijana Vlahović", "Change group"}),
    "admin": (ADMIN_DEVICE, None, {"ManagerAssistant", "MA Group", "Support Team", "Team status",
                                   "Team member forwarding", "VIP list", "Chiyo Fujimoto"}),
    "no privileges": ("SEP000000001068", "1068", {"ManagerAssistant", "My status", "My forwarding",
                                                  "Change group", "Transfer call", "Pickup calls", "1 Button"}),
}


def check_crawl(phone: Phone, screens, must_reach: set[str]) -> set[str]:
    titles = set()
    for url, root in screens:
        title = root.findtext("Title") or ""
        titles.add(title)
        assert title not in ("Error", "Internal error"), f"{url}: {root.findtext('Text')}"
        check_screen_softkeys(root, phone.model, url)
        if root.tag == "CiscoIPPhoneMenu":
            assert root.findall("MenuItem"), f"{url}: an empty menu is a dead end"
        if root.tag == "CiscoIPPhoneText":
            assert (root.findtext("Text") or "").strip(), url
    assert must_reach <= titles, sorted(must_reach - titles)
    return titles


@pytest.mark.parametrize("model", ["CP-7965G", "CP-8865"])
@pytest.mark.parametrize("who", list(PEOPLE))
def test_crawl_every_screen(pbx, client, store, who, model):
    device, line, must_reach = PEOPLE[who]
    with store.write() as conn:
        store_users.add_device(conn, user(store, "admin").id, ADMIN_DEVICE)
    if line:
        active = pbx.ring(EXT, line, "Support desk")
        pbx.answer(active, line)
        pbx.ring(EXT2, line)  # waiting
    pbx.ring("0800999999", "1068" if line != "1068" else "1175", "Hotline")  # a team call to pick up
    phone = Phone(client, device, model=model)
    screens = []
    for start in STARTS:
        screens += crawl(phone, start, max_screens=600)
    assert len(screens) > 20
    check_crawl(phone, screens, must_reach)


def test_crawl_against_a_real_server(server_factory):
    server = server_factory("--demo")
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.post("/sim/call", json={"from": EXT, "to": "1175", "name": "Support desk"}).status_code == 200
        assert http.post("/sim/call", json={"from": EXT2, "to": "1047"}).status_code == 200
        phone = Phone(http, "SEP000000001175", model="CP-7965G")
        screens = crawl(phone, MENU, max_screens=600)
        check_crawl(phone, screens, {"ManagerAssistant", "Transfer call", "Pickup calls", "My forwarding",
                                     "Status saved", "VIP list"})
        assert all(url.startswith(server.url) for url, _ in screens)  # links point back at the server
