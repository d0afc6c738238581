"""Every call action of the O2G adapter against the fake O2G, and the events it makes of O2G's: the lines show
what the PBX has (the fake runs the simulator underneath), calls end with the protocol's causes; a PBX refusal
of each action is a TelephonyError with O2G's text and changes nothing."""

from __future__ import annotations

import asyncio

import pytest

from phonesvc.telephony import CallState, Direction, Forwarding, TelephonyError
from tests.o2gkit import O2GRig


def run(scenario):
    async def main():
        async with O2GRig() as rig:
            await scenario(rig)
    asyncio.run(main())


async def _answered(rig: O2GRig, line: str = "1047") -> str:
    call = await rig.fake.ring("0800123456", line)
    await rig.adapter.answer(call, line)
    await rig.until(lambda: rig.legs(line) == [f"{call} incoming active 0800123456"])
    return call


async def _ringing(rig: O2GRig, line: str = "1175") -> str:
    call = await rig.fake.ring("0800123456", line)
    await rig.settled()
    return call


def test_an_outside_call_rings_is_answered_and_hung_up():
    async def scenario(rig: O2GRig):
        call = await rig.fake.ring("0800123456", "1068", "Société Générale")
        await rig.settled()
        leg = rig.adapter.line("1068").calls[0]
        assert (leg.call_id, leg.direction, leg.state, leg.remote_number, leg.remote_name, leg.external) == \
            (call, Direction.INCOMING, CallState.RINGING, "0800123456", "Société Générale", True)
        await rig.adapter.answer(call, "1068")
        await rig.until(lambda: rig.legs("1068") == [f"{call} incoming active 0800123456"])
        await rig.adapter.hang_up(call, "1068")
        await rig.until(lambda: rig.adapter.line("1068").calls == ())
        assert rig.ended() == [("ended", call, "1068", "cleared", "", "")]
    run(scenario)


def test_an_internal_call_shows_on_both_lines_with_names_that_survive():
    async def scenario(rig: O2GRig):
        call = await rig.adapter.make_call("1175", "1068")
        await rig.settled()
        assert rig.legs("1175") == [f"{call} outgoing ringing 1068"]
        ringing = rig.adapter.line("1068").calls[0]
        assert (ringing.remote_name, ringing.external) == ("Bruno Vlahović", False)
        assert rig.adapter.line("1175").calls[0].remote_name == "Chloé D'Arcy & <Co>"
        await rig.adapter.hang_up(call, "1068")  # the called line refuses the ringing call
        await rig.settled()
        assert sorted(rig.ended()) == [("ended", call, "1068", "rejected", "", ""),
                                       ("ended", call, "1175", "cleared", "", "")]
    run(scenario)


def test_hold_and_retrieve():
    async def scenario(rig: O2GRig):
        call = await _answered(rig)
        await rig.adapter.hold(call, "1047")
        await rig.until(lambda: rig.legs("1047") == [f"{call} incoming held 0800123456"])
        await rig.adapter.retrieve(call, "1047")
        await rig.until(lambda: rig.legs("1047") == [f"{call} incoming active 0800123456"])
    run(scenario)


def test_blind_transfer_moves_the_call_and_ends_it_on_the_line():
    async def scenario(rig: O2GRig):
        call = await _answered(rig)
        await rig.adapter.blind_transfer(call, "1047", "1118")
        await rig.settled()
        assert rig.legs("1118")[0].startswith(f"{call} ") and "ringing 0800123456" in rig.legs("1118")[0]
        assert ("ended", call, "1047", "transferred", "", "1118") in rig.ended()
    run(scenario)


def test_consultation_transfer_completes_with_the_held_call_replacing_the_consultation():
    async def scenario(rig: O2GRig):
        call = await _answered(rig)
        consult = await rig.adapter.consult_start(call, "1047", "1118")
        await rig.settled()
        assert rig.legs("1047") == [f"{call} incoming held 0800123456", f"{consult} outgoing ringing 1118"]
        await rig.adapter.answer(consult, "1118")
        await rig.settled()
        await rig.adapter.consult_complete("1047")
        await rig.settled()
        assert [leg.split()[0] for leg in rig.legs("1118")] == [call]
        ended = rig.ended()
        assert ("ended", consult, "1047", "transferred", call, "") in ended
        assert rig.adapter.line("1047").calls == ()
    run(scenario)


def test_consultation_cancelled_by_reconnect_takes_the_held_call_back():
    async def scenario(rig: O2GRig):
        call = await _answered(rig)
        consult = await rig.adapter.consult_start(call, "1047", "1118")
        await rig.settled()
        await rig.adapter.consult_cancel("1047")
        await rig.settled()
        assert rig.legs("1047") == [f"{call} incoming active 0800123456"]
        assert ("ended", consult, "1118", "cleared", "", "") in rig.ended()
    run(scenario)


def test_redirect_a_ringing_call_to_a_line_and_to_voicemail():
    async def scenario(rig: O2GRig):
        call = await rig.fake.ring("0800123456", "1175")
        await rig.settled()
        await rig.adapter.redirect(call, "1175", "1118")
        await rig.settled()
        assert rig.legs("1118") == [f"{call} incoming ringing 0800123456"]
        assert rig.adapter.line("1118").calls[0].original_called == "1175"
        assert ("ended", call, "1175", "redirected", "", "1118") in rig.ended()
        second = await rig.fake.ring("0800999999", "1047")
        await rig.settled()
        await rig.adapter.redirect(second, "1047", "VOICEMAIL")
        await rig.settled()
        assert rig.adapter.line("1047").calls == ()
        assert ("ended", second, "1047", "redirected", "", "8000") in rig.ended()
    run(scenario)


def test_pickup_of_another_lines_ringing_call():
    async def scenario(rig: O2GRig):
        call = await rig.fake.ring("0800123456", "1175")
        await rig.settled()
        assert await rig.adapter.pickup("1047", "1175") == call
        await rig.settled()
        assert rig.legs("1047") == [f"{call} incoming active 0800123456"]
        assert ("ended", call, "1175", "picked_up", "", "") in rig.ended()
    run(scenario)


def test_forwarding_to_a_number_and_to_voicemail_and_dnd():
    async def scenario(rig: O2GRig):
        await rig.adapter.set_forwarding("1175", Forwarding("0612345678"))
        await rig.until(lambda: rig.adapter.line("1175").forwarding == Forwarding("0612345678"))
        await rig.adapter.set_forwarding("1047", Forwarding("8000", voicemail=True))
        await rig.until(lambda: rig.adapter.line("1047").forwarding == Forwarding("8000", voicemail=True))
        await rig.adapter.set_forwarding("1175", None)
        await rig.until(lambda: rig.adapter.line("1175").forwarding is None)
        await rig.adapter.set_dnd("1068", True)
        await rig.until(lambda: rig.adapter.line("1068").dnd)
        await rig.adapter.set_dnd("1068", False)
        await rig.until(lambda: not rig.adapter.line("1068").dnd)
        with pytest.raises(TelephonyError, match="No voicemail for this user"):
            await rig.adapter.set_forwarding("1118", Forwarding("", voicemail=True))
    run(scenario)


ACTIONS = {
    "make_call": (None, lambda a, c: a.make_call("1047", "1118")),
    "answer": (_ringing, lambda a, c: a.answer(c, "1175")),
    "hang_up": (_answered, lambda a, c: a.hang_up(c, "1047")),
    "hold": (_answered, lambda a, c: a.hold(c, "1047")),
    "retrieve": (_answered, lambda a, c: a.retrieve(c, "1047")),
    "blind_transfer": (_answered, lambda a, c: a.blind_transfer(c, "1047", "1118")),
    "consult_start": (_answered, lambda a, c: a.consult_start(c, "1047", "1118")),
    "redirect": (_ringing, lambda a, c: a.redirect(c, "1175", "1118")),
    "pickup": (_ringing, lambda a, c: a.pickup("1047", "1175")),
    "set_forwarding": (None, lambda a, c: a.set_forwarding("1047", Forwarding("0612345678"))),
    "set_dnd": (None, lambda a, c: a.set_dnd("1047", True)),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_pbx_refusal_is_a_clear_error_and_changes_nothing(action):
    prepare, act = ACTIONS[action]

    async def scenario(rig: O2GRig):
        call = await prepare(rig) if prepare else None
        before = {n: rig.adapter.line(n) for n in ("1047", "1175", "1118")}
        rig.fake.refuse_next("Incompatible with the state of the call")
        with pytest.raises(TelephonyError, match="the PBX refused: Incompatible with the state of the call"):
            await act(rig.adapter, call)
        await rig.settled()
        assert {n: rig.adapter.line(n) for n in ("1047", "1175", "1118")} == before
    run(scenario)


def test_an_unknown_line_is_refused_before_asking_the_pbx():
    async def scenario(rig: O2GRig):
        asked = len(rig.fake.requests)
        with pytest.raises(TelephonyError, match="9999 is not a line monitored on the PBX"):
            await rig.adapter.make_call("9999", "1047")
        assert len(rig.fake.requests) == asked
    run(scenario)
