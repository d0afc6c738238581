"""VIP calls (list and star threshold), VIP call routing 0/1/2, Show VIP calls, caller identification,
and 'Connect assistants directly with the manager', on the simulator with a test clock."""

from __future__ import annotations

import pytest

from phonesvc.domain.presence import Presence
from tests.routingkit import OUTSIDE, Rig, run
from tests.test_routing_flows import ARADHANA, LEONARD, RAFAEL, TIJANA, team

VIP = "0711555"


@pytest.fixture
def rig(store) -> Rig:
    return Rig(store)


def vip_team(rig: Rig, **settings) -> int:
    gid = team(rig, **settings)
    manager = rig.store.snapshot().manager_of(gid).member_id
    rig.vip(manager, VIP)
    return gid


def ring_for(rig: Rig, seconds: float, caller: str = VIP, answer: str | None = None) -> str:
    async def scenario():
        call = await rig.call(caller=caller, name="Very Important")
        await rig.advance(seconds)
        if answer:
            await rig.answer(answer, call)
        return call
    return run(scenario())


def test_a_vip_reaches_the_manager_whatever_the_managers_presence(rig):
    vip_team(rig, overflow="-3", vip_calls_routing=2)
    rig.presence(TIJANA, Presence.DND)
    rig.presence(RAFAEL, Presence.AWAY)
    ring_for(rig, 70)
    assert rig.steps() == [(0, {TIJANA}), (30, {ARADHANA}), (45, {LEONARD}), (60, set())]
    assert rig.records[0].vip is True


def test_an_ordinary_caller_with_the_manager_away_does_not_reach_the_manager(rig):
    vip_team(rig, overflow="-3")
    rig.presence(TIJANA, Presence.DND)
    ring_for(rig, 50, caller=OUTSIDE)
    assert rig.steps() == [(0, {RAFAEL}), (15, {ARADHANA}), (30, {LEONARD}), (45, set())]
    assert rig.records[0].vip is False


def test_vip_to_all_rings_every_assistant_one_after_another_regardless_of_presence(rig):
    vip_team(rig, overflow="-3", vip_calls_routing=0)
    rig.presence(RAFAEL, Presence.AWAY)
    rig.presence(LEONARD, Presence.OFFLINE)
    ring_for(rig, 80)
    assert rig.steps() == [(0, {TIJANA}), (30, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]


def test_vip_to_manager_only_never_rings_an_assistant_nor_in_parallel(rig):
    vip_team(rig, overflow="-3", vip_calls_routing=1, ring_parallel=1)
    ring_for(rig, 40)
    assert rig.steps() == [(0, {TIJANA}), (30, set())]
    assert rig.records[0].destination == "busy" and rig.records[0].members_rung == (TIJANA,)


def test_vip_to_manager_only_with_no_overflow_keeps_ringing_the_manager(rig):
    vip_team(rig, overflow="-1", vip_calls_routing=1)
    ring_for(rig, 70)
    assert rig.steps() == [(0, {TIJANA})]  # rung again at 30 and 60: never stopped


def test_vip_to_manager_and_available_members_skips_absent_assistants(rig):
    vip_team(rig, overflow="-3", vip_calls_routing=2, ring_parallel=1)
    rig.presence(RAFAEL, Presence.BUSY)
    ring_for(rig, 70)
    assert rig.steps() == [(0, {TIJANA, ARADHANA}), (30, {ARADHANA}), (45, {LEONARD}), (60, set())]


def test_vip_threshold_makes_directory_users_vips_by_star_level(rig):
    gid = team(rig, overflow="-3", vip_threshold=3)
    other = rig.group("Other", "8975")
    rig.member(other, "Star", "1300", vip_level=4)
    rig.member(other, "Plain", "1301", vip_level=2)
    rig.presence(TIJANA, Presence.AWAY)
    ring_for(rig, 1, caller="1300")
    ring_for(rig, 1, caller="1301")
    rig.edit(gid, vip_threshold=0)  # 0: every directory user
    ring_for(rig, 1, caller="1301")
    rig.edit(gid, vip_threshold=6)  # above 5: the threshold is off
    ring_for(rig, 1, caller="1300")
    ring_for(rig, 1, caller=OUTSIDE)  # an outside caller is no directory user
    assert [set(lines) for _, lines in rig.history][:1] == [{TIJANA}]
    shown = [r for r in rig.router.calls.values()]
    assert [c.vip for c in shown] == [True, False, True, False, False]


def test_vip_calls_bypass_the_managers_application_forwarding_but_not_line_forwarding(rig):
    from phonesvc.telephony import Forwarding

    vip_team(rig, overflow="-3")
    manager = rig.store.snapshot().manager_of(1).member_id
    rig.forward(manager, "number", "5550199")
    ring_for(rig, 1)  # VIP: still the manager
    ring_for(rig, 1, caller=OUTSIDE)  # anyone else: the forwarding destination
    run(rig.act(rig.sim.set_forwarding(TIJANA, Forwarding(LEONARD))))
    ring_for(rig, 1)  # line forwarding applies to VIPs too: it rings where the line forwards
    assert rig.history[0] == (0, {TIJANA})
    assert rig.ringing() == {TIJANA, LEONARD}
    destinations = {r.caller_number: r.destination for r in rig.records}
    assert destinations == {OUTSIDE: "5550199"}


@pytest.mark.parametrize(("show", "displayed", "tones"), [(0, [], 0), (1, ["Very Important -> Rafael"], 1),
                                                          (2, ["Very Important <VIP> -> Rafael"], 1)])
def test_show_vip_calls_decides_what_the_other_members_see(rig, show, displayed, tones):
    from phonesvc.display.state import group_grid

    gid = vip_team(rig, show_vip_call=show, mng_call_alarm="Chime.raw", assist_call_alarm="Harp.raw",
                   caller_name="", caller_number="")
    rig.presence(TIJANA, Presence.AWAY)
    ring_for(rig, 31)  # past the manager: now at Rafael
    grid = group_grid(rig.store.snapshot(), rig.live, gid)
    assert [c for c in grid.calls if "Rafael" in c or "Raf" in c] == [c.replace("Rafael", grid.tiles[1].short_name)
                                                                      for c in displayed]
    assert len(rig.tones) == 2 * tones  # manager tone at 0, assistant tone at 30 (none when hidden)
    marked = "Very Important <VIP>" if show == 2 else "Very Important"
    assert rig.shown(RAFAEL)[0] == marked


def test_caller_identification_masks_show_on_assistants_phones_not_the_managers(rig):
    team(rig, ring_parallel=1, caller_name="%managerShortName%: %callerName%",
         caller_number="%managerNumber%**%callerNumber%")
    ring_for(rig, 1, caller=OUTSIDE)
    manager_short = rig.store.snapshot().manager_of(1).short_name
    assert rig.shown(TIJANA) == ("Very Important", OUTSIDE)
    assert rig.shown(RAFAEL) == (f"{manager_short}: Very Important", f"8973**{OUTSIDE}")


def test_number_mask_alone_shows_the_masked_number_and_no_masks_show_the_original(rig):
    gid = team(rig, ring_parallel=1, caller_number="%managerNumber%*%callerNumber%")
    ring_for(rig, 1, caller=OUTSIDE)
    assert rig.shown(RAFAEL) == ("", f"8973*{OUTSIDE}")
    rig.edit(gid, caller_number="")
    ring_for(rig, 1, caller="0800777")
    legs = [c for c in rig.sim.line(RAFAEL).calls if c.remote_number == "0800777"]
    assert [(c.remote_name, c.remote_number) for c in legs] == [("Very Important", "0800777")]


def test_assistant_calls_the_manager_directly_when_the_group_says_so(rig):
    gid = team(rig, assistant_to_mng=1, overflow="-3")
    rig.presence(TIJANA, Presence.AWAY)  # directly means: no rules, not even presence
    ring_for(rig, 100, caller=RAFAEL)
    assert rig.steps() == [(0, {TIJANA})]
    rig.edit(gid, assistant_to_mng=0)

    async def hang_up_all():
        for call in list(rig.sim.line(TIJANA).calls):
            await rig.act(rig.sim.hang_up(call.call_id, TIJANA))
    run(hang_up_all())
    ring_for(rig, 1, caller=RAFAEL)  # without it: the group's rules, and never back to the caller
    assert rig.ringing() == {ARADHANA}


def test_team_tones_manager_tone_assistant_tone_and_one_tone_without_a_manager(rig):
    team(rig, mng_call_alarm="Chime.raw", assist_call_alarm="Harp.raw", overflow="-3")
    ring_for(rig, 31, caller=OUTSIDE)
    # The others' phones: the manager tone while Tijana rings, the assistant tone when Rafael does.
    assert rig.tones == [(0, "Chime.raw", sorted([RAFAEL, ARADHANA, LEONARD])),
                         (30, "Harp.raw", sorted([TIJANA, ARADHANA, LEONARD]))]
    rig.tones.clear()
    crew = rig.group("Crew", "8980", mng_call_alarm="Chime.raw", assist_call_alarm="", overflow="-3")
    rig.member(crew, "Ann", "1401")
    rig.member(crew, "Bob", "1402")

    async def scenario():
        await rig.call(to="8980", caller="0800555")
    run(scenario())
    assert rig.tones == [(31, "Chime.raw", ["1402"])]  # no manager: the one tone set, to everyone else
