"""VIP list on the phone (VIPList or Admin): add a number to a manager's list, remove one."""

from __future__ import annotations

from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.text import text_problem, valid_number
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Field, Input, Item, Menu
from phonesvc.phone.views.common import done, member_name, my_group_ids, write
from phonesvc.store import vip as store


def _managers(phone: Phone) -> list:
    """Managers' memberships whose VIP list this user may edit."""
    if not (phone.has(MAGROUP, "VIPList") or phone.has(MAGROUP, "Admin")):
        raise PhoneError("The VIP list needs the VIPList or Admin privilege.", "VIP list")
    groups = list(phone.snap.groups) if phone.has(MAGROUP, "Admin") else my_group_ids(phone)
    out, seen = [], set()
    for g in groups:
        boss = phone.snap.manager_of(g)
        if boss and boss.member_id not in seen:
            seen.add(boss.member_id)
            out.append(boss)
    if not out:
        raise PhoneError("None of your groups has a manager, so there is no VIP list.", "VIP list")
    return out


def vip_list(phone: Phone):
    managers = _managers(phone)
    op = phone.param("op")
    if op not in ("add", "remove"):
        return Menu("VIP list", [Item("Add number", phone.action("vipList", op="add")),
                                 Item("Remove number", phone.action("vipList", op="remove"))],
                    keys=[SELECT, BACK, EXIT])
    mid = phone.int_param("mb")
    boss = next((m for m in managers if m.member_id == mid), None)
    if boss is None:
        if len(managers) > 1:
            return Menu("VIP list", [Item(member_name(phone, m), phone.action("vipList", op=op, mb=m.member_id))
                                     for m in managers], prompt="Whose VIP list?", keys=[SELECT, BACK, EXIT])
        boss = managers[0]
    name = member_name(phone, boss).removesuffix(" (Manager)")
    if op == "add":
        return Input(f"VIP list of {name}", phone.action("vipAdd", mb=boss.member_id),
                     [Field("Number (# for +)", "number", "T"), Field("Description", "text", "A")])
    numbers = phone.snap.vip_list(boss.member_id)
    if not numbers:
        raise PhoneError(f"The VIP list of {name} is empty.", "VIP list")
    return Menu(f"Remove from {name}", [Item(f"{v.number} {v.description}".strip(),
                                             phone.action("vipRemove", mb=boss.member_id, vn=v.id)) for v in numbers],
                keys=[SELECT, BACK, EXIT])


async def vip_add(phone: Phone):
    boss = next((m for m in _managers(phone) if m.member_id == phone.int_param("mb")), None)
    if boss is None:
        raise PhoneError("That manager is not available to you.", "VIP list")
    raw = phone.param("number").strip()
    number = "+" + raw[1:] if raw.startswith("#") else raw
    if not valid_number(number):
        raise PhoneError("Enter a phone number: digits, with # for a leading +.", "VIP list")
    text = phone.param("text").strip()
    problem = text_problem(text)  # the same rule as REST's vn_description: refused, never cut
    if problem:
        raise PhoneError(f"The description {problem}.", "VIP list")

    await write(phone, lambda conn: store.add_vip(conn, boss.member_id, number, text), "VIP list")
    return done("VIP list", f"{number} is now a VIP of {member_name(phone, boss).removesuffix(' (Manager)')}.",
                phone.action("vipList"))


async def vip_remove(phone: Phone):
    boss = next((m for m in _managers(phone) if m.member_id == phone.int_param("mb")), None)
    vid = phone.int_param("vn")
    entry = phone.snap.vip_numbers.get(vid) if boss and vid is not None else None
    entry = entry if entry is not None and entry.member_id == boss.member_id else None
    if entry is None:
        raise PhoneError("That VIP number is no longer on the list.", "VIP list")

    await write(phone, lambda conn: store.delete_vip(conn, entry), "VIP list")
    return done("VIP list", f"{entry.number} was removed.", phone.action("vipList"))
