"""Call flows of the manual's appendix and every overflow option, on the simulator with a test clock.
Each test asserts which lines ring at which second and where the call ends."""

from __future__ import annotations

import pytest

from phonesvc.domain.presence import Presence
from tests.routingkit import OUTSIDE, Rig, run

TIJANA, RAFAEL, ARADHANA, LEONARD = "1047", "1175", "1068", "1118"


@pytest.fixture
def rig(store) -> Rig:
    return Rig(store)


def team(rig: Rig, **settings) -> int:
    """The manual's MA Group: manager Tijana, then assistants Rafael, Aradhana, Léonard (30 s / 15 s)."""
    gid = rig.group(**settings)
    rig.member(gid, "Tijana.Vlahovic", TIJANA, manager=True, first="Tijana", last="Vlahović")
    rig.member(gid, "Rafael", RAFAEL)
    rig.member(gid, "Aradhana", ARADHANA)
    rig.member(gid, "Leonard", LEONARD, first="Léonard", last="Saligny")
    return gid


def test_manager_available_rings_the_manager_then_each_assistant_in_list_order(rig):
    team(rig, overflow="-3")

    async def scenario():
        call = await rig.call()
        await rig.advance(90)
        return call
    run(scenario())
    assert rig.steps() == [(0, {TIJANA}), (30, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]
    [record] = rig.records
    assert record.members_rung == (TIJANA, RAFAEL, ARADHANA, LEONARD)
    assert record.destination == "busy" and record.outcome == "missed" and record.direction == "inbound"
    assert record.called_number == "8973" and record.group_name == "MA Group" and record.caller_number == OUTSIDE


def test_ring_assistant_parallel_rings_the_first_available_assistant_with_the_manager(rig):
    team(rig, ring_parallel=1, overflow="-3")
    rig.presence(RAFAEL, Presence.AWAY)

    async def scenario():
        call = await rig.call()
        await rig.advance(10)
        assert rig.ringing() == {TIJANA, ARADHANA}
        await rig.answer(ARADHANA, call)
        await rig.advance(100)
        await rig.act(rig.sim.hang_up(call, ARADHANA))
    run(scenario())
    assert rig.steps() == [(0, {TIJANA, ARADHANA}), (10, set())]
    [record] = rig.records
    assert record.answered_by == ARADHANA and record.outcome == "connected"
    assert record.members_rung == (TIJANA, ARADHANA)
    assert record.duration == 100


def test_parallel_assistant_keeps_ringing_past_the_manager_timeout(rig):
    team(rig, ring_parallel=1, overflow="-3")

    async def scenario():
        await rig.call()
        await rig.advance(80)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA, RAFAEL}), (30, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]
    assert rig.records[0].members_rung == (TIJANA, RAFAEL, ARADHANA, LEONARD)


def test_manager_unavailable_starts_at_the_first_available_assistant(rig):
    """Appendix 'Manager unavailable': B, then C, then the overflow."""
    team(rig, overflow="5550100")
    rig.presence(TIJANA, Presence.BUSY)
    rig.presence(RAFAEL, Presence.DND)

    async def scenario():
        await rig.call()
        await rig.advance(40)
    run(scenario())
    assert rig.steps() == [(0, {ARADHANA}), (15, {LEONARD}), (30, set())]
    [record] = rig.records  # handed to an outside number: the PBX lets go of it
    assert record.members_rung == (ARADHANA, LEONARD) and record.destination == "5550100"


def test_answered_call_stops_ringing_everywhere_and_is_logged_when_it_ends(rig):
    team(rig, ring_parallel=1)

    async def scenario():
        call = await rig.call()
        await rig.advance(5)
        await rig.answer(TIJANA, call)
        await rig.advance(60)
        await rig.act(rig.sim.hang_up_external(call))
    run(scenario())
    assert rig.steps() == [(0, {TIJANA, RAFAEL}), (5, set())]
    [r] = rig.records
    assert (r.answered_by, r.answered - r.started, r.ended - r.started, r.duration) == (TIJANA, 5, 65, 60)


def test_caller_hanging_up_while_it_rings_is_a_missed_call(rig):
    team(rig)

    async def scenario():
        call = await rig.call()
        await rig.advance(35)
        await rig.act(rig.sim.hang_up_external(call))
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA}), (30, {RAFAEL}), (35, set())]
    [r] = rig.records
    assert r.outcome == "missed" and r.destination == "" and r.members_rung == (TIJANA, RAFAEL)
    assert r.ended - r.started == 35


def test_no_overflow_starts_again_from_the_first_available(rig):
    team(rig, overflow="-1")
    rig.presence(ARADHANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(100)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA}), (30, {RAFAEL}), (45, {LEONARD}), (60, {TIJANA}), (90, {RAFAEL})]


def test_no_overflow_with_nobody_available_waits_until_someone_is(rig):
    team(rig, overflow="-1")
    for number in (TIJANA, RAFAEL, ARADHANA, LEONARD):
        rig.presence(number, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(25)
        assert rig.ringing() == set()
        rig.presence(ARADHANA, Presence.AVAILABLE)
        await rig.advance(1)
    run(scenario())
    assert rig.steps() == [(25, {ARADHANA})]


def test_overflow_to_number_busy_and_voicemail(rig, store):
    gid = team(rig, overflow="5550100")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario(overflow):
        rig.edit(gid, overflow=overflow)
        call = await rig.call()
        await rig.advance(50)
        return call
    run(scenario("5550100"))
    run(scenario("-3"))
    run(scenario("voicemail:8000"))
    assert [r.destination for r in rig.records] == ["5550100", "busy", "voicemail:8000"]
    assert all(r.members_rung == (RAFAEL, ARADHANA, LEONARD) for r in rig.records)


def test_overflow_to_a_line_rings_where_that_line_forwards(rig):
    from phonesvc.telephony import Forwarding

    team(rig, overflow="1999")
    rig.sim.add_line("1999")
    rig.sim.add_line("1998")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.sim.set_forwarding("1999", Forwarding("1998"))
        call = await rig.call()
        await rig.advance(46)
        await rig.answer("1998", call)
        await rig.act(rig.sim.hang_up(call, "1998"))
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, {"1998"}), (46, set())]
    assert rig.records[0].answered_by == "1998" and rig.records[0].destination == "1999"


def test_overflow_to_another_group_routes_by_that_groups_rules(rig):
    support = rig.group("Support Team", "8974", ring_parallel=1, manager_timeout=20, overflow="-3")
    rig.member(support, "Boss", "1200", manager=True)
    rig.member(support, "Helper", "1201")
    team(rig, overflow=f"group:{support}")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(100)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, {"1200", "1201"}),
                           (65, {"1201"}), (80, set())]
    [r] = rig.records
    assert r.group_name == "Support Team" and r.destination == "busy"
    assert r.members_rung == (RAFAEL, ARADHANA, LEONARD, "1200", "1201")


def test_timeout_zero_means_the_call_is_not_moved_on(rig):
    gid = team(rig, manager_timeout=0)

    async def scenario():
        await rig.call()
        await rig.advance(600)
        rig.edit(gid, manager_timeout=30)
        rig.presence(TIJANA, Presence.AWAY)
        await rig.call(caller="0800999")
        await rig.advance(600)
    rig.edit(gid, assistant_timeout=0)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA}), (600, {TIJANA, RAFAEL})]


def test_greeting_plays_first_then_announcements_in_priority_order_while_it_rings(rig):
    from phonesvc.store import announcements as ann

    gid = team(rig, welcome="Welcome.wav")
    with rig.store.write() as conn:
        ann.add_announcement(conn, gid, "Second.wav", None)
        ann.add_announcement(conn, gid, "First.wav", 1)
    rig.sync()
    rig.greetings["Welcome.wav"] = 4.5

    async def scenario():
        call = await rig.call()
        await rig.advance(10)
        return call
    call = run(scenario())
    assert rig.steps() == [(4.5, {TIJANA})]
    played = [(p.at - rig.t0, p.files, p.repeat) for p in rig.sim.played if p.call_id == call]
    assert played == [(0, ("Welcome.wav",), False), (4.5, ("First.wav", "Second.wav"), True)]


def test_outbound_calls_of_members_are_logged(rig):
    team(rig)
    rig.sim.add_line("1999")  # not a member

    async def scenario():
        out = await rig.sim.make_call(RAFAEL, "004930123456")
        await rig.advance(4)
        await rig.act(rig.sim.answer_external(out))
        await rig.advance(90)
        await rig.act(rig.sim.hang_up(out, RAFAEL))
        unanswered = await rig.sim.make_call(ARADHANA, LEONARD)
        await rig.advance(20)
        await rig.act(rig.sim.hang_up(unanswered, ARADHANA))
        stranger = await rig.sim.make_call("1999", "004930123456")  # not a member: not ours to log
        await rig.act(rig.sim.hang_up(stranger, "1999"))
    run(scenario())
    got = [(r.direction, r.caller_number, r.called_number, r.answered_by, r.outcome, r.duration, r.group_name)
           for r in rig.records]
    assert got == [("outbound", RAFAEL, "004930123456", "004930123456", "connected", 90, "MA Group"),
                   ("outbound", ARADHANA, LEONARD, "", "missed", 0, "MA Group")]


def test_overflow_to_a_group_with_a_greeting_stops_ringing_while_it_greets(rig):
    support = rig.group("Support Team", "8974", welcome="Support.wav", overflow="-3")
    rig.member(support, "Helper", "1201")
    rig.greetings["Support.wav"] = 3
    team(rig, overflow=f"group:{support}")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        call = await rig.call()
        await rig.advance(60)
        return call
    call = run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set()), (48, {"1201"})]
    played = [(p.at - rig.t0, p.files) for p in rig.sim.played if p.call_id == call]
    assert played == [(45, ("Support.wav",)), (48, ())]  # the greeting, then silence: no announcements there
