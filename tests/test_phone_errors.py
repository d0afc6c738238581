"""Anything unexpected on a phone service gets a CiscoIPPhoneText that says what is wrong: never a
500, an empty body, or XML a phone would refuse."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from phonesvc.phone import routes
from phonesvc.phone.screens import Item, Key, Menu
from phonesvc.phone.xmlcheck import check_phone_response
from phonesvc.store import members as store_members
from phonesvc.store import users as store_users
from phonesvc.store.schema import users as users_table
from tests.phoneclient import http_date_expired
from tests.phonekit import (
    DIV_SRC,
    EXT,
    MA_SRC,
    MENU,
    ONE_BUTTON,
    member_of,
    members_by_user,
    pbx,
    phone,
    service,
    toggle_url,
    user,
)

__all__ = ["pbx", "phone"]  # fixtures

ENTRY_PAGES = (f"{MA_SRC}/PhoneMenu.asp", f"{MA_SRC}/OneButton.asp",
               f"{MA_SRC}/IndependentServices.asp?action=changeStatus", DIV_SRC)
SERVICES = ("transferCall", "pickupCalls", "directCall", "changeGroup", "changeStatus", "teamStatus",
            "setForwarding")


def text_of(response) -> tuple[str, str]:
    """(Title, Text) of an answer that must be a valid CiscoIPPhoneText, headers and all."""
    assert response.status_code == 200, response.text
    root = check_phone_response(response)
    assert root.tag == "CiscoIPPhoneText", response.text
    assert http_date_expired(response.headers["expires"])  # Back never comes back to an error
    assert root.find("SoftKeyItem") is not None  # a way out
    return root.findtext("Title"), root.findtext("Text")


@pytest.mark.parametrize("page", ENTRY_PAGES)
@pytest.mark.parametrize("device", [None, "", "  ", "#DEVICENAME#"])
def test_no_device(pbx, client, page, device):
    url = page if device is None else page + ("&" if "?" in page else "?") + "device=" + device.replace("#", "%23")
    title, text = text_of(client.get(url, headers={"x-CiscoIPPhoneModelName": "CP-7965G"}))
    assert title == "No device" and "device=#DEVICENAME#" in text


@pytest.mark.parametrize("url", [MENU, ONE_BUTTON, service("setForwarding"), toggle_url(1)])
def test_unknown_device(pbx, client, url):
    title, text = text_of(client.get(url.replace("#DEVICENAME#", "SEP999999999999")))
    assert title == "Unknown phone" and "SEP999999999999" in text and "not assigned" in text


def test_a_device_name_in_any_case_is_known(phone):
    p = phone("1047")
    p.device = p.device.lower()
    assert p.open(MENU).kind == "CiscoIPPhoneMenu"


@pytest.mark.parametrize("url", [MENU, ONE_BUTTON, *(service(s) for s in SERVICES)])
def test_a_user_in_no_group(pbx, phone, url):
    pbx.ring(EXT, "1071")  # Maria Rossi, in no group, even has a call
    p = phone("1071").open(url)
    assert p.kind == "CiscoIPPhoneText", p.xml
    assert "not a member of any group" in p.text


@pytest.mark.parametrize("url", [service("frobnicate"), f"{MA_SRC}/IndependentServices.asp?device=#DEVICENAME#",
                                 f"{MA_SRC}/Nothing.asp?device=#DEVICENAME#",
                                 "/Applications/inbound/PhoneDiversions/src/PhoneMenu.asp?device=#DEVICENAME#"])
def test_unknown_service(phone, url):
    p = phone("1175").open(url)
    assert (p.kind, p.title) == ("CiscoIPPhoneText", "Unknown service")
    assert "URL" in p.text


def stale_urls(store) -> list[tuple[str, str]]:
    me = member_of(store, "Rafael.Hidalgo").id
    boss = member_of(store, "Tijana.Vlahovic").id
    return [
        (service("changeStatus", user=999999), "not in one of your groups"),
        (service("saveStatus", user=999999, state=1), "not in one of your groups"),
        (service("setForwarding", mb=999999), "not in one of your groups"),
        (service("saveForwarding", mb=999999, to="none"), "not in one of your groups"),
        (service("saveForwarding", mb=me, to="member", target=999999), "no longer in the group"),
        (service("transferCall", call="c999", line="1175"), "no ringing or active call"),
        (service("pickupCalls", call="c999"), "No call of your team is ringing"),
        (service("oneButton", mb=999999), "no longer in your groups"),
        (service("changeGroup", gr=999999), "not available"),
        (service("vipAdd", mb=999999, number="1234"), "not available"),
        (service("vipRemove", mb=boss, vn=999999), "no longer on the list"),
        (service("completeTransfer", line="1175"), "no held call"),
        (service("cancelTransfer", line="9999"), "not yours"),
    ]


def test_stale_ids(phone, store, rest):
    before = members_by_user(rest, 45)
    p = phone("1175")
    for url, fragment in stale_urls(store):
        p.open(url)
        assert p.kind == "CiscoIPPhoneText" and fragment in p.text, (url, p.text)
    assert members_by_user(rest, 45) == before


def test_missing_privilege(phone, store, rest):
    before = members_by_user(rest, 45)
    san, boss = user(store, "San.Zhang").id, member_of(store, "Tijana.Vlahovic").id
    p = phone("1068")
    for url, fragment in ((service("changeStatus", user=san), "TeammateStatus"),
                          (service("saveStatus", user=san, state=4), "TeammateStatus"),
                          (service("setForwarding", mb=boss), "TeammateStatus"),
                          (service("saveForwarding", mb=boss, to="group"), "TeammateStatus"),
                          (service("vipList"), "VIPList or Admin")):
        p.open(url)
        assert p.kind == "CiscoIPPhoneText" and fragment in p.text, (url, p.text)
    assert members_by_user(rest, 45) == before


GARBAGE = [{"gr": "-1", "mb": "99999999999999999999", "user": "abc"}, {"state": "99", "call": "<x>", "line": "&"},
           {"to": "bogus", "target": "", "op": "zzz", "vn": "0"}, {"number": "+", "msg": "x" * 300, "who": "team"},
           {"mb": "1", "to": "member", "target": "2", "gr": "64"}, {"page": "99", "gr": "\u00e9\u0000"}]


@pytest.mark.parametrize("params", GARBAGE)
def test_garbage_parameters_never_break_a_screen(pbx, phone, params):
    call = pbx.ring(EXT, "1175")
    pbx.ring(EXT, "1047")
    p = phone("1175", "CP-7965G")
    for action in routes.MA_VIEWS:
        p.open(service(action, **params))  # the phone client fails on anything but a valid screen
        assert p.kind in ("CiscoIPPhoneText", "CiscoIPPhoneMenu", "CiscoIPPhoneInput"), action
    assert any(c == call for c, *_ in pbx.legs("1175") + pbx.legs("1068") + pbx.legs("1047"))


def test_a_status_message_that_is_too_long(phone, rest):
    p = phone("1068").open(service("saveStatus", state=1, msg="x" * 256))
    assert p.kind == "CiscoIPPhoneText" and "too long" in p.text
    assert members_by_user(rest, 45)["Aradhana.Jaggi"]["userState"] == "0"


def test_a_failing_screen_says_so(phone, monkeypatch):
    def boom(_phone):
        raise RuntimeError("bug")

    monkeypatch.setitem(routes.MA_VIEWS, "menu", boom)
    p = phone("1047").open(MENU)
    assert (p.kind, p.title) == ("CiscoIPPhoneText", "Error")
    assert "try again" in p.text


def test_a_screen_the_phone_cannot_take_says_so(phone, monkeypatch):
    nine_keys = [Key(f"K{i}", "SoftKey:Exit") for i in range(9)]  # a phone has 8 softkey positions
    menu = Menu("Too many keys", [Item("a", "Dial:1")], keys=nine_keys)
    monkeypatch.setitem(routes.MA_VIEWS, "menu", lambda _phone: menu)
    p = phone("1047").open(MENU)
    assert (p.kind, p.title) == ("CiscoIPPhoneText", "Error")
    assert "cannot be shown" in p.text


def test_long_lists_are_paged(phone, store):
    with store.write() as conn:
        for i in range(130):
            uid = store_users.add_user(conn, f"extra{i:03d}", first_name="Extra", last_name=f"{i:03d}",
                                       line_number=str(3000 + i))
            row = conn.execute(sa.select(users_table).where(users_table.c.id == uid)).first()
            store_members.add_member(conn, 45, row, row.line_number, f"X{i:03d}", 0, None)
    p = phone("1068", "CP-7965G").open(MENU).select("Direct call")
    assert len(p.items) == 100 and p.items[0] == "Tijana Vlahović (Manager)"
    assert "<<" not in p.softkeys and ">>" in p.softkeys
    p.softkey(">>")
    assert len(p.items) == 135 - 100 and p.items[-1] == "Extra 129"
    assert "<<" in p.softkeys and ">>" not in p.softkeys
    p.select("Extra 129")
    assert p.dialled == "3129"
    p.softkey("<<")
    assert p.items[0] == "Tijana Vlahović (Manager)"
    p.back().back().back()  # the phone's stack: page 1, page 2, page 1 again
    assert p.title == "ManagerAssistant"
