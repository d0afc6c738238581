"""Route points in the embedded PBX simulator: calls that wait at a group's number, offers, hand-off,
reject and play, with the events they publish and the state after."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from phonesvc.telephony import (
    Forwarding,
    Presented,
    RouteEnded,
    RouteRequest,
)
from phonesvc.telephony.sim_cli import format_state
from phonesvc.telephony.simulator import PlayRecord
from tests.simkit import Rig

EXT = "0800123456"
MOBILE = "+41791234567"
RP, RP2 = "8973", "8974"
GROUP = Presented("MA Group: Ada", EXT)


@pytest.fixture
def pbx() -> Rig:
    return Rig((RP, RP2))


def waiting_call(pbx: Rig, caller: str = EXT, offers: tuple[str, ...] = ()) -> str:
    """A call from `caller` (outside or a line) waiting at RP, offered to `offers`; events discarded."""
    call = pbx("make_call", caller, RP) if pbx.sim.is_line(caller) else pbx("external_call", caller, RP, "Ada")
    if offers:
        assert list(pbx("offer", call, dict.fromkeys(offers, GROUP))) == list(offers)
    pbx.take()
    return call


# ---- a call reaches a route point ----------------------------------------------------------------
def test_an_outside_call_waits_at_the_route_point(pbx):
    assert pbx("external_call", EXT, RP, "Ada") == "c1"
    assert pbx.take() == [("request", "c1", RP, EXT, "Ada", False)]
    assert all(line.calls == () for line in pbx.sim.lines())
    w = pbx.sim.waiting("c1")
    assert (w.route_point, w.caller_number, w.caller_name, w.caller_line, w.offers, w.playing) == (
        RP, EXT, "Ada", False, {}, None)
    assert pbx.sim.waiting("c2") is None


def test_a_line_calling_a_route_point_rings_out_and_waits(pbx):
    pbx.clock = 1200.0
    assert pbx("make_call", "1118", RP) == "c1"
    assert pbx.take() == [("1118", ["c1 outgoing ringing 8973"]),
                          ("request", "c1", RP, "1118", "Léonard Saligny", True)]
    leg = pbx.sim.line("1118").calls[0]
    assert (leg.external, leg.remote_name, leg.started, leg.original_called) == (False, "", 1200.0, "")


def test_a_route_point_wins_over_a_line_and_the_set_is_replaced(pbx):
    pbx.sim.add_line("8975")
    pbx.sim.use_route_points(["8975", "not a number", ""])
    assert pbx.sim.route_points() == ["8975"]
    pbx("external_call", EXT, "8975")
    assert pbx.legs("8975") == []
    assert pbx.sim.waiting("c1").route_point == "8975"

    pbx("set_route_points", [RP])  # the async twin; the call already waiting at 8975 stays
    assert not pbx.sim.is_route_point("8975") and pbx.sim.is_route_point(RP)
    assert pbx.sim.waiting("c1").route_point == "8975"
    pbx("external_call", EXT, "8975")
    assert pbx.legs("8975") == ["c2 incoming ringing 0800123456"]
    pbx.take()
    pbx.refused("8974 is not a line of this PBX", "external_call", EXT, RP2)  # no longer a route point


def test_a_line_forwarded_to_a_route_point_sends_its_calls_there(pbx):
    pbx("set_forwarding", "1047", Forwarding(RP))
    pbx.take()
    pbx("make_call", "1068", "1047")
    assert pbx.take() == [("1068", ["c1 outgoing ringing 8973"]), ("request", "c1", RP, "1068", "", True)]
    assert pbx.sim.line("1068").calls[0].original_called == "1047"


# ---- offers ------------------------------------------------------------------------------------
def test_offer_rings_two_lines_and_the_first_to_answer_gets_the_call(pbx):
    call = waiting_call(pbx)
    pbx.clock = 1010.0
    assert pbx("offer", call, {"1047": GROUP, "1175": Presented("Sales", "8973")}) == {"1047": "1047", "1175": "1175"}
    assert pbx.take() == [("1047", ["c1 incoming ringing 0800123456"]), ("1175", ["c1 incoming ringing 8973"])]
    leg = pbx.sim.line("1047").calls[0]
    assert (leg.remote_name, leg.external, leg.started, leg.original_called) == ("MA Group: Ada", True, 1010.0, RP)
    assert pbx.sim.line("1175").calls[0].remote_name == "Sales"

    pbx.clock = 1020.0
    pbx("answer", call, "1175")
    assert pbx.take() == [("1175", ["c1 incoming active 0800123456"]), ("1047", []),
                          ("ended", "c1", "1047", "answered_elsewhere"), ("routed", "c1", RP, "answered", "1175")]
    leg = pbx.sim.line("1175").calls[0]  # an ordinary call now: the real caller
    assert (leg.remote_name, leg.external, leg.started, leg.original_called) == ("Ada", True, 1010.0, RP)
    assert pbx.sim.waiting(call) is None
    pbx.refused("call c1 does not wait at a route point", "offer", call, {"1047": GROUP})


def test_an_internal_caller_sees_who_answered(pbx):
    call = waiting_call(pbx, "1118", ("1047",))
    assert pbx.sim.line("1047").calls[0].external is False
    pbx("answer", call, "1047")
    assert pbx.take() == [("1047", ["c1 incoming active 1118"]), ("1118", ["c1 outgoing active 1047"]),
                          ("routed", "c1", RP, "answered", "1047")]
    leg = pbx.sim.line("1118").calls[0]
    assert (leg.remote_name, leg.original_called) == ("", RP)


def test_a_new_offer_set_keeps_continuing_lines_ringing_and_withdraws_the_others(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))  # at 1000
    pbx.clock = 1015.0
    other = Presented("MA Group (2): Ada", EXT)
    assert pbx("offer", call, {"1068": GROUP, "1175": other}) == {"1068": "1068", "1175": "1175"}
    assert pbx.take() == [("1047", []), ("1068", ["c1 incoming ringing 0800123456"]),
                          ("1175", ["c1 incoming ringing 0800123456"]), ("ended", "c1", "1047", "withdrawn")]
    assert pbx.sim.line("1175").calls[0].started == 1000.0
    assert pbx.sim.line("1175").calls[0].remote_name == "MA Group (2): Ada"
    assert pbx.sim.line("1068").calls[0].started == 1015.0

    assert pbx("offer", call, {"1068": GROUP, "1175": other}) == {"1068": "1068", "1175": "1175"}
    assert pbx.take() == []  # nothing changed
    assert pbx("offer", call, {}) == {}
    assert pbx.take() == [("1175", []), ("1068", []), ("ended", "c1", "1175", "withdrawn"),
                          ("ended", "c1", "1068", "withdrawn")]
    assert pbx.sim.waiting(call).offers == {}


def test_offers_follow_forwarding_to_lines_and_outside_numbers(pbx):
    pbx("set_forwarding", "1047", Forwarding("1068"))
    pbx("set_forwarding", "1175", Forwarding(MOBILE))
    call = waiting_call(pbx, "1118")
    assert pbx("offer", call, {"1047": GROUP, "1175": GROUP}) == {"1047": "1068", "1175": MOBILE}
    assert pbx.take() == [("1068", ["c1 incoming ringing 0800123456"])]
    assert pbx.legs("1047") == [] and pbx.legs("1175") == []
    assert pbx.sim.waiting(call).at == {"1047": "1068", "1175": MOBILE}
    assert pbx.sim.line("1068").calls[0].original_called == RP

    pbx("answer_external", call)  # the mobile answers
    assert pbx.take() == [("1068", []), ("1118", ["c1 outgoing active +41791234567"]),
                          ("ended", "c1", "1068", "answered_elsewhere"), ("routed", "c1", RP, "answered", MOBILE)]


def test_an_outside_offer_to_an_outside_caller_is_forgotten_once_answered(pbx):
    pbx("set_forwarding", "1175", Forwarding(MOBILE))
    call = waiting_call(pbx, offers=("1175",))
    pbx("answer_call", call)
    assert pbx.take() == [("routed", "c1", RP, "answered", MOBILE)]
    pbx.refused("there is no call c1", "answer_call", call)


def test_a_voicemail_forwarded_line_takes_the_call_at_once(pbx):
    pbx("set_forwarding", "1047", Forwarding("8047", voicemail=True))
    call = waiting_call(pbx, "1118", ("1068",))
    assert pbx("offer", call, {"1175": GROUP, "1047": GROUP}) == {"1047": "8047"}
    assert pbx.take() == [("1068", []), ("1118", ["c1 outgoing active 8047"]),
                          ("ended", "c1", "1068", "answered_elsewhere"), ("routed", "c1", RP, "answered", "8047")]
    assert pbx.legs("1175") == []
    leg = pbx.sim.line("1118").calls[0]
    assert (leg.remote_name, leg.external, leg.original_called) == ("Voicemail", True, RP)


def test_lines_that_cannot_ring_are_left_out(pbx):
    pbx("set_dnd", "1175", True)
    pbx("set_in_service", "1068", False)
    pbx.sim.add_line("1099")
    pbx("set_forwarding", "1099", Forwarding("1175"))  # forwarded to a DND line
    call = waiting_call(pbx, "1118")
    offers = dict.fromkeys(["4711", "1175", "1068", "1118", "1099", "1047"], GROUP)
    assert pbx("offer", call, offers) == {"1047": "1047"}
    assert pbx.take() == [("1047", ["c1 incoming ringing 0800123456"])]  # what GROUP presents
    assert list(pbx.sim.waiting(call).offers) == ["1047"]


def test_offer_and_play_refuse_a_call_that_does_not_wait(pbx):
    pbx("make_call", "1047", "1175")
    pbx.take()
    pbx.refused("call c1 does not wait at a route point", "offer", "c1", {"1068": GROUP})
    pbx.refused("call c1 does not wait at a route point", "play", "c1", ["a.wav"])
    pbx.refused("call c1 does not wait at a route point", "route_to", "c1", "1068")
    pbx.refused("call c1 does not wait at a route point", "reject", "c1")
    pbx.refused("there is no call c9", "offer", "c9", {})
    with pytest.raises(TypeError):
        pbx("offer", waiting_call(pbx), {"1047": "MA Group"})
    assert pbx.take() == []


# ---- declining, hanging up, losing a line ------------------------------------------------------
def test_a_member_declining_ends_only_its_offer(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx("hang_up", call, "1047")
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "rejected")]
    assert list(pbx.sim.waiting(call).offers) == ["1175"]


@pytest.mark.parametrize("how", ["hang_up", "end_call", "set_in_service"])
def test_the_internal_caller_leaving_ends_the_call(pbx, how):
    call = waiting_call(pbx, "1118", ("1047", "1175"))
    if how == "hang_up":
        pbx("hang_up", call, "1118")
    elif how == "end_call":
        pbx("end_call", call)
    else:
        pbx("set_in_service", "1118", False)
    assert pbx.take() == [*([("1118", [])] if how == "set_in_service" else []), ("1047", []), ("1175", []),
                          *([] if how == "set_in_service" else [("1118", [])]),
                          ("ended", "c1", "1047", "cleared"), ("ended", "c1", "1175", "cleared"),
                          ("ended", "c1", "1118", "cleared"), ("routed", "c1", RP, "cleared", "")]
    assert pbx.sim.waiting(call) is None
    pbx.refused("there is no call c1", "offer", call, {})


def test_the_outside_caller_hanging_up_ends_the_call(pbx):
    call = waiting_call(pbx, offers=("1047",))
    pbx("hang_up_external", call)
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "cleared"), ("routed", "c1", RP, "cleared", "")]


def test_an_offered_line_going_out_of_service_loses_only_its_offer(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx("set_in_service", "1047", False)
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "cleared")]
    assert list(pbx.sim.waiting(call).offers) == ["1175"]


# ---- hand-off and reject -------------------------------------------------------------------------
def test_route_to_a_line_withdraws_the_offers_and_rings_it(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx.clock = 1030.0
    pbx("route_to", call, "1068")
    assert pbx.take() == [("1047", []), ("1175", []), ("1068", ["c1 incoming ringing 0800123456"]),
                          ("ended", "c1", "1047", "withdrawn"), ("ended", "c1", "1175", "withdrawn"),
                          ("routed", "c1", RP, "handed_off", "1068")]
    leg = pbx.sim.line("1068").calls[0]
    assert (leg.remote_name, leg.external, leg.started, leg.original_called) == ("Ada", True, 1030.0, RP)
    pbx("answer", call, "1068")
    assert pbx.take() == [("1068", ["c1 incoming active 0800123456"])]  # an ordinary call: no route event


def test_route_to_follows_the_destinations_forwarding(pbx):
    pbx("set_forwarding", "1068", Forwarding("1047"))
    call = waiting_call(pbx, "1118")
    pbx("route_to", call, "1068")
    assert pbx.take() == [("1118", ["c1 outgoing ringing 1047"]), ("1047", ["c1 incoming ringing 1118"]),
                          ("routed", "c1", RP, "handed_off", "1068")]


def test_route_to_outside_and_to_voicemail(pbx):
    call = waiting_call(pbx, "1118", ("1047",))
    pbx("route_to", call, MOBILE)
    assert pbx.take() == [("1047", []), ("1118", ["c1 outgoing ringing +41791234567"]),
                          ("ended", "c1", "1047", "withdrawn"), ("routed", "c1", RP, "handed_off", MOBILE)]
    assert pbx.sim.line("1118").calls[0].external is True

    call = waiting_call(pbx, "1068")
    pbx("route_to", call, "8068", voicemail=True)
    assert pbx.take() == [("1068", ["c2 outgoing active 8068"]), ("routed", "c2", RP, "handed_off", "8068")]
    assert pbx.sim.line("1068").calls[0].remote_name == "Voicemail"

    call = waiting_call(pbx)  # outside to outside: nothing of it left on this PBX
    pbx("route_to", call, MOBILE)
    assert pbx.take() == [("routed", "c3", RP, "handed_off", MOBILE)]
    pbx.refused("there is no call c3", "end_call", call)


def test_route_to_another_route_point_waits_there(pbx):
    call = waiting_call(pbx, offers=("1047",))
    pbx("play", call, ["hello.wav"])
    pbx("route_to", call, RP2)
    assert pbx.take() == [("1047", []), ("ended", "c1", "1047", "withdrawn"),
                          ("routed", "c1", RP, "handed_off", RP2), ("request", "c1", RP2, EXT, "Ada", False)]
    w = pbx.sim.waiting(call)
    assert (w.route_point, w.offers, w.playing) == (RP2, {}, None)
    pbx("offer", call, {"1175": GROUP})
    pbx("answer", call, "1175")
    assert pbx.take()[-1] == ("routed", "c1", RP2, "answered", "1175")


def test_route_to_refusals_change_nothing(pbx):
    pbx("set_dnd", "1175", True)
    pbx("set_in_service", "1068", False)
    call = waiting_call(pbx, "1118", ("1047",))
    pbx.refused("line 1175 does not take calls (do not disturb)", "route_to", call, "1175")
    pbx.refused("line 1068 is out of service", "route_to", call, "1068")
    pbx.refused("that is the other party of the call", "route_to", call, "1118")
    pbx.refused("'12ab' is not a phone number", "route_to", call, "12ab")
    pbx.refused("it already waits at route point 8973", "route_to", call, RP)
    assert pbx.legs("1047") == ["c1 incoming ringing 0800123456"]


def test_reject_gives_the_caller_busy(pbx):
    call = waiting_call(pbx, "1118", ("1047", "1175"))
    pbx("reject", call)
    assert pbx.take() == [("1047", []), ("1175", []), ("1118", []),
                          ("ended", "c1", "1047", "withdrawn"), ("ended", "c1", "1175", "withdrawn"),
                          ("ended", "c1", "1118", "busy"), ("routed", "c1", RP, "busy", "")]
    call = waiting_call(pbx)
    pbx("reject", call)
    assert pbx.take() == [("routed", "c2", RP, "busy", "")]
    assert pbx.sim.waiting(call) is None


# ---- play ----------------------------------------------------------------------------------------
def test_play_records_every_instruction_and_what_plays_now(pbx):
    call = waiting_call(pbx)
    pbx.clock = 1005.0
    pbx("play", call, ["greeting.wav", "hold.wav"], repeat=True)
    first = PlayRecord("c1", ("greeting.wav", "hold.wav"), True, 1005.0)
    assert pbx.sim.waiting(call).playing == first
    pbx.clock = 1006.0
    pbx("play", call, [])
    assert pbx.sim.waiting(call).playing is None
    pbx("play", call, ("music.wav",))
    assert list(pbx.sim.played) == [first, PlayRecord("c1", (), False, 1006.0),
                              PlayRecord("c1", ("music.wav",), False, 1006.0)]
    assert pbx.take() == []  # playing changes no line
    pbx("offer", call, {"1047": GROUP})
    pbx("answer", call, "1047")
    pbx.take()
    pbx.refused("call c1 does not wait at a route point", "play", call, ["x.wav"])
    assert len(pbx.sim.played) == 3


# ---- pickup, redirect, and an ordinary call after the answer -------------------------------------
def test_pickup_of_an_offered_call(pbx):
    call = waiting_call(pbx, "1118", ("1047", "1175"))
    pbx.clock = 1040.0
    assert pbx("pickup", "1068", "1047") == call
    assert pbx.take() == [("1068", ["c1 incoming active 1118"]), ("1047", []), ("1175", []),
                          ("1118", ["c1 outgoing active 1068"]), ("ended", "c1", "1047", "picked_up"),
                          ("ended", "c1", "1175", "answered_elsewhere"), ("routed", "c1", RP, "answered", "1068")]
    leg = pbx.sim.line("1068").calls[0]
    assert (leg.started, leg.original_called) == (1040.0, RP)


def test_an_offered_line_picking_up_another_offer_answers_its_own(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    assert pbx("pickup", "1175", "1047") == call
    assert pbx.take() == [("1175", ["c1 incoming active 0800123456"]), ("1047", []),
                          ("ended", "c1", "1047", "picked_up"), ("routed", "c1", RP, "answered", "1175")]
    assert pbx.sim.line("1175").calls[0].started == 1000.0
    waiting_call(pbx, "1118", ("1047",))
    pbx.refused("cannot pick up the call it is making itself", "pickup", "1118", "1047")


def test_redirect_of_an_offered_call_hands_it_off(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx.refused("that is line 1047 itself", "redirect", call, "1047", "1047")
    pbx("redirect", call, "1047", "1068")
    assert pbx.take() == [("1047", []), ("1175", []), ("1068", ["c1 incoming ringing 0800123456"]),
                          ("ended", "c1", "1047", "redirected"), ("ended", "c1", "1175", "withdrawn"),
                          ("routed", "c1", RP, "handed_off", "1068")]


def test_after_the_answer_it_is_an_ordinary_call(pbx):
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx.refused("only an active call can be held", "hold", call, "1047")
    pbx.refused("only an active or held call can be transferred", "blind_transfer", call, "1047", "1068")
    pbx("answer", call, "1047")
    pbx("hold", call, "1047")
    pbx.take()
    pbx("blind_transfer", call, "1047", "1068")
    assert pbx.take() == [("1047", []), ("1068", ["c1 incoming ringing 0800123456"]),
                          ("ended", "c1", "1047", "transferred")]
    pbx("answer", call, "1068")
    pbx("hang_up", call, "1068")
    assert pbx.take() == [("1068", ["c1 incoming active 0800123456"]), ("1068", []),
                          ("ended", "c1", "1068", "cleared")]


def test_a_consultation_to_a_route_point_completed_while_waiting_hands_the_held_party_over(pbx):
    pbx("external_call", EXT, "1047", "Ada")
    pbx("answer", "c1", "1047")
    assert pbx("consult_start", "c1", "1047", RP) == "c2"
    pbx("offer", "c2", {"1175": Presented("MA Group: 1047", "1047")})
    pbx.take()
    pbx("consult_complete", "1047")
    assert pbx.take() == [("1047", []), ("1175", []),
                          ("ended", "c1", "1047", "transferred"), ("ended", "c2", "1175", "withdrawn"),
                          ("ended", "c2", "1047", "transferred"), ("routed", "c2", RP, "cleared", ""),
                          ("request", "c1", RP, EXT, "Ada", False)]
    assert pbx.sim.waiting("c1").caller_number == EXT


def test_a_cancelled_consultation_to_a_route_point_ends_it(pbx):
    pbx("make_call", "1068", "1047")
    pbx("answer", "c1", "1047")
    pbx("consult_start", "c1", "1047", RP)
    pbx.take()
    pbx("consult_cancel", "1047")
    assert pbx.take() == [("1047", ["c1 incoming active 1068"]), ("ended", "c2", "1047", "cleared"),
                          ("routed", "c2", RP, "cleared", "")]


# ---- state -------------------------------------------------------------------------------------------
def test_state_lists_the_waiting_calls_and_what_was_played(pbx):
    pbx("set_forwarding", "1175", Forwarding("1068"))
    call = waiting_call(pbx, offers=("1047", "1175"))
    pbx("play", call, ["greeting.wav"], repeat=True)
    state = json.loads(json.dumps(pbx.sim.state()))
    assert state["route_points"] == [RP, RP2]
    assert state["waiting"] == [{
        "call_id": "c1", "route_point": RP, "caller_number": EXT, "caller_name": "Ada", "caller_line": False,
        "offers": {"1047": {"name": "MA Group: Ada", "number": EXT, "at": "1047"},
                   "1175": {"name": "MA Group: Ada", "number": EXT, "at": "1068"}},
        "playing": {"files": ["greeting.wav"], "repeat": True}}]
    assert state["played"] == [{"call_id": "c1", "files": ["greeting.wav"], "repeat": True, "at": 1000.0}]
    lines = {line["number"]: line for line in state["lines"]}
    assert lines["1068"]["calls"] == [{
        "call_id": "c1", "direction": "incoming", "state": "ringing", "remote_number": EXT,
        "remote_name": "MA Group: Ada", "external": True, "started": 1000.0, "original_called": RP}]

    table = format_state(state).splitlines()
    assert table[-4:] == ["route point 8973: c1 waiting, from 0800123456 Ada (external)",
                          "  rings 1047, showing MA Group: Ada 0800123456",
                          "  rings 1175 at 1068, showing MA Group: Ada 0800123456",
                          "  playing greeting.wav (repeat)"]


# ---- over HTTP ---------------------------------------------------------------------------------------
@pytest.fixture
def sim(demo_data, app):
    with TestClient(app, client=("127.0.0.1", 1)) as c:
        yield c


def test_sim_call_to_a_route_point(sim, app):
    """The app registers the demo groups' numbers as route points (its router then distributes the calls)."""
    telephony = app.state.telephony
    assert telephony.is_route_point("8973")
    events: list = []
    telephony.subscribe(events.append)

    r = sim.post("/sim/call", json={"from": EXT, "to": "8973", "name": "Ada"})
    assert r.status_code == 200 and r.json() == {"call": "c1"}
    assert RouteRequest("c1", "8973", EXT, "Ada", False) in events
    r = sim.post("/sim/call", data={"from": "9223", "to": "8974"})
    assert r.status_code == 200 and r.json() == {"call": "c2"}
    assert [(e.call_id, e.route_point, e.caller_line) for e in events if isinstance(e, RouteRequest)] == [
        ("c1", "8973", False), ("c2", "8974", True)]

    state = sim.get("/sim/state").json()
    assert [(w["call_id"], w["route_point"], w["caller_number"]) for w in state["waiting"]] == [
        ("c1", "8973", EXT), ("c2", "8974", "9223")]
    line = next(line for line in state["lines"] if line["number"] == "9223")
    assert [(c["call_id"], c["direction"], c["state"], c["remote_number"]) for c in line["calls"]] == [
        ("c2", "outgoing", "ringing", "8974")]

    r = sim.post("/sim/hangup", json={"call": "c1", "line": EXT})  # the outside caller gives up
    assert r.status_code == 200
    assert RouteEnded("c1", "8973", "cleared") in events
    assert [w["call_id"] for w in sim.get("/sim/state").json()["waiting"]] == ["c2"]
