"""The PhoneDiversions Call Handler on the simulator: a real SQLite store, the PBX simulator, the event bus,
the MA router beside it and a clock the test moves. A diverted line forwards to the PhoneDiversions number;
what the caller gets there follows the Call Handler tab's settings."""

from __future__ import annotations

import pytest

from phonesvc.diversions.callhandler import CallHandler
from phonesvc.diversions.settings import CallHandlerSettings, save
from phonesvc.live.forwarding import LineForwarding
from phonesvc.store import divreports as R
from phonesvc.store.diversions import add_group, add_line
from phonesvc.telephony import CallState
from tests.routingkit import OUTSIDE, Rig, run

HANDLER, LINE, OFF_LINE, DIRECT = "1025", "1044", "1011", "+41795551234"
GROUP = "Front desk & <Vlahović>"


class HandlerRig(Rig):
    def __init__(self, store, **settings):
        super().__init__(store)
        self.announcements = {"Ansage Zürich.wav": 8.0}
        self.handled: list[R.CallHandlerCall] = []
        self.handler = CallHandler(store, self.sim, self.bus, self.clock, on_record=self.handled.append,
                                   announcement_seconds=lambda w: self.announcements.get(w, 0.0))
        self.router.other_points = lambda snap: frozenset((HANDLER,))
        with store.write() as conn:
            gid = add_group(conn, GROUP, "", HANDLER, "ON")
            add_line(conn, gid, LINE, "Main diversion line")
            save(conn, CallHandlerSettings(**{"number": HANDLER, "announcement": "Ansage Zürich.wav",
                                              "direct_access": (DIRECT,), **settings}))
        for number in (LINE, OFF_LINE):
            self.sim.add_line(number)

    async def start(self) -> None:
        await self.router.sync_route_points()
        await LineForwarding(self.store, self.sim).apply()  # the diversion is ON: 1044 forwards to 1025

    async def settle(self) -> None:
        await self.router.settle()
        await self.handler.settle()

    async def advance(self, seconds: float) -> None:
        await self.settle()
        self.clock.advance(seconds)
        await self.settle()

    def leg(self, line: str):
        return next(iter(self.sim.line(line).calls), None)


@pytest.fixture
def rig(store) -> HandlerRig:
    return HandlerRig(store)


def test_a_diverted_call_hears_the_announcement_then_rings_the_number_first_dialled(rig):
    async def main():
        await rig.start()
        assert rig.sim.route_points() == [HANDLER] and rig.sim.line(LINE).forwarding.number == HANDLER
        call_id = await rig.sim.external_call(OUTSIDE, LINE, "Léonard")
        await rig.settle()
        waiting = rig.sim.waiting(call_id)
        assert waiting.route_point == HANDLER and waiting.playing.files == ("Ansage Zürich.wav",)
        assert rig.leg(LINE) is None  # nothing rings while the announcement plays
        await rig.advance(7.9)
        assert rig.leg(LINE) is None
        await rig.advance(0.2)
        leg = rig.leg(LINE)  # past the diversion: 1044 rings although it still forwards to 1025
        assert (leg.call_id, leg.state, leg.remote_number) == (call_id, CallState.RINGING, OUTSIDE)
        assert rig.sim.line(LINE).forwarding.number == HANDLER
        await rig.sim.answer(call_id, LINE)
        await rig.settle()
        assert rig.handled == [R.CallHandlerCall(rig.t0, call_id, OUTSIDE, LINE, GROUP, R.CONNECTED)]
        assert rig.records == []  # not a call of an MA group: the MA call log leaves it alone
    run(main())


def test_without_connect_the_announcement_is_all_the_caller_gets(store):
    rig = HandlerRig(store, connect=False)

    async def main():
        await rig.start()
        call_id = await rig.sim.external_call(OUTSIDE, LINE)
        await rig.advance(8.0)
        assert rig.sim.waiting(call_id) is None and rig.leg(LINE) is None  # ended, 1044 never rang
        assert [(c.receiver_number, c.status) for c in rig.handled] == [(LINE, R.TERMINATED)]
    run(main())


def test_a_direct_access_number_is_connected_at_once_without_the_announcement(rig):
    async def main():
        await rig.start()
        call_id = await rig.sim.external_call(DIRECT, LINE)
        await rig.settle()
        assert rig.leg(LINE).call_id == call_id and rig.leg(LINE).state == CallState.RINGING
        assert [p.call_id for p in rig.sim.played] == []  # no announcement
        assert [(c.caller_number, c.status) for c in rig.handled] == [(DIRECT, R.DIRECT)]
    run(main())


def test_a_direct_access_number_wins_over_connect_off(store):
    rig = HandlerRig(store, connect=False)

    async def main():
        await rig.start()
        call_id = await rig.sim.external_call(DIRECT, LINE)
        await rig.settle()
        assert rig.leg(LINE).call_id == call_id
        assert [c.status for c in rig.handled] == [R.DIRECT]
    run(main())


def test_a_caller_who_hangs_up_during_the_announcement_is_recorded_as_such(rig):
    async def main():
        await rig.start()
        call_id = await rig.sim.external_call(OUTSIDE, LINE)
        await rig.advance(3.0)
        await rig.sim.hang_up_external(call_id)
        await rig.advance(10.0)
        assert rig.leg(LINE) is None
        assert [c.status for c in rig.handled] == [R.HUNG_UP]
    run(main())


def test_a_call_dialled_to_the_handler_directly_has_nowhere_to_go_back_to(rig):
    async def main():
        await rig.start()
        await rig.sim.external_call(OUTSIDE, HANDLER)
        await rig.advance(8.0)
        assert [(c.receiver_number, c.group_name, c.status) for c in rig.handled] == [("", "", R.TERMINATED)]
    run(main())


def test_a_line_that_cannot_ring_leaves_the_call_not_connected(rig):
    async def main():
        await rig.start()
        await rig.sim.set_dnd(LINE, True)
        call_id = await rig.sim.external_call(OUTSIDE, LINE)
        await rig.advance(8.0)
        assert rig.sim.waiting(call_id) is None
        assert [c.status for c in rig.handled] == [R.NOT_CONNECTED]
        assert rig.handler.errors == 1
    run(main())
