"""Transfer call, Pickup calls, Direct call and the 1 Button Service."""

from __future__ import annotations

from phonesvc.domain.dialing import dial_uri
from phonesvc.domain.members import MANAGER
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, Item, Key, Menu, Text
from phonesvc.phone.views.common import (
    done,
    group_menu,
    member_name,
    members_managers_first,
    my_memberships,
    require_groups,
)
from phonesvc.telephony import CallState, Direction


def _party(leg) -> str:
    return leg.remote_name or leg.remote_number or "Unknown"


def my_line(phone: Phone) -> str:
    lines = phone.registry.lines(phone.user.id)
    if not lines:
        raise PhoneError("No line is assigned to you. Ask your administrator.")
    return lines[0]


def my_calls(phone: Phone, states=(CallState.RINGING, CallState.ACTIVE)) -> list:
    """Calls on the user's lines that can be transferred: ringing towards the user, or active."""
    out = []
    for number in phone.registry.lines(phone.user.id):
        line = phone.live.line(number)
        for c in line.calls if line else ():
            if c.state in states and (c.state != CallState.RINGING or c.direction == Direction.INCOMING):
                out.append(c)
    return out


def _destination(phone: Phone):
    """The member chosen with `mb` in group `gr`, which must be one of the user's groups."""
    gid, mid = phone.int_param("gr"), phone.int_param("mb")
    if gid not in require_groups(phone, all_for_admin=True) or mid not in phone.snap.members:
        raise PhoneError("That member is no longer in your group.")
    gm = next((g for g in phone.snap.group_members.get(gid, []) if g.member_id == mid), None)
    if gm is None:
        raise PhoneError("That member is no longer in your group.")
    return gm, phone.snap.members[mid]


def _member_list(phone: Phone, title: str, action: str, dial: bool = False, **params) -> Menu:
    groups = require_groups(phone, all_for_admin=True)
    gid = phone.int_param("gr")
    if gid not in groups:
        if len(groups) > 1:
            return group_menu(phone, title, groups, action, **params)
        gid = groups[0]
    items = []
    for gm in members_managers_first(phone, gid):
        member = phone.snap.members[gm.member_id]
        url = dial_uri(member.number) if dial else phone.action(action, gr=gid, mb=member.id, **params)
        if url:  # a number with nothing dialable in it is not offered
            items.append(Item(member_name(phone, gm), url))
    if not items:
        raise PhoneError(f"{phone.snap.groups[gid].name} has no other members.")
    return Menu(phone.snap.groups[gid].name, items, prompt=title, keys=[SELECT, BACK, EXIT])


def direct_call(phone: Phone) -> Menu:
    return _member_list(phone, "Direct call", "directCall", dial=True)


def transfer_call(phone: Phone):
    require_groups(phone, all_for_admin=True)
    calls = my_calls(phone)
    if not calls:
        raise PhoneError("You have no ringing or active call to transfer.", "Transfer call")
    call_id = phone.param("call")
    if not call_id:
        if len(calls) > 1:
            return Menu("Transfer call", [Item(f"{_party(c)} ({c.state.value})",
                                               phone.action("transferCall", call=c.call_id, line=c.line))
                                          for c in calls], prompt="Which call?", keys=[SELECT, BACK, EXIT])
        call_id = calls[0].call_id
    call = next((c for c in calls if c.call_id == call_id), None)
    if call is None:
        raise PhoneError("That call has ended.", "Transfer call")
    if phone.int_param("mb") is None:
        return _member_list(phone, "Transfer to", "transferCall", call=call.call_id, line=call.line)
    gm, member = _destination(phone)
    name = member_name(phone, gm).removesuffix(" (Manager)")
    return _transfer(phone, call, member.number, name)


async def _transfer(phone: Phone, call, number: str, name: str):
    if call.state == CallState.RINGING:
        await phone.telephony.redirect(call.call_id, call.line, number)
        return done("Transfer call", f"The call from {_party(call)} was redirected to {name}.")
    line = phone.live.line(call.line)
    if line and any(c.state == CallState.HELD for c in line.calls):
        # the transfer joins the line's one held call with the consultation: a second one is ambiguous
        raise PhoneError("You have a call on hold. Take it back or end it, then transfer this call.",
                         "Transfer call")
    await phone.telephony.consult_start(call.call_id, call.line, number)
    return Text("Transfer call", f"Consultation transfer is set up. You are calling {name}; "
                f"{_party(call)} is on hold.",
                keys=[Key("Complete", phone.action("completeTransfer", line=call.line)),
                      Key("Cancel", phone.action("cancelTransfer", line=call.line)), EXIT])


async def complete_transfer(phone: Phone):
    line = _own_line(phone)
    await phone.telephony.consult_complete(line)
    return done("Transfer call", "The call was transferred.")


async def cancel_transfer(phone: Phone):
    line = _own_line(phone)
    await phone.telephony.consult_cancel(line)
    return done("Transfer call", "The transfer was cancelled; you are back with your caller.")


def _own_line(phone: Phone) -> str:
    line = phone.param("line")
    if line not in phone.registry.lines(phone.user.id):
        raise PhoneError("That line is not yours.")
    return line


def team_ringing(phone: Phone) -> list[tuple[object, object, object]]:
    """(call leg, membership, group id) of calls ringing at members of the user's groups, calls to
    managers first, each call once."""
    seen, out = set(), []
    mine = {m.number for m in phone.snap.user_members.get(phone.user.id, [])} | set(phone.registry.lines(phone.user.id))
    for gid in require_groups(phone):
        for gm in phone.snap.group_members.get(gid, []):
            number = phone.snap.members[gm.member_id].number
            if number in mine:
                continue
            for leg in phone.live.ringing_calls(number):
                if leg.remote_number in mine:  # the user's own call to a teammate: not to pick up
                    continue
                if leg.call_id not in seen:
                    seen.add(leg.call_id)
                    out.append((leg, gm, gid))
    return sorted(out, key=lambda t: t[1].type != MANAGER)


def pickup_calls(phone: Phone):
    ringing = team_ringing(phone)
    if not ringing:
        raise PhoneError("No call of your team is ringing.", "Pickup calls")
    call_id = phone.param("call")
    if not call_id:
        return Menu("Pickup calls", [Item(f"{_party(leg)} -> {gm.short_name}",
                                          phone.action("pickupCalls", call=leg.call_id))
                                     for leg, gm, _ in ringing], keys=[SELECT, BACK, EXIT])
    return _pickup(phone, call_id, ringing)


async def _pickup(phone: Phone, call_id: str, ringing):
    found = next(((leg, gm) for leg, gm, _ in ringing if leg.call_id == call_id), None)
    if found is None:
        raise PhoneError("That call is no longer ringing.", "Pickup calls")
    leg, gm = found
    await phone.telephony.pickup(my_line(phone), leg.line, leg.call_id)
    return done("Pickup calls", f"You picked up the call from {_party(leg)} for {gm.short_name}.")


def one_button(phone: Phone):
    """The manual's table: in a call, transfer it to the manager; a call to the manager ringing,
    pick it up; otherwise call the manager. A list of managers first when there are several."""
    require_groups(phone)
    managers = []
    for gm in my_memberships(phone):
        boss = phone.snap.manager_of(gm.group_id)
        if boss and phone.snap.members[boss.member_id].user_id != phone.user.id and boss not in managers:
            managers.append(boss)
    if not managers:
        if any(phone.snap.manager_of(gm.group_id) for gm in my_memberships(phone)):
            raise PhoneError("You are the manager of your group: the 1 Button Service connects assistants "
                             "with their manager.", "1 Button")
        raise PhoneError("None of your groups has a manager.", "1 Button")
    mid = phone.int_param("mb")
    if mid is None and len(managers) > 1:
        phone.keep = True  # the list; choosing a manager acts
        return Menu("1 Button", [Item(member_name(phone, m), phone.action("oneButton", mb=m.member_id))
                                 for m in managers], prompt="Which manager?", keys=[SELECT, BACK, EXIT])
    boss = next((m for m in managers if m.member_id == mid), managers[0] if mid is None else None)
    if boss is None:
        raise PhoneError("That manager is no longer in your groups.", "1 Button")
    return _one_button(phone, boss)


async def _one_button(phone: Phone, boss):
    number = phone.snap.members[boss.member_id].number
    name = member_name(phone, boss).removesuffix(" (Manager)")
    active = my_calls(phone, states=(CallState.ACTIVE,))
    if active:
        await phone.telephony.blind_transfer(active[0].call_id, active[0].line, number)
        return done("1 Button", f"The call from {_party(active[0])} was transferred to {name}.")
    mine = set(phone.registry.lines(phone.user.id))
    ringing = [leg for leg in phone.live.ringing_calls(number) if leg.remote_number not in mine]
    if len(ringing) < len(phone.live.ringing_calls(number)):  # the button was pressed twice
        return done("1 Button", f"You are already calling {name}.")
    if ringing:
        await phone.telephony.pickup(my_line(phone), number, ringing[0].call_id)
        return done("1 Button", f"You picked up the call from {_party(ringing[0])} for {name}.")
    await phone.telephony.make_call(my_line(phone), number)
    return done("1 Button", f"Calling {name} ({number}).")
