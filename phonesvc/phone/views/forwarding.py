"""Set forwarding, mine or a team member's. Managers' forwarding is kept at application level (the
routing decides, so VIP calls can pass); everyone else's is set on the line through the PBX, which
follows the stored forwarding (live/forwarding.py)."""

from __future__ import annotations

from phonesvc.domain.forwarding import ForwardingRefused, forwarding_choice, forwarding_done
from phonesvc.domain.members import MANAGER
from phonesvc.domain.privileges import MAGROUP
from phonesvc.live.bus import ForwardingChanged
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Field, Input, Item, Menu
from phonesvc.phone.views.calls import my_line
from phonesvc.phone.views.common import (
    done,
    group_menu,
    member_name,
    members_managers_first,
    my_group_ids,
    refused_lines,
    require_groups,
    write,
)
from phonesvc.store.members import set_forwarding


def _is_manager(phone: Phone, member_id: int) -> bool:
    return any(gm.type == MANAGER for gm in phone.snap.member_groups.get(member_id, []))


def _target(phone: Phone):
    """The member whose forwarding is set: mine (the member of my phone's line), or a team member's."""
    mid = phone.int_param("mb")
    mine = phone.snap.user_members.get(phone.user.id, [])
    if mid is None or mid in {m.id for m in mine}:
        if not mine:
            raise PhoneError("You are not a member of any group.", "Set forwarding")
        line = my_line(phone)
        return next((m for m in mine if m.id == mid), next((m for m in mine if m.number == line), mine[0]))
    if not phone.has(MAGROUP, "TeammateStatus"):
        raise PhoneError("You may only set your own forwarding (privilege TeammateStatus).", "Set forwarding")
    groups = set(require_groups(phone, all_for_admin=True))
    if mid not in phone.snap.members or not groups & {gm.group_id for gm in phone.snap.member_groups.get(mid, [])}:
        raise PhoneError("That person is not in one of your groups any more.", "Set forwarding")
    return phone.snap.members[mid]


def _shared_groups(phone: Phone, member_id: int) -> list[int]:
    """The member's groups that are also the user's (every group for Admin): a teammate's other
    groups, and their members, are none of the user's business."""
    mine = set(my_group_ids(phone, all_for_admin=True))
    return [gm.group_id for gm in phone.snap.member_groups.get(member_id, []) if gm.group_id in mine]


def set_forwarding_menu(phone: Phone):
    if phone.has(MAGROUP, "TeammateStatus") and phone.int_param("mb") is None and phone.param("who") != "me":
        if phone.param("who") == "team" or not phone.snap.user_members.get(phone.user.id):
            return _team(phone)  # (an Admin in no group has no forwarding of their own)
        return Menu("Set forwarding", [Item("My forwarding", phone.action("setForwarding", who="me")),
                                       Item("Team member forwarding", phone.action("setForwarding", who="team"))],
                    keys=[SELECT, BACK, EXIT])
    return _options(phone, _target(phone))


def _team(phone: Phone):
    groups = require_groups(phone, all_for_admin=True)
    gid = phone.int_param("gr")
    if gid not in groups:
        if len(groups) > 1:
            return group_menu(phone, "Team member forwarding", groups, "setForwarding", who="team")
        gid = groups[0]
    items = [Item(member_name(phone, gm), phone.action("setForwarding", mb=gm.member_id))
             for gm in members_managers_first(phone, gid)]
    return Menu(phone.snap.groups[gid].name, items, prompt="Whose forwarding?", keys=[SELECT, BACK, EXIT])


def _options(phone: Phone, member):
    user = phone.snap.users[member.user_id]

    def to(kind: str, **extra) -> str:
        return phone.action("saveForwarding", mb=member.id, to=kind, **extra)

    items = [Item("No forwarding", to("none"))]
    if _is_manager(phone, member.id):
        items.append(Item("Group", to("group")))
    if user.voicemail_number:
        items.append(Item("Voicemail", to("voicemail")))
    if user.mobile_number:
        items.append(Item("Mobile", to("mobile")))
    items.append(Item("To number", phone.action("forwardNumber", mb=member.id)))
    groups = _shared_groups(phone, member.id)
    gid = phone.int_param("gr")
    if len(groups) > 1 and gid not in groups:
        items += [Item(phone.snap.groups[g].name, phone.action("setForwarding", mb=member.id, gr=g)) for g in groups]
    else:
        gid = gid if gid in groups else (groups[0] if groups else None)
        for gm in phone.snap.group_members.get(gid, []) if gid else []:
            if gm.member_id != member.id:
                items.append(Item(member_name(phone, gm), to("member", target=gm.member_id)))
    current = phone.snap.forwarding.get(member.id)
    title = "My forwarding" if member.user_id == phone.user.id else f"{user.first_name} {user.last_name}"
    return Menu(title, items, prompt=f"Now: {_describe(phone, current)}", keys=[SELECT, BACK, EXIT])


def _describe(phone: Phone, fwd) -> str:
    if fwd is None:
        return "no forwarding"
    if fwd.kind == "member" and fwd.target_member_id in phone.snap.members:
        return f"to {fwd.number}"
    return {"group": "to the group", "voicemail": "to voicemail", "mobile": "to mobile"}.get(fwd.kind,
                                                                                          f"to {fwd.number}")


def forward_number(phone: Phone) -> Input:
    member = _target(phone)
    return Input("To number", phone.action("saveForwarding", mb=member.id, to="number"),
                 [Field("Number (# for +)", "number", "T")], prompt="Enter the number")


async def save_forwarding(phone: Phone):
    member = _target(phone)
    user = phone.snap.users[member.user_id]
    manager = _is_manager(phone, member.id)
    raw = phone.param("number").strip()
    shared = set(_shared_groups(phone, member.id))
    targets = {gm.member_id: phone.snap.members[gm.member_id].number for g in shared
               for gm in phone.snap.group_members.get(g, []) if gm.member_id != member.id}
    try:
        choice = forwarding_choice(phone.param("to"), manager=manager, voicemail=user.voicemail_number,
                                   mobile=user.mobile_number, number="+" + raw[1:] if raw.startswith("#") else raw,
                                   target=phone.int_param("target"), targets=targets)  # phones cannot type '+'
    except ForwardingRefused as exc:
        if exc.field == "number":
            raise PhoneError("Enter a phone number: digits, with # for a leading +.", "To number") from None
        raise PhoneError(exc.message, "Set forwarding") from None
    await write(phone, lambda conn: set_forwarding(conn, member.id, choice.kind, choice.number, choice.target),
                "Set forwarding")
    phone.live.bus.publish(ForwardingChanged(member.id))
    refused = await refused_lines(phone, [] if manager else [member.number])
    if refused:
        raise PhoneError(f"Saved, but the phone system refused to switch the line: {refused[member.number]}",
                         "Set forwarding")
    whose = "Your calls" if member.user_id == phone.user.id else f"Calls to {user.first_name} {user.last_name}"
    return done("Set forwarding", f"{whose} {forwarding_done(choice.kind, choice.number)}",
                phone.action("setForwarding"))
