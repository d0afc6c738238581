"""The phone preview in real headless Chromium against the shared demo server: a manager walks the main menu
on an 8865 and an assistant on a 7965 (Select, Back, Exit, softkeys, keypad digits in an Input), a presence
changed through one preview shows on another member's status display through the push, a tile is touched on
a 9971, an object a model lacks is refused as the phone refuses it, and another user's phone is refused."""

from __future__ import annotations

import time

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import Rest
from tests.webkit import ADMIN, signed_in

PASSWORD = "pw-vorschau"
MANAGER, ASSISTANT = "SEP000000001047", "SEP000000001175"  # Tijana Vlahović, Rafael Hidalgo
LEONARD, SAN = "SEP000000001118", "SEP000000001072"  # two members of MA Group whose phones show it
SRC = "/Applications/inbound/MAGroup/src"
LIVE = 5000  # ms: live means without a reload (a loaded CI machine); the push itself takes a window of 50 ms


@pytest.fixture(scope="module")
def people(web):
    """Passwords for the manager and an assistant of MA Group, once the server has read them."""
    from phonesvc.config import load_settings
    from phonesvc.store.prepare import prepare
    from phonesvc.store.users import set_password

    store = prepare(load_settings(env={"PHONESVC_DATA_DIR": str(web.data_dir)}))
    with store.write() as conn:
        for name in ("Tijana.Vlahovic", "Rafael.Hidalgo"):
            set_password(conn, name, PASSWORD)
    store.dispose()
    time.sleep(5.5)  # the server reads another process's write within its max_age (5 s)


def preview(page, device: str, model: str, url: str = "", who=ADMIN):
    start = f"/preview/?device={device}&model={model}" + (f"&url={url}" if url else "")
    signed_in(page, *who, start=start)
    expect(page.locator("#phone")).to_have_attribute("data-state", "ready")
    return page


def ready(page):
    expect(page.locator("#phone")).to_have_attribute("data-state", "ready")


def softkey(page, name: str):
    page.get_by_role("group", name="Softkeys").get_by_role("button", name=name, exact=True).click()
    ready(page)


def button(page, group: str, name: str):
    page.get_by_role("group", name=group).get_by_role("button", name=name, exact=True).click()
    ready(page)


def title(page):
    return page.locator("#phone-title")


def test_a_manager_walks_the_main_menu_on_an_8865(page, people, screenshot):
    preview(page, MANAGER, "CP-8865", who=("Tijana.Vlahovic", PASSWORD))
    expect(title(page)).to_have_text("ManagerAssistant")
    expect(page.locator("#phone-prompt")).to_have_text("Tijana Vlahović")
    # the 88xx family: Exit first, Select third
    expect(page.get_by_role("group", name="Softkeys").get_by_role("button")).to_have_text(["Exit", "Select"])
    expect(page.locator("#phone-request")).to_contain_text("x-CiscoIPPhoneModelName: CP-8865")
    expect(page.locator("#phone-request")).to_contain_text("x-CiscoIPPhoneDisplay: 559, 265, 24, C")
    expect(page.locator("#phone-time")).to_contain_text("ms")
    expect(page.locator("#phone-xml")).to_contain_text("<CiscoIPPhoneMenu>")
    screenshot(page, "web-preview")

    button(page, "Navigation", "Down")
    softkey(page, "Select")
    expect(title(page)).to_have_text("Set forwarding")
    expect(page.locator("#phone-stack li")).to_have_count(2)  # Services, the main menu
    button(page, "Phone buttons", "Back")
    expect(title(page)).to_have_text("ManagerAssistant")
    button(page, "Keypad", "4")  # a digit opens the menu's item of that number
    expect(title(page)).to_have_text("Groups")
    softkey(page, "Back")
    expect(title(page)).to_have_text("ManagerAssistant")
    button(page, "Phone buttons", "Exit")  # to the idle screen: this project's status display
    expect(page.locator("#phone-area")).to_contain_text("No group is shown on this phone")
    expect(page.locator("#phone-stack li")).to_have_count(0)
    button(page, "Phone buttons", "Services")
    expect(title(page)).to_have_text("Services")
    expect(page.locator("#phone-area")).to_contain_text("Toggle Diversion: Billing & Accounts")


def test_an_assistant_types_a_forwarding_number_on_a_7965(page, people):
    preview(page, ASSISTANT, "CP-7965G", who=("Rafael.Hidalgo", PASSWORD))
    expect(page.get_by_role("group", name="Softkeys").get_by_role("button")).to_have_text(["Select", "Exit"])
    button(page, "Navigation", "Down")
    button(page, "Navigation", "Select")
    expect(title(page)).to_have_text("Set forwarding")
    softkey(page, "Select")  # My forwarding
    expect(page.locator("#phone-area")).to_contain_text("To number")
    options = title(page).inner_text()
    button(page, "Keypad", "4")  # To number
    expect(title(page)).to_have_text("To number")
    expect(page.get_by_role("group", name="Softkeys").get_by_role("button")).to_have_text(
        ["Submit", "<<", "Cancel", "Exit"])  # Cisco's 79xx input screens
    field = page.locator("#phone-area input")
    for digit in "10689":
        button(page, "Keypad", digit)
    expect(field).to_have_value("10689")
    softkey(page, "<<")
    expect(field).to_have_value("1068")
    softkey(page, "Cancel")
    expect(title(page)).to_have_text(options)
    button(page, "Keypad", "4")
    for digit in "1068":
        button(page, "Keypad", digit)
    softkey(page, "Submit")
    expect(page.locator("#phone-area")).to_contain_text("1068")
    expect(page.locator("#phone-request")).to_contain_text("number=1068")
    button(page, "Phone buttons", "Back")  # the result is off the Back stack: back on the form
    expect(title(page)).to_have_text("To number")
    button(page, "Phone buttons", "Back")
    button(page, "Keypad", "1")  # No forwarding: as it was
    expect(page.locator("#phone-area")).not_to_contain_text("1068")


def test_a_presence_changed_in_one_preview_reaches_anothers_status_display(browser, web):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}, base_url=web.url,
                                    extra_http_headers={"X-Forwarded-For": f"10.78.0.{i}"}) for i in (1, 2)]
    try:
        watcher, changer = (c.new_page() for c in contexts)
        preview(watcher, SAN, "CP-8865", f"{SRC}/StatusDisplay.asp?device={SAN}")
        expect(watcher.locator("#phone")).to_have_attribute("data-push", "connected")
        picture = watcher.locator("#phone-area img")
        before = picture.get_attribute("src")
        preview(changer, LEONARD, "CP-8865")
        button(changer, "Keypad", "1")  # Change status
        button(changer, "Keypad", "3")  # Busy: a message is asked
        changer.locator("#phone-area input").fill("Meeting & <Co>")
        softkey(changer, "Submit")
        expect(picture).not_to_have_attribute("src", before, timeout=LIVE)  # pushed: the display was fetched again
        expect(watcher.locator("#phone-request")).to_contain_text("StatusDisplay.asp")
        button(changer, "Phone buttons", "Back")
        button(changer, "Phone buttons", "Back")
        button(changer, "Keypad", "1")  # Available again
        expect(changer.locator("#phone-area")).to_contain_text("Available")
    finally:
        for c in contexts:
            c.close()


def test_a_team_tone_reaches_the_preview_as_a_sound_and_a_note(page, web):
    rest = Rest(httpx.Client(base_url=web.url))
    rest.ok("groups/editGroup", gr_id=45, gr_mngCallAlarm="Chime.raw")
    try:
        preview(page, SAN, "CP-8865", f"{SRC}/StatusDisplay.asp?device={SAN}")
        expect(page.locator("#phone")).to_have_attribute("data-push", "connected")
        # a call to the group's manager number rings Tijana; the others' phones play the manager tone
        call = httpx.post(f"{web.url}/sim/call", json={"from": "0800123456", "to": "8973", "name": "Preview"}).json()
        expect(page.locator("#phone-notes")).to_contain_text("♪ Tone Chime.raw", timeout=LIVE)
        httpx.post(f"{web.url}/sim/hangup", json={"call": call["call"]})
    finally:
        rest.ok("groups/editGroup", gr_id=45, gr_mngCallAlarm="")
        rest.client.close()


def test_signing_out_ends_the_virtual_phone(page, web):
    preview(page, SAN, "CP-8865", f"{SRC}/StatusDisplay.asp?device={SAN}")
    expect(page.locator("#phone")).to_have_attribute("data-push", "connected")
    other = page.context.new_page()  # the same browser, another tab: signs out
    other.goto("/preview/")
    other.get_by_role("button", name="Sign out").click()
    rest = Rest(httpx.Client(base_url=web.url))
    try:
        rest.ok("members/setPresence", usr_Name="Leonard.Saligny", presenceState="1", presenceMessage="Out")
        expect(page.locator("#phone")).to_have_attribute("data-push", "closed", timeout=LIVE)
        expect(page.locator("#phone-notes")).to_contain_text("Signed out")
    finally:
        rest.ok("members/setPresence", usr_Name="Leonard.Saligny", presenceState="0", presenceMessage="")
        rest.client.close()


def test_a_tile_is_touched_on_a_9971_and_dials_and_not_on_an_8865(page, web, screenshot):
    preview(page, SAN, "CP-9971", f"{SRC}/StatusDisplay.asp?device={SAN}")
    expect(page.locator("#phone")).to_have_attribute("data-object", "GraphicFileMenu")
    screenshot(page, "web-preview-9971")
    page.get_by_role("button", name="1 Tij").click()
    ready(page)
    expect(page.locator("#phone-area")).to_contain_text("Call Tijana Vlahović")
    softkey(page, "Select")  # Dial:1047 — on the simulator a call from San's line
    expect(page.locator("#phone-notes")).to_contain_text("Calling 1047 from 1072.")
    line = next(x for x in httpx.get(f"{web.url}/sim/state").json()["lines"] if x["number"] == "1072")
    assert [c["remote_number"] for c in line["calls"]] == ["1047"]
    assert httpx.post(f"{web.url}/sim/hangup", json={"call": line["calls"][0]["call_id"]}).status_code == 200
    page.goto(f"/preview/?device={SAN}&model=CP-8865&url={SRC}/StatusDisplay.asp?device={SAN}")
    ready(page)
    expect(page.get_by_role("button", name="1 Tij")).to_be_disabled()  # no touch screen: the Members softkey
    softkey(page, "Members")
    expect(page.locator("#phone-area")).to_contain_text("Tijana Vlahović")


def test_an_object_the_model_lacks_is_refused_and_invalid_xml_says_why(page):
    preview(page, SAN, "CP-7841", f"{SRC}/StatusDisplay.asp?device={SAN}")
    expect(page.locator("#phone")).to_have_attribute("data-object", "ImageFile")  # the server sent what it takes
    menu = ('<?xml version="1.0" encoding="UTF-8"?><CiscoIPPhoneGraphicFileMenu><Title>T</Title>'
            "<URL>http://x/p.png</URL></CiscoIPPhoneGraphicFileMenu>")
    page.get_by_label("Try a CiscoIPPhone object on this model").fill(menu)
    page.get_by_role("button", name="Show on the phone").click()
    expect(page.locator("#phone-area")).to_have_text("XML Error [5] Unsupported object")
    expect(page.locator("#phone-why")).to_contain_text("7841 does not take CiscoIPPhoneGraphicFileMenu")
    page.get_by_label("Try a CiscoIPPhone object on this model").fill("<CiscoIPPhoneText><Text>a & b</Text>")
    page.get_by_role("button", name="Show on the phone").click()
    expect(page.locator("#phone-area")).to_have_text("XML Error [4] Parse Error")
    expect(page.locator("#phone-why")).to_contain_text("Not well-formed XML")


def test_a_user_cannot_preview_a_phone_not_theirs(page, people):
    signed_in(page, "Rafael.Hidalgo", PASSWORD, start=f"/preview/?device={MANAGER}")
    expect(page.get_by_text("You may preview only your own phones")).to_be_visible()
    assert page.locator("#phone").count() == 0
