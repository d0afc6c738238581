"""Which gadget streams a change wakes (web/gadget_panel.py Panels): only those of the groups it concerns, as for
the status display (live/concerns.py), so that a presence change in one team costs the other 999 streams nothing;
and those of the users whose access it may change; a chunk of them per turn of the event loop. On the app's real
store and bus."""

from __future__ import annotations

import asyncio

from phonesvc.domain.presence import Presence
from phonesvc.live.bus import ConfigurationChanged, GroupChanged
from phonesvc.store.members import set_presence
from phonesvc.store.users import set_password
from phonesvc.web.gadget_panel import CHUNK, Panels

MA, SUPPORT = 45, 64  # demo groups


def user_id(store, name: str) -> int:
    return next(u.id for u in store.snapshot().users.values() if u.user_name == name)


def woken(app, store, write) -> tuple[set[int], set[int]]:
    """(groups, users) whose streams a configuration write wakes, of MA Group, Support Team and their users."""
    async def run() -> tuple[set[int], set[int]]:
        app.state.line_sync.sync()  # the PBX's lines as the app's start leaves them
        panels = Panels(store, app.state.live)
        users = {user_id(store, n) for n in ("Tijana.Vlahovic", "maria.santos", "admin")}
        waiting = {(g, u): panels.changed(g, u) for g in (MA, SUPPORT) for u in users}
        with store.write() as conn:
            write(conn)
        app.state.bus.publish(ConfigurationChanged())  # what every commit of the app publishes
        return {g for (g, _u), (f, _v) in waiting.items() if f.done()}, \
            {u for (_g, u), (_f, v) in waiting.items() if v.done()}
    return asyncio.run(run())


def test_a_presence_change_wakes_only_the_streams_of_its_users_groups(app, store, demo_data):
    maria = user_id(store, "maria.santos")  # Support Team only
    assert woken(app, store, lambda conn: set_presence(conn, maria, Presence.AWAY, "Back at 3")) == ({SUPPORT}, {maria})


def test_a_password_change_wakes_the_users_own_streams_whatever_group_they_watch(app, store, demo_data):
    admin = user_id(store, "admin")  # in no group: Admin sees every group
    assert woken(app, store, lambda conn: set_password(conn, "admin", "a new one")) == (set(), {admin})



def test_a_large_groups_streams_wake_a_chunk_per_turn_of_the_loop_so_phones_are_read_between(app, store, demo_data):
    async def run() -> list[int]:
        panels = Panels(store, app.state.live)
        admin = user_id(store, "admin")
        waiting = [panels.changed(MA, admin)[0] for _ in range(3 * CHUNK)]
        app.state.bus.publish(GroupChanged(MA))  # e.g. its settings changed on a phone
        woken = []
        for _ in range(4):
            woken.append(sum(f.done() for f in waiting))
            await asyncio.sleep(0)  # a turn of the loop: what came in from the network is read
        return woken
    assert asyncio.run(run()) == [CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK]
