"""Call control in the gadget, in real headless Chromium and over plain HTTP against the shared demo server,
with calls from its simulator (/sim/..., loopback): Aradhana Jaggi (line 1068) drags her calls onto teammates
(ringing: redirected; active: the Transfer dialog, a consultation completed; Ctrl: blind), uses the call menu
by mouse and by keyboard, and the server refuses what is not hers to do, changing nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import test_web_gadget
from tests.test_web_gadget import EXT, JABBER, LIVE, _sign_in_http, member, open_gadget, sim
from tests.webkit import csrf_of

team = test_web_gadget.team  # passwords for Tijana (1047, manager), Rafael (1175) and Aradhana (1068)
GADGET = "/Applications/inbound/MAGroup/gadget"
ARADHANA, RAFAEL, TIJANA, LEONARD = "1068", "1175", "1047", "1118"
ACTIONS = ("answer", "end", "hold", "resume", "blind", "consult", "complete", "cancel")


def calls_on(web, line: str) -> list[dict]:
    """The simulator's calls on `line`: call_id, state, direction, remote_number..."""
    state = httpx.get(f"{web.url}/sim/state").json()
    return next(ln["calls"] for ln in state["lines"] if ln["number"] == line)


def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait for the PBX to show what a click in the browser asked for (the page posts asynchronously)."""
    deadline = time.monotonic() + LIVE / 1000
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def talking(web, line: str, remote: str) -> bool:
    return [(c["state"], c["remote_number"]) for c in calls_on(web, line)] == [("active", remote)]


def ringing(web, line: str, remote: str) -> bool:
    return [(c["state"], c["remote_number"]) for c in calls_on(web, line)] == [("ringing", remote)]


@contextmanager
def outside_call(web, line: str = ARADHANA, answered: bool = True, held: bool = False) -> Iterator[str]:
    """A call from the support desk to `line`; whatever is left of it ends afterwards."""
    call = sim(web, "call", **{"from": EXT, "to": line, "name": "Support desk"})["call"]
    try:
        if answered:
            sim(web, "answer", call=call, line=line)
        if held:
            sim(web, "hold", call=call, line=line)
        yield call
    finally:
        for ln in (ARADHANA, RAFAEL, TIJANA, LEONARD):
            for c in calls_on(web, ln):
                httpx.post(f"{web.url}/sim/hangup", json={"call": c["call_id"]})


def own_call(page, state: str):
    return member(page, "Aradhana Jaggi").get_by_role("listitem", name=f"{state} call from Support desk")


@pytest.fixture
def aradhana(browser, web, team):
    page = open_gadget(browser, web, "Aradhana.Jaggi")
    yield page
    page.context.close()


def test_an_active_call_dragged_onto_a_member_is_transferred_after_a_consultation(aradhana, web, screenshot):
    with outside_call(web) as call:
        own_call(aradhana, "active").drag_to(member(aradhana, "Rafael Hidalgo"))
        dialog = aradhana.get_by_role("dialog", name="Transfer")
        expect(dialog).to_contain_text("Transfer the call from Support desk to Rafael Hidalgo.")
        screenshot(aradhana, "web-gadget-transfer")
        dialog.get_by_role("button", name="Consultation transfer").click()
        eventually(lambda: ringing(web, RAFAEL, ARADHANA), "Rafael's phone never rang with Aradhana's consultation")
        assert [c["state"] for c in calls_on(web, ARADHANA)] == ["held", "ringing"]
        sim(web, "answer", call=calls_on(web, RAFAEL)[0]["call_id"], line=RAFAEL)
        consultation = aradhana.get_by_role("group", name="Consultation transfer")
        consultation.get_by_role("button", name="Complete transfer").click()
        eventually(lambda: talking(web, RAFAEL, EXT), "the caller never got through to Rafael")
        assert calls_on(web, ARADHANA) == [] and calls_on(web, RAFAEL)[0]["call_id"] == call
        expect(consultation).to_have_count(0)


def test_a_ringing_call_dragged_onto_a_member_is_redirected_at_once(aradhana, web):
    with outside_call(web, answered=False):
        own_call(aradhana, "ringing").drag_to(member(aradhana, "Tijana Vlahović"))
        eventually(lambda: ringing(web, TIJANA, EXT), "the call never rang at Tijana's phone")
        assert calls_on(web, ARADHANA) == []
        expect(aradhana.get_by_role("dialog")).to_have_count(0)


def test_an_active_call_dropped_with_ctrl_held_is_transferred_blind(aradhana, web):
    with outside_call(web):
        source = own_call(aradhana, "active").bounding_box()
        target = member(aradhana, "Rafael Hidalgo").bounding_box()
        aradhana.mouse.move(source["x"] + 10, source["y"] + 10)
        aradhana.mouse.down()
        aradhana.mouse.move(target["x"] + 40, target["y"] + 20, steps=5)
        aradhana.keyboard.down("Control")  # the drop carries ctrlKey as the mouse is let go
        aradhana.mouse.up()
        aradhana.keyboard.up("Control")
        eventually(lambda: ringing(web, RAFAEL, EXT), "the call was never transferred to Rafael")
        assert calls_on(web, ARADHANA) == []
        expect(aradhana.get_by_role("dialog")).to_have_count(0)


def test_the_menu_of_a_held_call_resumes_it(aradhana, web, screenshot):
    with outside_call(web, held=True):
        own_call(aradhana, "on hold").click(button="right")
        menu = aradhana.get_by_role("menu")
        expect(menu.get_by_role("menuitem")).to_have_text(
            ["End call", "Resume call", "Consultation transfer", "Blind transfer"])
        screenshot(aradhana, "web-gadget-call-menu")
        menu.get_by_role("menuitem", name="Resume call").click()
        eventually(lambda: talking(web, ARADHANA, EXT), "the held call was never taken back")
        expect(menu).to_be_hidden()


def test_the_keyboard_opens_the_menu_and_the_destination_dialog_transfers_to_a_number(aradhana, web):
    with outside_call(web):
        actions = aradhana.get_by_role("button", name="Call actions: call from Support desk")
        actions.focus()
        aradhana.keyboard.press("Enter")
        expect(aradhana.get_by_role("menuitem", name="End call")).to_be_focused()
        aradhana.keyboard.press("End")
        expect(aradhana.get_by_role("menuitem", name="Blind transfer")).to_be_focused()
        aradhana.keyboard.press("Enter")
        dialog = aradhana.get_by_role("dialog", name="Blind transfer")
        dialog.get_by_label("Number").fill("11 8x")
        dialog.get_by_role("button", name="Transfer").click()
        expect(dialog).to_contain_text("Enter a phone number")  # refused by the server, the call stays
        assert talking(web, ARADHANA, EXT)
        dialog.get_by_label("Number").fill("11-18")
        dialog.get_by_role("button", name="Transfer").click()
        eventually(lambda: ringing(web, LEONARD, EXT), "the call never reached Léonard's line 1118")
        expect(dialog).to_be_hidden()
        assert calls_on(web, ARADHANA) == []


@pytest.fixture
def http_as(web, team):
    """http_as(user) -> a plain HTTP client signed in through the auto-login URL, with the CSRF header."""
    with _sign_in_http(web, "Aradhana.Jaggi") as aradhana, _sign_in_http(web, "Rafael.Hidalgo") as rafael:
        clients = {"Aradhana.Jaggi": aradhana, "Rafael.Hidalgo": rafael}
        for client in clients.values():
            client.headers["X-CSRF-Token"] = csrf_of(client.get(JABBER).text)
        yield clients.__getitem__


def test_every_action_on_someone_elses_call_is_refused_and_changes_nothing(web, http_as):
    with outside_call(web, line=RAFAEL) as call:
        before = calls_on(web, RAFAEL)
        for action in ACTIONS:
            answer = http_as("Aradhana.Jaggi").post(f"{GADGET}/{action}", data={"call": call, "number": TIJANA})
            assert answer.status_code == 403, action
            assert "not yours" in answer.json()["message"], action
        no_token = http_as("Rafael.Hidalgo").post(f"{GADGET}/hold", data={"call": call},
                                                  headers={"X-CSRF-Token": ""})
        assert no_token.status_code == 403
        assert calls_on(web, RAFAEL) == before and calls_on(web, TIJANA) == []


def test_a_bad_destination_a_call_in_the_wrong_state_or_gone_is_refused(web, http_as):
    aradhana = http_as("Aradhana.Jaggi")
    with outside_call(web) as call:
        for fields, field in (({"number": "1047; drop"}, "number"), ({}, "number"), ({"number": ARADHANA}, "number"),
                              ({"member": "x"}, "member")):
            answer = aradhana.post(f"{GADGET}/blind", data={"call": call, **fields})
            assert answer.status_code == 400 and answer.json()["field"] == field, fields
        stranger = aradhana.post(f"{GADGET}/consult", data={"call": call, "member": _support_member(web)})
        assert stranger.status_code == 403 and "not in one of your groups" in stranger.json()["message"]
        assert talking(web, ARADHANA, EXT)
    with outside_call(web, answered=False) as call:
        for action, message in (("hold", "Only an active call"), ("consult", "Answer the call first"),
                                ("complete", "not waiting on hold")):
            answer = aradhana.post(f"{GADGET}/{action}", data={"call": call, "number": RAFAEL})
            assert answer.status_code == 409 and message in answer.json()["message"], action
        assert ringing(web, ARADHANA, EXT) and calls_on(web, RAFAEL) == []
    gone = aradhana.post(f"{GADGET}/answer", data={"call": call})
    assert gone.status_code == 409 and gone.json()["message"] == "That call has ended."


def test_resume_puts_the_call_in_progress_on_hold_as_a_phone_does(web, http_as):
    with outside_call(web, held=True) as first:
        second = sim(web, "call", **{"from": "0800999000", "to": ARADHANA, "name": "Second caller"})["call"]
        sim(web, "answer", call=second, line=ARADHANA)
        answer = http_as("Aradhana.Jaggi").post(f"{GADGET}/resume", data={"call": first})
        assert answer.status_code == 200, answer.text
        states = {c["call_id"]: c["state"] for c in calls_on(web, ARADHANA)}
        assert states == {first: "active", second: "held"}


def test_a_consultation_transfer_to_a_voicemail_box_is_blind(web, http_as):
    with outside_call(web) as call:
        answer = http_as("Aradhana.Jaggi").post(f"{GADGET}/consult", data={"call": call, "number": "8" + RAFAEL})
        assert answer.status_code == 200
        assert calls_on(web, ARADHANA) == []  # no held call waiting for a consultation


def _support_member(web) -> int:
    """A member of Support Team, a group Aradhana is not in."""
    from phonesvc.config import load_settings
    from phonesvc.store.prepare import prepare

    store = prepare(load_settings(env={"PHONESVC_DATA_DIR": str(web.data_dir)}))
    try:
        return store.snapshot().group_members[64][0].member_id
    finally:
        store.dispose()
