"""Change status (my status) and Team status: Available, Away, Busy, DND, with a message for the
last three. Unavailable cannot be chosen on the phone."""

from __future__ import annotations

from phonesvc.domain.presence import BY_HAND, Presence
from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.text import text_problem
from phonesvc.live.bus import PresenceChanged
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Field, Input, Item, Menu
from phonesvc.phone.views.common import done, group_menu, member_name, members_managers_first, require_groups, write
from phonesvc.store.members import set_presence

CHOICES = BY_HAND


def _target(phone: Phone):
    """The user whose status is changed: the caller, or a team member (TeammateStatus) sharing a group."""
    uid = phone.int_param("user")
    if uid is None or uid == phone.user.id:
        return phone.user
    if not phone.has(MAGROUP, "TeammateStatus"):
        raise PhoneError("You may only change your own status (privilege TeammateStatus).")
    mine = set(require_groups(phone, all_for_admin=True))
    theirs = {gm.group_id for m in phone.snap.user_members.get(uid, [])
              for gm in phone.snap.member_groups.get(m.id, [])}
    if uid not in phone.snap.users or not mine & theirs:
        raise PhoneError("That person is not in one of your groups any more.")
    return phone.snap.users[uid]


def _member_or_admin(phone: Phone) -> None:
    """The services are for group members (the manual: "A user must be a member of the group");
    an Admin in no group may still set their own status."""
    if not phone.has(MAGROUP, "Admin"):
        require_groups(phone)


def change_status(phone: Phone) -> Menu:
    _member_or_admin(phone)
    user = _target(phone)
    whose = "My status" if user.id == phone.user.id else f"{user.first_name} {user.last_name}"
    current = Presence(user.presence)
    items = []
    for p in CHOICES:
        url = (phone.action("statusMessage", user=user.id, state=int(p)) if p.takes_message
               else phone.action("saveStatus", user=user.id, state=int(p)))
        items.append(Item(f"{p.label} (current)" if p == current else p.label, url))
    return Menu(whose, items, prompt=f"Now: {current.label}", keys=[SELECT, BACK, EXIT])


def status_message(phone: Phone) -> Input:
    _member_or_admin(phone)
    user = _target(phone)
    state = _state(phone)
    return Input(f"{state.label}: message", phone.action("saveStatus", user=user.id, state=int(state)),
                 [Field("Status message", "msg", "A", user.presence_message if user.presence == state else "")],
                 prompt="Optional, then Submit")


def _state(phone: Phone) -> Presence:
    value = phone.param("state")
    state = next((p for p in CHOICES if str(int(p)) == value), None)
    if state is None:
        raise PhoneError("Choose Available, Away, Busy or DND.")
    return state


async def save_status(phone: Phone):
    _member_or_admin(phone)
    user = _target(phone)
    state = _state(phone)
    message = phone.param("msg").strip() if state.takes_message else ""
    problem = text_problem(message)  # the same rule as REST's presenceMessage
    if problem:
        raise PhoneError(f"The message {problem}.")
    await write(phone, lambda conn: set_presence(conn, user.id, state, message), "Change status")
    phone.live.bus.publish(PresenceChanged(user.id))
    whose = "Your status" if user.id == phone.user.id else f"Status of {user.first_name} {user.last_name}"
    return done("Status saved", f"{whose} is now {state.label}" + (f": {message}" if message else "."),
                phone.action("changeStatus"))


def team_status(phone: Phone):
    """My status, then (TeammateStatus) a group (every group for Admin), a member, a status."""
    if not phone.has(MAGROUP, "TeammateStatus"):
        return change_status(phone)
    groups = require_groups(phone, all_for_admin=True)
    gid = phone.int_param("gr")
    if gid is None and len(groups) > 1:
        menu = group_menu(phone, "Team status", groups, "teamStatus")
        return Menu(menu.title, [Item("My status", phone.action("changeStatus")), *menu.items],
                    prompt=menu.prompt, keys=menu.keys)
    gid = gid if gid in groups else groups[0]
    items = [Item("My status", phone.action("changeStatus"))]
    for gm in members_managers_first(phone, gid):
        user = phone.snap.users[phone.snap.members[gm.member_id].user_id]
        items.append(Item(f"{member_name(phone, gm)}: {Presence(user.presence).label}",
                          phone.action("changeStatus", user=user.id)))
    return Menu(phone.snap.groups[gid].name, items, prompt="Whose status?", keys=[SELECT, BACK, EXIT])
