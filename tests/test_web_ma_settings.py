"""The Settings tab of ManagerAssistant Group (issue 11 point 4) in real Chromium: every Cisco service URL
(the same as REST's getPhoneServiceURLs) and the Jabber/COC URLs with a named copy button, the
jabber-config.xml snippet, the Enable logs switch kept; and the action log it turns on: a REST, phone and
web write each leave one line in <data_dir>/logs/MAGroup.log when on, nothing when off."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from playwright.sync_api import expect
from starlette.testclient import TestClient

from phonesvc.actions import ENABLE_LOGS, log_path
from phonesvc.domain.privileges import MAGROUP
from phonesvc.store.appsettings import set_setting, setting
from phonesvc.store.users import add_user, find_user
from phonesvc.urls import PHONE_SERVICES
from tests.conftest import parse_reply
from tests.webkit import ADMIN, csrf_of, sign_in_http, signed_in

SETTINGS_TAB = "/Applications/inbound/MAGroup/settings"
REST_URLS = "/Applications/inbound/MAGroup/rest/services/getPhoneServiceURLs.asp"
COPY_NAMES = ["Main menu", "1 Button Service", "Transfer Call", "Pickup Calls", "Direct Call", "Change Group",
              "Change Status", "Team Status", "Set Forwarding", "Status display"]


def test_every_service_url_has_a_copy_button_and_is_the_one_rest_gives(page, web, screenshot):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    signed_in(page, *ADMIN, start=SETTINGS_TAB)
    rest = parse_reply(httpx.get(web.url + REST_URLS))
    expected = [c.text for c in rest.response]
    assert len(expected) == len(PHONE_SERVICES) == len(COPY_NAMES)
    main = page.get_by_role("main")
    for name, url in zip(COPY_NAMES, expected, strict=True):
        assert main.get_by_role("button", name=f"Copy {name} URL").is_visible()
        assert url in main.inner_text()
    for name in ("URL for COC integration", "URL for Jabber tab", "URL for Jabber (auto login)",
                 "jabber-config.xml snippet"):
        assert main.get_by_role("button", name=f"Copy {name}").is_visible()
    snippet = main.locator("pre").inner_text()
    assert snippet.startswith('<page refresh="false" preload="true">') and "/src/Jabber.asp</url>" in snippet

    button = main.get_by_role("button", name="Copy Main menu URL")
    button.click()
    expect(button).to_have_text("Copied")  # the clipboard answers asynchronously
    assert page.evaluate("navigator.clipboard.readText()") == expected[0]
    screenshot(page, "web-ma-settings")


def test_enable_logs_toggles_and_is_kept(page, web):
    signed_in(page, *ADMIN, start=SETTINGS_TAB)
    switch = page.get_by_label("Enable logs")
    assert not switch.is_checked()
    for wanted in (True, False):
        switch.set_checked(wanted)
        with page.expect_navigation():  # the form's POST and its redirect, before the reload
            page.get_by_role("button", name="Save").click()
        page.reload()
        assert page.get_by_label("Enable logs").is_checked() is wanted


def test_the_settings_fit_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, *ADMIN, start=SETTINGS_TAB)
    assert page.get_by_role("button", name="Copy Main menu URL").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# ------------------------------------------------------------ over plain HTTP, on the app's real SQLite file


@pytest.fixture
def admin(app, demo_data):
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://testserver") as client:
        assert sign_in_http(client, *ADMIN).status_code == 303
        yield client


def enable_logs(store, on: bool) -> None:
    with store.write() as conn:
        set_setting(conn, MAGROUP, ENABLE_LOGS, "1" if on else "0")


def write_everywhere(admin: TestClient, store) -> None:
    """One VIP number added through each surface: REST (loopback), a phone (Tijana's), the web tab."""
    with store.read() as conn:
        tijana = str(find_user(conn, "Tijana.Vlahovic").id)
    manager = admin.get("/Applications/inbound/MAGroup/vip").text.split('<option value="')[1].split('"')[0]
    admin.post("/Applications/inbound/MAGroup/rest/vip/addVIPNumber.asp",
               data={"mb_id": manager, "vn_number": "5001", "vn_description": "by REST\u00e9"})
    admin.get("/Applications/inbound/MAGroup/src/IndependentServices.asp",
              params={"action": "vipAdd", "mb": manager, "number": "5002", "text": "by phone",
                      "device": "SEP000000001047"})
    vip = admin.get("/Applications/inbound/MAGroup/vip")
    admin.post("/Applications/inbound/MAGroup/vip", data={"csrf": csrf_of(vip.text), "manager": manager,
                                                          "number": "5003", "description": "by web"})
    assert tijana  # (the phone is hers: SEP000000001047 has line 1047)


def test_each_write_is_logged_when_enable_logs_is_on(admin, store, settings):
    enable_logs(store, True)
    write_everywhere(admin, store)
    lines = log_path(settings, MAGROUP).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3, lines
    assert "REST 127.0.0.1: addVIPNumber" in lines[0] and "vn_number=5001" in lines[0] and "by RESTé" in lines[0]
    assert "phone Tijana.Vlahovic on SEP000000001047: VIP list" in lines[1] and "number=5002" in lines[1]
    assert "web admin: VIP List: add 5003" in lines[2]


def test_nothing_is_logged_when_enable_logs_is_off(admin, store, settings):
    enable_logs(store, False)
    write_everywhere(admin, store)
    assert not log_path(settings, MAGROUP).exists()


def test_the_switch_is_refused_without_the_settings_privilege_or_the_csrf_token(app, store, demo_data):
    with store.write() as conn:
        add_user(conn, "nora", password="pw-nora", privileges_=[(MAGROUP, "VIPList")])
    with TestClient(app, client=("127.0.0.1", 50000), base_url="http://testserver") as nora:
        assert sign_in_http(nora, "nora", "pw-nora").status_code == 303
        assert nora.get(SETTINGS_TAB).status_code == 403
        csrf = csrf_of(nora.get("/Applications/inbound/MAGroup/vip").text)
        assert nora.post(SETTINGS_TAB, data={"csrf": csrf, "enableLogs": "1"}).status_code == 403
    with TestClient(app, client=("127.0.0.1", 50001), base_url="http://testserver") as admin:
        assert sign_in_http(admin, *ADMIN).status_code == 303
        assert admin.post(SETTINGS_TAB, data={"enableLogs": "1"}).status_code == 403
        csrf = csrf_of(admin.get(SETTINGS_TAB).text)
        bad = admin.post(SETTINGS_TAB, data={"csrf": csrf, "enableLogs": "yes\n"})
        assert bad.status_code == 400 and 'id="f-enableLogs-error"' in bad.text
    assert setting(store.snapshot(), MAGROUP, ENABLE_LOGS, "0") == "0"
