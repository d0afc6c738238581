"""Control characters in names, descriptions, messages and numbers on the phone, the CLI and the PBX
simulator: each surface refuses them in its own language and writes nothing (test_bad_input.py walks
every REST function)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from phonesvc.app import prepare
from phonesvc.config import load_settings
from phonesvc.store import users as store_users
from tests.phonekit import MA_SRC, MENU, member_of, pbx, phone, service, user

__all__ = ["pbx", "phone"]  # fixtures

DISPLAY_URL = f"{MA_SRC}/StatusDisplay.asp?device=#DEVICENAME#"
CONTROLS = ["\n", "\r", "\t", "\x00", "\x85", "\u2028"]


def vip_list(store, user_name: str) -> dict[str, str]:
    boss = member_of(store, user_name).id
    return {v.number: v.description for v in store.snapshot().vip_list(boss)}


def refused(p, *words: str) -> None:
    assert p.kind == "CiscoIPPhoneText", p.xml
    assert all(w in p.text for w in words), p.text


# ---- phone ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("char", CONTROLS, ids=repr)
def test_a_group_name_with_a_line_break_is_refused_on_the_phone(phone, char):
    before = phone("1118").open(DISPLAY_URL).title
    p = phone("1118").open(service("saveGroup", gr=45, name=f"MA{char}Group"))
    refused(p, "control character")
    assert phone("1118").open(DISPLAY_URL).title == before == "MA Group"


@pytest.mark.parametrize("char", CONTROLS, ids=repr)
def test_vip_description_with_a_control_character_is_refused(phone, store, char):
    before = vip_list(store, "Tijana.Vlahovic")
    p = phone("1175").open(MENU).select("VIP list").select("Add number")
    p.submit(number="1234", text=f"Partner{char}")  # trailing: stripping it away would hide it
    refused(p, "control character")
    assert vip_list(store, "Tijana.Vlahovic") == before


def test_vip_description_too_long_is_refused_not_cut(phone, store):
    """The REST rule (vn_description: 255 characters at most), where the phone used to cut silently."""
    before = vip_list(store, "Tijana.Vlahovic")
    p = phone("1175").open(MENU).select("VIP list").select("Add number")
    p.submit(number="1234", text="d" * 256)
    refused(p, "too long", "255")
    assert vip_list(store, "Tijana.Vlahovic") == before
    p = phone("1175").open(MENU).select("VIP list").select("Add number").submit(number="1234", text="d" * 255)
    assert p.text == "1234 is now a VIP of Tijana Vlahović."
    assert vip_list(store, "Tijana.Vlahovic")["1234"] == "d" * 255


@pytest.mark.parametrize("params", [{"number": "1234\n"}, {"number": "12\t34"}, {"number": "1234", "text": "a\rb"}])
def test_vip_add_url_with_control_characters_is_refused(phone, store, params):
    before = vip_list(store, "Tijana.Vlahovic")
    refused(phone("1175").open(service("vipAdd", mb=member_of(store, "Tijana.Vlahovic").id, **params)),
            "control character")
    assert vip_list(store, "Tijana.Vlahovic") == before


@pytest.mark.parametrize("message", ["Back at 3\n", "Back\r\nat 3", "In a meeting\t", "Lunch\u2029"])
def test_status_message_with_a_line_break_is_refused(phone, store, message):
    p = phone("1175").open(service("changeStatus")).select("Away")
    p.submit(msg=message)
    refused(p, "control character")
    assert user(store, "Rafael.Hidalgo").presence_message == ""


def test_forwarding_number_with_a_control_character_is_refused(phone, pbx):
    p = phone("1175").open(service("saveForwarding", to="number", number="1234\n"))
    refused(p, "control character")
    assert pbx.forwarding("1175") is None


# ---- CLI -----------------------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path):
    """`phonesvc` run as a user would, on a database that exists."""
    env = {**os.environ, "PHONESVC_DATA_DIR": str(tmp_path / "data")}
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(tmp_path / "data")})
    prepare(settings).dispose()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "phonesvc", *args], env=env, capture_output=True, text=True,
                              timeout=60)

    def users() -> list[str]:
        store = prepare(settings)
        try:
            with store.read() as conn:
                return [u["user_name"] for u in store_users.list_users(conn)]
        finally:
            store.dispose()

    run.users = users
    return run


@pytest.mark.parametrize("args", [
    ["bob\u2028"], ["bob", "--first", "Bo\nb"], ["bob", "--last", "Smith\t"], ["bob", "--line", "1047\n"],
    ["bob", "--department", "R&D\x85"], ["bob", "--device", "SEP001122334455\r"],
], ids=repr)
def test_users_add_refuses_control_characters(cli, args):
    proc = cli("users", "add", *args)
    assert proc.returncode != 0 and "control character" in proc.stderr, proc.stderr
    assert cli.users() == []


@pytest.mark.parametrize("row", ['bad.user,"Bad\nName",1047', "bad.user,Bad,1047\t", 'bad.user,"Bad\x00",1047'],
                         ids=repr)
def test_users_import_refuses_control_characters(cli, tmp_path, row):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(f"user_name,first_name,line_number\nok.user,Ok,1022\n{row}\n", encoding="utf-8")
    proc = cli("users", "import", str(csv_file))
    assert proc.returncode != 0 and "line 3" in proc.stderr and "control character" in proc.stderr, proc.stderr
    assert cli.users() == []  # all or nothing: the good first row is not written either


# ---- PBX simulator -------------------------------------------------------------------------------
def test_simulator_refuses_a_caller_name_with_a_line_break(pbx, client):
    r = client.post("/sim/call", json={"from": "0800123456", "to": "1047", "name": "Support\ndesk"})
    assert r.status_code == 400 and "control character" in r.json()["error"]
    assert pbx.legs("1047") == []
