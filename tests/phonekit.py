"""Helpers for the phone-service tests (test_phone_*.py): service URLs, the emulated phones of the
demo people, the embedded PBX as the tests drive it, and store/REST look-ups.

    def test_something(pbx, phone):
        call = pbx.ring("0800123456", "1047", "Support desk")
        p = phone("1175").open(MENU).select("Pickup calls")
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from phonesvc.phonemodels import find as find_model
from phonesvc.store import members as store_members
from phonesvc.store.schema import users as users_table
from tests.phoneclient import Phone

MA_SRC = "/Applications/inbound/MAGroup/src"
MENU = f"{MA_SRC}/PhoneMenu.asp?device=#DEVICENAME#"
ONE_BUTTON = f"{MA_SRC}/OneButton.asp?device=#DEVICENAME#"
DIV_SRC = "/Applications/inbound/PhoneDiversions/src/PhoneService.asp"
EXT = "0800123456"

# Softkey positions of the role keys per family (phone_models.yaml), on menus and on forms.
POSITIONS = {"79xx": {"Select": 1, "Back": 2, "Exit": 3}, "88xx": {"Exit": 1, "Back": 2, "Select": 3}}
FORM_POSITIONS = {"79xx": {"Submit": 1, "<<": 2, "Cancel": 3, "Exit": 4},
                  "88xx": {"Cancel": 1, "<<": 2, "Submit": 3, "Exit": 4}}


def service(action: str, **params) -> str:
    """IndependentServices.asp?action=...&...&device=#DEVICENAME# (as configured in CUCM)."""
    return f"{MA_SRC}/IndependentServices.asp?{urlencode({'action': action, **params})}&device=#DEVICENAME#"


def toggle_url(group_id: int | str | None = None) -> str:
    query = f"groupID={group_id}&" if group_id is not None else ""
    return f"{DIV_SRC}?{query}device=#DEVICENAME#"


def device(line: str) -> str:
    return f"SEP{int(line):012d}"


class Pbx:
    """The app's PBX, driven the way the outside world and the people at the phones would: calls ring, get
    answered, lines go out of service. On the simulator, or on the O2G adapter with the fake O2G (`fake`):
    then the outside world acts on the fake's simulator, and every look waits until the adapter shows what the
    PBX has (its events come over HTTP)."""

    def __init__(self, client, app, fake=None):
        self.client = client
        self.sim = app.state.telephony
        self.line_forwarding = app.state.live.forwarding
        self.fake = fake
        self.sync()  # any request makes the PBX monitor every configured number
        if fake is not None:  # O2G names its users as the directory does (phonesvc pbx import)
            snap = app.state.store.snapshot()
            names = {n: f"{u.first_name} {u.last_name}".strip() for u in snap.users.values()
                     for n in [u.line_number] + [m.number for m in snap.user_members.get(u.id, [])] if n}
            fake.do(lambda: [fake.sim.add_line(n, name) for n, name in names.items() if fake.sim.is_line(n)])

    def _run(self, fn, *args):
        result = self.client.portal.call(fn, *args)
        self.settle()
        return result

    def _outside(self, fn, *args):
        if self.fake is None:
            return self._run(fn, *args)
        result = self.fake.call(self.fake._run(fn(*args)))
        self.settle()
        return result

    def _world(self):
        return self.fake.sim if self.fake is not None else self.sim

    def ring(self, from_number: str, to_line: str, name: str = "") -> str:
        return self._outside(self._world().external_call, from_number, to_line, name)

    def call(self, from_line: str, number: str) -> str:
        return self._run(self.sim.make_call, from_line, number)

    def answer(self, call_id: str, line: str | None = None) -> None:
        if line is None:
            self._outside(self._world().answer_call, call_id)
        else:
            self._run(self.sim.answer, call_id, line)

    def hang_up(self, call_id: str, line: str) -> None:
        self._run(self.sim.hang_up, call_id, line)

    def set_in_service(self, line: str, on: bool) -> None:
        self._outside(self._world().set_in_service, line, on)

    def set_forwarding(self, line: str, forwarding) -> None:
        self._run(self.sim.set_forwarding, line, forwarding)

    def legs(self, line: str) -> list[tuple[str, str, str, str]]:
        """(call id, direction, state, remote number) of each call on the line."""
        self.settle()
        return [(c.call_id, str(c.direction), str(c.state), c.remote_number) for c in self.sim.line(line).calls]

    def forwarding(self, line: str):
        self.settle()
        return self.sim.line(line).forwarding

    def sync(self) -> None:
        self.client.get("/health")
        if self.fake is not None:  # the configuration's forwarding reaches a line once O2G's user is matched
            self._until(lambda: self.sim.monitoring_all and not self.line_forwarding.refused)
            self.settle()

    def settle(self) -> None:
        """On O2G: until every line the adapter monitors shows what the PBX has."""
        if self.fake is None:
            return

        def same() -> bool:
            pbx = {ln.number: ln for ln in self.fake.do(self.fake.sim.lines)}
            return all(pbx.get(ln.number) is None or _view(pbx[ln.number]) == _view(ln) for ln in self.sim.lines())
        self._until(same)

    @staticmethod
    def _until(predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "the PBX's state did not reach the adapter"
            time.sleep(0.01)


def _view(line) -> tuple:
    return (line.in_service, line.dnd, line.forwarding,
            [(c.call_id, c.direction, c.state, c.remote_number, c.remote_name) for c in line.calls])


@pytest.fixture
def pbx(demo_data, client, app, fake_o2g) -> Pbx:
    return Pbx(client, app, fake_o2g)


@pytest.fixture
def phone(pbx, client):
    """phone("1047", model="CP-7965G"): the demo person's desk phone."""

    def make(line: str, model: str = "CP-8865") -> Phone:
        return Phone(client, device(line), model=model)

    return make


def user(store, user_name: str):
    snap = store.snapshot()
    return next(u for u in snap.users.values() if u.user_name.casefold() == user_name.casefold())


def member_of(store, user_name: str):
    """The (first) member of a demo person."""
    return store.snapshot().user_members[user(store, user_name).id][0]


def members_by_user(rest, group_id: int) -> dict[str, dict[str, str]]:
    """REST getMembers of a group, by user name."""
    return {m["userName"]: m for m in rest("members/getMembers", "GET", gr_id=group_id).items("member")}


def join(store, group_id: int, user_name: str, gm_type: int = 0) -> int:
    """Put a person (their line) into another group; returns the member id."""
    with store.write() as conn:
        row = conn.execute(sa.select(users_table).where(users_table.c.user_key == user_name.casefold())).first()
        return store_members.add_member(conn, group_id, row, row.line_number, None, gm_type, None)


def check_softkeys(phone: Phone) -> None:
    """Select, Back, Exit (and a form's Submit) sit where the phone's family puts them, and no key hides
    behind "more" when four would fit."""
    check_screen_softkeys(phone.screen, phone.model, phone.xml, phone.display)


def check_screen_softkeys(root, model: str, where: str = "", display: str = "") -> None:
    family = find_model(model, display).family
    keys = {k.findtext("Name"): int(k.findtext("Position")) for k in root.findall("SoftKeyItem")}
    assert len(keys) == len(root.findall("SoftKeyItem")), f"two softkeys with one name: {where}"
    wanted = POSITIONS[family]
    if root.tag == "CiscoIPPhoneInput":  # the keys that replace the phone's own: << and Cancel too
        wanted = FORM_POSITIONS[family]
        urls = {k.findtext("Name"): k.findtext("URL") for k in root.findall("SoftKeyItem")}
        assert (urls.get("<<"), urls.get("Cancel")) == ("SoftKey:<<", "SoftKey:Cancel"), (model, where)
        assert set(wanted) <= set(keys), (model, where)
    for name, position in keys.items():
        if name in wanted:
            assert position == wanted[name], (name, model, where)
    if len(keys) <= 4:
        assert max(keys.values(), default=0) <= 4, f"a key behind 'more' on {model}: {where}"
