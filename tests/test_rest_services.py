"""ManagerAssistant Group REST "Service functions" (getIntegrationURLs, getPhoneServiceURLs) as the REST
manual describes them, and how the REST paths of the ManagerAssistant Group instance are matched."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import load_settings
from tests.conftest import MA_BASE, parse_reply

SERVICES = f"{MA_BASE}/services"

# The manual's parameter table: service value -> (response element, path under the instance).
# The element of the 1 Button Service is <lButtonService> as in the manual's example responses (an XML
# name cannot start with a digit); the pickup element is <PickupCall>, its URL without the doubled /src/src/.
PHONE_SERVICES = [
    ("MainMenu", "MainMenu", "src/PhoneMenu.asp?device=#DEVICENAME#"),
    ("1ButtonService", "lButtonService", "src/OneButton.asp?device=#DEVICENAME#"),
    ("TransferCall", "TransferCall", "src/IndependentServices.asp?action=transferCall&device=#DEVICENAME#"),
    ("PickupCalls", "PickupCall", "src/IndependentServices.asp?action=pickupCalls&device=#DEVICENAME#"),
    ("DirectCall", "DirectCall", "src/IndependentServices.asp?action=directCall&device=#DEVICENAME#"),
    ("ChangeGroup", "ChangeGroup", "src/IndependentServices.asp?action=changeGroup&device=#DEVICENAME#"),
    ("ChangeStatus", "ChangeStatus", "src/IndependentServices.asp?action=changeStatus&device=#DEVICENAME#"),
    ("TeamStatus", "TeamStatus", "src/IndependentServices.asp?action=teamStatus&device=#DEVICENAME#"),
    ("SetForwarding", "SetForwarding", "src/IndependentServices.asp?action=setForwarding&device=#DEVICENAME#"),
    ("StatusDisplay", "StatusDisplay", "src/StatusDisplay.asp?device=#DEVICENAME#"),  # phonesvc's own
]

HOST = "http://testserver"  # the TestClient's Host
INSTANCE = f"{HOST}/Applications/inbound/MAGroup"


def integration_urls(base: str, instance_path: str) -> dict[str, str]:
    page = f"/Applications/inbound/{instance_path}/src/Jabber.asp"
    return {
        "manual": f"{base}{page}",
        "auto": f"{base}/LogonPage.asp?page={page}&user=xxx&pwd=xxx",
        "coc": f"{base}/LogonPage.asp?page={page}&user=%user%&pwd=%pwd%",
    }


def children(reply) -> list[tuple[str, str]]:
    return [(c.tag, c.text) for c in reply.response]


def raw_ampersands_are_escaped(content: bytes) -> bool:
    return re.search(rb"&(?!amp;|lt;|gt;|quot;|apos;)", content) is None


@pytest.fixture
def make_client(tmp_path):
    """A client of an app built from extra PHONESVC_* settings on a fresh data directory."""
    clients = []

    def make(**env: str) -> TestClient:
        settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / f"data{len(clients)}"), **env})
        client = TestClient(create_app(settings), client=("127.0.0.1", 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


# --- getIntegrationURLs ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("login", ["manual", "auto", "coc"])
def test_integration_url_for_one_login_method(rest, login, method):
    reply = rest("services/getIntegrationURLs", method=method, login=login)
    assert reply.http.status_code == 200
    assert reply.request == "getIntegrationURLs"
    assert children(reply) == [("IntegrationURL", integration_urls(HOST, "MAGroup")[login])]


def test_manual_login_url_is_the_manuals_jabber_page(rest):
    reply = rest("services/getIntegrationURLs", login="manual")
    assert reply.response.findtext("IntegrationURL") == f"{INSTANCE}/src/Jabber.asp"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_all_integration_urls_without_login(rest, method):
    reply = rest("services/getIntegrationURLs", method=method)
    assert reply.http.status_code == 200
    assert [c.tag for c in reply.response] == ["IntegrationURLs"]
    urls = reply.response.find("IntegrationURLs")
    assert [(c.tag, c.text) for c in urls] == list(integration_urls(HOST, "MAGroup").items())


def test_auto_and_coc_urls_carry_the_manuals_placeholders(rest):
    urls = {c.tag: c.text for c in rest("services/getIntegrationURLs").response.find("IntegrationURLs")}
    assert urls["auto"].endswith("/src/Jabber.asp&user=xxx&pwd=xxx")
    assert urls["coc"].endswith("/src/Jabber.asp&user=%user%&pwd=%pwd%")
    assert urls["auto"].startswith(f"{HOST}/LogonPage.asp?page=/Applications/inbound/MAGroup/")


def test_integration_urls_escape_ampersands_in_raw_xml(rest):
    reply = rest("services/getIntegrationURLs")
    assert b"Jabber.asp&amp;user=xxx&amp;pwd=xxx" in reply.http.content
    assert raw_ampersands_are_escaped(reply.http.content)


@pytest.mark.parametrize("login", ["jabber", "manuals", "1", "auto,coc"])
def test_unknown_login_method_is_invalid_parameters(rest, login):
    reply = rest("services/getIntegrationURLs", login=login)
    assert reply.http.status_code == 200
    assert reply.status == "INVALID_PARAMETERS"
    assert reply.response.find("IntegrationURL") is None and reply.response.find("IntegrationURLs") is None


def test_integration_urls_follow_the_request_host(client):
    http = client.get(f"{SERVICES}/getIntegrationURLs.asp", params={"login": "manual"},
                      headers={"Host": "192.168.100.109"})
    assert parse_reply(http).response.findtext("IntegrationURL") == \
        "http://192.168.100.109/Applications/inbound/MAGroup/src/Jabber.asp"
    http = client.get(f"{SERVICES}/getIntegrationURLs.asp", headers={"Host": "callisto.example:8080"})
    urls = parse_reply(http).response.find("IntegrationURLs")
    assert [c.text for c in urls] == list(integration_urls("http://callisto.example:8080", "MAGroup").values())


def test_integration_urls_follow_the_request_scheme(make_client):
    client = make_client()
    client.base_url = "https://callisto.example"
    http = client.get(f"{SERVICES}/getIntegrationURLs.asp", params={"login": "coc"})
    assert parse_reply(http).response.findtext("IntegrationURL") == \
        integration_urls("https://callisto.example", "MAGroup")["coc"]


def test_public_url_setting_wins_over_the_host(make_client):
    client = make_client(PHONESVC_PUBLIC_URL="https://callisto.example.com/")
    http = client.get(f"{SERVICES}/getIntegrationURLs.asp", headers={"Host": "10.0.0.1:8080"})
    urls = parse_reply(http).response.find("IntegrationURLs")
    assert [c.text for c in urls] == list(integration_urls("https://callisto.example.com", "MAGroup").values())
    http = client.get(f"{SERVICES}/getPhoneServiceURLs.asp", headers={"Host": "10.0.0.1:8080"})
    for el, (_value, tag, path) in zip(parse_reply(http).response, PHONE_SERVICES, strict=True):
        assert (el.tag, el.text) == (tag, f"https://callisto.example.com/Applications/inbound/MAGroup/{path}")


@pytest.mark.parametrize("instance, encoded", [("MA Group", "MA%20Group"), ("Büro & Co", "B%C3%BCro%20%26%20Co")])
def test_instance_name_is_percent_encoded_in_urls(make_client, instance, encoded):
    client = make_client(PHONESVC_MA_INSTANCE=instance)
    base = f"/Applications/inbound/{encoded}/rest/services"
    reply = parse_reply(client.get(f"{base}/getIntegrationURLs.asp"))
    urls = [c.text for c in reply.response.find("IntegrationURLs")]
    assert urls == list(integration_urls(HOST, encoded).values())
    reply = parse_reply(client.get(f"{base}/getPhoneServiceURLs.asp"))
    urls = [c.text for c in reply.response]
    assert urls == [f"{HOST}/Applications/inbound/{encoded}/{path}" for _v, _t, path in PHONE_SERVICES]
    assert not any(" " in u for u in urls)


def test_other_instance_name_replaces_magroup_in_urls(make_client):
    client = make_client(PHONESVC_MA_INSTANCE="Assist")
    reply = parse_reply(client.post("/Applications/inbound/Assist/rest/services/getIntegrationURLs.asp",
                                    data={"login": "manual"}))
    assert reply.response.findtext("IntegrationURL") == f"{HOST}/Applications/inbound/Assist/src/Jabber.asp"
    # the default instance name no longer answers
    assert client.get(f"{SERVICES}/getIntegrationURLs.asp").status_code == 404


# --- getPhoneServiceURLs --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("service, tag, path", PHONE_SERVICES, ids=[s[0] for s in PHONE_SERVICES])
def test_each_phone_service_gives_exactly_its_url(rest, service, tag, path, method):
    reply = rest("services/getPhoneServiceURLs", method=method, service=service)
    assert reply.http.status_code == 200
    assert reply.request == "getPhoneServiceURLs"
    assert children(reply) == [(tag, f"{INSTANCE}/{path}")]


def test_manual_example_one_button_service(rest):
    """curl --data "service=1ButtonService" .../getPhoneServiceURLs.asp"""
    reply = rest("services/getPhoneServiceURLs", service="1ButtonService")
    assert reply.response.findtext("lButtonService") == \
        "http://testserver/Applications/inbound/MAGroup/src/OneButton.asp?device=#DEVICENAME#"


def test_manual_lower_case_l_spelling_is_accepted_too(rest):
    """The manual's example element is lButtonService: a user copying it as a value gets the same URL."""
    one = rest("services/getPhoneServiceURLs", service="1ButtonService")
    ell = rest("services/getPhoneServiceURLs", service="lButtonService")
    assert children(ell) == children(one)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_all_ten_phone_service_urls_without_service(rest, method):
    reply = rest("services/getPhoneServiceURLs", method=method)
    assert reply.http.status_code == 200
    assert children(reply) == [(tag, f"{INSTANCE}/{path}") for _v, tag, path in PHONE_SERVICES]


def test_pickup_url_has_no_doubled_src(rest):
    for reply in (rest("services/getPhoneServiceURLs"), rest("services/getPhoneServiceURLs", service="PickupCalls")):
        url = reply.response.findtext("PickupCall")
        assert url == f"{INSTANCE}/src/IndependentServices.asp?action=pickupCalls&device=#DEVICENAME#"
        assert "/src/src/" not in url


def test_every_phone_service_url_ends_with_the_device_placeholder(rest):
    reply = rest("services/getPhoneServiceURLs")
    assert len(reply.response) == 10
    for el in reply.response:
        assert el.text.endswith("device=#DEVICENAME#"), (el.tag, el.text)
        assert el.text.startswith(f"{INSTANCE}/src/"), (el.tag, el.text)


def test_ampersands_are_escaped_in_raw_phone_service_xml(rest):
    reply = rest("services/getPhoneServiceURLs")
    raw = reply.http.content
    assert raw_ampersands_are_escaped(raw)
    for action in ("transferCall", "pickupCalls", "directCall", "changeGroup", "changeStatus", "teamStatus",
                   "setForwarding"):
        assert f"action={action}&amp;device=#DEVICENAME#".encode() in raw
    # and a standard XML parser gives back the plain URL
    root = etree.fromstring(raw)
    assert root.findtext("Response/TransferCall").endswith("action=transferCall&device=#DEVICENAME#")


@pytest.mark.parametrize("service", ["Menu", "PickupCal", "1Button", "SetForwardings", "TransferCall,TeamStatus",
                                     "MainMenu.asp"])
def test_unknown_service_is_invalid_parameters(rest, service):
    reply = rest("services/getPhoneServiceURLs", service=service)
    assert reply.http.status_code == 200
    assert reply.status == "INVALID_PARAMETERS"
    assert len(reply.response) == 0


# --- paths and transport of the ManagerAssistant Group instance --------------------------------------


@pytest.mark.parametrize("path", [
    "/Applications/inbound/MAGroup/rest/services/getPhoneServiceURLs.asp",
    "/Applications/Inbound/MAGroup/rest/services/getPhoneServiceURLs.asp",  # as in the CUCM configuration
    "/applications/INBOUND/magroup/REST/Services/GETPHONESERVICEURLS.ASP",
    "/APPLICATIONS/inbound/MAGROUP/Rest/SERVICES/getphoneserviceurls.asp",
])
def test_path_parts_match_case_insensitively(client, path):
    reply = parse_reply(client.get(path, params={"service": "MainMenu"}))
    assert reply.http.status_code == 200
    assert reply.request == "getPhoneServiceURLs"
    assert children(reply) == [("MainMenu", f"{INSTANCE}/src/PhoneMenu.asp?device=#DEVICENAME#")]


@pytest.mark.parametrize("path", [
    "services/getNothing.asp",
    "services/getPhoneServiceURL.asp",
    "nothing/getPhoneServiceURLs.asp",
    "services/listGroups.asp",  # a PhoneDiversions function is not one of ManagerAssistant Group
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_function_is_404_with_not_found_envelope(client, path, method):
    http = client.request(method, f"{MA_BASE}/{path}")
    assert http.status_code == 404
    reply = parse_reply(http)
    assert reply.status == "NOT_FOUND"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow_header(client, method):
    http = client.request(method, f"{SERVICES}/getPhoneServiceURLs.asp")
    assert http.status_code == 405
    assert {m.strip() for m in http.headers["allow"].split(",")} >= {"GET", "POST"}
    assert method not in http.headers["allow"]
    parse_reply(http)


def test_get_on_a_post_only_function_is_405(client, store, demo_data):
    http = client.get(f"{MA_BASE}/groups/addGroup.asp", params={"gr_name": "Via GET"})
    assert http.status_code == 405
    assert [m.strip() for m in http.headers["allow"].split(",")] == ["POST"]
    parse_reply(http)
    names = [g.findtext("name") for g in parse_reply(client.get(f"{MA_BASE}/groups/getGroups.asp")).response]
    assert names == ["MA Group", "Support Team"]


def test_post_on_a_get_only_function_is_405(client):
    http = client.post(f"{MA_BASE}/files/getMP3s.asp")
    assert http.status_code == 405
    assert [m.strip() for m in http.headers["allow"].split(",")] == ["GET"]
    parse_reply(http)


def test_parameters_in_the_query_string_of_a_post(client):
    http = client.post(f"{SERVICES}/getIntegrationURLs.asp?login=coc")
    assert children(parse_reply(http)) == [("IntegrationURL", integration_urls(HOST, "MAGroup")["coc"])]


def test_parameters_in_a_form_body(client):
    http = client.post(f"{SERVICES}/getIntegrationURLs.asp", content=b"login=auto",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert children(parse_reply(http)) == [("IntegrationURL", integration_urls(HOST, "MAGroup")["auto"])]


def test_query_string_and_body_combine(client):
    same = parse_reply(client.post(f"{SERVICES}/getPhoneServiceURLs.asp?service=TeamStatus",
                                   data={"service": "TeamStatus"}))
    assert [c.tag for c in same.response] == ["TeamStatus"]
    clash = parse_reply(client.post(f"{SERVICES}/getPhoneServiceURLs.asp?service=TeamStatus",
                                    data={"service": "MainMenu"}))
    assert clash.status == "INVALID_PARAMETERS"


def test_parameter_names_match_case_insensitively(client):
    reply = parse_reply(client.get(f"{SERVICES}/getPhoneServiceURLs.asp", params={"SERVICE": "DirectCall"}))
    assert [c.tag for c in reply.response] == ["DirectCall"]


def test_head_on_a_get_function_has_no_error(client):
    http = client.head(f"{SERVICES}/getPhoneServiceURLs.asp")
    assert http.status_code == 200


def test_the_status_display_url_handed_out_shows_the_grid(demo_data, client, rest):
    """The StatusDisplay URL comes from getPhoneServiceURLs like the others: nobody builds it by hand.
    Léonard (1118) shows the MA Group."""
    url = rest("services/getPhoneServiceURLs", service="statusdisplay").response.findtext("StatusDisplay")
    r = client.get(url.replace("#DEVICENAME#", "SEP000000001118"), headers={"x-CiscoIPPhoneModelName": "CP-8865"})
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag in ("CiscoIPPhoneGraphicFileMenu", "CiscoIPPhoneImageFile", "CiscoIPPhoneGraphicMenu")
    assert "MA Group" in root.findtext("Title")
