"""A manager's application forwarding (Group, number, voicemail, mobile, member) and assistants whose
status is Forwarding, on the simulator with a test clock."""

from __future__ import annotations

import pytest

from phonesvc.domain.presence import Presence
from phonesvc.telephony import Forwarding
from tests.routingkit import OUTSIDE, Rig, run
from tests.test_routing_flows import ARADHANA, LEONARD, RAFAEL, TIJANA, team


@pytest.fixture
def rig(store) -> Rig:
    return Rig(store)


def manager_forwarding(rig: Rig, kind: str, number: str = "", target: int | None = None, **settings) -> None:
    gid = team(rig, overflow="-3", **settings)
    manager = rig.store.snapshot().manager_of(gid).member_id
    rig.forward(manager, kind, number, target)


def call_for(rig: Rig, seconds: float) -> str:
    async def scenario():
        call = await rig.call(caller=OUTSIDE)
        await rig.advance(seconds)
        return call
    return run(scenario())


def test_forwarding_to_group_sends_calls_to_the_first_available_assistant(rig):
    manager_forwarding(rig, "group", ring_parallel=1)
    call_for(rig, 50)
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set())]


def test_forwarding_to_a_number_sends_calls_there(rig):
    manager_forwarding(rig, "number", "5550123")
    call_for(rig, 50)
    assert rig.steps() == []
    [r] = rig.records
    assert r.destination == "5550123" and r.members_rung == ()


def test_forwarding_to_voicemail_and_mobile_use_the_managers_numbers(rig):
    gid = team(rig, overflow="-3")
    manager = rig.store.snapshot().manager_of(gid).member_id
    with rig.store.write() as conn:
        from phonesvc.store import users as users_store
        users_store.update_user(conn, rig.store.snapshot().members[manager].user_id, voicemail_number="8000",
                                mobile_number="01761234567")
    rig.forward(manager, "voicemail")
    call_for(rig, 1)
    rig.forward(manager, "mobile")
    call_for(rig, 1)
    assert [r.destination for r in rig.records] == ["voicemail:8000", "01761234567"]


def test_forwarding_to_a_member_rings_that_member(rig):
    gid = team(rig, overflow="-3")
    snap = rig.store.snapshot()
    manager = snap.manager_of(gid).member_id
    leonard = next(m.id for m in snap.members.values() if m.number == LEONARD)
    rig.forward(manager, "member", target=leonard)
    call = call_for(rig, 100)
    assert rig.steps() == [(0, {LEONARD})]  # handed over: no timeout moves it on

    async def answer():
        await rig.answer(LEONARD, call)
        await rig.advance(20)
        await rig.act(rig.sim.hang_up(call, LEONARD))
    run(answer())
    [r] = rig.records
    assert (r.answered_by, r.members_rung, r.destination, r.duration) == (LEONARD, (LEONARD,), LEONARD, 20)


def test_forwarding_without_a_destination_falls_back_to_the_assistants(rig):
    manager_forwarding(rig, "mobile")  # the manager has no mobile number
    call_for(rig, 1)
    assert rig.steps() == [(0, {RAFAEL})]


def test_an_assistant_whose_status_is_forwarding_takes_calls_at_the_destination(rig):
    gid = team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)
    rig.presence(RAFAEL, Presence.AWAY)
    rig.presence(ARADHANA, Presence.AWAY)
    rafael = next(m.id for m in rig.store.snapshot().members.values() if m.number == RAFAEL)
    rig.forward(rafael, "member", target=next(m.id for m in rig.store.snapshot().members.values()
                                              if m.number == LEONARD))
    run(rig.act(rig.sim.set_forwarding(RAFAEL, Forwarding(LEONARD))))
    call_for(rig, 40)
    # Rafael (away, but forwarding) rings at Léonard; Aradhana (away) is skipped; then Léonard himself.
    assert rig.steps() == [(0, {LEONARD}), (30, set())]
    assert rig.records[0].members_rung == (RAFAEL, LEONARD)
    assert gid


def test_an_assistant_line_forwarded_to_voicemail_takes_the_call_at_once(rig):
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.sim.set_forwarding(RAFAEL, Forwarding("8000", voicemail=True))
        await rig.call()
        await rig.advance(100)
    run(scenario())  # an outside caller and a voicemail box: the PBX lets go of the call at once
    assert rig.steps() == []
    [r] = rig.records
    assert r.answered_by == "8000" and r.members_rung == (RAFAEL,)
