"""The phone preview without a browser, on the app with its real SQLite file: what a model shows for an answer
(preview_xml), the fetch with the model's headers that leaves the real phone's record alone, no open proxy,
a device that is not yours refused (403) on every endpoint, Dial: on the simulator, and pushes reaching a
virtual phone through the push notifier."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from phonesvc.actions import ENABLE_LOGS, log_path
from phonesvc.config import load_settings
from phonesvc.display.push import PushNotifier
from phonesvc.domain.privileges import MAGROUP
from phonesvc.live.previews import VirtualPhones
from phonesvc.phonemodels import find
from phonesvc.store.appsettings import set_setting
from phonesvc.web.preview_xml import describe
from tests.webkit import csrf_of

MANAGER, ASSISTANT = "SEP000000001047", "SEP000000001175"  # Tijana Vlahović's and Rafael Hidalgo's phones
SRC = "/Applications/inbound/MAGroup/src"
PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'


def screen(client, device: str, url: str, model: str = "CP-8865"):
    return client.get("/preview/screen", params={"device": device, "model": model, "url": url})


# -- what a model shows --------------------------------------------------------------------------

def test_an_object_the_model_lacks_is_xml_error_5_and_says_why():
    menu = (PROLOG + "<CiscoIPPhoneGraphicFileMenu><Title>Team</Title><URL>http://x/a.png</URL>"
            "<MenuItem><Name>1 Anna</Name><URL>http://x/1</URL><TouchArea X1=\"0\" Y1=\"0\" X2=\"9\" Y2=\"9\"/>"
            "</MenuItem></CiscoIPPhoneGraphicFileMenu>").encode()
    shown = describe(menu, "text/xml", find("CP-7841"))
    assert (shown["object"], shown["title"]) == ("Error", "XML Error [5]")
    assert "7841 does not take CiscoIPPhoneGraphicFileMenu" in shown["why"]
    on_9971 = describe(menu, "text/xml", find("CP-9971"))
    assert on_9971["object"] == "GraphicFileMenu" and on_9971["items"][0]["touch"] == [0, 0, 9, 9]
    assert on_9971["image"] == "http://x/a.png"


@pytest.mark.parametrize(("body", "why"), [
    (b"<CiscoIPPhoneText><Title>A & B</Title></CiscoIPPhoneText>", "Not well-formed XML"),
    (b"<CiscoIPPhoneText><title>x</title></CiscoIPPhoneText>", "<title> is not an element of <CiscoIPPhoneText>"),
    (b"<CiscoIPPhoneMenu><MenuItem><Name>a</Name><Link>x</Link></MenuItem></CiscoIPPhoneMenu>", "<Link>"),
    (b"<html><body>Hello</body></html>", "<html> is not a CiscoIPPhone object"),
    (b"", "empty"),
])
def test_invalid_xml_is_the_phones_parse_error_with_the_reason(body, why):
    shown = describe(body, "text/xml", find("CP-8865"))
    assert (shown["object"], shown["title"], shown["text"]) == ("Error", "XML Error [4]", "Parse Error")
    assert why in shown["why"]


def test_input_keeps_its_fields_flags_and_defaults_in_names_with_umlauts():
    body = (PROLOG + "<CiscoIPPhoneInput><Title>Léonard &amp; Vlahović</Title><URL>http://h/s?a=1&amp;b=2</URL>"
            "<InputItem><DisplayName>PIN</DisplayName><QueryStringParam>pin</QueryStringParam>"
            "<InputFlags>NP</InputFlags><DefaultValue/></InputItem></CiscoIPPhoneInput>").encode()
    shown = describe(body, "text/xml; charset=UTF-8", find("CP-7965"))
    assert shown["title"] == "Léonard & Vlahović" and shown["url"] == "http://h/s?a=1&b=2"
    assert shown["fields"] == [{"label": "PIN", "param": "pin", "flags": "NP", "default": ""}]


def test_icon_menus_name_their_icons_by_url_or_by_packed_pixels():
    items = "<MenuItem><IconIndex>1</IconIndex><Name>Mail</Name><URL>http://h/m</URL></MenuItem>"
    file_menu = (f"<CiscoIPPhoneIconFileMenu><Title>T</Title>{items}<IconItem><Index>1</Index>"
                 "<URL>http://h/i.png</URL></IconItem></CiscoIPPhoneIconFileMenu>").encode()
    packed = (f"<CiscoIPPhoneIconMenu><Title>T</Title>{items}<IconItem><Index>1</Index><Height>2</Height>"
              "<Width>4</Width><Depth>2</Depth><Data>FF00</Data></IconItem></CiscoIPPhoneIconMenu>").encode()
    assert describe(file_menu, "text/xml", find("CP-8865"))["icons"] == {"1": {"url": "http://h/i.png"}}
    shown = describe(packed, "text/xml", find("CP-7965G"))
    assert shown["icons"] == {"1": {"width": 4, "height": 2, "data": "FF00"}} and shown["items"][0]["icon"] == 1
    assert describe(packed, "text/xml", find("CP-7841"))["title"] == "XML Error [5]"  # no IconMenu on a 7841


# -- the fetch -----------------------------------------------------------------------------------

def test_the_fetch_sends_the_models_headers_and_leaves_the_real_phones_record_alone(app, demo_clients, store):
    client = demo_clients("Tijana.Vlahovic")
    before = store.snapshot().devices[MANAGER]
    answer = screen(client, MANAGER, f"{SRC}/PhoneMenu.asp?device={MANAGER}", "CP-7965G").json()
    assert answer["status"] == 200 and answer["screen"]["object"] == "Menu"
    assert answer["screen"]["title"] == "ManagerAssistant" and answer["screen"]["prompt"] == "Tijana Vlahović"
    sent = answer["request"]["headers"]
    assert sent["x-CiscoIPPhoneModelName"] == "CP-7965G" and sent["x-CiscoIPPhoneDisplay"] == "298, 156, 16, C"
    assert "x-CiscoIPPhone/GraphicFileMenu" in sent["Accept"] and sent["x-CiscoIPPhoneSDKVersion"]
    # the 79xx family's order: Select first, Exit third
    assert [(k["name"], k["position"]) for k in answer["screen"]["softkeys"]] == [("Select", 1), ("Exit", 3)]
    assert answer["ms"] >= 0 and "<CiscoIPPhoneMenu>" in answer["xml"]
    assert app.state.registry.last_seen(MANAGER) is None  # the preview is not the phone
    assert store.snapshot().devices[MANAGER] == before


@pytest.mark.parametrize("url", [
    "http://example.com/Applications/inbound/MAGroup/src/PhoneMenu.asp?device=" + MANAGER,
    "/Applications/inbound/MAGroup/rest/groups/getGroups.asp",
    "/admin/users",
    "file:///etc/passwd",
])
def test_only_this_servers_phone_services_are_fetched(demo_clients, url):
    answer = screen(demo_clients("Tijana.Vlahovic"), MANAGER, url).json()
    assert answer["screen"]["title"] == "Host not found" and "status" not in answer
    assert "phone service" in answer["screen"]["why"]


def test_a_device_not_yours_is_refused_on_every_endpoint(demo_clients):
    client = demo_clients("Rafael.Hidalgo")
    token = csrf_of(client.get("/preview/").text)
    url = f"{SRC}/PhoneMenu.asp?device={MANAGER}"
    refused = [client.get("/preview/", params={"device": MANAGER}),
               screen(client, MANAGER, url),
               client.get("/preview/image", params={"device": MANAGER, "url": url}),
               client.get("/preview/stream", params={"device": MANAGER}),
               client.post("/preview/dial", params={"device": MANAGER, "number": "1068"},
                           headers={"X-CSRF-Token": token}),
               client.get("/preview/", params={"device": "SEP999999999999"})]
    assert [r.status_code for r in refused] == [403] * 6
    assert "only your own phones" in refused[0].text
    assert screen(client, ASSISTANT, f"{SRC}/PhoneMenu.asp?device={ASSISTANT}").status_code == 200
    admin = demo_clients("admin")
    assert screen(admin, MANAGER, url).json()["screen"]["object"] == "Menu"


@pytest.mark.parametrize("model", ["CP-9999", "<script>", "Cisco IP Communicator", "7841"])
def test_any_model_name_gives_a_phone_never_a_500(demo_clients, model):
    client = demo_clients("Tijana.Vlahovic")
    page = client.get("/preview/", params={"device": MANAGER, "model": model})
    assert page.status_code == 200 and "<script>" not in page.text.split("<main>")[1].replace("<script src", "")
    answer = screen(client, MANAGER, f"{SRC}/PhoneMenu.asp?device={MANAGER}", model).json()
    assert answer["status"] == 200 and answer["screen"]["object"] == "Menu"


def test_typed_umlauts_and_ampersands_reach_the_service_as_a_phone_sends_them(demo_clients):
    client = demo_clients("Rafael.Hidalgo")
    url = f"{SRC}/IndependentServices.asp?action=saveStatus&state=1&msg=Pause & Kaffee, Grüße&device={ASSISTANT}"
    answer = screen(client, ASSISTANT, url.replace(" & ", " %26 ")).json()
    assert answer["request"]["line"].endswith("msg=Pause%20%26%20Kaffee,%20Gr%C3%BC%C3%9Fe&device=" + ASSISTANT)
    assert answer["status"] == 200 and answer["screen"]["object"] == "Text"
    assert "Pause & Kaffee, Grüße" in answer["screen"]["text"]


def test_what_a_preview_does_is_logged_as_the_phone_and_the_person_behind_it(demo_clients, store, settings):
    with store.write() as conn:
        set_setting(conn, MAGROUP, ENABLE_LOGS, "1")
    admin = demo_clients("admin")
    url = f"{SRC}/IndependentServices.asp?action=saveStatus&state=1&msg=Lunch&device={ASSISTANT}"
    assert "Your status is now Away: Lunch" in screen(admin, ASSISTANT, url).json()["screen"]["text"]
    line = log_path(settings, MAGROUP).read_text(encoding="utf-8").strip()
    assert "phone Rafael.Hidalgo on SEP000000001175 (phone preview of admin): Change status" in line


def test_signed_out_goes_to_the_sign_in_page(client):
    answer = client.get("/preview/?device=" + MANAGER, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/LogonPage.asp?page=/preview/")


def test_dial_calls_from_the_devices_line_on_the_simulator(app, demo_clients):
    app.state.line_sync.sync()  # the PBX learns the directory's lines (the server's start does this)
    client = demo_clients("Rafael.Hidalgo")
    token = csrf_of(client.get("/preview/").text)
    bad = client.post("/preview/dial", params={"device": ASSISTANT, "number": "10<68"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400 and bad.json()["status"] == "INVALID_PARAMETERS"
    assert not app.state.telephony.line("1175").calls
    no_token = client.post("/preview/dial", params={"device": ASSISTANT, "number": "1068"})
    assert no_token.status_code == 403 and not app.state.telephony.line("1175").calls
    ok = client.post("/preview/dial", params={"device": ASSISTANT, "number": "1068"}, headers={"X-CSRF-Token": token})
    assert ok.json()["dialled"] is True and app.state.telephony.line("1175").calls


def test_pasted_xml_is_shown_as_the_model_would(demo_clients):
    client = demo_clients("Rafael.Hidalgo")
    token = csrf_of(client.get("/preview/").text)
    xml = PROLOG + "<CiscoIPPhoneText><Title>Hi</Title><Text>Grüße &amp; mehr</Text></CiscoIPPhoneText>"
    answer = client.post("/preview/try", params={"device": ASSISTANT, "model": "CP-7841"}, data={"xml": xml},
                         headers={"X-CSRF-Token": token}).json()
    assert answer["screen"] == {"object": "Text", "title": "Hi", "prompt": "", "softkeys": [], "text": "Grüße & mehr"}


def in_own_thread(coro):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop in this one."""
    result = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coro)))
    thread.start()
    thread.join(30)
    return result[0]


# -- the virtual phone ---------------------------------------------------------------------------

def test_display_pushes_and_tones_reach_the_previews_of_the_phones_concerned(tmp_path):
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path)})
    previews = VirtualPhones()
    notifier = PushNotifier(settings, targets=lambda _gid: [], url_for=lambda d: f"http://h/StatusDisplay.asp?device={d}",
                            virtual=previews, shown=lambda gid: ["SEPA", "SEPB"] if gid == 45 else [])

    async def run() -> tuple[list[str], list[str], list[str]]:
        await notifier.start()
        with previews.open("SEPA") as a, previews.open("SEPC") as c:
            notifier.notify(45)
            await notifier.idle()
            notifier.play([], "Chime & Co.raw", devices=["SEPA", "SEPB"])
            got_a = [a.get_nowait() for _ in range(a.qsize())]
            got_c = [c.get_nowait() for _ in range(c.qsize())]
        await notifier.stop()
        return got_a, got_c, previews.devices()

    got_a, got_c, left = in_own_thread(run())
    assert len(got_a) == 2 and 'URL="http://h/StatusDisplay.asp?device=SEPA"' in got_a[0]
    assert 'Priority="1"' in got_a[0] and 'URL="Play:Chime%20%26%20Co.raw"' in got_a[1]
    assert got_c == [] and left == []  # SEPC shows another group; closed previews are gone
    assert json.dumps(got_a)  # plain strings, ready for the event stream
