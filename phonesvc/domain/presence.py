"""Presence states: the codes of the REST manual's setPresence."""

from __future__ import annotations

from enum import IntEnum


class Presence(IntEnum):
    AVAILABLE = 0
    AWAY = 1
    BUSY = 3
    DND = 4
    OFFLINE = 6  # shown as "Unavailable"; phones and the gadget cannot choose it

    @property
    def label(self) -> str:
        return {0: "Available", 1: "Away", 3: "Busy", 4: "DND", 6: "Unavailable"}[self.value]

    @property
    def takes_message(self) -> bool:
        """Status messages belong to Away, Busy and DND (phone manual, Change status)."""
        return self in (Presence.AWAY, Presence.BUSY, Presence.DND)


def parse_presence(text: str) -> Presence | None:
    if text not in {str(p.value) for p in Presence}:
        return None
    return Presence(int(text))


# What a person may choose on a phone or in the gadget: Unavailable is the PBX's and Jabber's to set.
BY_HAND = (Presence.AVAILABLE, Presence.AWAY, Presence.BUSY, Presence.DND)
