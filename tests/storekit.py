"""Random configuration writes through the store functions, every kind the surfaces make, for the tests that
prove the journal-advanced snapshot equals a fresh load."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from phonesvc.domain.errors import Rejected
from phonesvc.domain.presence import Presence
from phonesvc.domain.privileges import PRIVILEGES
from phonesvc.store import Store, announcements, diversions, groups, members, users, vip
from phonesvc.store.schema import announcements as an
from phonesvc.store.schema import devices, diversion_groups, diversion_lines, group_members, vip_numbers
from phonesvc.store.schema import groups as groups_table
from phonesvc.store.schema import members as members_table
from phonesvc.store.schema import users as users_table

PRIVS = [(app, p) for app, names in PRIVILEGES.items() for p in names]


def _ids(conn: Connection, column: sa.Column) -> list:
    return conn.execute(sa.select(column).order_by(column)).scalars().all()


class Writer:
    """Picks a write and its arguments from what the database holds now."""

    def __init__(self, rng: random.Random):
        self.rng, self.n = rng, 0

    def pick(self, conn: Connection, column: sa.Column):
        ids = _ids(conn, column)
        if not ids:
            raise Rejected("NOT_FOUND", f"no {column}")
        return self.rng.choice(ids)

    def user(self, conn: Connection):
        uid = self.pick(conn, users_table.c.id)
        return conn.execute(sa.select(users_table).where(users_table.c.id == uid)).one()

    def member(self, conn: Connection) -> int:
        return self.pick(conn, members_table.c.id)

    def number(self) -> str:
        return str(self.rng.randint(1000, 1040))  # few numbers: clashes and shared numbers happen

    # -- the writes --------------------------------------------------------------------------------------
    def add_user(self, conn: Connection) -> None:
        self.n += 1
        users.add_user(conn, f"Léonard.{self.n}", first_name=f"Léonard {self.n}", last_name="Vlahović & <Co>",
                       line_number=self.number(), devices_=[f"SEP{self.n:012d}"],
                       privileges_=self.rng.sample(PRIVS, 2))

    def edit_user(self, conn: Connection) -> None:
        users.update_user(conn, self.user(conn).id, department=f"Dept {self.rng.randint(1, 9)}",
                          line_number=self.number())

    def add_device(self, conn: Connection) -> None:
        self.n += 1
        users.add_device(conn, self.user(conn).id, f"SEP{self.n:012d}", "CP-8865")

    def device_seen(self, conn: Connection) -> None:
        names = _ids(conn, devices.c.name)
        if names:
            users.record_device_seen(conn, self.rng.choice(names), "CP-8851", "1,2,3", "10.0.0.9",
                                     float(self.rng.randint(1, 99)))

    def privileges(self, conn: Connection) -> None:
        users.set_privileges(conn, self.user(conn).id, self.rng.sample(PRIVS, 3), grant=self.rng.random() < 0.6)

    def delete_user(self, conn: Connection) -> None:
        users.delete_user(conn, self.user(conn).user_name)

    def add_group(self, conn: Connection) -> None:
        self.n += 1
        values = {"name": f"Group {self.n} & <Co>", "number": str(8000 + self.n)}
        if self.rng.random() < 0.3:
            values["id"] = self.rng.randint(1, 60)  # an id given by hand, maybe below the others
        groups.add_group(conn, values)

    def edit_group(self, conn: Connection) -> None:
        groups.edit_group(conn, self.pick(conn, groups_table.c.id), {"manager_timeout": self.rng.randint(5, 60)})

    def delete_group(self, conn: Connection) -> None:
        groups.delete_group(conn, self.pick(conn, groups_table.c.id))

    def add_member(self, conn: Connection) -> None:
        gid = self.pick(conn, groups_table.c.id)
        members.add_member(conn, gid, self.user(conn), self.number(), None, self.rng.choice([0, 0, 1]),
                           self.rng.choice([None, 0, gid]))

    def remove_member(self, conn: Connection) -> None:
        gm = conn.execute(sa.select(group_members).order_by(group_members.c.id)).all()
        if gm:
            row = self.rng.choice(gm)
            members.remove_member(conn, row.member_id, self.rng.choice([row.group_id, None]))

    def move_member(self, conn: Connection) -> None:
        row = conn.execute(sa.select(group_members).order_by(group_members.c.id)).all()
        if row:
            row = self.rng.choice(row)
            members.move_member(conn, row.group_id, row.member_id, self.rng.random() < 0.5)

    def edit_member(self, conn: Connection) -> None:
        mid = self.member(conn)
        members.set_short_name(conn, mid, members.member_groups(conn, mid), f"S{self.rng.randint(1, 99)}")
        members.set_number(conn, members.require_member(conn, mid), self.number())
        members.set_displayed_group(conn, mid, self.rng.choice([0, -1] + members.member_groups(conn, mid)))

    def presence(self, conn: Connection) -> None:
        members.set_presence(conn, self.user(conn).id, self.rng.choice(list(Presence)), "Out for lunch")

    def forwarding(self, conn: Connection) -> None:
        kind = self.rng.choice([None, "group", "voicemail", "mobile", "number", "member"])
        members.set_forwarding(conn, self.member(conn), kind, number="0800 1234",
                               target_member_id=self.member(conn) if kind == "member" else None)

    def add_vip(self, conn: Connection) -> None:
        vip.add_vip(conn, self.member(conn), f"079{self.rng.randint(0, 30)}", "Vlahović")

    def edit_or_delete_vip(self, conn: Connection) -> None:
        row = vip.require_vip(conn, str(self.pick(conn, vip_numbers.c.id)))
        if self.rng.random() < 0.5:
            vip.delete_vip(conn, row)
        else:
            vip.edit_vip(conn, row, f"078{self.rng.randint(0, 30)}", "Léonard")

    def announcement(self, conn: Connection) -> None:
        if self.rng.random() < 0.5:
            announcements.add_announcement(conn, self.pick(conn, groups_table.c.id), f"w{self.n}.wav",
                                           self.rng.choice([None, 1, 2]))
            return
        row = announcements.require_announcement(conn, str(self.pick(conn, an.c.id)))
        self.rng.choice([lambda: announcements.delete_announcement(conn, row),
                         lambda: announcements.move_announcement(conn, row, True),
                         lambda: announcements.rename_announcement(conn, row, "busy.wav")])()

    def diversion_group(self, conn: Connection) -> None:
        self.n += 1
        if self.rng.random() < 0.5:
            diversions.add_group(conn, f"Diversion {self.n} & <Co>", "", self.number(), self.rng.choice(["ON", "OFF"]))
            return
        row = diversions.require_diversion_group(conn, str(self.pick(conn, diversion_groups.c.id)))
        self.rng.choice([lambda: diversions.set_state(conn, row, "ON", diversions.Switcher("Vlahović", "CLI")),
                         lambda: diversions.edit_group(conn, row, None, "Léonard", self.number()),
                         lambda: diversions.delete_group(conn, row)])()

    def diversion_line(self, conn: Connection) -> None:
        if self.rng.random() < 0.6:
            diversions.add_line(conn, self.pick(conn, diversion_groups.c.id), self.number(), "Line")
            return
        row = diversions.require_line(conn, str(self.pick(conn, diversion_lines.c.id)))
        if self.rng.random() < 0.5:
            diversions.delete_line(conn, row)
        else:
            diversions.edit_line(conn, row, self.number(), "Vlahović")

    def writes(self) -> list[Callable[[Connection], None]]:
        return [self.add_user, self.add_user, self.edit_user, self.add_device, self.device_seen, self.privileges,
                self.delete_user, self.add_group, self.add_group, self.edit_group, self.delete_group,
                self.add_member, self.add_member, self.add_member, self.remove_member, self.move_member,
                self.edit_member, self.presence, self.forwarding, self.add_vip, self.add_vip,
                self.edit_or_delete_vip, self.announcement, self.diversion_group, self.diversion_line,
                self.diversion_line]


def random_writes(store: Store, seed: int, count: int) -> Iterator[str]:
    """Make `count` random writes (a refused one changes nothing); yields the name of each after it ended."""
    writer = Writer(random.Random(seed))
    for _ in range(count):
        write = writer.rng.choice(writer.writes())
        try:
            with store.write() as conn:
                write(conn)
        except Rejected:
            pass
        yield write.__name__
