"""StatusDisplay.asp: the group this phone shows, in the richest object the phone takes: a picture whose
tiles are touch areas (GraphicFileMenu), else the picture alone (ImageFile), else a plain Menu of the
members with their status. Cisco documents GraphicFileMenu as touch-driven ("does not use the keypad"),
so a picture always has a Members softkey: the members as a plain Menu, which the keypad selects, each
leading to the same screen as its tile (memberActions)."""

from __future__ import annotations

from phonesvc.display.service import shown_group
from phonesvc.domain.dialing import dial_uri
from phonesvc.domain.linestate import LineState
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, GraphicFileMenu, ImageFile, Item, Key, Menu, Text, TouchItem
from phonesvc.phone.views.calls import my_calls
from phonesvc.phone.views.common import member_name, my_group_ids

LINE_STATES = {LineState.IDLE: "idle", LineState.BUSY: "on a call", LineState.RINGING: "ringing",
               LineState.OUT_OF_SERVICE: "out of service", LineState.FORWARDING: "forwarded",
               LineState.APP_FORWARDING: "forwarded"}


def status_display(phone: Phone):
    displays = phone.request.app.state.displays
    phone.keep = True  # idle phones reload it all day
    phone.refresh = (phone.settings.refresh_seconds, phone.url("StatusDisplay.asp"))
    gid = shown_group(phone.snap, phone.user.id)
    change = Key("Group", phone.action("changeGroup"))
    if gid is None:
        return Text("Status display", "No group is shown on this phone. Choose one with Change group.",
                    keys=[change, EXIT])
    grid = displays.grid(gid)
    key = (phone.device_name, phone.model.name, phone.model.objects, phone.base, grid)
    cached = displays.screens.get(key)
    if cached is None or cached[0] is not phone.snap:  # phones reload this all day: built once per state
        if len(displays.screens) >= 4096:
            displays.screens.clear()
        cached = displays.screens[key] = (phone.snap, _screen(phone, gid, grid, change))
    return cached[1]


def _screen(phone: Phone, gid: int, grid, change: Key):
    objects = phone.model.objects
    if "GraphicFileMenu" not in objects and "ImageFile" not in objects:
        return _members_menu(phone, gid, grid, [SELECT, change, EXIT])
    displays = phone.request.app.state.displays
    etag = displays.name_picture(gid, grid, phone.model)
    image = phone.url("StatusImage.asp", gr=gid, model=phone.model.name, v=etag.strip('"'))
    keys = [Key("Members", phone.action("statusMembers", gr=gid)), change, EXIT]
    if "GraphicFileMenu" not in objects:
        return ImageFile(grid.title, image, keys=keys)
    memberships = phone.snap.group_members.get(gid, [])
    boxes = displays.boxes(grid, phone.model)
    items = [TouchItem(f"{tile.index} {tile.short_name}", _actions_url(phone, gid, gm), *box)
             for tile, gm, box in zip(grid.tiles, memberships, boxes, strict=False)]
    return GraphicFileMenu(grid.title, image, items, keys=keys)


def _actions_url(phone: Phone, gid: int, gm) -> str:
    return phone.action("memberActions", gr=gid, mb=gm.member_id)


def _members_menu(phone: Phone, gid: int, grid, keys: list[Key]) -> Menu | Text:
    """Each member of the shown group as its tile shows it (index, name, presence, phone status),
    leading where the tile leads."""
    memberships = phone.snap.group_members.get(gid, [])
    items = [Item(f"{tile.index} {member_name(phone, gm)}: {tile.presence.label}, {LINE_STATES[tile.line_state]}",
                  _actions_url(phone, gid, gm)) for tile, gm in zip(grid.tiles, memberships, strict=False)]
    if not items:
        return Text(grid.title, "This group has no members yet.", keys=keys[1:])  # no Select: nothing to select
    return Menu(grid.title, items, prompt="Choose a member", keys=keys)


def status_members(phone: Phone) -> Menu | Text:
    """The Members softkey of the status display: its tiles as a plain Menu."""
    phone.keep = True
    gid = shown_group(phone.snap, phone.user.id)
    if gid is None or gid != phone.int_param("gr"):
        raise PhoneError("This group is no longer shown on this phone.", "Status display")
    return _members_menu(phone, gid, phone.request.app.state.displays.grid(gid), [SELECT, BACK, EXIT])


def member_actions(phone: Phone) -> Menu:
    phone.keep = True
    gid, mid = phone.int_param("gr"), phone.int_param("mb")
    if gid not in my_group_ids(phone, all_for_admin=True):  # before any look at the group: it is not theirs
        raise PhoneError("That group is not one of your groups.", "Status display")
    gm = next((g for g in phone.snap.group_members.get(gid, []) if g.member_id == mid), None)
    if gm is None:
        raise PhoneError("That member is no longer in the group.", "Status display")
    member = phone.snap.members[mid]
    name = member_name(phone, gm)
    dial = dial_uri(member.number)
    items = [Item(f"Call {name}", dial)] if dial else []
    for leg in phone.live.ringing_calls(member.number):
        items.append(Item(f"Pick up {leg.remote_name or leg.remote_number}", phone.action("pickupCalls",
                                                                                         call=leg.call_id)))
    if my_calls(phone) and phone.snap.members[mid].user_id != phone.user.id:
        items.append(Item(f"Transfer call to {name}", phone.action("transferCall", gr=gid, mb=mid)))
    if not items:  # only when the member's number holds nothing dialable
        raise PhoneError(f"{name} has no number that can be dialled.", "Status display")
    return Menu(name, items, keys=[SELECT, BACK, EXIT])
