"""StatusDisplay.asp: the group a phone shows, as a picture whose tiles are menu items; the PNG is
rendered once per (group state, model) and served with an ETag; on the simulator and on the O2G adapter."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.phoneclient import Phone
from tests.phonekit import MA_SRC, pbx, phone, service

__all__ = ["pbx", "phone"]  # fixtures
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"


@pytest.fixture(params=["sim", "o2g"])
def pbx_kind(request) -> str:
    """Every test on the simulator and on the O2G adapter (with the fake O2G): the grid shows the PBX's lines."""
    return request.param


def picture(client, p):
    r = client.get(p.screen.findtext("URL"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    return r


def test_the_shown_group_as_a_touch_menu_of_tiles(phone, client):
    p = phone("1118").open(DISPLAY)  # Léonard shows group 45
    assert p.kind == "CiscoIPPhoneGraphicFileMenu" and p.title == "MA Group"
    assert p.items == ["1 Tij", "2 Raf", "3 Ara", "4 Leo", "5 San", "6 Emi"]
    areas = [tuple(int(i.find("TouchArea").get(k)) for k in ("X1", "Y1", "X2", "Y2"))
             for i in p.screen.findall("MenuItem")]
    assert all(0 <= x1 < x2 < 559 and 0 <= y1 < y2 < 265 for x1, y1, x2, y2 in areas)
    assert len(set(areas)) == 6  # one area per tile
    image = Image.open(io.BytesIO(picture(client, p).content))
    assert image.size == (559, 265)  # the 8865's services area


def test_refresh_header_and_etag(phone, client):
    p = phone("1118", model="CP-7965G").open(DISPLAY)
    r = client.get(p.url, headers={"x-CiscoIPPhoneModelName": "CP-7965G"})
    assert r.headers["refresh"].startswith("60; url=") and "StatusDisplay.asp" in r.headers["refresh"]
    first = picture(client, p)
    assert Image.open(io.BytesIO(first.content)).size == (298, 156)
    again = client.get(p.screen.findtext("URL"), headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_a_picture_is_rendered_once_per_state_and_model(phone, client, app, pbx):
    displays = app.state.displays
    p = phone("1118").open(DISPLAY)
    picture(client, p)
    rendered = displays.renders
    for line in ("1118", "1072", "1033", "1118"):  # phones showing group 45 refresh: nothing is rendered again
        picture(client, phone(line).open(DISPLAY))
    assert displays.renders == rendered
    pbx.ring("0800123456", "1047", "Support desk")  # the group changed: one new picture
    picture(client, phone("1118").open(DISPLAY))
    assert displays.renders == rendered + 1
    picture(client, phone("1118", model="CP-7965G").open(DISPLAY))  # another model: its own picture
    assert displays.renders == rendered + 2


def test_a_tile_leads_to_what_can_be_done_with_that_member(phone, pbx):
    call = pbx.ring("0800123456", "1047", "Support desk")
    p = phone("1118", model="CP-7970G").open(DISPLAY).select("1 Tij")  # a touch screen: the tile is touched
    assert p.items == ["Call Tijana Vlahović (Manager)", "Pick up Support desk"]
    p.select("Pick up Support desk")
    assert pbx.legs("1118") == [(call, "incoming", "active", "0800123456")]
    p = phone("1118", model="CP-7970G").open(DISPLAY).select("2 Raf")
    assert p.items == ["Call Rafael Hidalgo", "Transfer call to Rafael Hidalgo"]
    p.select("Call Rafael Hidalgo")
    assert p.dialled == "1175"


def test_without_touch_the_members_softkey_reaches_what_each_tile_does(phone, pbx):
    pbx.ring("0800123456", "1047", "Support desk")
    p = phone("1118").open(DISPLAY)  # an 8865 has no touch: its tiles cannot be chosen
    tiles = [item.findtext("URL") for item in p.screen.findall("MenuItem")]
    assert p.softkeys == ["Exit", "Members", "Group"]
    p.softkey("Members")
    assert (p.kind, p.title, p.prompt) == ("CiscoIPPhoneMenu", "MA Group", "Choose a member")
    assert p.items[:2] == ["1 Tijana Vlahović (Manager): Available, ringing", "2 Rafael Hidalgo: Available, idle"]
    assert [item.findtext("URL") for item in p.screen.findall("MenuItem")] == tiles  # the same screens
    p.select("1 Tijana")
    assert p.items == ["Call Tijana Vlahović (Manager)", "Pick up Support desk"]
    p.softkey("Back")
    assert p.title == "MA Group" and p.kind == "CiscoIPPhoneMenu"


def test_each_phone_gets_the_richest_status_display_it_takes(client, phone):
    assert phone("1118", model="CP-7970G").open(DISPLAY).kind == "CiscoIPPhoneGraphicFileMenu"
    p = phone("1118", model="CP-7841").open(DISPLAY)  # no GraphicFileMenu on a 7800
    assert p.kind == "CiscoIPPhoneImageFile" and p.softkeys == ["Exit", "Members", "Group"]
    assert Image.open(io.BytesIO(picture(client, p).content)).size == (396, 162)
    p.softkey("Members")
    assert p.items[0] == "1 Tijana Vlahović (Manager): Available, idle"
    p = Phone(client, "SEP000000001118", model="CP-9999", display="298,156,16,C", objects=("Menu", "Text", "Input"))
    p.open(DISPLAY)  # an unknown model that lists no picture: the members as a menu
    assert (p.kind, p.title, p.softkeys) == ("CiscoIPPhoneMenu", "MA Group", ["Select", "Group", "Exit"])
    assert p.refresh().title == "MA Group"


def test_nothing_shown_gives_a_clear_text(phone):
    p = phone("1047").open(DISPLAY)  # Tijana's display is hidden in the demo
    assert p.kind == "CiscoIPPhoneText" and "Change group" in p.text
    p = phone("1047").open(service("changeGroup")).select("MA Group")
    p = phone("1047").open(DISPLAY)
    assert p.kind == "CiscoIPPhoneGraphicFileMenu" and p.title == "MA Group"


def test_repeated_requests_are_answered_from_memory_until_something_changes(phone, client, app, pbx):
    first = phone("1118").open(DISPLAY).screen.findtext("URL")
    assert phone("1118").open(DISPLAY).screen.findtext("URL") == first  # same state, same answer
    pbx.ring("0800123456", "1175")  # Rafael's phone rings: a new picture is named
    changed = phone("1118").open(DISPLAY).screen.findtext("URL")
    assert changed != first
    # a phone that moved is still noticed on a remembered answer (pushes must find it)
    from starlette.testclient import TestClient

    moved = TestClient(app, client=("10.9.8.7", 5060))
    moved.get("/Applications/inbound/MAGroup/src/StatusDisplay.asp?device=SEP000000001118",
              headers={"x-CiscoIPPhoneModelName": "CP-8865"})
    moved.get("/Applications/inbound/MAGroup/src/StatusDisplay.asp?device=SEP000000001118",
              headers={"x-CiscoIPPhoneModelName": "CP-8865"})
    assert app.state.registry.last_seen("SEP000000001118").address == "10.9.8.7"
