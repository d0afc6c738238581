"""Every screen a manager, an assistant, an admin and a user with no privileges can reach, on a 7965
and an 8865, with calls ringing and active: each answer is a valid CiscoIPPhone object (the phone
client checks XML, schema, entities, limits, headers and that the phone takes the object) with the
softkeys where the family wants them, and none is the catch-all error screen. Together the crawls
reach every screen phonesvc has. Each class of phone (touch, no touch, no GraphicFileMenu, unknown
models that list their objects) is crawled too. One crawl runs against a real `phonesvc serve`."""

from __future__ import annotations

import httpx2 as httpx
import pytest

from phonesvc.phone.routes import MA_VIEWS
from phonesvc.store import users as store_users
from tests.phoneclient import Phone, crawl
from tests.phonekit import EXT, MA_SRC, MENU, ONE_BUTTON, check_screen_softkeys, pbx, service, toggle_url, user

__all__ = ["pbx"]  # fixture

EXT2 = "0311234567"
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"
STARTS = (DISPLAY, MENU, ONE_BUTTON, service("changeStatus"), service("transferCall"), service("pickupCalls"),
          toggle_url())
ADMIN_DEVICE = "SEPADMIN00001"

PEOPLE = {
    # who: (device, line, titles the crawl must reach, screens (actions or pages) it must reach)
    "manager": ("SEP000000001047", "1047", {"ManagerAssistant", "My status", "Away: message", "Status saved",
                                            "Set forwarding", "My forwarding", "To number", "Change group",
                                            "Transfer call", "VIP list", "VIP list of Tijana Vlahović",
                                            "PhoneDiversions", "Toggle Diversion"},
                {"announcementDo", "announcements", "createGroup", "createGroupSave", "deleteGroup", "greeting",
                 "groupField", "managerOptions", "notifications", "overflow", "overflowNumber", "overflowSave",
                 "saveGroup", "vipAdd", "vipList", "vipRemove", "joinGroup", "leaveGroup", "memberActions",
                 "statusMembers"}),
    "assistant": ("SEP000000001175", "1175", {"ManagerAssistant", "MA Group", "Tijana Vlahović", "Set forwarding",
                                              "Transfer call", "Pickup calls", "1 Button", "VIP list",
                                              "Remove from Tijana Vlahović", "Change group"},
                  {"groups", "editGroup", "members", "addMember", "memberActions", "statusMembers"}),
    "admin": (ADMIN_DEVICE, None, {"ManagerAssistant", "MA Group", "Support Team", "Team status",
                                   "Team member forwarding", "VIP list", "Chiyo Fujimoto"},
              {"addMemberSave", "memberEdit", "memberSave"}),
    "no privileges": ("SEP000000001068", "1068", {"ManagerAssistant", "My status", "My forwarding",
                                                  "Change group", "Transfer call", "Pickup calls", "1 Button"},
                      {"PhoneMenu.asp", "OneButton.asp", "StatusDisplay.asp", "PhoneService.asp", "changeGroup",
                       "changeStatus", "statusMessage", "saveStatus", "teamStatus", "setForwarding",
                       "forwardNumber", "saveForwarding", "directCall", "pickupCalls", "transferCall"}),
}
# Reached by the phone client in test_phone_calls (a consultation transfer the crawl does not set up).
ELSEWHERE = {"completeTransfer", "cancelTransfer"}


def test_the_crawls_reach_every_screen():
    pages = {"PhoneMenu.asp", "OneButton.asp", "StatusDisplay.asp", "PhoneService.asp"}
    every = {*MA_VIEWS} - {"menu", "oneButton", "statusDisplay"} | pages  # those three are the pages
    assert set().union(*(p[3] for p in PEOPLE.values())) | ELSEWHERE == every


def check_crawl(phone: Phone, screens, must_reach: set[str]) -> set[str]:
    titles = set()
    for url, root in screens:
        title = root.findtext("Title") or ""
        titles.add(title)
        assert title not in ("Error", "Internal error"), f"{url}: {root.findtext('Text')}"
        check_screen_softkeys(root, phone.model, url, phone.display)
        if root.tag == "CiscoIPPhoneMenu":
            assert root.findall("MenuItem"), f"{url}: an empty menu is a dead end"
        if root.tag == "CiscoIPPhoneText":
            assert (root.findtext("Text") or "").strip(), url
    assert must_reach <= titles, sorted(must_reach - titles)
    return titles


def crawl_all(pbx, store, phone: Phone, line: str | None) -> list:
    with store.write() as conn:
        store_users.add_device(conn, user(store, "admin").id, ADMIN_DEVICE)
    if line:
        active = pbx.ring(EXT, line, "Support desk")
        pbx.answer(active, line)
        pbx.ring(EXT2, line)  # waiting
    pbx.ring("0800999999", "1068" if line != "1068" else "1175", "Hotline")  # a team call to pick up
    if phone.open(service("changeGroup")).kind == "CiscoIPPhoneMenu":
        phone.select(1)  # a group on the status display, crawled first
    screens = []
    for start in STARTS:
        screens += crawl(phone, start, max_screens=600)
    return screens


def actions(screens) -> set[str]:
    """The screens crawled, by the action (or the page) that answered them."""
    found = set()
    for url, _ in screens:
        page, _, query = url.partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&"))
        found.add(params.get("action") or page.rsplit("/", 1)[-1])
    return found


@pytest.mark.parametrize("model", ["CP-7965G", "CP-8865"])
@pytest.mark.parametrize("who", list(PEOPLE))
def test_crawl_every_screen(pbx, client, store, who, model):
    device, line, must_reach, must_visit = PEOPLE[who]
    phone = Phone(client, device, model=model)
    screens = crawl_all(pbx, store, phone, line)
    assert len(screens) > 20
    check_crawl(phone, screens, must_reach)
    assert must_visit - actions(screens) == set()


NO_GRAPHIC_FILE_MENU = ("Menu", "Text", "Input", "Directory", "Image", "ImageFile", "GraphicMenu", "IconMenu",
                        "IconFileMenu", "Status", "StatusFile", "Execute")
PHONE_CLASSES = {
    # class: (model header, x-CiscoIPPhoneDisplay, objects the phone lists (None: phone_models.yaml), status display)
    "touch": ("CP-7970G", None, None, "CiscoIPPhoneGraphicFileMenu"),
    "no touch": ("CP-8845", None, None, "CiscoIPPhoneGraphicFileMenu"),
    "no GraphicFileMenu": ("CP-7841", None, None, "CiscoIPPhoneImageFile"),
    "wireless": ("CP-8821", None, None, "CiscoIPPhoneImageFile"),
    "unknown, lists no GraphicFileMenu": ("CP-8875X", "800,400,24,C", NO_GRAPHIC_FILE_MENU, "CiscoIPPhoneImageFile"),
    "unknown, lists no picture": ("Cisco 1234", "298,156,16,C", ("Menu", "Text", "Input", "Execute"),
                                  "CiscoIPPhoneMenu"),
}


@pytest.mark.parametrize("kind", list(PHONE_CLASSES))
def test_each_class_of_phone_gets_only_objects_it_takes(pbx, client, store, kind):
    model, display, objects, status_display = PHONE_CLASSES[kind]
    phone = Phone(client, "SEP000000001175", model=model, display=display, objects=objects)
    screens = crawl_all(pbx, store, phone, "1175")  # the phone client fails on an object it does not list
    check_crawl(phone, screens, PEOPLE["assistant"][2])
    assert "memberActions" in actions(screens)  # every tile's actions, with or without touch
    phone.open(service("changeGroup")).select(1)  # the crawl may have left MA Group (Leave group)
    assert phone.open(DISPLAY).kind == status_display


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
