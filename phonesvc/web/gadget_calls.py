"""Call control in the gadget (the manual's "Transfer calls" and its right-click menus): a user answers, ends,
holds, resumes and transfers calls directed to themselves. A ringing call is redirected, an active or held
one transferred blind or after a consultation (Complete joins the held call with the consultation call,
Cancel ends the consultation and takes the held call back). Transfers to a voicemail box are always blind.

The server decides: a call on someone else's line is refused (403), a call that is gone or in the wrong
state too (409), a bad destination is a 400 naming the field; nothing reaches the PBX then. What the PBX
refuses comes back as its message (409), as on the phone's Transfer call screen (phone/views/calls.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from phonesvc.domain.dialing import dialable
from phonesvc.telephony import CallLeg, CallState, Direction
from phonesvc.web.access import Visitor
from phonesvc.web.gadget_actions import pbx_action, posted_fields, refused
from phonesvc.web.ma_group_nav import visible_groups

NOT_YOURS = "That call is not yours: the gadget controls only calls directed to you."
GONE = "That call has ended."
PbxAction = Callable[..., Awaitable[object]]  # (request, leg[, number]) -> the adapter's coroutine, or Refused


class Refused(Exception):
    """The request cannot be done as asked; `answer` says why (nothing was changed)."""

    def __init__(self, answer: Response):
        super().__init__()
        self.answer = answer


def _own_call(request: Request, who: Visitor, call_id: str) -> CallLeg:
    """The call `call_id` on one of the visitor's lines."""
    telephony = request.app.state.telephony
    for number in request.app.state.registry.lines(who.user.id):
        line = telephony.line(number)
        if line is not None and (leg := line.call(call_id)) is not None:
            return leg
    if call_id and any(line.call(call_id) for line in telephony.lines()):
        raise Refused(refused("", NOT_YOURS, 403))
    raise Refused(refused("", GONE, 409))


def _ringing_here(leg: CallLeg) -> bool:
    return leg.state == CallState.RINGING and leg.direction == Direction.INCOMING


def _others_on_line(request: Request, leg: CallLeg) -> list[CallLeg]:
    line = request.app.state.telephony.line(leg.line)
    return [c for c in line.calls if c.call_id != leg.call_id] if line else []


def _destination(request: Request, who: Visitor, fields: dict[str, str], leg: CallLeg) -> str:
    """The number to transfer to: `number` as typed (separators dropped), or the line of `member`, a member of
    a group the visitor may watch."""
    if fields["member"]:
        snap = request.app.state.store.snapshot()
        watched = {gm.member_id for g in visible_groups(snap, who) for gm in snap.group_members.get(g.id, ())}
        if not fields["member"].isdigit():
            raise Refused(refused("member", "Choose a group member from the list."))
        if (member_id := int(fields["member"])) not in watched:
            raise Refused(refused("member", "That member is not in one of your groups.", 403))
        number, field = snap.members[member_id].number, "member"
    elif not fields["number"]:
        raise Refused(refused("number", "Enter a number or choose a group member."))
    else:
        number, field = dialable(fields["number"]) or "", "number"
        if not number or len(number) > 32:
            raise Refused(refused("number", "Enter a phone number: digits, * and #, with + only at the start."))
    if number == leg.line:
        raise Refused(refused(field, "That is your own line: choose someone else."))
    if number == leg.remote_number:
        raise Refused(refused(field, "That is the caller: choose someone else."))
    return number


def _voicemail_box(request: Request, number: str) -> bool:
    """A user's voicemail box, or a line that forwards every call to one: a consultation is pointless there."""
    if any(u.voicemail_number == number for u in request.app.state.store.snapshot().users.values()):
        return True
    line = request.app.state.telephony.line(number)
    return line is not None and line.forwarding is not None and line.forwarding.voicemail


async def _act(request: Request, who: Visitor, act: PbxAction, *, destination: bool = False) -> Response:
    """Look up the visitor's call and let `act(request, leg[, number])` refuse or return the PBX action."""
    fields = await posted_fields(request, "call", "number", "member")
    try:
        leg = _own_call(request, who, fields["call"])
        args = (_destination(request, who, fields, leg),) if destination else ()
        action = act(request, leg, *args)
    except Refused as exc:
        return exc.answer
    return await pbx_action(action)


def _answer(request: Request, leg: CallLeg) -> Awaitable[object]:
    if not _ringing_here(leg):
        raise Refused(refused("", "That call is no longer ringing at your phone.", 409))
    return request.app.state.telephony.answer(leg.call_id, leg.line)


def _end(request: Request, leg: CallLeg) -> Awaitable[object]:
    return request.app.state.telephony.hang_up(leg.call_id, leg.line)


def _hold(request: Request, leg: CallLeg) -> Awaitable[object]:
    if leg.state != CallState.ACTIVE:
        raise Refused(refused("", "Only an active call can be put on hold.", 409))
    return request.app.state.telephony.hold(leg.call_id, leg.line)


def _resume(request: Request, leg: CallLeg) -> Awaitable[object]:
    if leg.state != CallState.HELD:
        raise Refused(refused("", "That call is not on hold.", 409))
    telephony = request.app.state.telephony
    line = telephony.line(leg.line)
    talking = [c.call_id for c in (line.in_state(CallState.ACTIVE) if line else ())]

    async def swap() -> None:  # as a phone's Resume does: the call in progress waits on hold meanwhile
        for call_id in talking:
            await telephony.hold(call_id, leg.line)
        await telephony.retrieve(leg.call_id, leg.line)
    return swap()


def _blind(request: Request, leg: CallLeg, number: str) -> Awaitable[object]:
    telephony = request.app.state.telephony
    if _ringing_here(leg):
        return telephony.redirect(leg.call_id, leg.line, number)
    if leg.state == CallState.RINGING:
        raise Refused(refused("", "A call you are still dialling cannot be transferred: end it instead.", 409))
    return telephony.blind_transfer(leg.call_id, leg.line, number)


def _consult(request: Request, leg: CallLeg, number: str) -> Awaitable[object]:
    if leg.state == CallState.RINGING:
        raise Refused(refused("", "Answer the call first, or transfer it blind.", 409))
    if _voicemail_box(request, number):
        return _blind(request, leg, number)
    if any(c.state != CallState.RINGING for c in _others_on_line(request, leg)):
        # Complete joins the line's one held call with the consultation: a second connected call is ambiguous
        raise Refused(refused("", "You have another call in progress. End it or transfer it first.", 409))
    return request.app.state.telephony.consult_start(leg.call_id, leg.line, number)


def _held_for_transfer(leg: CallLeg) -> None:
    if leg.state != CallState.HELD:
        raise Refused(refused("", "That call is not waiting on hold for a transfer.", 409))


def _complete(request: Request, leg: CallLeg) -> Awaitable[object]:
    _held_for_transfer(leg)
    if not _others_on_line(request, leg):
        raise Refused(refused("", "The consultation call has ended: resume the call or transfer it again.", 409))
    return request.app.state.telephony.consult_complete(leg.line)


def _cancel(request: Request, leg: CallLeg) -> Awaitable[object]:
    _held_for_transfer(leg)
    return request.app.state.telephony.consult_cancel(leg.line)


async def answer(request: Request, who: Visitor) -> Response:
    """Answer a call ringing at the visitor's phone."""
    return await _act(request, who, _answer)


async def end(request: Request, who: Visitor) -> Response:
    """End (or, ringing, refuse) one of the visitor's calls."""
    return await _act(request, who, _end)


async def hold(request: Request, who: Visitor) -> Response:
    return await _act(request, who, _hold)


async def resume(request: Request, who: Visitor) -> Response:
    return await _act(request, who, _resume)


async def blind(request: Request, who: Visitor) -> Response:
    """Blind transfer: a ringing call is redirected, an active or held one transferred."""
    return await _act(request, who, _blind, destination=True)


async def consult(request: Request, who: Visitor) -> Response:
    """Consultation transfer: hold the call and call the destination (a voicemail box: blind at once)."""
    return await _act(request, who, _consult, destination=True)


async def complete(request: Request, who: Visitor) -> Response:
    """Complete the consultation transfer of the held call `call` to the line's consultation call."""
    return await _act(request, who, _complete)


async def cancel(request: Request, who: Visitor) -> Response:
    """End the consultation call and take the held call `call` back."""
    return await _act(request, who, _cancel)
