"""PhoneDiversions' Toggle Diversion: ON forwards every line of the group to its destination, OFF
clears them. With groupID the group toggles at once; without, the only group, or a list."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from phonesvc.domain.members import MANAGER
from phonesvc.phone.context import Phone, PhoneError
from phonesvc.phone.screens import EXIT, SELECT, Item, Menu
from phonesvc.phone.views.common import done
from phonesvc.store import diversions as store
from phonesvc.telephony import Forwarding


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
        return await _toggle(phone, group, groups)
    if not groups:
        raise PhoneError("No diversion group is set up.", "PhoneDiversions")
    if len(groups) == 1:
        return await _toggle(phone, groups[0], groups)
    return Menu("PhoneDiversions", [Item(f"{g['name']} ({g['state']})", phone.url("PhoneService.asp",
                                                                                groupID=g["id"]))
                                    for g in groups], keys=[SELECT, EXIT])


def _after_off(phone: Phone, number: str, group: dict, groups: list[dict]) -> Forwarding | None:
    """Where a line goes when `group` switches OFF: to another group that is ON and has the line too,
    else back to the forwarding its member set on the phone (line level: not a manager's), else nowhere."""
    other = next((g for g in groups if g["id"] != group["id"] and g["state"] == "ON"
                  and any(ln["number"] == number for ln in g["lines"])), None)
    if other:
        return Forwarding(other["destination"])
    snap = phone.snap
    for member in snap.members.values():
        fwd = snap.forwarding.get(member.id)
        if member.number == number and fwd is not None and fwd.number and not any(
                gm.type == MANAGER for gm in snap.member_groups.get(member.id, [])):
            return Forwarding(fwd.number, voicemail=fwd.kind == "voicemail")
    return None


async def _toggle(phone: Phone, group: dict, groups: list[dict]):
    def write() -> str:
        """Flip the stored state in one transaction, so two quick presses switch twice."""
        with phone.store.write() as conn:
            row = store.require_diversion_group(conn, str(group["id"]))
            state = "OFF" if row.state == "ON" else "ON"
            store.set_state(conn, row, state)
            store.record_toggle(conn, row, phone.user.user_name, state)
            return state

    new = await run_in_threadpool(write)
    failed = []
    for line in group["lines"]:
        number = line["number"]
        target = Forwarding(group["destination"]) if new == "ON" else _after_off(phone, number, group, groups)
        try:
            await phone.telephony.set_forwarding(number, target)
        except Exception as exc:  # one broken line must not keep the others from switching
            failed.append(f"{number} ({exc})")
    text = f"{group['name']} is now {new}: " + (f"calls to its lines go to {group['destination']}." if new == "ON"
                                                  else "its lines ring again.")
    if failed:
        text += " These lines could not be switched: " + ", ".join(failed)
    return done("Toggle Diversion", text)
