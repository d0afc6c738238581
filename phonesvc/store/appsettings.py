"""Settings of an application instance made in its web GUI (the app_settings table): read from the snapshot,
written in a configuration write like every other change, so every node and surface sees them the same way."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.store.schema import app_settings
from phonesvc.store.snapshot import Snapshot


def setting(snap: Snapshot, app: str, name: str, default: str = "") -> str:
    return snap.app_settings.get(app, {}).get(name, default)


def set_setting(conn: Connection, app: str, name: str, value: str) -> None:
    """Store one setting (in a Store.write() transaction), replacing what was there."""
    where = (app_settings.c.app == app) & (app_settings.c.name == name)
    if conn.execute(sa.update(app_settings).where(where).values(value=value)).rowcount == 0:
        conn.execute(sa.insert(app_settings).values(app=app, name=name, value=value))
