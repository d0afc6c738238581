"""The Call Handler's settings (its tab in the web admin): one JSON app setting, read from the snapshot."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlalchemy.engine import Connection

from phonesvc.domain.privileges import DIVERSIONS
from phonesvc.store.appsettings import set_setting, setting
from phonesvc.store.snapshot import Snapshot

SETTING = "callHandler"


@dataclass(frozen=True)
class CallHandlerSettings:
    number: str = ""  # the PhoneDiversions number (a route point); "" : no Call Handler
    connect: bool = True  # "Connect with called destination number": on unless the administrator turns it off
    direct_access: tuple[str, ...] = ()
    announcement: str = ""  # a file name in the instance's PCM folder, "" for none


def current(snap: Snapshot) -> CallHandlerSettings:
    raw = setting(snap, DIVERSIONS, SETTING, "{}")
    try:
        stored = json.loads(raw)
        return CallHandlerSettings(str(stored.get("number", "")), bool(stored.get("connect", True)),
                                   tuple(stored.get("direct_access", ())), str(stored.get("announcement", "")))
    except (ValueError, TypeError, AttributeError):  # not written by this module: its defaults
        return CallHandlerSettings()


def save(conn: Connection, handler: CallHandlerSettings) -> None:
    set_setting(conn, DIVERSIONS, SETTING, json.dumps(asdict(handler), ensure_ascii=False))


def route_points(snap: Snapshot) -> frozenset[str]:
    """The Call Handler's number, as a route point (none while it has no number)."""
    number = current(snap).number
    return frozenset((number,)) if number else frozenset()
