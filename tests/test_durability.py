"""Data survives a restart and a kill -9: a real uvicorn process on a real SQLite file."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx

from tests.conftest import DIV_BASE, MA_BASE, parse_reply

NAME = "Léonard & <Vlahović> \"quoted\" 'single' 🎧"


def call(server, path: str, **params):
    base = DIV_BASE if path.startswith("div/") else MA_BASE
    url = f"{server.url}{base}/{path.removeprefix('div/')}.asp"
    return parse_reply(httpx.post(url, data=params, timeout=10))


def snapshot(server) -> dict:
    return {
        "groups": call(server, "groups/getGroups").items("group"),
        # lineState is the PBX's live state, not stored data
        "members": [{k: v for k, v in m.items() if k != "lineState"}
                    for m in call(server, "members/getMembers").items("member")],
        "announcements": call(server, "announcements/getAnnouncements", gr_id=45).items("announcement"),
        "vip": call(server, "vip/getVIPNumbers").items("VIPNumber"),
        "diversions": [etree_text(g) for g in call(server, "div/listGroups").response.iter("Group")],
    }


def etree_text(el) -> list:
    return [(e.tag, e.text) for e in el.iter()]


def test_writes_survive_kill_9_and_restart(server_factory, tmp_path):
    public = {"PHONESVC_PUBLIC_URL": "http://phonesvc.example"}  # URLs must not depend on the port
    server = server_factory("--demo", env=public)
    gid = call(server, "groups/addGroup", gr_name=NAME, gr_number="5555", gr_overflow="busy").id
    assert call(server, "members/addMember", gr_id=gid, usr_Name="Maria.Rossi", mb_number="1071",
                gm_shortName="A&B<C>", gm_type=1).status == "OK"
    assert call(server, "members/setPresence", usr_Name="Rafael.Hidalgo", presenceState=4,
                presenceMessage=NAME).status == "OK"
    assert call(server, "announcements/addAnnouncement", gr_id=45, an_wave="Willkommen.wav",
                an_priority=1).status == "OK"
    assert call(server, "members/deleteMember", usr_Name="San.Zhang").status == "OK"
    assert call(server, "div/setGroupState", groupId=3, state="ON").status == "OK"
    assert call(server, "div/addLine", groupId=3, lineNumber="1099", description=NAME).status == "OK"
    before = snapshot(server)
    server.kill()

    db = tmp_path / "data" / "phonesvc.db"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    restarted = server_factory("--demo", env=public)  # --demo must not load anything into a database with data
    after = snapshot(restarted)
    assert after == before
    assert any(g["name"] == NAME and g["overflow"] == "-3" for g in after["groups"])
    assert {"shortName": "A&B<C>", "userName": "Maria.Rossi"}.items() <= next(
        m for m in after["members"] if m["grId"] == gid).items()
    assert [a["wave"] for a in after["announcements"]][0] == "Willkommen.wav"
    assert not any(m["userName"] == "San.Zhang" for m in after["members"])


def test_concurrent_writers_all_land(server_factory):
    server = server_factory()

    def add(i: int) -> str:
        return call(server, "groups/addGroup", gr_name=f"Team {i}").status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(add, range(60)))
    assert statuses == ["OK"] * 60
    names = {g["name"] for g in call(server, "groups/getGroups").items("group")}
    assert names == {f"Team {i}" for i in range(60)}
