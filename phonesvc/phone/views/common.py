"""What several phone screens need: the user's groups and members, labels, and result screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection

from phonesvc import actions
from phonesvc.domain.errors import Missing, Rejected
from phonesvc.domain.members import MANAGER
from phonesvc.domain.privileges import DIVERSIONS, MAGROUP
from phonesvc.live.previews import previewed_by
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Item, Key, Menu, Text

T = TypeVar("T")


def my_memberships(phone: Phone) -> list:
    """The user's group memberships, over all the user's members (phones)."""
    snap = phone.snap
    return [gm for m in snap.user_members.get(phone.user.id, []) for gm in snap.member_groups.get(m.id, [])]


def my_group_ids(phone: Phone, all_for_admin: bool = False) -> list[int]:
    if all_for_admin and phone.has(MAGROUP, "Admin"):
        return list(phone.snap.groups)
    seen: list[int] = []
    for gm in my_memberships(phone):
        if gm.group_id not in seen:
            seen.append(gm.group_id)
    return sorted(seen, key=lambda g: phone.snap.groups[g].name.casefold())


def require_groups(phone: Phone, all_for_admin: bool = False) -> list[int]:
    groups = my_group_ids(phone, all_for_admin)
    if not groups:
        raise PhoneError("You are not a member of any group. Ask your administrator to add you.", "No group")
    return groups


def member_name(phone: Phone, gm) -> str:
    """'Tijana Vlahović (Manager)' for a membership."""
    member = phone.snap.members[gm.member_id]
    user = phone.snap.users[member.user_id]
    name = f"{user.first_name} {user.last_name}".strip() or user.user_name
    return f"{name} (Manager)" if gm.type == MANAGER else name


def members_managers_first(phone: Phone, group_id: int, exclude_user: bool = True) -> list:
    rows = phone.snap.group_members.get(group_id, [])
    if exclude_user:
        rows = [gm for gm in rows if phone.snap.members[gm.member_id].user_id != phone.user.id]
    return sorted(rows, key=lambda gm: gm.type != MANAGER)  # stable: list order otherwise


def group_menu(phone: Phone, title: str, groups: list[int], action: str, **params) -> Menu:
    return Menu(title, [Item(phone.snap.groups[g].name, phone.action(action, gr=g, **params)) for g in groups],
                prompt="Choose a group", keys=[SELECT, BACK, EXIT])


def done(title: str, text: str, back_url: str | None = None) -> Text:
    """The screen every action ends on: what happened."""
    keys = [Key("Back", back_url, "Back")] if back_url else []
    return Text(title, text, keys=[*keys, EXIT])


async def write(phone: Phone, change: Callable[[Connection], T], title: str) -> T:
    """Run change(conn) in one transaction: every write of a phone screen. The store functions check
    what they name against the database, not the snapshot this screen was built from (another process
    may have deleted it a moment ago); a refusal becomes the phone's text screen and nothing changes,
    in the store or on the PBX (which follows the store: live/forwarding.py). A change made goes to the
    action log (actions.py): the screen's title and what the phone sent."""
    def run() -> T:
        with phone.store.write() as conn:
            result = change(conn)
        sent = " ".join(f"{k}={v}" for k, v in phone.request.query_params.items() if k != "device")
        instance = phone.request.path_params.get("instance", "").casefold()
        app = DIVERSIONS if instance == phone.settings.diversions_instance.casefold() else MAGROUP
        who = f"{phone.user.user_name} on {phone.device_name}"
        if by := previewed_by(phone.request.scope):  # a person acting through the phone preview
            who += f" (phone preview of {by})"
        actions.log(phone.store, phone.settings, app, "phone", who, f"{title} {sent}".strip())
        return result
    try:
        return await phone.store.in_writer(run)
    except Missing as exc:
        raise PhoneError(f"That {exc.what} no longer exists. Nothing was changed.", title) from None
    except Rejected as exc:
        message = exc.message[:1].upper() + exc.message[1:]
        raise PhoneError(f"{message.rstrip('.')}. Nothing was changed.", title) from None


async def refused_lines(phone: Phone, numbers: list[str]) -> dict[str, str]:
    """After a write: those of `numbers` whose forwarding the PBX refused to switch, with its reason."""
    lines = phone.live.forwarding
    if lines is None:
        return {}
    await lines.settled()
    return {n: lines.refused[n] for n in numbers if n in lines.refused}
