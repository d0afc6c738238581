"""Headers a client chooses cannot break a screen: a 200-character x-CiscoIPPhoneModelName or Host made
StatusDisplay answer "Internal error: This screen's link is too long". Over real HTTP, against a real
`phonesvc serve`: a bogus model name is ignored (the phone is taken as the model it registered, or an
unknown one), a bogus Host gives way to the server's own address."""

from __future__ import annotations

import io

import httpx2 as httpx
import pytest
from lxml import etree
from PIL import Image

from phonesvc.urls import valid_host
from tests.conftest import MA_BASE

SRC = "/Applications/inbound/MAGroup/src"
DEVICE = "SEP000000001118"  # Léonard Saligny: shows group 45 on a 7970G
LONG = "x" * 200


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import Server

    s = Server(tmp_path_factory.mktemp("headers") / "data", "--demo").start()
    yield s
    s.stop()


def screen(server, page: str, headers: dict) -> etree._Element:
    r = httpx.get(f"{server.url}{SRC}/{page}device={DEVICE}", headers=headers, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml"), r.text
    root = etree.fromstring(r.content)
    urls = [u.text for u in root.iter("URL")]
    assert all(len(u) <= 256 for u in urls), urls
    return root


HEADERS = {
    "long model": {"x-CiscoIPPhoneModelName": "CP-" + LONG},
    "markup model": {"x-CiscoIPPhoneModelName": 'CP-8865"><x>&'},
    "long host": {"Host": LONG + ".example.com"},
    "host with a path": {"Host": "evil.example.com/" + LONG},
    "host with a bad port": {"Host": "phones.example.com:99999"},
    "both": {"x-CiscoIPPhoneModelName": LONG, "Host": LONG},
}


@pytest.mark.parametrize("headers", HEADERS.values(), ids=HEADERS.keys())
def test_status_display_and_main_menu_survive_bogus_headers(server, headers):
    display = screen(server, "StatusDisplay.asp?", headers)
    assert display.tag == "CiscoIPPhoneGraphicFileMenu", etree.tostring(display)
    assert display.findtext("Title") == "MA Group"
    image = display.findtext("URL")
    assert "model=7970G&" in image  # the model the phone registered with, not the bogus header
    menu = screen(server, "PhoneMenu.asp?", headers)
    assert menu.tag == "CiscoIPPhoneMenu" and menu.findtext("Prompt") == "Léonard Saligny"
    if "Host" in headers:  # links go to the address the phone reached
        assert all(u.text.startswith(f"{server.url}/") for u in display.iter("URL") if "://" in u.text)
    picture = httpx.get(image.replace("http://" + image.split("/")[2], server.url), timeout=30)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"


def test_a_sane_host_is_still_used_for_links(server):
    display = screen(server, "StatusDisplay.asp?", {"Host": "phones.example.com:8080"})
    assert display.findtext("URL").startswith("http://phones.example.com:8080/Applications/inbound/MAGroup/src/")


@pytest.mark.parametrize("display_header, size", [
    ("320, 200, 16, C", (320, 200)),  # an unknown model as its display header describes it
    ("99999, 99999, 24, C", (559, 265)),  # not believed: it made the server render a 30 GB picture
    ("5000, 5000, 24, C", (559, 265)),
])
def test_an_unknown_model_is_drawn_at_a_plausible_size(server, display_header, size):
    model = f"CP-{size[0]}{display_header[:2]}"  # one picture per unknown model name
    headers = {"x-CiscoIPPhoneModelName": model, "x-CiscoIPPhoneDisplay": display_header}
    image = screen(server, "StatusDisplay.asp?", headers).findtext("URL")
    assert f"model={model}&" in image
    picture = httpx.get(image, headers=headers, timeout=30)
    assert picture.status_code == 200 and Image.open(io.BytesIO(picture.content)).size == size


def test_rest_urls_with_a_bogus_host_name_the_server(server):
    r = httpx.get(f"{server.url}{MA_BASE}/services/getPhoneServiceURLs.asp", headers={"Host": LONG}, timeout=30)
    urls = [e.text for e in etree.fromstring(r.content).iter() if e.text and "://" in e.text]
    assert urls and all(u.startswith(f"{server.url}/Applications/inbound/MAGroup/src/") for u in urls), urls


@pytest.mark.parametrize("host, ok", [
    ("phones.example.com", True), ("phones.example.com:8080", True), ("10.1.2.3:80", True), ("[::1]:8080", True),
    ("localhost", True), ("x" * 65, False), ("a" * 30 + "." + "b" * 30 + ".example", False), ("a b", False),
    ("evil.com/x", False), ("evil.com?x", False), ("h:0", False), ("h:65536", False), ("", False), ("a..b", False),
])
def test_valid_host(host, ok):
    assert valid_host(host) is ok
