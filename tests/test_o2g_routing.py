"""Calls to a group's manager number through O2G's route points (RSI) against the fake O2G, routed by the real
router on a clock the test moves: the same flows and the same answers as the simulator-based call-flow tests
(tests/test_routing_flows.py), where O2G can express them."""

from __future__ import annotations

import asyncio

import pytest

from phonesvc.domain.presence import Presence
from phonesvc.live import EventBus, LiveState
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.routing import ManualClock, Router
from phonesvc.telephony import Presented, RouteEnded, RouteRequest
from tests.o2gkit import O2GRig
from tests.routingkit import OUTSIDE, Rig

TIJANA, RAFAEL, ARADHANA, LEONARD = "1047", "1175", "1068", "1118"


class O2GRoutingRig(Rig):
    """routingkit's Rig with the O2G adapter (on the fake O2G) in place of the simulator."""

    def __init__(self, store, o2g: O2GRig):
        self.store, self.o2g = store, o2g
        self.clock = ManualClock()
        self.t0 = self.clock.now()
        self.sim = o2g.adapter  # the name routingkit's scenarios use for the PBX
        self.bus = EventBus()
        self.live = LiveState(self.sim, self.bus)
        self.records, self.tones, self.greetings = [], [], {}
        self.router = Router(store, self.sim, self.bus, self.clock, on_record=self.records.append,
                             calls=self.live.routed)
        self.history, self._ringing, self._users = [], frozenset(), {}
        self.sim.subscribe(self._watch)

    def sync(self) -> None:
        self.bus.publish(ConfigurationChanged())  # the router sets the route points through the adapter

    async def quiet(self) -> None:
        """Until the router has done everything and every event O2G sent has arrived and been handled."""
        while True:
            await self.router.settle()
            sent = len(self.o2g.fake.sent)
            await self.o2g.caught_up()
            await self.router.settle()
            if len(self.o2g.fake.sent) == sent + 1:  # nothing but the marker
                return

    async def call(self, to: str = "8973", caller: str = OUTSIDE, name: str = "Ada Caller") -> str:
        await self.quiet()
        call_id = await self.o2g.fake.ring(caller, to, name)
        await self.quiet()
        return call_id

    async def advance(self, seconds: float) -> None:
        end = self.clock.now() + seconds
        await self.quiet()
        while (due := self.clock.pending()) and due[0] <= end:
            self.clock.advance(due[0] - self.clock.now())
            await self.quiet()
        self.clock.advance(end - self.clock.now())
        await self.quiet()

    async def answer(self, line: str, call_id: str) -> None:
        await self.sim.answer(call_id, line)
        await self.quiet()


def scenario(store, body, **group):
    async def main():
        async with O2GRig() as o2g:
            rig = O2GRoutingRig(store, o2g)
            gid = rig.group(**group)
            rig.member(gid, "Tijana.Vlahovic", TIJANA, manager=True, first="Tijana", last="Vlahović")
            rig.member(gid, "Rafael", RAFAEL)
            rig.member(gid, "Aradhana", ARADHANA)
            rig.member(gid, "Leonard", LEONARD, first="Léonard", last="Saligny")
            await rig.quiet()
            await o2g.until(lambda: "8973" in o2g.fake.route_points and o2g.adapter.channel.connected)
            await body(rig)
            return rig
    return asyncio.run(main())


@pytest.mark.parametrize("overflow", ["-3"])
def test_manager_available_rings_the_manager_then_each_assistant_then_busy(store, overflow):
    async def body(rig):
        await rig.call()
        await rig.advance(90)
    rig = scenario(store, body, overflow=overflow)
    assert rig.steps() == [(0, {TIJANA}), (30, {RAFAEL}), (45, {ARADHANA}), (60, {LEONARD}), (75, set())]
    [record] = rig.records
    assert record.members_rung == (TIJANA, RAFAEL, ARADHANA, LEONARD)
    assert record.destination == "busy" and record.outcome == "missed"


def test_manager_away_starts_at_the_first_available_assistant_and_overflows_to_a_number(store):
    async def body(rig):
        rig.presence(TIJANA, Presence.BUSY)
        rig.presence(RAFAEL, Presence.DND)
        await rig.call()
        await rig.advance(40)
    rig = scenario(store, body, overflow="5550100")
    assert rig.steps() == [(0, {ARADHANA}), (15, {LEONARD}), (30, set())]
    [record] = rig.records
    assert record.members_rung == (ARADHANA, LEONARD) and record.destination == "5550100"


def test_the_manager_answers_and_the_call_is_logged_when_it_ends(store):
    async def body(rig):
        call = await rig.call()
        await rig.advance(5)
        await rig.answer(TIJANA, call)
        await rig.advance(60)
        await rig.o2g.fake.outside_hangs_up(call)
        await rig.quiet()
    rig = scenario(store, body)
    assert rig.steps() == [(0, {TIJANA}), (5, set())]
    [r] = rig.records
    assert (r.answered_by, r.answered - r.started, r.duration) == (TIJANA, 5, 60)


def test_parallel_ringing_rings_the_manager_only_on_o2g(store):
    """O2G selects one route at a time: with 'ring assistant parallel' the manager rings alone, then the
    assistants one by one (docs/pbx-o2g.md)."""
    async def body(rig):
        await rig.call()
        await rig.advance(80)
    rig = scenario(store, body, ring_parallel=1, overflow="-3")
    assert rig.steps()[0] == (0, {TIJANA})
    assert rig.records[0].members_rung[0] == TIJANA


def route_point_scenario(body):
    async def main():
        async with O2GRig() as o2g:
            await o2g.adapter.set_route_points(["8973"])
            await o2g.until(lambda: "8973" in o2g.fake.route_points and o2g.adapter.channel.connected
                            and o2g.adapter.channel.selected[-1]["names"] == ["rsi"])
            call = await o2g.fake.ring("0800123456", "8973", "Ada Caller")
            await o2g.until(lambda: any(isinstance(e, RouteRequest) for e in o2g.events))
            await body(o2g, call)
    asyncio.run(main())


def routed(o2g: O2GRig) -> list[tuple]:
    return [(e.call_id, e.route_point, e.cause, e.destination) for e in o2g.events if isinstance(e, RouteEnded)]


def test_a_route_request_carries_the_caller_and_announcements_play_as_voice_guides():
    async def body(o2g: O2GRig, call: str):
        [request] = [e for e in o2g.events if isinstance(e, RouteRequest)]
        assert (request.call_id, request.route_point, request.caller_number, request.caller_name,
                request.caller_line) == (call, "8973", "0800123456", "Ada Caller", False)
        o2g.adapter.voice_guides = {"greeting.wav": 3, "waiting.wav": 4}
        await o2g.adapter.play(call, ["/audio/PCM/unknown.wav", "/audio/PCM/greeting.wav", "/audio/waiting.wav"])
        assert o2g.fake.voice_guides == [(call, 3)]  # the first file with a guide: O2G plays one at a time
    route_point_scenario(body)


def test_route_to_voicemail_hands_the_call_off():
    async def body(o2g: O2GRig, call: str):
        await o2g.adapter.route_to(call, "81047", voicemail=True)
        await o2g.until(lambda: routed(o2g) == [(call, "8973", "handed_off", "81047")])
    route_point_scenario(body)


def test_reject_gives_the_caller_busy():
    async def body(o2g: O2GRig, call: str):
        await o2g.adapter.reject(call)
        await o2g.until(lambda: routed(o2g) == [(call, "8973", "busy", "")])
    route_point_scenario(body)


def test_the_caller_hanging_up_while_it_waits_is_cleared():
    async def body(o2g: O2GRig, call: str):
        await o2g.fake.outside_hangs_up(call)
        await o2g.until(lambda: routed(o2g) == [(call, "8973", "cleared", "")])
    route_point_scenario(body)


def test_an_offer_to_a_line_that_does_not_take_calls_is_left_out():
    async def body(o2g: O2GRig, call: str):
        await o2g.adapter.set_dnd("1047", True)
        await o2g.until(lambda: o2g.adapter.line("1047").dnd)
        rings = await o2g.adapter.offer(call, {"1047": Presented("Ada", "0800123456"),
                                               "1175": Presented("Ada", "0800123456")})
        assert rings == {"1175": "1175"}
        await o2g.until(lambda: o2g.legs("1175") == [f"{call} incoming ringing 0800123456"])
    route_point_scenario(body)
