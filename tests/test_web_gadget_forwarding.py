"""The gadget's Forward settings, Jabber tones and catch-up in real headless Chromium against a real server on
loopback with its simulator: line forwarding set in the dialog reaches the PBX line and the panel, a manager's
application forwarding to a member, refusals (also over plain HTTP, nothing changed), the manager's tone in an
assistant's gadget and none in the manager's own, and a server restarted under an open gadget caught up."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import Server
from tests.test_web_gadget import EXT, JABBER, LIVE, PASSWORD, _sign_in_http, member, open_gadget, sim, team
from tests.webkit import CHROMIUM, _prepare, client_address, csrf_of

FORWARDING = "/Applications/inbound/MAGroup/gadget/forwarding"
__all__ = ["team"]  # the fixture, shared with test_web_gadget.py


def _line(web, number: str) -> dict:
    """The simulator's line: its forwarding is what the PBX was told."""
    return next(line for line in httpx.get(f"{web.url}/sim/state").json()["lines"] if line["number"] == number)


def _forwarding(web) -> dict:
    """The stored forwarding by member id, as the server's database holds it now."""
    from phonesvc.config import load_settings
    from phonesvc.store.prepare import prepare

    store = prepare(load_settings(env={"PHONESVC_DATA_DIR": str(web.data_dir)}))
    try:
        return dict(store.snapshot().forwarding)
    finally:
        store.dispose()


def _dialog(page, name: str):
    page.get_by_role("button", name=re.compile(f"Forwarding of {name}$")).click()
    return page.get_by_role("dialog")


def test_a_member_forwards_her_line_to_a_number(browser, web, team):
    aradhana = open_gadget(browser, web, "Aradhana.Jaggi")
    try:
        dialog = _dialog(aradhana, "Aradhana Jaggi")
        expect(dialog.get_by_role("heading")).to_have_text("My forwarding")
        expect(dialog.get_by_role("group", name="Set phone line forwarding")).to_be_visible()
        assert not dialog.get_by_label("Group (first available assistant)").is_visible()  # managers only
        dialog.get_by_label("Number", exact=True).fill("12a")
        dialog.get_by_role("button", name="Save").click()
        expect(dialog.get_by_text("Enter a phone number")).to_be_visible()  # next to the field; nothing changed
        assert _line(web, "1068")["forwarding"] is None
        dialog.get_by_label("Number", exact=True).fill("+41445551234")
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_be_hidden()
        expect(member(aradhana, "Aradhana Jaggi")).to_contain_text("Forwarded to +41445551234", timeout=LIVE)
        assert _line(web, "1068")["forwarding"] == {"number": "+41445551234", "voicemail": False}
        expect(member(aradhana, "Aradhana Jaggi").get_by_role("button", name=re.compile("Phone: Forwarding"))
               ).to_be_visible(timeout=LIVE)
        dialog = _dialog(aradhana, "Aradhana Jaggi")
        dialog.get_by_label("No forwarding").check()
        dialog.get_by_role("button", name="Save").click()
        expect(member(aradhana, "Aradhana Jaggi")).not_to_contain_text("Forwarded to", timeout=LIVE)
        assert _line(web, "1068")["forwarding"] is None
    finally:
        aradhana.context.close()


def test_a_manager_sets_application_forwarding_to_a_member(browser, web, team, screenshot):
    tijana = open_gadget(browser, web, "Tijana.Vlahovic")
    try:
        dialog = _dialog(tijana, "Tijana Vlahović")
        expect(dialog.get_by_role("group", name=re.compile("Set application forwarding"))).to_be_visible()
        expect(dialog.get_by_label("Group (first available assistant)")).to_be_visible()
        dialog.get_by_label("Rafael Hidalgo (1175)").check()
        screenshot(tijana, "web-gadget-forwarding")
        dialog.get_by_role("button", name="Save").click()
        row = member(tijana, "Tijana Vlahović")
        expect(row).to_contain_text("Forwarded to 1175", timeout=LIVE)
        expect(row.get_by_role("button", name=re.compile("Phone: Application forwarding"))).to_be_visible()
        assert _line(web, "1047")["forwarding"] is None  # application level: the routing applies it, not the line
        dialog = _dialog(tijana, "Tijana Vlahović")
        dialog.get_by_label("No forwarding").check()
        dialog.get_by_role("button", name="Save").click()
        expect(row).not_to_contain_text("Forwarded to", timeout=LIVE)
    finally:
        tijana.context.close()


def test_without_teammate_status_another_members_forwarding_is_refused(browser, web, team):
    aradhana = open_gadget(browser, web, "Aradhana.Jaggi")
    try:
        tijana = member(aradhana, "Tijana Vlahović")
        expect(tijana.get_by_role("img", name="Phone: Idle")).to_be_visible()  # an icon, not a button
        assert tijana.get_by_role("button", name=re.compile("Forwarding of")).count() == 0
    finally:
        aradhana.context.close()
    before = _forwarding(web)
    members = {m["name"]: m["member"] for m in _panel(web, "Aradhana.Jaggi")["members"]}
    with _sign_in_http(web, "Aradhana.Jaggi") as client:
        token = {"X-CSRF-Token": csrf_of(client.get(JABBER).text)}
        answer = client.post(FORWARDING, data={"member": members["Tijana Vlahović"], "to": "none"}, headers=token)
        assert answer.status_code == 403 and "TeammateStatus" in answer.text
        answer = client.post(FORWARDING, data={"to": "group"}, headers=token)  # Group: managers only
        assert answer.status_code == 400 and answer.json()["field"] == "to"
        answer = client.post(FORWARDING, data={"to": "member", "target": "999999"}, headers=token)
        assert answer.status_code == 400 and answer.json()["field"] == "target"
        answer = client.post(FORWARDING, data={"to": "number", "number": "1068"}, headers=token)  # herself
        assert answer.status_code == 400 and "itself" in answer.json()["message"]
        assert client.post(FORWARDING, data={"to": "none"}).status_code == 403  # no CSRF token
    assert _forwarding(web) == before


def _panel(web, user: str) -> dict:
    """The first panel message of the user's gadget stream."""
    import json

    with _sign_in_http(web, user) as client, client.stream("GET", "/Applications/inbound/MAGroup/gadget/stream",
                                                           params={"group": 45}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                return json.loads(line[6:])
    raise AssertionError("no panel")


@pytest.fixture(scope="module")
def autoplay(browser):
    """A Chromium that may play sound without a user gesture (as a Jabber tab the user has used)."""
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--autoplay-policy=no-user-gesture-required"])
    yield chromium
    chromium.close()


def test_a_call_to_the_manager_plays_the_manager_tone_at_the_assistants_only(autoplay, browser, web, team):
    aradhana, tijana = open_gadget(autoplay, web, "Aradhana.Jaggi"), open_gadget(autoplay, web, "Tijana.Vlahovic")
    strict = open_gadget(browser, web, "Rafael.Hidalgo")  # a browser that wants a gesture first
    call = sim(web, "call", **{"from": EXT, "to": "1047", "name": "Léonard & <Söhne>"})["call"]
    try:
        expect(aradhana.locator("#call-news")).to_have_text("Call for Tijana Vlahović", timeout=LIVE)
        tone = aradhana.locator("audio")
        expect(tone).to_have_attribute("src", re.compile(r"/gadget/tone/Analog1\.mp3$"))
        aradhana.wait_for_function("document.querySelector('audio').played.length > 0")  # it did play
        assert httpx.get(web.url + tone.get_attribute("src")).status_code in (303, 401, 403)  # signed-in only
        expect(member(tijana, "Tijana Vlahović").get_by_role("listitem", name=re.compile("ringing call"))
               ).to_be_visible(timeout=LIVE)
        assert tijana.locator("audio").get_attribute("src") is None  # her own call: her phone rings
        expect(tijana.locator("#call-news")).to_have_text("")
        expect(strict.locator("#call-news")).to_have_text("Call for Tijana Vlahović", timeout=LIVE)
        if strict.get_by_role("button", name="Turn on sound").is_visible():  # refused before a gesture
            strict.get_by_role("button", name="Turn on sound").click()
            expect(strict.get_by_role("button", name="Turn on sound")).to_be_hidden()
    finally:
        sim(web, "hangup", call=call)
        for page in (aradhana, tijana, strict):
            page.context.close()


def test_a_restarted_server_is_shown_and_the_panel_catches_up_signed_in_unless_it_crashed(browser, tmp_path: Path):
    from phonesvc.config import load_settings
    from phonesvc.domain.presence import Presence
    from phonesvc.store.members import set_presence
    from phonesvc.store.prepare import prepare
    from phonesvc.store.users import find_user, set_password

    data_dir = tmp_path / "data"
    _prepare(data_dir)
    store = prepare(load_settings(env={"PHONESVC_DATA_DIR": str(data_dir)}))
    with store.write() as conn:
        set_password(conn, "Rafael.Hidalgo", PASSWORD)
        tijana = find_user(conn, "Tijana.Vlahovic").id
    server = Server(data_dir, "--demo").start()
    context = browser.new_context(base_url=server.url, extra_http_headers={"X-Forwarded-For": client_address()})
    page = context.new_page()
    try:
        page.goto(f"/LogonPage.asp?page={JABBER}&user=Rafael.Hidalgo&pwd={PASSWORD}")
        expect(page.get_by_role("status")).to_have_text("Live")
        server.stop()  # with the gadget's stream open
        assert server.proc.returncode in (0, -signal.SIGTERM)  # by itself (uvicorn re-raises SIGTERM), not killed
        expect(page.get_by_role("status")).to_have_text(re.compile("Disconnected"), timeout=LIVE)
        with store.write() as conn:
            set_presence(conn, tijana, Presence.DND, "Changed while the server was down")
        server.start()
        # the stop saved the sessions: the page reconnects by itself, still signed in, and catches up
        expect(member(page, "Tijana Vlahović")).to_contain_text("Changed while the server was down", timeout=3 * LIVE)
        expect(page.get_by_role("status")).to_have_text("Live")
        expect(page.get_by_label("User name")).to_have_count(0)
        assert not (data_dir / "sessions.json").exists()  # taken back once, not left lying in the data directory
        server.kill()  # kill -9: no chance to save the sessions
        with store.write() as conn:
            set_presence(conn, tijana, Presence.AWAY, "Changed after a crash")
        server.start()
        # this time the session is gone: the page leads to sign-in by itself and comes back after it
        expect(page.get_by_label("User name")).to_be_visible(timeout=3 * LIVE)
        page.get_by_label("User name").fill("Rafael.Hidalgo")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("status")).to_have_text("Live")
        expect(member(page, "Tijana Vlahović")).to_contain_text("Changed after a crash")
    finally:
        context.close()
        server.stop()
        store.dispose()
