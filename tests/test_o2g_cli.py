"""`phonesvc pbx check` and `phonesvc pbx import` as an administrator runs them against the fake O2G (the
command's main() in this process, for speed): what the PBX has, or exactly what failed; the directory matched
to O2G's users, all or nothing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

from phonesvc.cli import main
from tests.fakeo2g import FakeO2G


@pytest.fixture
def fake():
    fake = FakeO2G()
    fake.add_user("1047", "Tijana", "Vlahović", voicemail="8000")
    fake.add_user("1175", "Rafael", "Hidalgo", login="rhidalgo")
    fake.add_user("1068", "Chloé", "D'Arcy & <Co>")
    fake.start_thread()
    yield fake
    fake.stop_thread()


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(tmp_path, fake, monkeypatch, capsys):
    env = {"PHONESVC_DATA_DIR": str(tmp_path / "data"), "PHONESVC_PBX": "o2g", "PHONESVC_O2G_URL": fake.url,
           "PHONESVC_O2G_LOGIN": "admin", "PHONESVC_O2G_PASSWORD": "s3cret"}

    def run(*args: str, **extra: str) -> Ran:
        for name in [n for n in os.environ if n.startswith("PHONESVC_")]:
            monkeypatch.delenv(name)
        for name, value in {**env, **extra}.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)
    assert run("init").returncode == 0
    return run


def users(run) -> dict[str, dict]:
    return {u["user_name"]: u for u in json.loads(run("users", "list", "--json").stdout)}


def test_check_prints_version_services_users_and_route_points(run):
    run("users", "add", "Tijana.Vlahovic", "--line", "1047")
    run("users", "add", "Nobody", "--line", "4711")
    proc = run("pbx", "check")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "O2G O2G Server 2.4.12" in out and "logged in as admin" in out
    assert "services: acdrsi, logins, routing, sessions, subscriptions, telephony, users" in out
    assert "directory numbers that are O2G users: 1 of 2" in out
    assert "not O2G users (not monitored): 4711" in out


def test_check_says_exactly_what_failed(run, fake):
    proc = run("pbx", "check", PHONESVC_O2G_PASSWORD="wrong")
    assert proc.returncode == 1
    assert "phonesvc: the PBX (O2G) refused the login 'admin': wrong login or password" in proc.stderr
    proc = run("pbx", "check", PHONESVC_O2G_URL="http://127.0.0.1:9")
    assert proc.returncode == 1 and "cannot be reached at http://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_import_adds_and_updates_users_and_reports_the_changes(run):
    run("users", "add", "Tijana.Vlahovic", "--line", "1047", "--first", "T.", "--last", "Vlahović")
    proc = run("pbx", "import")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "updated Tijana.Vlahovic (line 1047): first name T. -> Tijana, voicemail number - -> 8000",
        "added 1068: Chloé D'Arcy & <Co>, line 1068",
        "added rhidalgo: Rafael Hidalgo, line 1175",
    ]
    found = users(run)
    assert (found["1068"]["first_name"], found["1068"]["last_name"]) == ("Chloé", "D'Arcy & <Co>")
    assert found["Tijana.Vlahovic"]["voicemail_number"] == "8000"
    assert run("pbx", "import").stdout.strip() == "the directory matches O2G: nothing changed"


def test_import_is_all_or_nothing(run, fake):
    fake.do(lambda: fake.add_user("12ab", "Bad", "Number"))  # a number the directory refuses
    proc = run("pbx", "import")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert set(users(run)) == set()


def test_pbx_commands_need_the_o2g_settings(run):
    proc = run("pbx", "check", PHONESVC_PBX="sim")
    assert proc.returncode == 2 and "the PBX is the embedded simulator" in proc.stderr
