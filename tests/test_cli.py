"""The `phonesvc users` and `phonesvc init` commands, run as a user would run them: a subprocess in a
temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from phonesvc.app import create_app
from phonesvc.config import load_settings
from tests.test_auth import URL, basic


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without any PHONESVC_* setting of the machine running the tests."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PHONESVC_")}, **settings}


def phonesvc(*args: str, cwd, env: dict, stdin: str = "", stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "phonesvc", *args], input=stdin, env=env, cwd=cwd,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60)


@pytest.fixture
def cli(tmp_path):
    env = clean_env(PHONESVC_DATA_DIR=str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, stdin: str = "", ok: bool = True) -> subprocess.CompletedProcess:
        proc = phonesvc(*args, cwd=work, env=env, stdin=stdin)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    run("init")
    run.data_dir = tmp_path / "data"
    return run


def users_json(cli) -> dict:
    return {u["user_name"]: u for u in json.loads(cli("users", "list", "--json").stdout)}


def test_add_and_list_json(cli):
    cli("users", "add", "Tijana.Vlahovic", "--first", "Tijana", "--last", "Vlahović", "--line", "1047",
        "--mobile", "+41791234567", "--voicemail", "8047", "--department", "R&D", "--vip", "3",
        "--device", "sep001122334455", "--device", "CSFTVLAHOVIC", "--privilege", "Admin",
        "--privilege", "PhoneDiversions:State", "--privilege", "REST Authentication")
    u = users_json(cli)["Tijana.Vlahovic"]
    assert (u["first_name"], u["last_name"], u["line_number"], u["mobile_number"], u["voicemail_number"],
            u["department"], u["vip_level"]) == ("Tijana", "Vlahović", "1047", "+41791234567", "8047", "R&D", 3)
    assert [d["name"] for d in u["devices"]] == ["CSFTVLAHOVIC", "SEP001122334455"]
    assert u["privileges"] == {"MAGroup": ["Admin"], "PhoneDiversions": ["State"], "Callisto": ["RESTAuthentication"]}
    assert "Tijana.Vlahovic" in cli("users", "list").stdout


@pytest.mark.parametrize("args, message", [
    (["--vip", "6"], "VIP level"),
    (["--line", "12ab"], "not a phone number"),
    (["--device", "SEP 00"], "device name"),
    (["--privilege", "Emperor"], "unknown privilege"),
])
def test_add_refuses_bad_values_and_writes_nothing(cli, args, message):
    proc = cli("users", "add", "x.user", *args, ok=False)
    assert proc.returncode == 2 and message in proc.stderr
    assert users_json(cli) == {}


def test_duplicate_user_is_refused(cli):
    cli("users", "add", "Maria.Rossi")
    proc = cli("users", "add", "maria.rossi", ok=False)
    assert proc.returncode == 2 and "already exists" in proc.stderr


def test_set_password_and_grant_enable_rest_access(cli):
    cli("users", "add", "api")
    settings = load_settings(env={"PHONESVC_DATA_DIR": str(cli.data_dir)})
    remote = TestClient(create_app(settings), client=("198.51.100.4", 1))
    assert remote.get(URL, headers=basic("api", "pässword")).status_code == 401
    cli("users", "set-password", "api", "--password-stdin", stdin="pässword\n")
    assert remote.get(URL, headers=basic("api", "pässword")).status_code == 401  # no privilege yet
    out = cli("users", "grant", "api", "RESTAuthentication", "TeammateStatus").stdout
    assert "Callisto:RESTAuthentication" in out
    assert remote.get(URL, headers=basic("api", "pässword")).status_code == 200
    revoked = cli("users", "revoke", "api", "RESTAuthentication").stdout
    assert revoked == "revoked Callisto:RESTAuthentication from api\n"
    assert remote.get(URL, headers=basic("api", "pässword")).status_code == 401
    assert users_json(cli)["api"]["privileges"] == {"MAGroup": ["TeammateStatus"]}


def test_grant_to_unknown_user_fails(cli):
    proc = cli("users", "grant", "ghost", "Admin", ok=False)
    assert proc.returncode == 2 and "ghost" in proc.stderr


def test_import_csv_adds_and_updates(cli, tmp_path):
    cli("users", "add", "Rafael.Hidalgo", "--line", "1175")
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "\ufeffuser_name;first_name;last_name;line_number;department;vip_level;devices;privileges;password\n"
        "Léonard.Saligny;Léonard;Saligny;1118;R&D;2;SEP000000001118;Groups, PhoneDiversions:Groups;pw1\n"
        "Rafael.Hidalgo;Rafael;Hidalgo;1176;Office;;SEP000000001175 CSFRAFAEL;TeammateStatus;\n",
        encoding="utf-8")
    out = cli("users", "import", str(csv_file)).stdout
    assert "1 added, 1 updated" in out
    users = users_json(cli)
    assert users["Léonard.Saligny"]["privileges"] == {"MAGroup": ["Groups"], "PhoneDiversions": ["Groups"]}
    assert users["Léonard.Saligny"]["has_password"] is True
    assert users["Rafael.Hidalgo"]["line_number"] == "1176"
    assert [d["name"] for d in users["Rafael.Hidalgo"]["devices"]] == ["CSFRAFAEL", "SEP000000001175"]


def test_import_is_all_or_nothing(cli, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("user_name,first_name,vip_level\nok.user,Ok,1\nbad.user,Bad,9\n", encoding="utf-8")
    proc = cli("users", "import", str(csv_file), ok=False)
    assert proc.returncode == 2 and "line 3" in proc.stderr and "VIP level" in proc.stderr
    assert users_json(cli) == {}


def test_import_refuses_unknown_columns(cli, tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("user_name,shoe_size\nx,42\n", encoding="utf-8")
    proc = cli("users", "import", str(csv_file), ok=False)
    assert proc.returncode == 2 and "shoe_size" in proc.stderr


def test_delete_user_removes_their_members(cli, tmp_path):
    from phonesvc.app import prepare
    from phonesvc.store import demo

    settings = load_settings(env={"PHONESVC_DATA_DIR": str(cli.data_dir)})
    store = prepare(settings)
    with store.write() as conn:
        demo.load(conn)
    cli("users", "delete", "Rafael.Hidalgo")
    client = TestClient(create_app(settings, store), client=("127.0.0.1", 1))
    from tests.conftest import Rest

    members = Rest(client)("members/getMembers", gr_id=45).items("member")
    assert [m["userName"] for m in members] == ["Tijana.Vlahovic", "Aradhana.Jaggi", "Leonard.Saligny",
                                                "San.Zhang", "Emilia.Skjeggestad"]
    assert [m["index"] for m in members] == ["1", "2", "3", "4", "5"]
    # Emilia forwarded to Rafael: that forwarding went with him
    assert members[-1]["forwardDestination"] == ""


# --- which database -------------------------------------------------------------------------------


def test_commands_in_a_folder_without_a_database_fail_and_create_nothing(tmp_path):
    """`phonesvc users import` run from another folder used to create ./phonesvc-data there and import
    into it, where the server never saw the users."""
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("user_name,first_name\nLeonard.Saligny,Léonard\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (["users", "import", str(csv_file)], ["users", "add", "x.y"], ["users", "list"], ["calls"],
                 ["users", "delete", "x.y"]):
        proc = phonesvc(*args, cwd=elsewhere, env=clean_env())
        assert proc.returncode == 2, (args, proc.stderr)
        db = f"sqlite:///{elsewhere / 'phonesvc-data' / 'phonesvc.db'}"
        assert f"phonesvc: no phonesvc database at {db}." in proc.stderr
        for hint in ("PHONESVC_DATA_DIR", "--config", "PHONESVC_DATABASE_URL", "phonesvc init"):
            assert hint in proc.stderr
        assert "Traceback" not in proc.stderr
        assert list(elsewhere.iterdir()) == [], args


def test_commands_name_the_database_and_reach_the_servers_data_from_any_folder(tmp_path):
    server_data = tmp_path / "server" / "phonesvc-data"
    config = tmp_path / "phonesvc.toml"
    config.write_text(f'data_dir = "{server_data}"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    created = phonesvc("--config", str(config), "init", cwd=elsewhere, env=clean_env())
    assert created.returncode == 0 and created.stdout.strip() == "database created", created.stderr
    assert (server_data / "phonesvc.db").is_file() and list(elsewhere.iterdir()) == []
    assert phonesvc("--config", str(config), "init", cwd=elsewhere, env=clean_env()).stdout.strip() == (
        "the database exists already: nothing to do")

    csv_file = tmp_path / "users.csv"
    csv_file.write_text("user_name,first_name\nLeonard.Saligny,Léonard\n", encoding="utf-8")
    for env in (clean_env(PHONESVC_CONFIG=str(config)), clean_env(PHONESVC_DATA_DIR=str(server_data)),
                clean_env(PHONESVC_DATABASE_URL=f"sqlite:///{server_data / 'phonesvc.db'}")):
        proc = phonesvc("users", "import", str(csv_file), cwd=elsewhere, env=env)
        assert proc.returncode == 0, proc.stderr
        assert f"phonesvc: database sqlite:///{server_data / 'phonesvc.db'}\n" in proc.stderr
    assert list(elsewhere.iterdir()) == []
    listed = phonesvc("users", "list", "--json", cwd=tmp_path, env=clean_env(PHONESVC_DATA_DIR=str(server_data)))
    assert [u["first_name"] for u in json.loads(listed.stdout)] == ["Léonard"]


def test_a_database_password_is_never_printed(tmp_path):
    env = clean_env(PHONESVC_DATABASE_URL="postgresql+psycopg://phonesvc:s3cret@127.0.0.1:1/phonesvc")
    proc = phonesvc("users", "list", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert "phonesvc: database postgresql+psycopg://phonesvc:***@127.0.0.1:1/phonesvc" in proc.stderr
    assert "phonesvc: cannot open the database postgresql+psycopg://phonesvc:***@127.0.0.1:1/phonesvc" in proc.stderr
    assert "s3cret" not in proc.stderr and "Traceback" not in proc.stderr


# --- output -----------------------------------------------------------------------------------------


def test_users_list_columns_line_up_with_accents_and_wide_characters(cli):
    from phonesvc.table import width

    cli("users", "add", "zhang.wei", "--first", "偉", "--last", "張", "--line", "1072", "--device", "SEP000000001072")
    cli("users", "add", "Leonard.Saligny", "--first", "Le\u0301onard", "--last", "Vlahović", "--line", "1118",
        "--privilege", "Admin")
    cli("users", "add", "Beatrice.Gaertner", "--first", "Beatrice", "--last", "Gärtner")
    lines = cli("users", "list").stdout.splitlines()
    head = ["user", "name", "line", "devices", "privileges"]
    assert lines[0].split() == head and len(lines) == 4

    def on_screen(line: str) -> str:  # one character per terminal cell
        return "".join(ch if width(ch) == 1 else ch + "\0" if width(ch) == 2 else "" for ch in line)

    for column in head[1:]:
        start = lines[0].index(column)
        for line in map(on_screen, lines[1:]):
            assert line[start - 2:start] == "  " and line[start] != " ", (column, lines)


def test_output_into_a_closed_pipe_ends_quietly(cli):
    """`phonesvc users list | head -1`: the reader goes away, phonesvc stops without a traceback."""
    for i in range(3):
        cli("users", "add", f"user.{i}")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        proc = subprocess.run([sys.executable, "-m", "phonesvc", "users", "list"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60, cwd=cli.data_dir.parent,
                              env=clean_env(PHONESVC_DATA_DIR=str(cli.data_dir)))
    finally:
        os.close(write_end)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception" not in proc.stderr


def test_user_administration_is_a_privilege_the_cli_grants(cli):
    """The web admin's Users page opens with Callisto:UserAdministration; the CLI hands it out like any other."""
    cli("users", "add", "clerk")
    assert "Callisto:UserAdministration" in cli("users", "grant", "clerk", "User Administration").stdout
    assert users_json(cli)["clerk"]["privileges"] == {"Callisto": ["UserAdministration"]}
