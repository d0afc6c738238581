"""Client values never reach the log raw: control characters are escaped (a CR/LF cannot start a forged
log line) and long values are cut (a 900 KB group name is not a 900 KB log line)."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx2 as httpx
import pytest

from phonesvc.logsafe import SafeArgs, shown
from tests.conftest import MA_BASE, raw_form

HUGE = 900_000
FORGED = "45\r\n2024-05-01 12:00:00 INFO phonesvc: admin logged in"


def test_shown_escapes_control_characters_and_cuts_long_values():
    assert shown("Léonard & <Vlahović>") == "Léonard & <Vlahović>"
    assert shown("a\r\nb\tc\x00d\x85e\u2028f") == "a\\r\\nb\\tc\\x00d\\x85e\\u2028f"
    assert shown("x" * HUGE) == "x" * 200 + f"…({HUGE} chars)"
    assert shown(12) == "12"


def rest_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("phonesvc")]


def assert_one_short_line_each(lines: list[str]) -> None:
    assert lines
    for line in lines:
        assert "\n" not in line and "\r" not in line, line
        assert len(line) < 1000, f"a log line of {len(line)} characters"


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize("body", [
    f"gr_id=45&gr_name={'G' * HUGE}",  # editGroup: the value is quoted in the refusal
    f"gr_id=45&gr_number={'1' * HUGE}",
    f"gr_id={'9' * HUGE}&gr_name=x",  # an id no record has
    f"gr_id=45&gr_overflow={'<x>' * (HUGE // 3)}",
], ids=["name", "number", "id", "overflow"])
def test_a_huge_value_gives_a_short_log_line(client, caplog, body):
    caplog.set_level(logging.INFO, logger="phonesvc")
    reply = raw_form(client, "groups/editGroup", body)
    assert reply.status in ("INVALID_PARAMETERS", "INVALID_GROUP_ID")
    lines = rest_log(caplog)
    assert_one_short_line_each(lines)
    assert any("chars)" in line for line in lines) or all(len(line) < 200 for line in lines)


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize("path, params", [
    ("groups/deleteGroup", {"gr_id": FORGED}),
    ("groups/editGroup", {"gr_id": "45", "gr_name": FORGED}),
    ("vip/editVIPNumber", {"vn_id": FORGED, "vn_description": "x"}),
    ("members/setPresence", {"usr_Name": FORGED, "presenceState": "1"}),
    ("groups/editGroup", {"gr_id": "45", "gr_name\r\nINFO forged": "x"}),
])
def test_cr_lf_in_a_value_cannot_start_a_log_line(client, caplog, path, params):
    caplog.set_level(logging.INFO, logger="phonesvc")
    reply = raw_form(client, path, "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items()))
    assert reply.status == "INVALID_PARAMETERS"
    assert_one_short_line_each(rest_log(caplog))


@pytest.mark.usefixtures("demo_data")
def test_a_refusal_deep_in_the_store_is_logged_safely(client, caplog):
    """A value that passes the parameter checks and is quoted by the store's refusal (ALREADY_EXISTS)."""
    caplog.set_level(logging.INFO, logger="phonesvc")
    name = "Support " + "é" * 90  # long, but a valid group name
    assert raw_form(client, "groups/addGroup", f"gr_name={quote(name)}").status == "OK"
    assert raw_form(client, "groups/addGroup", f"gr_name={quote(name)}").status == "ALREADY_EXISTS"
    [line] = [m for m in rest_log(caplog) if "ALREADY_EXISTS" in m]
    assert "Support éé" in line  # readable, not escaped


def test_the_access_log_cuts_a_long_request_line(server_factory):
    server = server_factory("--demo", "--access-log")
    long_query = "gr_name=" + "x" * 12_000
    r = httpx.get(f"{server.url}{MA_BASE}/groups/getGroups.asp?{long_query}", timeout=30)
    assert r.status_code == 200
    server.stop()
    log = (server.data_dir.parent / f"server-{server.port}.log").read_text(encoding="utf-8")
    [line] = [ln for ln in log.splitlines() if "getGroups.asp" in ln]
    assert len(line) < 700 and "chars)" in line, line


def test_the_access_log_hides_the_password_of_an_auto_login_url():
    url = "/LogonPage.asp?page=/Applications/inbound/MAGroup/src/Jabber.asp&user=tv&pwd=s3cr%C3%A9t&x=1"
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.1:5000", "GET", url, "1.1", 303), None)
    SafeArgs(512).filter(record)
    assert "s3cr" not in record.getMessage() and "&user=tv&pwd=***&x=1" in record.getMessage()
