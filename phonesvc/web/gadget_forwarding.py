"""The gadget's Forward settings (the manual's "Gadget integration", Forwarding): a member's forwarding, set with
the phone's rules (domain/forwarding.py) and REST's store function through the web's one write path. A
manager's is application forwarding (the routing applies it, so VIP calls pass); everyone else's is the phone
line's, which live/forwarding.py puts on the PBX. Own forwarding for a group member; another member's with
TeammateStatus, in a group the user may watch (Admin: every group), as on the phone."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from phonesvc.domain.errors import Rejected
from phonesvc.domain.forwarding import ForwardingRefused, forwarding_choice, forwarding_done
from phonesvc.domain.members import MANAGER
from phonesvc.domain.privileges import MAGROUP
from phonesvc.live.bus import ForwardingChanged
from phonesvc.store.members import set_forwarding
from phonesvc.web.access import Forbidden, Visitor
from phonesvc.web.gadget_actions import posted_fields, refused
from phonesvc.web.ma_group_nav import visible_groups
from phonesvc.web.writes import write


def _member(snap, who: Visitor, asked: str):
    """The member whose forwarding is set: the visitor's own (asked or not), or a teammate's."""
    mine = snap.user_members.get(who.user.id, [])
    member_id = int(asked) if asked.isdigit() else None
    if member_id is None or member_id in {m.id for m in mine}:
        if not mine:
            raise Forbidden("The gadget is for group members: you are in no group.")
        return next((m for m in mine if m.id == member_id), mine[0])
    if not who.may(MAGROUP, "TeammateStatus"):
        raise Forbidden("You may only set your own forwarding (privilege TeammateStatus).")
    watched = {g.id for g in visible_groups(snap, who)}
    if member_id not in snap.members or not watched & {gm.group_id for gm in snap.member_groups.get(member_id, [])}:
        raise Forbidden("That person is not in one of your groups.")
    return snap.members[member_id]


async def forwarding(request: Request, who: Visitor) -> Response:
    fields = await posted_fields(request, "member", "to", "number", "target")
    snap = request.app.state.store.snapshot()
    member = _member(snap, who, fields["member"])
    user = snap.users[member.user_id]
    manager = any(gm.type == MANAGER for gm in snap.member_groups.get(member.id, []))
    watched = {g.id for g in visible_groups(snap, who)}
    targets = {gm.member_id: snap.members[gm.member_id].number for mg in snap.member_groups.get(member.id, [])
               if mg.group_id in watched for gm in snap.group_members.get(mg.group_id, [])
               if gm.member_id != member.id}
    try:
        choice = forwarding_choice(fields["to"], manager=manager, voicemail=user.voicemail_number,
                                   mobile=user.mobile_number, number=fields["number"],
                                   target=int(fields["target"]) if fields["target"].isdigit() else None,
                                   targets=targets)
        await write(request, who, lambda conn: set_forwarding(conn, member.id, choice.kind, choice.number,
                                                               choice.target),
                    f"Set forwarding of {member.number} to {choice.kind or 'none'} {choice.number}".rstrip())
    except ForwardingRefused as exc:
        return refused(exc.field, exc.message)
    except Rejected as exc:  # the store's last word: a line forwarded to itself, a target gone meanwhile
        field = "target" if choice.kind == "member" else "number"
        return refused(field, exc.message[:1].upper() + exc.message[1:] + ".")
    request.app.state.bus.publish(ForwardingChanged(member.id))
    whose = "Your calls" if member.user_id == who.user.id else f"Calls to {user.first_name} {user.last_name}"
    lines = request.app.state.live.forwarding
    if not manager and lines is not None and member.number in lines.refused:
        return refused("", f"Saved, but the phone system refused to switch the line: {lines.refused[member.number]}",
                       409)
    return JSONResponse({"ok": True, "message": f"{whose} {forwarding_done(choice.kind, choice.number)}"})
