"""The app on the O2G adapter: O2G unreachable at start (phones and REST are served, /health says the PBX is
down, calls are handled once it is back), a slow O2G answer that holds one phone's action but no other
phone's screen, and an O2G event that tells a call again leaving the status display's picture alone."""

from __future__ import annotations

import asyncio
import threading

import pytest
from starlette.testclient import TestClient

from tests.phonekit import EXT, MA_SRC, MENU, Pbx, pbx, phone, service

__all__ = ["pbx", "phone"]  # fixtures


@pytest.fixture
def pbx_kind() -> str:
    return "o2g"


def test_o2g_down_at_start_phones_and_rest_are_served_and_calls_come_back(fake_o2g, demo_data, app):
    fake_o2g.do(fake_o2g.down)
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        health = client.get("/health")
        assert health.status_code == 200 and health.text.startswith("ok; PBX down: ")
        menu = client.get("/Applications/inbound/MAGroup/src/PhoneMenu.asp?device=SEP000000001047")
        assert menu.status_code == 200 and "<CiscoIPPhoneMenu>" in menu.text
        assert client.get("/Applications/inbound/MAGroup/rest/groups/getGroups.asp").status_code == 200
        fake_o2g.do(fake_o2g.up)
        pbx = Pbx(client, app, fake_o2g)  # waits until every directory line is monitored again
        assert client.get("/health").text == "ok"
        call = pbx.ring(EXT, "1047", "Support desk")
        assert pbx.legs("1047") == [(call, "incoming", "ringing", EXT)]


def test_a_slow_o2g_holds_one_phones_action_and_no_other_phones_screen(pbx, phone, fake_o2g):
    call = pbx.ring(EXT, "1175", "Support desk")
    released = fake_o2g.do(fake_o2g.stall_next)
    done: list = []
    transfer = phone("1175").open(service("transferCall"))
    worker = threading.Thread(target=lambda: done.append(transfer.select("Aradhana Jaggi")))
    worker.start()
    fake_o2g.call(_until_stalled(fake_o2g))
    assert phone("1047").open(MENU).kind == "CiscoIPPhoneMenu"  # answered while the redirect waits on O2G
    assert not done
    fake_o2g.do(released.set)
    worker.join(10)
    assert done[0].text == "The call from Support desk was redirected to Aradhana Jaggi."
    assert pbx.legs("1068") == [(call, "incoming", "ringing", EXT)]


async def _until_stalled(fake) -> None:
    while fake.stalled is not None:  # taken by the request that now waits
        await asyncio.sleep(0.01)


def test_a_call_told_again_by_o2g_renders_and_pushes_no_new_picture(pbx, phone, app, client, fake_o2g):
    """O2G may follow OnCallCreated with an OnCallModified that repeats the call's legs and parties: the line did
    not change, so the status display keeps its picture (docs/pbx-o2g.md, Events)."""
    display = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"
    call = pbx.ring(EXT, "1047", "Support desk")
    shown = phone("1118").open(display).screen.findtext("URL")
    client.portal.call(app.state.push.idle)
    renders, rounds = app.state.displays.renders, app.state.push.rounds  # a round: a group's phones pushed
    created = next(e for e in fake_o2g.sent if e["eventName"] == "OnCallCreated" and e["callRef"] == call)
    fake_o2g.do(lambda: fake_o2g.emit("1047", "telephony", {
        "eventName": "OnCallModified", "callRef": call, "cause": "UNKNOWN", "modifiedLegs": created["legs"],
        "modifiedParticipants": created["participants"]}))
    fake_o2g.do(lambda: fake_o2g.emit("1047", "telephony", {"eventName": "OnUserStateModified", "state": "told"}))
    Pbx._until(lambda: app.state.telephony.channel.last.get("state") == "told")  # the repeat came before it
    assert phone("1118").open(display).screen.findtext("URL") == shown
    client.portal.call(app.state.push.idle)
    assert (app.state.displays.renders, app.state.push.rounds) == (renders, rounds)
