"""PhoneDiversions' web tabs (State, Groups with Lines, Call Handler) in real headless Chromium against the
shared demo server, and their refusals over plain HTTP: no privilege, no CSRF token, bad input. What the
pages change is checked where the other surfaces see it: the simulated PBX (/sim/state), REST's
listGroups, the diversion log, the audio folder."""

from __future__ import annotations

import io
import sqlite3
import wave

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests.webkit import ACCOUNTS, ADMIN, client_address, csrf_of, sign_in_http, signed_in

BASE = "/Applications/inbound/PhoneDiversions"
STATE, GROUPS, CALL_HANDLER = f"{BASE}/state", f"{BASE}/groups", f"{BASE}/callhandler"
REST = f"{BASE}/rest"
UMLAUT = 'Zürich & <Nacht> "Léonard"'


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 800)
    return out.getvalue()


def rest_groups(web, name: str = "") -> list[dict]:
    """The diversion groups REST's listGroups answers (name filter), as (name, destination, state, lines)."""
    from lxml import etree

    answer = httpx.get(f"{web.url}{REST}/listGroups.asp", auth=ADMIN,
                       params={"groupName": name} if name else {})
    root = etree.fromstring(answer.content)
    return [{"id": g.findtext("GroupID"), "name": g.findtext("GroupName"), "destination": g.findtext("Destination"),
             "state": g.findtext("State"), "lines": [(ln.findtext("LineNumber"), ln.findtext("Description"))
                                                     for ln in g.iter("Line")]}
            for g in root.iter("Group")]


def line_forwarding(web, number: str) -> dict | None:
    lines = httpx.get(f"{web.url}/sim/state").json()["lines"]
    return next(line["forwarding"] for line in lines if line["number"] == number)


def diversion_log(web) -> list[tuple[str, str, str]]:
    with sqlite3.connect(web.data_dir / "phonesvc.db") as db:
        return db.execute("SELECT group_name, user_name, state FROM diversion_log ORDER BY id").fetchall()


@pytest.fixture
def admin_http(web):
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, *ADMIN).status_code == 303
        yield client


def add_group_over_rest(web, name: str, destination: str, *lines: str) -> str:
    answer = httpx.post(f"{web.url}{REST}/addGroup.asp", auth=ADMIN,
                        data={"groupName": name, "destination": destination})
    group_id = next(g["id"] for g in rest_groups(web, name) if g["name"] == name)
    for number in lines:
        httpx.post(f"{web.url}{REST}/addLine.asp", auth=ADMIN,
                   data={"groupId": group_id, "lineNumber": number, "description": f"Line {number}"})
    assert answer.status_code == 200
    return group_id


# ---- in the browser ----------------------------------------------------------------------------------

def test_switching_a_diversion_on_the_state_tab_forwards_the_simulated_pbx_line(page, web, screenshot):
    signed_in(page, *ADMIN, start=STATE)
    switch = page.get_by_role("switch", name="Divert 2nd level tech support")
    expect(switch).to_have_attribute("aria-checked", "false")
    assert line_forwarding(web, "1083") is None
    switch.click()
    expect(page.get_by_role("switch", name="Divert 2nd level tech support")).to_have_attribute("aria-checked", "true")
    assert line_forwarding(web, "1083") == {"number": "9271", "voicemail": False}  # the answer waited for the PBX
    assert diversion_log(web)[-1] == ("2nd level tech support", "admin", "ON")
    row = page.get_by_role("row", name="2nd level tech support")
    expect(row).to_contain_text("Claudia Draxler, IT")  # the destination's directory user
    screenshot(page, "web-div-state")
    page.get_by_role("switch", name="Divert 2nd level tech support").click()
    expect(page.get_by_role("switch", name="Divert 2nd level tech support")).to_have_attribute("aria-checked", "false")
    assert line_forwarding(web, "1083") is None
    assert diversion_log(web)[-1] == ("2nd level tech support", "admin", "OFF")


def test_a_group_with_an_umlaut_name_is_added_edited_and_deleted(page, web, screenshot):
    signed_in(page, *ADMIN, start=GROUPS)
    page.get_by_label("Name").fill(UMLAUT)
    page.get_by_label("Description").fill("Nachtdienst <Vlahović>")
    page.get_by_label("Destination").fill("1099")
    page.get_by_role("button", name="Add", exact=True).click()
    row = page.get_by_role("row", name=UMLAUT)
    expect(row).to_contain_text("Nachtdienst <Vlahović>")
    [group] = rest_groups(web, "Zürich")
    assert (group["name"], group["destination"], group["state"]) == (UMLAUT, "1099", "OFF")
    url = page.get_by_role("textbox", name=f"Phone Service URL of {UMLAUT}", exact=True)
    expect(url).to_have_value(f"{web.url}{BASE}/src/PhoneService.asp?groupID={group['id']}&device=#DEVICENAME#")
    page.get_by_role("button", name=f"Copy Phone Service URL of {UMLAUT}").click()
    expect(page.get_by_role("button", name=f"Copy Phone Service URL of {UMLAUT}")).to_have_text("Copied")
    screenshot(page, "web-div-groups")

    page.get_by_role("link", name=f"Edit {UMLAUT}").click()
    page.get_by_label("Destination").fill("10 99x")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Destination")).to_have_accessible_description(
        "Destination '10 99x' is not a phone number: digits, * and # after an optional +.")
    expect(page.get_by_label("Destination")).to_have_value("10 99x")  # what was typed stays
    assert rest_groups(web, "Zürich")[0]["destination"] == "1099"  # nothing changed
    page.get_by_label("Destination").fill("1098")
    page.get_by_label("Name").fill(UMLAUT + " 2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name=UMLAUT + " 2")).to_contain_text("1098")
    assert rest_groups(web, "Zürich")[0]["destination"] == "1098"

    page.get_by_role("link", name=f"Edit {UMLAUT} 2").click()
    page.get_by_role("button", name=f"Delete {UMLAUT} 2").click()
    expect(page.get_by_role("heading", name="Groups")).to_be_visible()
    expect(page.get_by_role("row", name=UMLAUT + " 2")).to_have_count(0)
    assert rest_groups(web, "Zürich") == []


def test_lines_of_a_group_are_added_renamed_and_deleted_with_their_owner(page, web, screenshot):
    group_id = add_group_over_rest(web, "Lines & Léonard", "1022")
    signed_in(page, *ADMIN, start=GROUPS)
    page.get_by_role("link", name="Lines of Lines & Léonard").click()
    for number, description in (("1044", "Main <line>"), ("5999", "Nobody's")):
        page.get_by_label("Line number").fill(number)
        page.get_by_label("Description", exact=True).fill(description)
        page.get_by_role("button", name="Add line").click()
    expect(page.get_by_role("row", name="1044")).to_contain_text("Samatha")  # the directory user of 1044
    expect(page.get_by_role("row", name="5999")).to_contain_text("none")
    page.get_by_label("Line number").fill("1044")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line number")).to_have_accessible_description(
        "Line 1044 is already assigned to this group.")

    page.get_by_label("Description of line 5999").fill("Vlahović & Söhne")
    page.get_by_role("button", name="Rename line 5999").click()
    expect(page.get_by_label("Description of line 5999")).to_have_value("Vlahović & Söhne")
    screenshot(page, "web-div-lines")
    page.get_by_role("button", name="Delete line 1044").click()
    expect(page.get_by_role("row", name="1044")).to_have_count(0)
    [group] = [g for g in rest_groups(web, "Lines & Léonard") if g["id"] == group_id]
    assert group["lines"] == [("5999", "Vlahović & Söhne")]


def test_call_handler_settings_are_kept_a_bad_number_refused_and_a_wav_uploaded(page, web, screenshot, tmp_path):
    signed_in(page, *ADMIN, start=CALL_HANDLER)
    connect = page.get_by_label("Connect with called destination number")
    expect(connect).to_be_checked()  # the manual's default
    connect.uncheck()
    page.get_by_label("Direct Access Numbers").fill("1022, +41795551234")
    with page.expect_navigation():  # the form's POST and its redirect, before the reload
        page.get_by_role("button", name="Save").click()
    page.reload()
    expect(page.get_by_label("Connect with called destination number")).not_to_be_checked()
    expect(page.get_by_label("Direct Access Numbers")).to_have_value("1022, +41795551234")

    page.get_by_label("Direct Access Numbers").fill("1022, 10x2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Direct Access Numbers")).to_have_accessible_description(
        "10x2: not a phone number (digits, * and # after an optional +).")
    expect(page.get_by_label("Direct Access Numbers")).to_have_value("1022, 10x2")
    page.goto(CALL_HANDLER)
    expect(page.get_by_label("Direct Access Numbers")).to_have_value("1022, +41795551234")  # nothing changed

    wav = tmp_path / "Ansage Zürich.wav"
    wav.write_bytes(wav_bytes())
    page.get_by_label("Audio file (WAV)").set_input_files(str(wav))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("Announcement")).to_have_value("Ansage Zürich.wav")
    folder = web.data_dir / "audio" / "PhoneDiversions" / "PCM"
    assert (folder / "Ansage Zürich.wav").read_bytes() == wav.read_bytes()
    screenshot(page, "web-div-callhandler")

    fake = tmp_path / "not-audio.wav"
    fake.write_bytes(b"MZ this is a program")
    page.get_by_label("Audio file (WAV)").set_input_files(str(fake))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_label("Audio file (WAV)")).to_have_accessible_description("'not-audio.wav' is not a WAV file.")
    assert not (folder / "not-audio.wav").exists()
    expect(page.get_by_label("Announcement")).to_have_value("Ansage Zürich.wav")


# ---- over plain HTTP: refusals change nothing ---------------------------------------------------------

def every_post(group_id: str, line_id: str) -> list[tuple[str, dict]]:
    return [
        (f"{STATE}/{group_id}", {"state": "ON"}),
        (GROUPS, {"name": "Forbidden", "description": "", "destination": "1000"}),
        (f"{GROUPS}/{group_id}", {"name": "Renamed", "description": "", "destination": "1000"}),
        (f"{GROUPS}/{group_id}/delete", {}),
        (f"{GROUPS}/{group_id}/lines", {"number": "1234", "description": ""}),
        (f"{GROUPS}/{group_id}/lines/{line_id}", {f"description-{line_id}": "Renamed"}),
        (f"{GROUPS}/{group_id}/lines/{line_id}/delete", {}),
        (CALL_HANDLER, {"numbers": "1000"}),
    ]


def what_the_other_surfaces_see(web, name: str) -> tuple:
    return (rest_groups(web, name), len(diversion_log(web)), line_forwarding(web, "1083"),
            sorted(p.name for p in (web.data_dir / "audio" / "PhoneDiversions" / "PCM").iterdir()))


def line_of(web, name: str) -> tuple[str, str]:
    group = rest_groups(web, name)[0]
    with sqlite3.connect(web.data_dir / "phonesvc.db") as db:
        line_id = db.execute("SELECT id FROM diversion_lines WHERE group_id = ?", (group["id"],)).fetchone()[0]
    return group["id"], str(line_id)


@pytest.mark.parametrize("account", [ACCOUNTS[0], ACCOUNTS[1]], ids=["no privileges", "another app's privilege"])
def test_every_page_and_every_post_is_refused_without_the_privilege(web, account):
    group_id, line_id = line_of(web, "2nd level tech support")
    before = what_the_other_surfaces_see(web, "")
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, account[0], account[1]).status_code == 303
        for path in (STATE, GROUPS, f"{GROUPS}/{group_id}", f"{GROUPS}/{group_id}/lines", CALL_HANDLER):
            assert client.get(path).status_code == 403, path
        token = csrf_of(client.get(STATE).text)  # the 403 page's sign-out form carries the session's token
        for path, data in every_post(group_id, line_id):
            answer = client.post(path, data={**data, "csrf": token})
            assert answer.status_code == 403, path
        upload = client.post(f"{CALL_HANDLER}/upload", data={"csrf": token},
                             files={"upload": ("x.wav", wav_bytes(), "audio/wav")})
        assert upload.status_code == 403
    assert what_the_other_surfaces_see(web, "") == before


def test_every_post_without_the_csrf_token_is_refused(web, admin_http):
    group_id, line_id = line_of(web, "2nd level tech support")
    before = what_the_other_surfaces_see(web, "")
    for path, data in every_post(group_id, line_id):
        for token in ({}, {"csrf": "forged"}):
            assert admin_http.post(path, data={**data, **token}).status_code == 403, path
    upload = admin_http.post(f"{CALL_HANDLER}/upload", files={"upload": ("x.wav", wav_bytes(), "audio/wav")})
    assert upload.status_code == 403
    assert what_the_other_surfaces_see(web, "") == before


@pytest.mark.parametrize("field, value, message", [
    ("name", "Tab\tin name", "Name holds a line break, tab or other control character."),
    ("name", "x" * 101, "Name is too long (100 characters at most)."),
    ("name", "  ", "Name is empty."),
    ("name", "front DESK", "A diversion group named &#39;front DESK&#39; already exists."),
    ("description", "line\u2028break", "Description holds a line break, tab or other control character."),
    ("destination", "12 34", "Destination &#39;12 34&#39; is not a phone number"),
])
def test_bad_group_input_comes_back_next_to_its_field_and_changes_nothing(web, admin_http, field, value, message):
    before = what_the_other_surfaces_see(web, "")
    token = csrf_of(admin_http.get(GROUPS).text)
    data = {"name": "Valid name", "description": "", "destination": "1000", field: value, "csrf": token}
    answer = admin_http.post(GROUPS, data=data)
    assert answer.status_code == 400
    assert message in answer.text
    assert what_the_other_surfaces_see(web, "") == before


def test_a_page_of_a_group_that_does_not_exist_is_not_found(admin_http):
    token = csrf_of(admin_http.get(GROUPS).text)
    for path in (f"{GROUPS}/999999", f"{GROUPS}/abc/lines", f"{GROUPS}/999999/lines"):
        assert admin_http.get(path).status_code == 404
    assert admin_http.post(f"{STATE}/999999", data={"state": "ON", "csrf": token}).status_code == 404


def test_the_tabs_are_usable_on_a_phone_screen(page, web):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, *ADMIN, start=STATE)
    switch = page.get_by_role("switch", name="Divert Front desk")
    switch.scroll_into_view_if_needed()
    expect(switch).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    page.goto(CALL_HANDLER)
    expect(page.get_by_role("button", name="Save")).to_be_in_viewport()

