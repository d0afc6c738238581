"""What a gadget user does with the team panel: change a presence and status message, quick dial a member,
pick up a member's ringing call. The server decides what the user may do (the manual's privileges, the
groups they are in): a refusal is a 403 and nothing changes; bad input a 400 with the field's message.
Presence goes through the web's one write path (writes.py) with REST's store function; calls go to the
PBX through the telephony adapter, as the phone's menus do."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from phonesvc.domain.presence import BY_HAND, Presence
from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.text import text_problem
from phonesvc.live.bus import PresenceChanged
from phonesvc.store.members import set_presence
from phonesvc.telephony import TelephonyError
from phonesvc.web.access import Forbidden, Visitor
from phonesvc.web.ma_group_nav import visible_groups
from phonesvc.web.writes import write

MESSAGE_MAX = 255  # REST setPresence's presenceMessage


def refused(field: str, message: str, status: int = 400) -> Response:
    """A request the panel's dialog shows next to `field` ("" for the whole dialog); nothing was changed."""
    return JSONResponse({"field": field, "message": message}, status_code=status)


def _team_user_ids(snap, who: Visitor) -> set[int]:
    """Users sharing a group the visitor may watch (Admin: every group)."""
    return {snap.members[gm.member_id].user_id for g in visible_groups(snap, who)
            for gm in snap.group_members.get(g.id, ())}


async def posted_fields(request: Request, *names: str) -> dict[str, str]:
    """The form's fields by name, stripped; "" for a missing one or a file."""
    form = await request.form()
    return {n: v.strip() if isinstance(v := form.get(n, ""), str) else "" for n in names}


async def presence(request: Request, who: Visitor) -> Response:
    """Own presence (a group member or Admin); another member's with TeammateStatus, in a shared group."""
    fields = await posted_fields(request, "user", "presence", "message")
    snap = request.app.state.store.snapshot()
    user_id = int(fields["user"]) if fields["user"].isdigit() else who.user.id
    if user_id == who.user.id:
        if not snap.user_group_ids(who.user.id) and not who.may(MAGROUP, "Admin"):
            raise Forbidden("The gadget is for group members: you are in no group.")
    elif not who.may(MAGROUP, "TeammateStatus"):
        raise Forbidden("You may only change your own status (privilege TeammateStatus).")
    elif user_id not in _team_user_ids(snap, who):
        raise Forbidden("That person is not in one of your groups.")
    state = next((p for p in BY_HAND if str(int(p)) == fields["presence"]), None)
    if state is None:
        return refused("presence", "Choose Available, Away, Busy or DND (Unavailable cannot be set by hand).")
    message = fields["message"] if state.takes_message else ""
    if problem := text_problem(message, MESSAGE_MAX):
        return refused("message", f"The status message {problem}.")
    await write(request, who, lambda conn: set_presence(conn, user_id, state, message),
                f"Change status of user {user_id} to {Presence(state).label}")
    request.app.state.bus.publish(PresenceChanged(user_id))
    return JSONResponse({"ok": True})


def _my_line(request: Request, who: Visitor) -> str:
    lines = request.app.state.registry.lines(who.user.id)
    if not lines:
        raise Forbidden("No phone line is assigned to you. Ask your administrator.")
    return lines[0]


async def pbx_action(action) -> Response:
    """Await a telephony action: ok, or the PBX's refusal as the dialog's message (409)."""
    try:
        await action
    except TelephonyError as exc:
        return refused("", str(exc), 409)
    return JSONResponse({"ok": True})


async def dial(request: Request, who: Visitor) -> Response:
    """Quick dial: a call from the visitor's line to a member of a group they may watch."""
    fields = await posted_fields(request, "member")
    snap = request.app.state.store.snapshot()
    watched = {gm.member_id for g in visible_groups(snap, who) for gm in snap.group_members.get(g.id, ())}
    member_id = int(fields["member"]) if fields["member"].isdigit() else None
    if member_id not in watched:
        raise Forbidden("That member is not in one of your groups.")
    line = _my_line(request, who)
    return await pbx_action(request.app.state.telephony.make_call(line, snap.members[member_id].number))


async def pickup(request: Request, who: Visitor) -> Response:
    """Pick up a call ringing at a member of one of the visitor's own groups (not the visitor's own call)."""
    fields = await posted_fields(request, "call")
    snap, live = request.app.state.store.snapshot(), request.app.state.live
    line = _my_line(request, who)
    mine = set(request.app.state.registry.lines(who.user.id))
    numbers = {snap.members[gm.member_id].number for g in snap.user_group_ids(who.user.id)
               for gm in snap.group_members.get(g, ())} - mine
    leg = next((c for n in numbers for c in live.ringing_calls(n) if c.call_id == fields["call"]), None)
    if leg is None or leg.remote_number in mine:
        return refused("", "That call is no longer ringing at a member of your group.", 409)
    return await pbx_action(request.app.state.telephony.pickup(line, leg.line, leg.call_id))
