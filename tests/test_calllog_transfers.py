"""The call log follows the outside party across transfers: a routed call that an assistant answers and
hands to the manager (consultation, blind, the 1 Button) is one record until the caller hangs up, and so
is a member's outbound call that is transferred. Driven on the simulator with a test clock (exact times),
and once through a phone and the app on the real clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from phonesvc.domain.presence import Presence
from phonesvc.store.calllog import list_calls
from tests.phonekit import ONE_BUTTON, pbx, phone, service
from tests.routingkit import OUTSIDE, Rig, run
from tests.test_routing_app import CALLER, away, sim_call, wait_ringing_at

__all__ = ["pbx", "phone"]  # fixtures

TIJANA, RAFAEL, LEONARD = "1047", "1175", "1118"
ABROAD = "004930123456"


@pytest.fixture
def rig(store) -> Rig:
    rig = Rig(store)
    gid = rig.group(overflow="-3")
    rig.member(gid, "Tijana.Vlahovic", TIJANA, manager=True, first="Tijana", last="Vlahović")
    rig.member(gid, "Rafael", RAFAEL)
    rig.member(gid, "Leonard", LEONARD, first="Léonard", last="Saligny")
    rig.presence(TIJANA, Presence.AWAY)  # the call goes to Rafael first
    return rig


async def answered_by_rafael(rig: Rig) -> str:
    """A call to the manager number rings Rafael at 0 s; he answers at 5 s."""
    call = await rig.call()
    await rig.advance(5)
    await rig.answer(RAFAEL, call)
    return call


def the_record(rig: Rig):
    [record] = rig.records
    return record


def test_consultation_transfer_to_the_manager_is_one_record_until_the_caller_hangs_up(rig):
    async def scenario():
        call = await answered_by_rafael(rig)
        await rig.advance(60)
        consultation = await rig.sim.consult_start(call, RAFAEL, TIJANA)
        await rig.advance(5)
        await rig.answer(TIJANA, consultation)
        await rig.advance(5)
        await rig.act(rig.sim.consult_complete(RAFAEL))
        assert rig.records == []  # the caller talks to Tijana now
        await rig.advance(60)
        await rig.act(rig.sim.hang_up_external(call))
        return call
    call = run(scenario())
    r = the_record(rig)  # the consultation has no record of its own: it became this call
    assert (r.call_id, r.direction, r.caller_number, r.called_number) == (call, "inbound", OUTSIDE, "8973")
    assert (r.taken_by, r.answered_by, r.destination, r.outcome) == (RAFAEL, TIJANA, TIJANA, "connected")
    assert r.members_rung == (RAFAEL, TIJANA)
    assert (r.answered - rig.t0, r.ended - rig.t0, r.duration) == (5, 135, 130)


def test_blind_transfer_to_the_manager_is_one_record_until_the_caller_hangs_up(rig):
    async def scenario():
        call = await answered_by_rafael(rig)
        await rig.advance(60)
        await rig.act(rig.sim.blind_transfer(call, RAFAEL, TIJANA))
        await rig.advance(5)
        await rig.answer(TIJANA, call)
        await rig.advance(60)
        await rig.act(rig.sim.hang_up(call, TIJANA))
        return call
    call = run(scenario())
    r = the_record(rig)
    assert (r.call_id, r.taken_by, r.answered_by, r.destination, r.members_rung) == \
        (call, RAFAEL, TIJANA, TIJANA, (RAFAEL, TIJANA))
    assert (r.ended - rig.t0, r.duration) == (130, 125)


def test_consultation_completed_while_the_manager_rings_counts_her_once(rig):
    async def scenario():
        call = await answered_by_rafael(rig)
        await rig.act(rig.sim.consult_start(call, RAFAEL, TIJANA))
        await rig.advance(5)
        await rig.act(rig.sim.consult_complete(RAFAEL))  # the caller now waits for Tijana
        await rig.advance(5)
        await rig.answer(TIJANA, call)
        await rig.advance(20)
        await rig.act(rig.sim.hang_up_external(call))
    run(scenario())
    r = the_record(rig)
    assert (r.taken_by, r.answered_by, r.destination, r.members_rung, r.duration) == \
        (RAFAEL, TIJANA, TIJANA, (RAFAEL, TIJANA), 30)


def test_a_caller_who_hangs_up_while_the_transfer_rings_talked_last_to_the_assistant(rig):
    async def scenario():
        call = await answered_by_rafael(rig)
        await rig.advance(10)
        await rig.act(rig.sim.blind_transfer(call, RAFAEL, TIJANA))
        await rig.advance(20)
        await rig.act(rig.sim.hang_up_external(call))
    run(scenario())
    r = the_record(rig)
    assert (r.answered_by, r.destination, r.members_rung) == (RAFAEL, RAFAEL, (RAFAEL, TIJANA))
    assert (r.ended - rig.t0, r.duration) == (35, 30)


@pytest.mark.parametrize("how", ["blind", "consultation"])
def test_a_call_transferred_outside_ends_there_with_that_number_as_destination(rig, how):
    """The PBX no longer sees a call between two outside parties: its record ends at the transfer."""
    mobile = "0791234567"

    async def scenario():
        call = await answered_by_rafael(rig)
        await rig.advance(10)
        if how == "blind":
            await rig.act(rig.sim.blind_transfer(call, RAFAEL, mobile))
        else:
            consultation = await rig.sim.consult_start(call, RAFAEL, mobile)
            await rig.act(rig.sim.answer_external(consultation))
            await rig.act(rig.sim.consult_complete(RAFAEL))
    run(scenario())
    r = the_record(rig)
    assert (r.answered_by, r.destination, r.members_rung, r.duration) == (RAFAEL, mobile, (RAFAEL,), 10)


def test_a_cancelled_consultation_is_a_call_of_its_own(rig):
    async def scenario():
        call = await answered_by_rafael(rig)
        consultation = await rig.sim.consult_start(call, RAFAEL, TIJANA)
        await rig.answer(TIJANA, consultation)
        await rig.advance(10)
        await rig.act(rig.sim.consult_cancel(RAFAEL))
        await rig.advance(10)
        await rig.act(rig.sim.hang_up(call, RAFAEL))
        return call, consultation
    call, consultation = run(scenario())
    internal, routed = rig.records
    assert (internal.call_id, internal.direction, internal.caller_number, internal.called_number,
            internal.answered_by, internal.duration) == (consultation, "outbound", RAFAEL, TIJANA, TIJANA, 10)
    assert (routed.call_id, routed.answered_by, routed.destination, routed.members_rung, routed.duration) == \
        (call, RAFAEL, RAFAEL, (RAFAEL,), 20)


@pytest.mark.parametrize("how", ["blind", "consultation"])
def test_a_members_outbound_call_follows_the_outside_party_across_a_transfer(rig, how):
    async def scenario():
        call = await rig.sim.make_call(RAFAEL, ABROAD)
        await rig.advance(4)
        await rig.act(rig.sim.answer_external(call))
        await rig.advance(30)
        if how == "blind":
            await rig.act(rig.sim.blind_transfer(call, RAFAEL, LEONARD))
            await rig.answer(LEONARD, call)
        else:
            consultation = await rig.sim.consult_start(call, RAFAEL, LEONARD)
            await rig.answer(LEONARD, consultation)
            await rig.act(rig.sim.consult_complete(RAFAEL))
        await rig.advance(60)
        await rig.act(rig.sim.hang_up_external(call))
        return call
    call = run(scenario())
    r = the_record(rig)
    assert (r.call_id, r.direction, r.caller_number, r.called_number) == (call, "outbound", RAFAEL, ABROAD)
    assert (r.answered_by, r.destination, r.members_rung) == (ABROAD, ABROAD, (LEONARD,))
    assert (r.answered - rig.t0, r.ended - rig.t0, r.duration) == (4, 94, 90)


# -- through the phones and the app (real clock) ------------------------------------------------------------

def logged_calls(app) -> list:
    assert app.state.calllog.flush(5)
    with app.state.store.read() as conn:
        return list_calls(conn)


def test_the_one_button_hands_the_call_to_the_manager_and_the_record_follows(demo_data, client, rest, phone, app):
    away(rest, "Tijana.Vlahovic")
    call = sim_call(client)
    wait_ringing_at(client, RAFAEL)
    assert client.post("/sim/answer", json={"call": call, "line": RAFAEL}).status_code == 200
    p = phone(RAFAEL).open(ONE_BUTTON)
    assert p.text.endswith("was transferred to Tijana Vlahović.")
    assert client.post("/sim/answer", json={"call": call, "line": TIJANA}).status_code == 200
    assert logged_calls(app) == []  # still going
    talking = time.time()
    assert client.post("/sim/hangup", json={"call": call, "line": TIJANA}).status_code == 200
    [r] = logged_calls(app)
    assert (r.call_id, r.taken_by, r.answered_by, r.destination, r.members_rung) == \
        (call, RAFAEL, TIJANA, TIJANA, (RAFAEL, TIJANA))
    assert r.answered < talking <= r.ended


def test_transfer_call_on_the_phone_consults_the_manager_and_the_record_follows(demo_data, client, rest, phone,
                                                                                   app):
    away(rest, "Tijana.Vlahovic")
    call = sim_call(client)
    wait_ringing_at(client, RAFAEL)
    assert client.post("/sim/answer", json={"call": call, "line": RAFAEL}).status_code == 200
    p = phone(RAFAEL).open(service("transferCall")).select("Tijana Vlahović (Manager)")
    assert "Consultation transfer is set up" in p.text
    consultation = wait_ringing_at(client, TIJANA)["call_id"]
    assert client.post("/sim/answer", json={"call": consultation, "line": TIJANA}).status_code == 200
    p.softkey("Complete")
    assert p.text == "The call was transferred."
    assert logged_calls(app) == []
    talking = time.time()
    assert client.post("/sim/hangup", json={"call": call, "line": CALLER}).status_code == 200  # the caller
    [r] = logged_calls(app)
    assert (r.call_id, r.taken_by, r.answered_by, r.destination, r.members_rung) == \
        (call, RAFAEL, TIJANA, TIJANA, (RAFAEL, TIJANA))
    assert r.answered < talking <= r.ended


# -- call ids ------------------------------------------------------------------------------------------------

def test_call_ids_never_repeat_across_a_restart(server_factory, tmp_path):
    """Two runs of `phonesvc serve --demo` on one database: the second run's calls go on from the first's."""
    env = {**os.environ, "PHONESVC_DATA_DIR": str(tmp_path / "data")}

    def cli(server, *args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "phonesvc", *args], env={**env, "PHONESVC_PORT": str(server.port)},
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    ids = []
    for _run in range(2):
        server = server_factory("--demo")
        for _ in range(2):  # a caller who gives up while the manager's phone rings: a missed call in the log
            call = cli(server, "sim", "call", CALLER, "8973").strip()
            cli(server, "sim", "hangup", call)
            ids.append(call)
        server.stop()
    rows = json.loads(cli(server, "calls", "--json"))
    assert sorted(r["call_id"] for r in rows) == sorted(ids)
    assert len(set(ids)) == 4
