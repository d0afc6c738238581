"""PhoneDiversions' Toggle Diversion: ON forwards every line of the group to its destination, OFF
clears them (each line returns to another group that is ON, or to its member's own forwarding).
With groupID the group toggles at once; without, the only group, or a list."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import EXIT, SELECT, Item, Menu
from phonesvc.phone.views.common import done, refused_lines, write
from phonesvc.store import diversions as store


async def toggle_diversion(phone: Phone):
    def read():
        with phone.store.read() as conn:
            return store.list_groups(conn)

    groups = await run_in_threadpool(read)
    # ASP reads query parameters case-insensitively: groupID, groupId, groupid all name the group
    wanted = next((v for k, v in phone.request.query_params.multi_items() if k.casefold() == "groupid" and v), "")
    if wanted:
        group = next((g for g in groups if str(g["id"]) == wanted.strip()), None)
        if group is None:
            raise PhoneError(f"There is no diversion group {wanted}. Check the service URL.", "PhoneDiversions")
        return await _toggle(phone, group)
    if not groups:
        raise PhoneError("No diversion group is set up.", "PhoneDiversions")
    if len(groups) == 1:
        return await _toggle(phone, groups[0])
    return Menu("PhoneDiversions", [Item(f"{g['name']} ({g['state']})", phone.url("PhoneService.asp",
                                                                                groupID=g["id"]))
                                    for g in groups], keys=[SELECT, EXIT])


async def _toggle(phone: Phone, group: dict):
    def flip(conn) -> str:
        """Flip the stored state in one transaction, so two quick presses switch twice. The PBX follows
        the store (live/forwarding.py), as it does for setGroupState over REST."""
        row = store.require_diversion_group(conn, str(group["id"]))
        state = "OFF" if row.state == "ON" else "ON"
        store.set_state(conn, row, state, store.Switcher(phone.user.user_name, f"Phone {phone.device_name}"))
        return state

    new = await write(phone, flip, "Toggle Diversion")
    refused = await refused_lines(phone, [line["number"] for line in group["lines"]])
    text = f"{group['name']} is now {new}: " + (f"calls to its lines go to {group['destination']}." if new == "ON"
                                                  else "its lines ring again.")
    if refused:
        text += " These lines could not be switched: " + ", ".join(f"{n} ({why})" for n, why in refused.items())
    return done("Toggle Diversion", text)
