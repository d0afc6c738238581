"""Change group: which group the phone's status display shows (or <No Group>)."""

from __future__ import annotations

from phonesvc.live.bus import GroupChanged
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Item, Menu
from phonesvc.phone.views.common import done, require_groups, write
from phonesvc.store.members import set_displayed_group

NO_GROUP = "<No Group>"


def _phone_members(phone: Phone) -> list:
    """The members (numbers) whose display this phone shows: the user's members."""
    members = phone.snap.user_members.get(phone.user.id, [])
    if not members:
        raise PhoneError("You are not a member of any group.", "Change group")
    return members


def change_group(phone: Phone):
    members = _phone_members(phone)
    groups = require_groups(phone, all_for_admin=True)
    shown = members[0].displayed_group
    if phone.param("gr"):
        return _save(phone, members, groups)
    items = [Item(phone.snap.groups[g].name + (" (shown)" if g == shown else ""), phone.action("changeGroup", gr=g))
             for g in groups]
    items.append(Item(NO_GROUP + (" (shown)" if not shown else ""), phone.action("changeGroup", gr=0)))
    return Menu("Change group", items, prompt="Group on your display", keys=[SELECT, BACK, EXIT])


async def _save(phone: Phone, members, groups):
    gid = phone.int_param("gr")
    if gid is None or (gid and gid not in groups):
        raise PhoneError("That group is not available to you.", "Change group")

    def change(conn) -> None:
        for m in members:
            set_displayed_group(conn, m.id, gid)

    await write(phone, change, "Change group")
    phone.live.bus.publish(GroupChanged(gid or None))
    return done("Change group", f"Your display shows {phone.snap.groups[gid].name}." if gid
                else "Your display shows no group.", phone.action("changeGroup"))
