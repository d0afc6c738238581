"""At start, the PBX learns what the configuration says its lines do: assistants' forwarding and
the lines of diversion groups that are ON. (Managers' forwarding stays at application level.)"""

from __future__ import annotations

import logging

from phonesvc.domain.members import MANAGER
from phonesvc.store import Store
from phonesvc.store.diversions import list_groups
from phonesvc.store.members import forward_destination, list_memberships
from phonesvc.telephony import Forwarding, Telephony, TelephonyError

log = logging.getLogger(__name__)


async def restore_line_forwarding(store: Store, telephony: Telephony) -> None:
    with store.read() as conn:
        memberships = list_memberships(conn)
        diversions = list_groups(conn)
    managers = {m["id"] for m in memberships if m["type"] == MANAGER}
    wanted: dict[str, Forwarding] = {}
    for m in memberships:
        if m["id"] not in managers and m["fwd_kind"] and m["fwd_kind"] != "group":
            destination = forward_destination(m)
            if destination:
                wanted[m["number"]] = Forwarding(destination, voicemail=m["fwd_kind"] == "voicemail")
    for group in diversions:  # an ON diversion wins over a member's own forwarding of the same line
        if group["state"] == "ON":
            for line in group["lines"]:
                wanted[line["number"]] = Forwarding(group["destination"])
    for number, forwarding in wanted.items():
        try:
            await telephony.set_forwarding(number, forwarding)
        except TelephonyError as exc:
            log.warning("forwarding of line %s not restored: %s", number, exc)
