"""Call distribution end to end in the real app, driven the way a user would: a call to the demo MA Group's
manager number (8973) through the simulator's HTTP endpoints, settings and presence over REST, the
StatusDisplay.asp of a phone showing the group, the call log through `phonesvc calls`, and the team
ringtones pushed to a fake phone farm. The app's router runs on the event loop's real clock: the demo
greeting (Welcome.wav, 0.5 s of silence) plays before the first phone rings, so tests poll with a deadline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import Rest, pushing_app
from tests.fakephones import PhoneFarm
from tests.phonekit import MA_SRC, pbx, phone

__all__ = ["pbx", "phone"]  # fixtures

MANAGER_NUMBER = "8973"
CALLER, CALLER_NAME = "0791112233", "Ada Caller"  # not on Tijana's VIP list, not a directory user
TIJANA, RAFAEL, ARADHANA = "1047", "1175", "1068"
# The demo group's caller identification: %managerShortName%**%callerName% and %managerNumber%**%callerNumber%
MASKED_NAME, MASKED_NUMBER = f"Tij**{CALLER_NAME}", f"{MANAGER_NUMBER}**{CALLER}"
DISPLAY = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"
MEMBER_PHONES = {"1047": "SEP000000001047", "1175": "SEP000000001175", "1068": "SEP000000001068",
                 "1118": "SEP000000001118", "1072": "SEP000000001072", "1033": "SEP000000001033"}


def sim_call(client, to: str = MANAGER_NUMBER, caller: str = CALLER, name: str = CALLER_NAME) -> str:
    r = client.post("/sim/call", json={"from": caller, "to": to, "name": name})
    assert r.status_code == 200, r.text
    return r.json()["call"]


def sim_state(client) -> dict:
    r = client.get("/sim/state")
    assert r.status_code == 200, r.text
    return r.json()


def ringing(client) -> dict[str, dict]:
    """Line -> its ringing incoming call, for every line where something rings."""
    out = {}
    for line in sim_state(client)["lines"]:
        for c in line["calls"]:
            if c["direction"] == "incoming" and c["state"] == "ringing":
                out[line["number"]] = c
    return out


def wait_for(predicate, what: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def wait_ringing_at(client, line: str, timeout: float = 5.0) -> dict:
    return wait_for(lambda: ringing(client).get(line), f"a call ringing at {line}", timeout)


def away(rest, user_name: str) -> None:
    rest.ok("members/setPresence", usr_Name=user_name, presenceState=1, presenceMessage="Out")


# -- the call reaches the group ---------------------------------------------------------------------------

def test_call_to_the_manager_number_rings_the_manager_with_the_callers_own_identity(demo_data, client):
    call = sim_call(client)
    state = sim_state(client)
    [waiting] = state["waiting"]
    assert (waiting["call_id"], waiting["route_point"], waiting["caller_number"]) == (call, MANAGER_NUMBER, CALLER)
    leg = wait_ringing_at(client, TIJANA)
    assert (leg["call_id"], leg["remote_name"], leg["remote_number"]) == (call, CALLER_NAME, CALLER)
    assert set(ringing(client)) == {TIJANA}  # Ring assistant parallel is off in the demo
    played = [(p["call_id"], p["files"], p["repeat"]) for p in sim_state(client)["played"]]
    assert played[:2] == [(call, ["Welcome.wav"], False),
                          (call, ["Welcome.wav", "busy.wav", "music_synth.wav"], True)]


def test_manager_away_the_first_assistant_rings_showing_the_groups_caller_identification(demo_data, client, rest):
    away(rest, "Tijana.Vlahovic")
    call = sim_call(client)
    leg = wait_ringing_at(client, RAFAEL)
    assert (leg["call_id"], leg["remote_name"], leg["remote_number"]) == (call, MASKED_NAME, MASKED_NUMBER)
    assert set(ringing(client)) == {RAFAEL}
    [waiting] = sim_state(client)["waiting"]
    assert waiting["offers"] == {RAFAEL: {"name": MASKED_NAME, "number": MASKED_NUMBER, "at": RAFAEL}}


def test_manager_timeout_moves_the_call_to_the_first_assistant(demo_data, client, rest):
    rest.ok("groups/editGroup", gr_id=45, gr_managerTimeout=1)
    call = sim_call(client)
    wait_ringing_at(client, TIJANA)
    started = time.monotonic()
    leg = wait_ringing_at(client, RAFAEL, timeout=5)
    assert time.monotonic() - started > 0.5  # the manager rang for (about) the 1 s set
    assert (leg["call_id"], leg["remote_name"], leg["remote_number"]) == (call, MASKED_NAME, MASKED_NUMBER)
    assert set(ringing(client)) == {RAFAEL}


def test_status_display_lists_the_ringing_call_with_the_masked_caller(demo_data, client, rest, phone, app):
    away(rest, "Tijana.Vlahovic")
    before = phone("1118").open(DISPLAY).screen.findtext("URL")  # Léonard's phone shows group 45
    sim_call(client)
    wait_ringing_at(client, RAFAEL)
    p = phone("1118").open(DISPLAY)
    assert p.title == "MA Group" and p.screen.findtext("URL") != before  # a new picture
    assert app.state.displays.grid(45).calls == (f"{MASKED_NAME} -> Raf",)  # what the picture draws
    p = p.softkey("Members").select("2 Rafael")  # an 8865 has no touch: its tiles are listed by Members
    assert f"Pick up {MASKED_NAME}" in p.items


def test_answered_and_hung_up_call_is_in_the_call_log(demo_data, client, rest, app, settings):
    away(rest, "Tijana.Vlahovic")
    call = sim_call(client)
    wait_ringing_at(client, RAFAEL)
    r = client.post("/sim/answer", json={"call": call, "line": RAFAEL})
    assert r.status_code == 200, r.text
    assert sim_state(client)["waiting"] == [] and ringing(client) == {}
    r = client.post("/sim/hangup", json={"call": call, "line": RAFAEL})
    assert r.status_code == 200, r.text
    assert app.state.calllog.flush(5)

    env = {**os.environ, "PHONESVC_DATA_DIR": str(settings.data_dir)}
    proc = subprocess.run([sys.executable, "-m", "phonesvc", "calls", "--json"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    [row] = json.loads(proc.stdout)
    assert {k: row[k] for k in ("call_id", "direction", "caller_number", "caller_name", "called_number", "group_id",
                                "group_name", "members_rung", "answered_by", "destination", "outcome", "vip")} == {
        "call_id": call, "direction": "inbound", "caller_number": CALLER, "caller_name": CALLER_NAME,
        "called_number": MANAGER_NUMBER, "group_id": 45, "group_name": "MA Group", "members_rung": [RAFAEL],
        "answered_by": RAFAEL, "destination": RAFAEL, "outcome": "connected", "vip": False}
    assert row["started"] <= row["answered"] <= row["ended"]


# -- team member ringtones --------------------------------------------------------------------------------

@pytest.fixture
def farm_app(tmp_path, store, demo_data):
    farm = PhoneFarm()
    for name in MEMBER_PHONES.values():
        farm.add(name)
    with pushing_app(tmp_path, store, farm) as (app, client):
        yield app, client, farm


def tones(farm: PhoneFarm) -> dict[str, list[str]]:
    """Line -> the Play: URIs its phone accepted, in order."""
    return {line: [u for r in farm.phone(name).pushes for u in r.urls if u.startswith("Play:")]
            for line, name in MEMBER_PHONES.items()}


def test_the_other_members_phones_play_the_manager_tone_and_then_the_assistant_tone(farm_app):
    app, client, farm = farm_app
    rest = Rest(client)
    rest.ok("groups/editGroup", gr_id=45, gr_mngCallAlarm="Chime.raw", gr_assistCallAlarm="Bell.raw",
            gr_managerTimeout=1)
    sim_call(client)
    wait_ringing_at(client, TIJANA)
    others = [n for n in MEMBER_PHONES if n != TIJANA]
    wait_for(lambda: all(tones(farm)[n] for n in others), "the manager tone on the other phones")
    heard = tones(farm)
    assert heard[TIJANA] == []  # not on the phone the call is directed to
    assert all(heard[n] == ["Play:Chime.raw"] for n in others)

    wait_ringing_at(client, RAFAEL)  # after the manager's 1 s: the assistant tone, everywhere but Rafael's
    wait_for(lambda: tones(farm)[TIJANA], "the assistant tone on the manager's phone")
    heard = tones(farm)
    assert heard[TIJANA] == ["Play:Bell.raw"]
    assert heard[RAFAEL] == ["Play:Chime.raw"]
    sent = next(r for r in farm.phone(MEMBER_PHONES[TIJANA]).pushes if r.urls == ["Play:Bell.raw"])
    assert (sent.user, sent.password) == ("pushuser", "s3cret")


def test_assistants_one_button_picks_up_the_routed_call_ringing_at_the_manager(demo_data, client, phone, app):
    call = sim_call(client)
    wait_ringing_at(client, TIJANA)
    p = phone(RAFAEL).open(f"{MA_SRC}/OneButton.asp?device=#DEVICENAME#")
    assert p.kind == "CiscoIPPhoneText" and "picked up" in p.text and CALLER_NAME in p.text
    state = sim_state(client)
    assert state["waiting"] == [] and ringing(client) == {}
    [leg] = [c for line in state["lines"] if line["number"] == RAFAEL for c in line["calls"]]
    assert (leg["call_id"], leg["state"]) == (call, "active")
    r = client.post("/sim/hangup", json={"call": call})
    assert r.status_code == 200, r.text
    assert app.state.calllog.flush(5)
    from phonesvc.store.calllog import list_calls
    with app.state.store.read() as conn:
        [record] = list_calls(conn)
    assert (record.answered_by, record.members_rung, record.outcome) == (RAFAEL, (TIJANA,), "connected")


def test_a_real_server_routes_a_call_and_logs_it_when_it_stops(server_factory, tmp_path):
    """`phonesvc serve --demo` in its own process: the CLI drives the PBX, the router moves the call on
    after the manager timeout, and a graceful stop writes the call log before the process ends."""
    import httpx2 as httpx

    server = server_factory("--demo")
    env = {**os.environ, "PHONESVC_DATA_DIR": str(tmp_path / "data"), "PHONESVC_PORT": str(server.port)}

    def cli(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "phonesvc", *args], env=env, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    r = httpx.post(f"{server.url}/Applications/inbound/MAGroup/rest/groups/editGroup.asp",
                   data={"gr_id": "45", "gr_managerTimeout": "1"})
    assert "<status>OK</status>" in r.text
    call = cli("sim", "call", CALLER, MANAGER_NUMBER, "--name", CALLER_NAME).strip()

    def rings_at(line: str):
        state = httpx.get(f"{server.url}/sim/state").json()
        return any(c["call_id"] == call and c["state"] == "ringing" for ln in state["lines"] if ln["number"] == line
                   for c in ln["calls"])
    wait_for(lambda: rings_at(TIJANA), "the manager's phone ringing")
    wait_for(lambda: rings_at(RAFAEL), "the first assistant's phone ringing after 1 s", timeout=5)
    cli("sim", "answer", call, RAFAEL)
    cli("sim", "hangup", call)
    server.stop()
    [row] = json.loads(cli("calls", "--json"))
    assert (row["call_id"], row["members_rung"], row["answered_by"], row["outcome"]) == \
        (call, [TIJANA, RAFAEL], RAFAEL, "connected")
