"""The embedded PBX simulator, operation by operation: the events it publishes and the state after."""

from __future__ import annotations

import json

import pytest

from phonesvc.telephony import CallEnded, Forwarding
from tests.simkit import Rig

EXT = "0800123456"


@pytest.fixture
def pbx() -> Rig:
    return Rig()


def connected(pbx: Rig, caller: str, callee: str) -> str:
    """A call from caller (line or outside number) answered at line callee; events discarded."""
    call = pbx("make_call" if pbx.sim.is_line(caller) else "external_call", caller, callee)
    pbx("answer", call, callee)
    pbx.take()
    return call


# ---- basic calls -------------------------------------------------------------------------------
def test_internal_call_rings_is_answered_and_cleared(pbx):
    pbx.clock = 1234.5
    assert pbx("make_call", "1047", "1118") == "c1"
    assert pbx.take() == [("1047", ["c1 outgoing ringing 1118"]), ("1118", ["c1 incoming ringing 1047"])]
    caller, callee = pbx.sim.line("1047").calls[0], pbx.sim.line("1118").calls[0]
    assert (caller.external, caller.remote_name, caller.started, caller.original_called) == (
        False, "Léonard Saligny", 1234.5, "")
    assert (callee.external, callee.line, callee.started) == (False, "1118", 1234.5)

    pbx("answer", "c1", "1118")
    assert pbx.take() == [("1118", ["c1 incoming active 1047"]), ("1047", ["c1 outgoing active 1118"])]

    pbx("hang_up", "c1", "1118")
    assert pbx.take() == [("1047", []), ("1118", []),
                          ("ended", "c1", "1047", "cleared"), ("ended", "c1", "1118", "cleared")]
    pbx.refused("there is no call c1", "answer", "c1", "1118")


def test_caller_cancels_a_ringing_call_and_callee_rejects_one(pbx):
    pbx("make_call", "1047", "1175")
    pbx.take()
    pbx("hang_up", "c1", "1047")
    assert pbx.take()[-2:] == [("ended", "c1", "1047", "cleared"), ("ended", "c1", "1175", "cleared")]

    pbx("make_call", "1047", "1175")
    pbx.take()
    pbx("hang_up", "c2", "1175")
    assert pbx.take() == [("1047", []), ("1175", []),
                          ("ended", "c2", "1047", "rejected"), ("ended", "c2", "1175", "rejected")]


def test_call_from_outside_rings_the_line_as_external(pbx):
    assert pbx("external_call", EXT, "1047", "Support desk") == "c1"
    assert pbx.take() == [("1047", ["c1 incoming ringing 0800123456"])]
    leg = pbx.sim.line("1047").calls[0]
    assert (leg.external, leg.remote_name) == (True, "Support desk")
    pbx.refused("not ringing at an outside number", "answer_external", "c1")

    pbx("answer", "c1", "1047")
    assert pbx.take() == [("1047", ["c1 incoming active 0800123456"])]
    pbx("hang_up_external", "c1")
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "cleared")]


def test_call_to_outside_rings_until_the_remote_party_answers(pbx):
    pbx("make_call", "1047", EXT)
    assert pbx.take() == [("1047", ["c1 outgoing ringing 0800123456"])]
    assert pbx.sim.line("1047").calls[0].external is True
    pbx.refused("call c1 is not ringing on line 1047", "answer", "c1", "1047")

    pbx("answer_external", "c1")
    assert pbx.take() == [("1047", ["c1 outgoing active 0800123456"])]
    pbx("hang_up", "c1", "1047")
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "cleared")]


def test_answer_call_answers_wherever_it_rings_and_end_call_releases_everyone(pbx):
    pbx("make_call", "1047", "1175")
    pbx("answer_call", "c1")
    assert pbx.legs("1175") == ["c1 incoming active 1047"]
    pbx("make_call", "1068", EXT)
    pbx("answer_call", "c2")
    assert pbx.legs("1068") == ["c2 outgoing active 0800123456"]
    pbx.take()
    pbx.refused("call c1 is not ringing", "answer_call", "c1")
    pbx("end_call", "c1")
    assert pbx.take() == [("1047", []), ("1175", []),
                          ("ended", "c1", "1047", "cleared"), ("ended", "c1", "1175", "cleared")]


# ---- hold and retrieve ---------------------------------------------------------------------------
def test_hold_changes_only_the_holders_leg(pbx):
    connected(pbx, "1047", "1175")
    pbx("hold", "c1", "1175")
    assert pbx.take() == [("1175", ["c1 incoming held 1047"])]
    assert pbx.legs("1047") == ["c1 outgoing active 1175"]
    pbx.refused("only an active call can be held", "hold", "c1", "1175")
    pbx("retrieve", "c1", "1175")
    assert pbx.take() == [("1175", ["c1 incoming active 1047"])]
    pbx.refused("call c1 is not on hold on line 1175", "retrieve", "c1", "1175")


def test_answering_or_calling_holds_the_active_call_first(pbx):
    connected(pbx, "1047", "1175")
    pbx("external_call", EXT, "1047")
    pbx.take()
    pbx("answer", "c2", "1047")  # one event per line, with both changes in it
    assert pbx.take() == [("1047", ["c1 outgoing held 1175", "c2 incoming active 0800123456"])]

    pbx("make_call", "1047", "1068")
    assert pbx.take() == [("1047", ["c1 outgoing held 1175", "c2 incoming held 0800123456",
                                    "c3 outgoing ringing 1068"]),
                          ("1068", ["c3 incoming ringing 1047"])]
    pbx("answer", "c3", "1068")
    pbx.take()
    pbx.refused("line 1047 already has an active call (c3)", "retrieve", "c1", "1047")
    pbx("hang_up", "c3", "1047")
    pbx("retrieve", "c1", "1047")
    assert pbx.legs("1047") == ["c1 outgoing active 1175", "c2 incoming held 0800123456"]


# ---- transfers -----------------------------------------------------------------------------------
def test_blind_transfer_sends_the_other_party_to_the_destination(pbx):
    connected(pbx, EXT, "1047")
    pbx("blind_transfer", "c1", "1047", "1175")
    assert pbx.take() == [("1047", []), ("1175", ["c1 incoming ringing 0800123456"]),
                          ("ended", "c1", "1047", "transferred")]
    assert pbx.sim.line("1175").calls[0].external is True
    pbx("answer", "c1", "1175")
    assert pbx.legs("1175") == ["c1 incoming active 0800123456"]


def test_blind_transfer_of_an_internal_caller_makes_it_wait_for_the_destination(pbx):
    connected(pbx, "1068", "1047")
    pbx("hold", "c1", "1047")
    pbx.take()
    pbx("blind_transfer", "c1", "1047", "1175")
    assert pbx.take() == [("1047", []), ("1068", ["c1 outgoing ringing 1175"]),
                          ("1175", ["c1 incoming ringing 1068"]), ("ended", "c1", "1047", "transferred")]


def test_blind_transfer_refusals(pbx):
    pbx("external_call", EXT, "1047")
    pbx.take()
    pbx.refused("only an active or held call can be transferred", "blind_transfer", "c1", "1047", "1175")
    pbx("answer", "c1", "1047")
    pbx("set_dnd", "1175", True)
    pbx.take()
    pbx.refused("line 1175 does not take calls (do not disturb)", "blind_transfer", "c1", "1047", "1175")
    pbx.refused("that is line 1047 itself", "blind_transfer", "c1", "1047", "1047")
    pbx.refused("that is the other party of the call", "blind_transfer", "c1", "1047", EXT)
    pbx.refused("'12ab' is not a phone number", "blind_transfer", "c1", "1047", "12ab")
    pbx.refused("call c1 is not on line 1068", "blind_transfer", "c1", "1068", "1175")


def test_consultation_transfer_connects_the_held_and_the_consulted_party(pbx):
    connected(pbx, EXT, "1047")
    pbx.clock = 2000.0
    assert pbx("consult_start", "c1", "1047", "1175") == "c2"
    assert pbx.take() == [("1047", ["c1 incoming held 0800123456", "c2 outgoing ringing 1175"]),
                          ("1175", ["c2 incoming ringing 1047"])]
    pbx("answer", "c2", "1175")
    pbx.take()

    pbx("consult_complete", "1047")
    # the consultation goes on as the held call, which took its place on 1175
    assert [e.replaced_by for e in pbx.events if isinstance(e, CallEnded)] == ["", "c1"]
    assert pbx.take() == [("1047", []), ("1175", ["c1 incoming active 0800123456"]),
                          ("ended", "c1", "1047", "transferred"), ("ended", "c2", "1047", "transferred")]
    leg = pbx.sim.line("1175").calls[0]
    assert (leg.external, leg.started) == (True, 2000.0)  # when the consultation reached 1175
    pbx("hang_up", "c1", "1175")
    assert pbx.sim.line("1175").calls == ()


def test_consultation_completed_while_the_target_rings_becomes_a_blind_transfer(pbx):
    connected(pbx, "1068", "1047")
    pbx("consult_start", "c1", "1047", "1175")
    pbx.take()
    pbx("consult_complete", "1047")
    assert pbx.take() == [("1047", []), ("1068", ["c1 outgoing ringing 1175"]),
                          ("1175", ["c1 incoming ringing 1068"]),
                          ("ended", "c1", "1047", "transferred"), ("ended", "c2", "1047", "transferred")]
    pbx("answer", "c1", "1175")
    assert pbx.legs("1068") == ["c1 outgoing active 1175"]


def test_consultation_needs_one_held_and_one_active_call(pbx):
    pbx.refused("line 1047 has no held call", "consult_complete", "1047")
    pbx.refused("line 1047 has no held call", "consult_cancel", "1047")
    connected(pbx, "1068", "1047")
    pbx.refused("line 1047 has no held call", "consult_complete", "1047")
    pbx("hold", "c1", "1047")
    pbx.take()
    pbx.refused("line 1047 has no active call to complete the transfer with", "consult_complete", "1047")
    connected(pbx, "1175", "1047")
    pbx("hold", "c2", "1047")
    pbx("make_call", "1047", "1118")
    pbx.take()
    pbx.refused("line 1047 has 2 held and 1 active calls", "consult_complete", "1047")
    pbx.refused("line 1068 cannot consult 1068: that is line 1068 itself", "consult_start", "c1", "1068", "1068")
    pbx.refused("only an active call can be transferred", "consult_start", "c3", "1047", "1068")


def test_consultation_cancel_hangs_up_the_consultation_and_takes_the_held_call_back(pbx):
    connected(pbx, EXT, "1047")
    pbx("consult_start", "c1", "1047", "1175")
    pbx("answer", "c2", "1175")
    pbx.take()
    pbx("consult_cancel", "1047")
    assert pbx.take() == [("1047", ["c1 incoming active 0800123456"]), ("1175", []),
                          ("ended", "c2", "1047", "cleared"), ("ended", "c2", "1175", "cleared")]


def test_consultation_to_a_line_in_dnd_is_refused_and_the_call_stays_active(pbx):
    connected(pbx, EXT, "1047")
    pbx("set_dnd", "1175", True)
    pbx.take()
    pbx.refused("line 1175 does not take calls", "consult_start", "c1", "1047", "1175")
    assert pbx.legs("1047") == ["c1 incoming active 0800123456"]


# ---- redirect and pickup -------------------------------------------------------------------------
def test_redirect_sends_a_ringing_call_on_and_keeps_the_number_first_called(pbx):
    pbx("make_call", "1068", "1047")
    pbx.take()
    pbx("redirect", "c1", "1047", "1175")
    assert pbx.take() == [("1047", []), ("1068", ["c1 outgoing ringing 1175"]),
                          ("1175", ["c1 incoming ringing 1068"]), ("ended", "c1", "1047", "redirected")]
    assert pbx.sim.line("1175").calls[0].original_called == "1047"
    assert pbx.sim.line("1068").calls[0].original_called == "1047"
    pbx("redirect", "c1", "1175", "1118")
    assert pbx.sim.line("1118").calls[0].original_called == "1047"
    pbx.take()
    pbx("answer", "c1", "1118")
    pbx.take()
    pbx.refused("only a ringing call can be redirected", "redirect", "c1", "1118", "1175")
    pbx.refused("call c1 is not ringing on line 1068", "redirect", "c1", "1068", "1175")


def test_redirect_to_the_caller_or_an_out_of_service_line_is_refused(pbx):
    pbx("make_call", "1068", "1047")
    pbx("set_in_service", "1175", False)
    pbx.take()
    pbx.refused("that is the other party of the call", "redirect", "c1", "1047", "1068")
    pbx.refused("line 1175 is out of service", "redirect", "c1", "1047", "1175")


def test_pickup_moves_the_ringing_call_to_the_picking_line(pbx):
    pbx("external_call", EXT, "1047")
    connected(pbx, "1068", "1175")
    pbx.clock = 1500.0
    assert pbx("pickup", "1175", "1047") == "c1"
    assert pbx.take() == [("1175", ["c2 incoming held 1068", "c1 incoming active 0800123456"]), ("1047", []),
                          ("ended", "c1", "1047", "picked_up")]
    leg = pbx.sim.line("1175").call("c1")
    assert (leg.external, leg.started, leg.original_called) == (True, 1500.0, "1047")


def test_pickup_of_an_internal_call_connects_the_caller(pbx):
    pbx("make_call", "1068", "1047")
    pbx("make_call", "1118", "1047")
    pbx.take()
    assert pbx("pickup", "1175", "1047", "c2") == "c2"
    assert pbx.take() == [("1047", ["c1 incoming ringing 1068"]), ("1118", ["c2 outgoing active 1175"]),
                          ("1175", ["c2 incoming active 1118"]), ("ended", "c2", "1047", "picked_up")]


def test_pickup_refusals(pbx):
    pbx.refused("nothing rings on line 1047", "pickup", "1175", "1047")
    pbx("make_call", "1068", "1047")
    pbx.take()
    pbx.refused("call c9 is not ringing on line 1047", "pickup", "1175", "1047", "c9")
    pbx.refused("line 1047 cannot pick up its own calls", "pickup", "1047", "1047")
    pbx.refused("cannot pick up the call it is making itself", "pickup", "1068", "1047")
    pbx.refused("4711 is not a line of this PBX", "pickup", "4711", "1047")


# ---- forwarding, DND, service --------------------------------------------------------------------
def test_forwarded_line_sends_new_calls_on_and_never_rings_itself(pbx):
    pbx("set_forwarding", "1047", Forwarding("1175"))
    assert pbx.take() == [("1047", [])]
    assert pbx.sim.line("1047").forwarding == Forwarding("1175")
    pbx("make_call", "1068", "1047")
    assert pbx.take() == [("1068", ["c1 outgoing ringing 1175"]), ("1175", ["c1 incoming ringing 1068"])]
    assert pbx.sim.line("1175").calls[0].original_called == "1047"
    pbx("set_forwarding", "1047", None)
    pbx("external_call", EXT, "1047")
    assert pbx.legs("1047") == ["c2 incoming ringing 0800123456"]


def test_forwarding_follows_chains_but_never_loops(pbx):
    pbx("set_forwarding", "1047", Forwarding("1175"))
    pbx("set_forwarding", "1175", Forwarding("1118"))
    pbx("make_call", "1068", "1047")
    assert pbx.legs("1118") == ["c1 incoming ringing 1068"]
    assert pbx.sim.line("1118").calls[0].original_called == "1047"

    pbx("set_forwarding", "1118", Forwarding("1047"))  # 1047 -> 1175 -> 1118 -> 1047: rings the last line
    pbx("external_call", EXT, "1047")
    assert pbx.legs("1118")[-1] == "c2 incoming ringing 0800123456"
    pbx("make_call", "1118", "1175")  # 1175 -> 1118 is the caller itself: rings 1175
    assert pbx.legs("1175") == ["c3 incoming ringing 1118"]


def test_forwarding_to_outside_numbers_and_voicemail(pbx):
    pbx("set_forwarding", "1047", Forwarding("+41791234567"))
    pbx("make_call", "1068", "1047")
    leg = pbx.sim.line("1068").calls[0]
    assert (leg.remote_number, leg.external, leg.state, leg.original_called) == ("+41791234567", True, "ringing",
                                                                                "1047")
    pbx("external_call", EXT, "1047")  # outside to outside: nothing left on this PBX's lines
    assert [c.call_id for line in pbx.sim.lines() for c in line.calls] == ["c1"]

    pbx("set_forwarding", "1175", Forwarding("8175", voicemail=True))
    pbx.take()
    pbx("make_call", "1118", "1175")  # the voicemail box answers at once
    assert pbx.take() == [("1118", ["c3 outgoing active 8175"])]
    leg = pbx.sim.line("1118").calls[0]
    assert (leg.remote_name, leg.external, leg.original_called) == ("Voicemail", True, "1175")


def test_forwarding_refusals(pbx):
    pbx.refused("line 1047 cannot be forwarded to itself", "set_forwarding", "1047", Forwarding("1047"))
    pbx.refused("a phone number is missing", "set_forwarding", "1047", Forwarding(""))
    pbx.refused("4711 is not a line of this PBX", "set_forwarding", "4711", Forwarding("1047"))


def test_dnd_line_refuses_calls_as_busy(pbx):
    pbx("set_dnd", "1047", True)
    assert pbx.take() == [("1047", [])]
    assert pbx.sim.line("1047").dnd is True
    assert pbx("make_call", "1175", "1047") == "c1"
    assert pbx.take() == [("ended", "c1", "1175", "busy")]
    assert pbx.sim.line("1175").calls == () and pbx.sim.line("1047").calls == ()
    pbx("external_call", EXT, "1047")
    assert pbx.take() == []
    pbx("make_call", "1047", "1175")  # DND does not stop calling out
    assert pbx.legs("1047") == ["c3 outgoing ringing 1175"]
    pbx.take()
    pbx("set_dnd", "1047", False)
    pbx("set_dnd", "1047", False)
    assert pbx.take() == [("1047", ["c3 outgoing ringing 1175"])]  # once: the second changed nothing
    assert pbx.sim.line("1047").dnd is False


def test_out_of_service_line_drops_its_calls_and_refuses_new_ones(pbx):
    connected(pbx, "1047", "1175")
    pbx("external_call", EXT, "1175")
    pbx.take()
    pbx("set_in_service", "1175", False)
    assert pbx.take() == [("1175", []), ("1047", []), ("ended", "c1", "1047", "cleared"),
                          ("ended", "c1", "1175", "cleared"), ("ended", "c2", "1175", "cleared")]
    assert pbx.sim.line("1175").in_service is False
    pbx.refused("line 1175 is out of service", "make_call", "1047", "1175")
    pbx.refused("line 1175 is out of service", "external_call", EXT, "1175")
    pbx.refused("line 1175 is out of service", "make_call", "1175", "1047")
    pbx.refused("line 1175 is out of service", "pickup", "1175", "1047")
    pbx("set_in_service", "1175", True)
    pbx("make_call", "1047", "1175")
    assert pbx.legs("1175") == ["c3 incoming ringing 1047"]


# ---- refusals in general, state ------------------------------------------------------------------
@pytest.mark.parametrize("method, args, message", [
    ("make_call", ("4711", "1047"), "4711 is not a line of this PBX"),
    ("make_call", ("1047", "1047"), "line 1047 cannot call itself"),
    ("make_call", ("1047", "ab"), "'ab' is not a phone number"),
    ("make_call", ("1047", ""), "a phone number is missing"),
    ("answer", ("c7", "1047"), "there is no call c7"),
    ("hang_up", ("c7", "1047"), "there is no call c7"),
    ("hold", ("c7", "1047"), "there is no call c7"),
    ("retrieve", ("c1", "9999"), "9999 is not a line of this PBX"),
    ("redirect", ("c7", "1047", "1175"), "there is no call c7"),
    ("blind_transfer", ("c7", "1047", "1175"), "there is no call c7"),
    ("external_call", ("1068", "1047"), "1068 is a line of this PBX"),
    ("external_call", (EXT, "4711"), "4711 is not a line of this PBX"),
    ("set_dnd", ("4711", True), "4711 is not a line of this PBX"),
    ("set_in_service", ("4711", False), "4711 is not a line of this PBX"),
    ("hang_up_external", ("c7",), "there is no call c7"),
])
def test_refusals_say_what_is_wrong(pbx, method, args, message):
    pbx.refused(message, method, *args)


def test_hang_up_external_needs_an_outside_party(pbx):
    pbx("make_call", "1047", "1175")
    pbx.take()
    pbx.refused("call c1 has no outside party", "hang_up_external", "c1")


def test_state_is_json_ready_and_lists_every_line(pbx):
    pbx("external_call", EXT, "1047", "Support desk")
    pbx("set_forwarding", "1175", Forwarding("8175", voicemail=True))
    pbx("set_dnd", "1068", True)
    state = json.loads(json.dumps(pbx.sim.state()))
    lines = {line["number"]: line for line in state["lines"]}
    assert set(lines) == {"1047", "1068", "1118", "1175"}
    assert lines["1047"] == {"number": "1047", "in_service": True, "dnd": False, "forwarding": None, "calls": [
        {"call_id": "c1", "direction": "incoming", "state": "ringing", "remote_number": EXT,
         "remote_name": "Support desk", "external": True, "started": 1000.0, "original_called": ""}]}
    assert lines["1175"]["forwarding"] == {"number": "8175", "voicemail": True}
    assert lines["1068"]["dnd"] is True


def test_lines_registration_and_unsubscribe(pbx):
    assert pbx.sim.line("4711") is None
    pbx.sim.add_lines(["4711", "", "not a number"])
    assert pbx.take() == [("4711", [])]
    assert [line.number for line in pbx.sim.lines()] == ["1047", "1068", "1175", "1118", "4711"]
    pbx.sim.add_line("4711")  # again: nothing new
    assert pbx.take() == []
    seen = []
    stop = pbx.sim.subscribe(seen.append)
    pbx("set_dnd", "4711", True)
    stop()
    pbx("set_dnd", "4711", False)
    assert len(seen) == 1
