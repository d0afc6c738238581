"""StatusDisplay.asp: the group this phone shows, as a picture whose tiles are menu items (keypad
index or touch area) leading to what can be done with that member."""

from __future__ import annotations

from phonesvc.display.service import shown_group
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import BACK, EXIT, SELECT, GraphicFileMenu, ImageFile, Item, Key, Menu, Text, TouchItem
from phonesvc.phone.views.calls import my_calls
from phonesvc.phone.views.common import member_name, my_group_ids


def status_display(phone: Phone):
    displays = phone.request.app.state.displays
    phone.refresh = (phone.settings.refresh_seconds, phone.url("StatusDisplay.asp"))
    gid = shown_group(phone.snap, phone.user.id)
    change = Key("Group", phone.action("changeGroup"))
    if gid is None:
        return Text("Status display", "No group is shown on this phone. Choose one with Change group.",
                    keys=[change, EXIT])
    grid = displays.grid(gid)
    key = (phone.device_name, phone.model.name, phone.base, grid)
    cached = displays.screens.get(key)
    if cached is None or cached[0] is not phone.snap:  # phones reload this all day: built once per state
        if len(displays.screens) >= 4096:
            displays.screens.clear()
        cached = displays.screens[key] = (phone.snap, _screen(phone, gid, grid, change))
    return cached[1]


def _screen(phone: Phone, gid: int, grid, change: Key):
    displays = phone.request.app.state.displays
    etag = displays.name_picture(gid, grid, phone.model)
    image = phone.url("StatusImage.asp", gr=gid, model=phone.model.name, v=etag.strip('"'))
    if "GraphicFileMenu" not in phone.model.objects:
        return ImageFile(grid.title, image, keys=[change, EXIT])
    memberships = phone.snap.group_members.get(gid, [])
    boxes = displays.boxes(grid, phone.model)
    items = [TouchItem(f"{tile.index} {tile.short_name}", phone.action("memberActions", gr=gid, mb=gm.member_id),
                       *box) for tile, gm, box in zip(grid.tiles, memberships, boxes, strict=False)]
    return GraphicFileMenu(grid.title, image, items, keys=[SELECT, change, EXIT])


def member_actions(phone: Phone) -> Menu:
    gid, mid = phone.int_param("gr"), phone.int_param("mb")
    if gid not in my_group_ids(phone, all_for_admin=True):  # before any look at the group: it is not theirs
        raise PhoneError("That group is not one of your groups.", "Status display")
    gm = next((g for g in phone.snap.group_members.get(gid, []) if g.member_id == mid), None)
    if gm is None:
        raise PhoneError("That member is no longer in the group.", "Status display")
    member = phone.snap.members[mid]
    name = member_name(phone, gm)
    items = [Item(f"Call {name}", f"Dial:{member.number}")]
    for leg in phone.live.ringing_calls(member.number):
        items.append(Item(f"Pick up {leg.remote_name or leg.remote_number}", phone.action("pickupCalls",
                                                                                         call=leg.call_id)))
    if my_calls(phone) and phone.snap.members[mid].user_id != phone.user.id:
        items.append(Item(f"Transfer call to {name}", phone.action("transferCall", gr=gid, mb=mid)))
    return Menu(name, items, keys=[SELECT, BACK, EXIT])
