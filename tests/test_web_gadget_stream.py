"""The gadget's event stream over real HTTP (a `phonesvc serve --demo` on loopback, the simulator's HTTP API):
what a stream sends when its group changes, what it leaves out, and how it ends. The panel's text is worked
out once per group and change for every stream (web/gadget_panel.py Panels.text), and who may go on watching."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest

from tests.conftest import MA_BASE as REST
from tests.conftest import Server, parse_reply
from tests.webkit import ADMIN, client_address, csrf_of, sign_in_http
from tests.webkit import _prepare as prepare_web

JABBER = "/Applications/inbound/MAGroup/src/Jabber.asp"
STREAM = "/Applications/inbound/MAGroup/gadget/stream?group=45"  # MA Group
RAFAEL, MARIA_SANTOS = "1175", "1081"  # MA Group; Support Team


def panels(response: httpx.Response):
    """The data of each panel event, as it arrives."""
    event = ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "panel":
            yield json.loads(line[6:])


def calls_of(panel: dict, number: str) -> list[str]:
    return [c["name"] for m in panel["members"] if m["number"] == number for c in m["calls"]]


def test_a_stream_sends_its_groups_changes_only_and_ends_when_signed_out(web):
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}, timeout=10) as browser, \
            httpx.Client(base_url=web.url, timeout=10) as pbx:
        assert sign_in_http(browser, *ADMIN).status_code == 303
        csrf = csrf_of(browser.get(JABBER, params={"group": 45}).text)
        with browser.stream("GET", STREAM) as response:
            stream = panels(response)
            first = next(stream)
            assert first["name"] == "MA Group" and first["now"] > 0
            elsewhere = pbx.post("/sim/call", data={"from": "0800111", "to": MARIA_SANTOS, "name": "Support caller"})
            name = "Léonard & <Vlahović> \"Café\""
            ours = pbx.post("/sim/call", data={"from": "0800222", "to": RAFAEL, "name": name}).json()["call"]
            ringing = next(stream)  # the Support Team's call sent nothing: the next message is this one
            assert name in calls_of(ringing, RAFAEL)
            assert browser.post("/LogoffPage.asp", headers={"X-CSRF-Token": csrf}).status_code in (303, 200)
            pbx.post("/sim/hangup", data={"call": ours})
            assert next(stream) == {"signed_out": True}
            assert next(stream, None) is None  # and the stream ended
        pbx.post("/sim/hangup", data={"call": elsewhere.json()["call"]})


# -- who may go on watching: each case on a server of its own demo data (they change passwords and members) ----

PASSWORD = "pw-1"
TIJANA, LEONARD = "1047", "1118"  # MA Group's manager, an assistant


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from phonesvc.config import load_settings
    from phonesvc.store.prepare import prepare
    from phonesvc.store.users import set_password

    data_dir = tmp_path_factory.mktemp("gadget-viewers") / "data"
    prepare_web(data_dir)
    store = prepare(load_settings(env={"PHONESVC_DATA_DIR": str(data_dir)}))
    with store.write() as conn:
        for user in ("Tijana.Vlahovic", "Rafael.Hidalgo", "Leonard.Saligny"):
            set_password(conn, user, PASSWORD)
    store.dispose()
    server = Server(data_dir, "--demo", env={"PHONESVC_TRUSTED_PROXIES": "127.0.0.1"}).start()
    yield server
    server.stop()


@contextmanager
def watching(server: Server, user: str, password: str = PASSWORD) -> Iterator:
    """The panel events of `user`'s gadget stream on MA Group, the first one already read."""
    with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": client_address()}, timeout=15) as browser:
        assert sign_in_http(browser, user, password).status_code == 303
        with browser.stream("GET", STREAM) as response:
            stream = panels(response)
            assert next(stream)["name"] == "MA Group"
            yield stream


def test_a_stream_whose_users_password_changes_says_signed_out_and_ends(own_server):
    # Admin sees MA Group without being a member of it: the change concerns the viewer, not the group
    with watching(own_server, *ADMIN) as stream:
        subprocess.run([sys.executable, "-m", "phonesvc", "users", "set-password", "admin", "--password-stdin"],
                       input="a new one & <ü>\n", text=True, check=True, capture_output=True,
                       env={**os.environ, "PHONESVC_DATA_DIR": str(own_server.data_dir)})
        assert next(stream) == {"signed_out": True}  # within the server's look at the database (5 s)
        assert next(stream, None) is None


def test_a_user_who_loses_the_group_is_told_there_is_none(own_server):
    with watching(own_server, "Leonard.Saligny") as stream, httpx.Client(base_url=own_server.url) as rest:
        deleted = rest.post(f"{REST}/members/deleteMember.asp", data={"usr_Name": "Leonard.Saligny", "gr_id": 45})
        assert parse_reply(deleted).status == "OK"
        assert next(stream) == {"group": None}


def test_a_vip_call_hidden_from_assistants_stays_hidden_in_their_stream_while_the_manager_sees_it(own_server):
    with httpx.Client(base_url=own_server.url) as pbx:
        edited = pbx.post(f"{REST}/groups/editGroup.asp", data={"gr_id": 45, "gr_showVIPCall": 0})  # manager only
        assert parse_reply(edited).status == "OK"
        with watching(own_server, "Tijana.Vlahovic") as manager, watching(own_server, "Rafael.Hidalgo") as assistant:
            call = pbx.post("/sim/call", data={"from": "1076", "to": "8973"})  # Gil-dong Hong, 4 VIP stars
            seen = next(p for p in manager if calls_of(p, TIJANA))
            assert calls_of(seen, TIJANA) == ["Gil-dong Hong"]  # the line's own name
            shown = next(m for m in seen["members"] if m["number"] == TIJANA)["calls"][0]
            assert shown["vip"] and shown["vip_level"] == 4
            ringing = next(p for p in assistant if line_state(p, TIJANA) == "ringing")
            assert calls_of(ringing, TIJANA) == []  # the manager's line rings, the call is not shown
            pbx.post("/sim/answer", data={"call": call.json()["call"], "line": TIJANA})
            talking = next(p for p in manager if [c["state"] for c in calls(p, TIJANA)] == ["active"])
            assert calls(talking, TIJANA)[0]["vip"] and calls(talking, TIJANA)[0]["vip_level"] == 4  # still a VIP
            busy = next(p for p in assistant if line_state(p, TIJANA) == "busy")
            assert calls_of(busy, TIJANA) == []  # answered, still the manager's own
            pbx.post("/sim/hangup", data={"call": call.json()["call"]})


def calls(panel: dict, number: str) -> list[dict]:
    return next(m["calls"] for m in panel["members"] if m["number"] == number)


def line_state(panel: dict, number: str) -> str:
    return next(m["line_state"] for m in panel["members"] if m["number"] == number)
