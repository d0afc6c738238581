"""The phone main menu: only what the user may do now (role, privileges, call state)."""

from __future__ import annotations

from phonesvc.domain.privileges import MAGROUP
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import EXIT, SELECT, Item, Menu
from phonesvc.phone.views.calls import my_calls, team_ringing
from phonesvc.phone.views.common import my_group_ids


def main_menu(phone: Phone) -> Menu:
    phone.keep = True
    manages = any(phone.has(MAGROUP, p) for p in ("Groups", "MembersManagement", "Admin"))
    admin = phone.has(MAGROUP, "Admin")
    groups = my_group_ids(phone)
    if not groups and not manages:
        raise PhoneError("You are not a member of any group, so the menu has nothing for you. Ask your "
                         "administrator to add you.", "ManagerAssistant")
    member = bool(phone.snap.user_members.get(phone.user.id))  # an Admin may be in no group
    items = []
    if member or admin:
        items.append(Item("Change status", phone.action("teamStatus")))
    if member or phone.has(MAGROUP, "TeammateStatus"):
        items.append(Item("Set forwarding", phone.action("setForwarding")))
    if member:  # the display shown is a setting of the user's phone numbers (members)
        items.append(Item("Change group", phone.action("changeGroup")))
    if my_calls(phone):
        items.append(Item("Transfer call", phone.action("transferCall")))
    if groups and team_ringing(phone):
        items.append(Item("Pickup calls", phone.action("pickupCalls")))
    if manages:
        items.append(Item("Groups", phone.action("groups")))
    if groups or (admin and phone.snap.groups):
        items.append(Item("Direct call", phone.action("directCall")))
    if admin or phone.has(MAGROUP, "VIPList"):
        items.append(Item("VIP list", phone.action("vipList")))
    return Menu("ManagerAssistant", items, prompt=f"{phone.user.first_name} {phone.user.last_name}".strip(),
                keys=[SELECT, EXIT])
