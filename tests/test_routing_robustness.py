"""The router keeps going whatever happens while it routes a call: a member removed, a group deleted
or edited, a line going out of service or declining, the PBX failing an operation. The call ends
somewhere sensible (the next step, then the overflow) and the event is logged. Same rig and manual
MA Group as test_routing_flows; faults are injected into the real simulator by subclassing it."""

from __future__ import annotations

import logging

import pytest

from phonesvc.domain.presence import Presence
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.store import groups as groups_store
from phonesvc.store import members as members_store
from phonesvc.telephony import TelephonyError
from phonesvc.telephony.simulator import Simulator
from tests import routingkit
from tests.routingkit import OUTSIDE, Rig, run

TIJANA, RAFAEL, ARADHANA, LEONARD = "1047", "1175", "1068", "1118"


@pytest.fixture
def rig(store) -> Rig:
    return Rig(store)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="phonesvc.routing")
    return caplog


def team(rig: Rig, **settings) -> tuple[int, dict[str, int]]:
    """The manual's MA Group (30 s / 15 s): its id and the member ids by number."""
    gid = rig.group(**settings)
    ids = {TIJANA: rig.member(gid, "Tijana.Vlahovic", TIJANA, manager=True, first="Tijana", last="Vlahović"),
           RAFAEL: rig.member(gid, "Rafael", RAFAEL),
           ARADHANA: rig.member(gid, "Aradhana", ARADHANA),
           LEONARD: rig.member(gid, "Leonard", LEONARD, first="Léonard", last="Saligny")}
    return gid, ids


def remove(rig: Rig, member_id: int, group_id: int) -> None:
    with rig.store.write() as conn:
        members_store.remove_member(conn, member_id, group_id)
    rig.sync()


def logged(caplog, level: int, *fragments: str) -> bool:
    """A record of the router at `level` whose message holds every fragment."""
    return any(r.name.startswith("phonesvc.routing") and r.levelno == level
               and all(f in r.getMessage() for f in fragments) for r in caplog.records)


def nothing_left(rig: Rig) -> None:
    assert rig.router.calls == {}
    assert rig.sim.state()["waiting"] == []
    assert rig.live.routed == {}


# -- configuration changes while a call rings ---------------------------------------------------------

def test_ringing_assistant_removed_moves_the_call_on_at_once(rig, logs):
    gid, ids = team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(5)
        remove(rig, ids[RAFAEL], gid)
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (5, {ARADHANA}), (20, {LEONARD}), (35, set())]
    [r] = rig.records
    assert r.members_rung == (RAFAEL, ARADHANA, LEONARD) and r.destination == "busy"
    assert logged(logs, logging.WARNING, "1175 left group")
    nothing_left(rig)


def test_assistant_before_the_ringing_one_removed_does_not_skip_the_next(rig, logs):
    """Removing someone who already rang closes up the list; the call still goes on to the member
    after the one ringing now."""
    gid, ids = team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(20)
        assert rig.ringing() == {ARADHANA}
        remove(rig, ids[RAFAEL], gid)
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set())]
    assert rig.records[0].members_rung == (RAFAEL, ARADHANA, LEONARD)


def test_last_ringing_assistant_removed_runs_the_overflow_at_once(rig, logs):
    gid, ids = team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(33)
        assert rig.ringing() == {LEONARD}
        remove(rig, ids[LEONARD], gid)
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (33, set())]
    [r] = rig.records
    assert r.members_rung == (RAFAEL, ARADHANA, LEONARD) and r.destination == "busy"
    assert r.ended - r.started == 33
    assert logged(logs, logging.WARNING, "1118 left group")
    nothing_left(rig)


def test_ringing_manager_removed_leaves_the_parallel_assistant_ringing(rig, logs):
    gid, ids = team(rig, ring_parallel=1, overflow="-3")

    async def scenario():
        await rig.call()
        await rig.advance(10)
        remove(rig, ids[TIJANA], gid)
        await rig.advance(80)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA, RAFAEL}), (10, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]
    [r] = rig.records
    assert r.members_rung == (TIJANA, RAFAEL, ARADHANA, LEONARD) and r.destination == "busy"
    assert logged(logs, logging.WARNING, "1047 left group")


def test_group_deleted_while_it_rings_runs_its_overflow(rig, logs):
    """No overflow would start the list again, but there is no list any more: busy."""
    gid, _ = team(rig, overflow="-1")

    async def scenario():
        await rig.call()
        await rig.advance(10)
        with rig.store.write() as conn:
            groups_store.delete_group(conn, gid)
        rig.sync()
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {TIJANA}), (10, set())]
    [r] = rig.records
    assert r.destination == "busy" and r.outcome == "missed" and r.group_name == "MA Group"
    assert r.ended - r.started == 10
    assert logged(logs, logging.WARNING, f"group {gid} was deleted while routing")
    nothing_left(rig)


def test_group_deleted_while_it_rings_hands_the_call_to_its_overflow_number(rig, logs):
    gid, _ = team(rig, overflow="5550100")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(20)
        with rig.store.write() as conn:
            groups_store.delete_group(conn, gid)
        rig.sync()
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (20, set())]
    [r] = rig.records
    assert r.destination == "5550100" and r.members_rung == (RAFAEL, ARADHANA)
    assert logged(logs, logging.WARNING, "was deleted while routing")


def test_group_edited_while_it_rings_uses_the_new_settings_from_the_next_step(rig, logs):
    gid, _ = team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(5)
        rig.edit(gid, assistant_timeout=20, overflow="5550100")
        await rig.advance(80)
    run(scenario())
    # Rafael's ringing time was set when he started ringing; the next ones ring 20 s each.
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (35, {LEONARD}), (55, set())]
    [r] = rig.records
    assert r.destination == "5550100" and r.members_rung == (RAFAEL, ARADHANA, LEONARD)
    assert logged(logs, logging.INFO, "sent to 5550100 (overflow)")


def test_manager_timeout_edited_while_the_greeting_plays_applies_to_the_manager(rig):
    gid, _ = team(rig, welcome="Welcome.wav", overflow="-3")
    rig.greetings["Welcome.wav"] = 5

    async def scenario():
        await rig.call()
        await rig.advance(2)
        rig.edit(gid, manager_timeout=10)
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(5, {TIJANA}), (15, {RAFAEL}), (30, {ARADHANA}), (45, {LEONARD}), (60, set())]


def test_overflow_loop_between_two_groups_waits_until_someone_is_available(rig, logs):
    a = rig.group("Front", "8001", overflow="-3")
    b = rig.group("Back", "8002", overflow=f"group:{a}")
    rig.edit(a, overflow=f"group:{b}")
    rig.member(a, "front.boss", "3001", manager=True, presence=Presence.AWAY)
    rig.member(b, "back.boss", "3002", manager=True, presence=Presence.AWAY)

    async def scenario():
        call = await rig.call(to="8001")
        await rig.advance(25)
        assert rig.sim.waiting(call) is not None and rig.records == []
        rig.presence("3002", Presence.AVAILABLE)
        await rig.advance(1)
    run(scenario())
    assert rig.steps() == [(25, {"3002"})]
    assert not logged(logs, logging.ERROR, "routing failed")


# -- lines that stop ringing ----------------------------------------------------------------------------

def test_ringing_line_going_out_of_service_moves_the_call_on_at_once(rig, logs):
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(5)
        await rig.act(rig.sim.set_in_service(RAFAEL, False))
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (5, {ARADHANA}), (20, {LEONARD}), (35, set())]
    assert rig.records[0].members_rung == (RAFAEL, ARADHANA, LEONARD)
    assert logged(logs, logging.INFO, "1175 stopped ringing (cleared)")


def test_out_of_service_line_is_skipped_when_the_list_starts_again(rig, logs):
    team(rig, overflow="-1")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.call()
        await rig.advance(5)
        await rig.act(rig.sim.set_in_service(RAFAEL, False))
        await rig.advance(40)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (5, {ARADHANA}), (20, {LEONARD}), (35, {ARADHANA})]
    assert logged(logs, logging.INFO, "nobody of 1175 can ring")


def test_assistant_declining_moves_the_call_on_at_once(rig, logs):
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        call = await rig.call()
        await rig.advance(3)
        await rig.act(rig.sim.hang_up(call, RAFAEL))
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (3, {ARADHANA}), (18, {LEONARD}), (33, set())]
    assert rig.records[0].destination == "busy"
    assert logged(logs, logging.INFO, "1175 stopped ringing (rejected)")


def test_declining_where_a_forwarded_assistant_rings_moves_the_call_on_at_once(rig, logs):
    """Rafael's line forwards to 1999 (not in the group): the call rings there for Rafael, and when 1999
    declines, the call goes on to the next assistant at once."""
    from phonesvc.telephony import Forwarding

    team(rig, overflow="-3")
    rig.sim.add_line("1999")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.sim.set_forwarding(RAFAEL, Forwarding("1999"))
        call = await rig.call()
        await rig.advance(3)
        await rig.act(rig.sim.hang_up(call, "1999"))
        await rig.advance(1)
    run(scenario())
    assert rig.steps() == [(0, {"1999"}), (3, {ARADHANA})]
    assert logged(logs, logging.INFO, "1999 stopped ringing (rejected)")


def test_manager_declining_while_the_parallel_assistant_rings_leaves_it_ringing(rig):
    team(rig, ring_parallel=1, overflow="-3")

    async def scenario():
        call = await rig.call()
        await rig.advance(3)
        await rig.act(rig.sim.hang_up(call, TIJANA))
        await rig.advance(80)
    run(scenario())
    # Rafael rings on through the manager's 30 s and his own 15 s after them.
    assert rig.steps() == [(0, {TIJANA, RAFAEL}), (3, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]


def test_line_on_do_not_disturb_is_skipped(rig, logs):
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        await rig.sim.set_dnd(RAFAEL, True)
        await rig.call()
        await rig.advance(40)
    run(scenario())
    assert rig.steps() == [(0, {ARADHANA}), (15, {LEONARD}), (30, set())]
    assert rig.records[0].members_rung == (ARADHANA, LEONARD)
    assert logged(logs, logging.INFO, "nobody of 1175 can ring")


# -- the PBX failing an operation --------------------------------------------------------------------------

class FaultySimulator(Simulator):
    """The real simulator, failing chosen operations: `offer` to a line in `fail_offer` (as many times as
    its count), `route_to` a number in `fail_route_to`, `reject` while `fail_reject` is set."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_offer: dict[str, int] = {}
        self.fail_route_to: dict[str, int] = {}
        self.fail_reject = 0

    async def offer(self, call_id, offers):
        for line in offers:
            if self.fail_offer.get(line, 0) > 0:
                self.fail_offer[line] -= 1
                raise TelephonyError(f"CTI link timeout offering call {call_id} to {line}")
        return await super().offer(call_id, offers)

    async def route_to(self, call_id, destination, voicemail=False):
        if self.fail_route_to.get(destination, 0) > 0:
            self.fail_route_to[destination] -= 1
            raise TelephonyError(f"cannot redirect call {call_id} to {destination}: no trunk")
        return await super().route_to(call_id, destination, voicemail)

    async def reject(self, call_id):
        if self.fail_reject > 0:
            self.fail_reject -= 1
            raise TelephonyError(f"call {call_id}: reject failed")
        return await super().reject(call_id)


@pytest.fixture
def faulty(store, monkeypatch) -> Rig:
    monkeypatch.setattr(routingkit, "Simulator", FaultySimulator)
    rig = Rig(store)
    assert isinstance(rig.sim, FaultySimulator)
    return rig


def test_offer_failing_once_moves_on_to_the_next_member_and_the_next_call_routes_normally(faulty, logs):
    rig = faulty
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)
    rig.sim.fail_offer[RAFAEL] = 1

    async def scenario():
        await rig.call()
        await rig.advance(40)
        await rig.call(caller="0800999")
        await rig.advance(50)
    run(scenario())
    assert rig.steps() == [(0, {ARADHANA}), (15, {LEONARD}), (30, set()),
                           (40, {RAFAEL}), (55, {ARADHANA}), (70, {LEONARD}), (85, set())]
    first, second = rig.records
    assert first.members_rung == (ARADHANA, LEONARD) and first.destination == "busy"
    assert second.members_rung == (RAFAEL, ARADHANA, LEONARD) and second.destination == "busy"
    assert rig.router.errors == 1
    assert logged(logs, logging.WARNING, "cannot ring 1175", "CTI link timeout")
    nothing_left(rig)


def test_offer_failing_for_every_member_ends_in_the_overflow(faulty, logs):
    rig = faulty
    team(rig, overflow="-3")
    for line in (TIJANA, RAFAEL, ARADHANA, LEONARD):
        rig.sim.fail_offer[line] = 1

    async def scenario():
        await rig.call()
        await rig.advance(5)
    run(scenario())
    assert rig.steps() == []
    [r] = rig.records
    assert r.destination == "busy" and r.members_rung == () and r.ended == r.started
    assert rig.router.errors == 4
    nothing_left(rig)


def test_pbx_refusing_every_offer_with_no_overflow_waits_and_retries_instead_of_spinning(faulty, logs):
    rig = faulty
    team(rig, overflow="-1")
    rig.presence(TIJANA, Presence.AWAY)
    for line in (RAFAEL, ARADHANA, LEONARD):
        rig.sim.fail_offer[line] = 1_000

    async def scenario():
        call = await rig.call()
        await rig.advance(25)  # tries at 0, 10 and 20 s
        assert rig.router.errors == 9
        for line in (RAFAEL, ARADHANA, LEONARD):
            rig.sim.fail_offer[line] = 0
        await rig.advance(10)  # the PBX is back: the retry at 30 s rings
        return call
    call = run(scenario())
    assert rig.steps() == [(30, {RAFAEL})]
    assert rig.sim.waiting(call) is not None
    assert logged(logs, logging.INFO, "nobody in the group can take the call; waiting")


def test_overflow_hand_off_failing_gives_busy_and_the_next_call_overflows_normally(faulty, logs):
    rig = faulty
    team(rig, overflow="5550100")
    rig.presence(TIJANA, Presence.AWAY)
    rig.sim.fail_route_to["5550100"] = 1

    async def scenario():
        await rig.call()
        await rig.advance(50)
        await rig.call(caller="0800999")
        await rig.advance(50)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set()),
                           (50, {RAFAEL}), (65, {ARADHANA}), (80, {LEONARD}), (95, set())]
    first, second = rig.records
    assert first.destination == "busy" and first.outcome == "missed"
    assert second.destination == "5550100"
    assert rig.router.errors == 1
    assert logged(logs, logging.WARNING, "cannot send it to 5550100 (overflow)", "no trunk")
    nothing_left(rig)


def test_managers_forwarding_failing_lets_the_assistants_take_the_call(faulty, logs):
    rig = faulty
    gid, ids = team(rig, overflow="-3")
    rig.forward(ids[TIJANA], "number", "0791234567")
    rig.sim.fail_route_to["0791234567"] = 1

    async def scenario():
        await rig.call()
        await rig.advance(50)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set())]
    [r] = rig.records
    assert r.members_rung == (RAFAEL, ARADHANA, LEONARD) and r.destination == "busy"
    assert rig.router.errors == 1
    assert logged(logs, logging.WARNING, "cannot send it to 0791234567")


def test_busy_failing_too_ends_the_call(faulty, logs):
    rig = faulty
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)
    rig.sim.fail_reject = 1

    async def scenario():
        await rig.call()
        await rig.advance(50)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set())]
    [r] = rig.records
    assert r.destination == "busy" and r.ended - r.started == 45
    assert rig.router.errors == 1
    assert logged(logs, logging.ERROR, "cannot give the caller busy either")
    nothing_left(rig)


def test_call_to_a_route_point_whose_group_is_gone_hears_busy(rig, logs):
    team(rig)
    rig.sim.use_route_points({"8973", "8999"})  # the PBX still knows a manager number no group has

    async def scenario():
        await rig.call(to="8999")
    run(scenario())
    assert rig.steps() == []
    [r] = rig.records
    assert r.destination == "busy" and r.called_number == "8999" and r.members_rung == ()
    assert logged(logs, logging.WARNING, "call c1 to 8999: no group has this manager number")
    nothing_left(rig)


# -- many calls at once ---------------------------------------------------------------------------------------

def test_two_calls_to_the_same_group_each_follow_their_own_timers(rig):
    team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)

    async def scenario():
        first = await rig.call()
        await rig.advance(10)
        second = await rig.call(caller="0800999")
        await rig.advance(10)
        assert rig.sim.waiting(first).at == {ARADHANA: ARADHANA}
        assert rig.sim.waiting(second).at == {RAFAEL: RAFAEL}
        await rig.advance(60)
    run(scenario())
    assert rig.steps() == [(0, {RAFAEL}), (15, {RAFAEL, ARADHANA}), (25, {ARADHANA}), (30, {ARADHANA, LEONARD}),
                           (40, {LEONARD}), (55, set())]
    first, second = rig.records
    assert (first.caller_number, first.ended - first.started) == (OUTSIDE, 45)
    assert (second.caller_number, second.ended - second.started) == ("0800999", 45)
    assert first.members_rung == second.members_rung == (RAFAEL, ARADHANA, LEONARD)


def test_fifty_calls_across_ten_groups_all_end_in_a_record(rig):
    groups = []
    for g in range(10):
        gid = rig.group(f"Team {g}", f"89{g:02d}", manager_timeout=20, assistant_timeout=10, overflow="-1",
                        ring_parallel=g % 2)
        lines = [f"2{g}{i:02d}" for i in range(3)]
        for i, line in enumerate(lines):
            rig.member(gid, f"user{g}_{i}", line, manager=i == 0)
        groups.append((f"89{g:02d}", lines))

    async def scenario():
        calls = []
        for n in range(50):
            number, lines = groups[n % 10]
            calls.append((await rig.call(to=number, caller=f"07{n:08d}"), lines))
            await rig.advance(1)
        await rig.advance(30)
        answered = 0
        for call_id, _ in calls[::7]:  # a few are answered where they ring now
            waiting = rig.sim.waiting(call_id)
            if waiting is not None and waiting.at:
                await rig.answer(next(iter(waiting.at)), call_id)
                answered += 1
        await rig.advance(30)
        for call_id, _ in calls:
            await rig.act(rig.sim.hang_up_external(call_id))
            await rig.advance(1)
        return answered
    answered = run(scenario())
    assert answered > 0
    assert len(rig.records) == 50 and len({r.call_id for r in rig.records}) == 50
    assert sum(1 for r in rig.records if r.outcome == "connected") == answered
    nothing_left(rig)
    assert rig.ringing() == set()


def test_route_points_follow_the_groups_manager_numbers(rig):
    gid, _ = team(rig, overflow="-3")

    async def scenario():
        await rig.router.sync_route_points()
        assert rig.sim.route_points() == ["8973"]
        with rig.store.write() as conn:  # no rig.sync(): only the router tells the PBX
            groups_store.edit_group(conn, gid, {"number": "8990"})
        rig.bus.publish(ConfigurationChanged())
        await rig.router.settle()
        assert rig.sim.route_points() == ["8990"]
        await rig.call(to="8990")
    run(scenario())
    assert rig.ringing() == {TIJANA}
