"""Who sees what on the phone: members only to users of their groups (or Admin), a group's picture
only to the phones showing it, and phone services only to the phones' networks (PHONESVC_PHONE_NETWORKS)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import ConfigError, load_settings
from phonesvc.phone.xmlcheck import check_phone_response
from tests.phoneclient import Phone
from tests.phonekit import DIV_SRC, MA_SRC, MENU, device, join, member_of, pbx, phone, service

__all__ = ["pbx", "phone"]  # fixtures
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"


def refused(response, reason: str) -> None:
    """HTTP 403 with a text screen the phone shows."""
    assert response.status_code == 403, response.text
    root = check_phone_response(response)
    assert root.tag == "CiscoIPPhoneText" and reason in root.findtext("Text"), response.text


def test_member_actions_only_for_members_of_that_group(phone, store):
    tijana = member_of(store, "Tijana.Vlahovic").id  # only in group 45
    p = phone("1081").open(service("memberActions", gr=45, mb=tijana))  # Maria Santos: group 64
    assert p.kind == "CiscoIPPhoneText" and "not one of your groups" in p.text
    assert "1047" not in p.xml and "Tijana" not in p.xml
    # naming her own group does not help either
    p = phone("1081").open(service("memberActions", gr=64, mb=tijana))
    assert p.kind == "CiscoIPPhoneText" and "Tijana" not in p.xml
    # a member of group 45 sees her
    assert phone("1175").open(service("memberActions", gr=45, mb=tijana)).items == [
        "Call Tijana Vlahović (Manager)"]


def test_a_teammates_other_groups_stay_hidden_in_set_forwarding(phone, store):
    leonard = join(store, 64, "Leonard.Saligny")  # in 45 with Rafael, and in 64 without him
    p = phone("1175").open(service("setForwarding", mb=leonard, gr=64))  # Rafael has TeammateStatus
    assert p.title == "Léonard Saligny"
    assert not any(name in p.xml for name in ("Maria Santos", "Support Team", "Chiyo"))
    assert "Tijana Vlahović (Manager)" in p.items  # his group with Rafael
    maria = member_of(store, "maria.santos").id
    p = phone("1175").open(service("saveForwarding", mb=leonard, to="member", target=maria))
    assert p.kind == "CiscoIPPhoneText" and "no longer in the group" in p.text


def test_a_groups_picture_only_for_phones_showing_it(phone, client):
    shown = phone("1118").open(DISPLAY)  # Léonard shows group 45
    url = shown.screen.findtext("URL")
    assert client.get(url).headers["content-type"] == "image/png"
    maria = device("1081")  # shows group 64
    refused(client.get(url.replace(device("1118"), maria)), "does not show that group")
    refused(client.get(f"{MA_SRC}/StatusImage.asp?gr=45&model=CP-8865&device={maria}"), "does not show")
    refused(client.get(f"{MA_SRC}/StatusImage.asp?gr=45&model=CP-8865"), "does not show")
    refused(client.get(f"{MA_SRC}/StatusImage.asp?gr=45&model=CP-8865&device=SEP999999999999"), "does not show")
    # the picture of group 45 by its ETag, asked as group 64: Maria gets her own group's picture
    own = client.get(url.replace(device("1118"), maria).replace("gr=45", "gr=64"))
    assert own.status_code == 200 and own.content != client.get(url).content
    assert own.content == client.get(phone("1081").open(DISPLAY).screen.findtext("URL")).content


@pytest.fixture
def fenced(tmp_path, store, demo_data):
    """The app answering phone services to loopback and 10.20.0.0/16 only, behind a proxy on loopback."""
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data"),
                                  "PHONESVC_PHONE_NETWORKS": "127.0.0.0/8, 10.20.0.0/16",
                                  "PHONESVC_TRUSTED_PROXIES": "192.0.2.1"})
    return create_app(settings, store)


def test_phone_services_answer_the_phone_networks_only(fenced):
    with TestClient(fenced, client=("127.0.0.1", 5000)) as inside:
        p = Phone(inside, device("1118")).open(MENU)
        assert p.title == "ManagerAssistant"
        image = inside.get(p.open(DISPLAY).screen.findtext("URL"))
        assert image.headers["content-type"] == "image/png"
    outside = TestClient(fenced, client=("203.0.113.7", 5000))
    headers = Phone(outside, device("1118")).headers
    for url in (MENU, DISPLAY, service("memberActions", gr=45, mb=1), f"{DIV_SRC}?groupID=1&device=#DEVICENAME#",
                image.url, f"{MA_SRC}/NoSuchPage.asp?device=#DEVICENAME#"):
        refused(outside.get(str(url).replace("#DEVICENAME#", device("1118")), headers=headers), "networks only")
    # the real client behind a trusted proxy counts, not the proxy
    proxy = TestClient(fenced, client=("192.0.2.1", 5000))
    refused(proxy.get(MENU.replace("#DEVICENAME#", device("1118")), headers={"X-Forwarded-For": "203.0.113.7"}),
            "networks only")
    ok = proxy.get(MENU.replace("#DEVICENAME#", device("1118")), headers={"X-Forwarded-For": "10.20.3.4", **headers})
    assert ok.status_code == 200 and check_phone_response(ok).tag == "CiscoIPPhoneMenu"
    # the REST API keeps its own rule (credentials), not the phones' networks
    assert outside.get("/Applications/inbound/MAGroup/rest/groups/getGroups.asp").status_code == 401


def test_phone_networks_default_to_anywhere(app, demo_data):
    anywhere = TestClient(app, client=("203.0.113.7", 5000))
    assert Phone(anywhere, device("1118")).open(MENU).title == "ManagerAssistant"


def test_a_phone_network_that_is_no_network_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="phone_networks: 'phones' is not an IP address or network"):
        load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path), "PHONESVC_PHONE_NETWORKS": "10.0.0.0/8, phones"})
