"""The PhoneDiversions Reports tab in real headless Chromium, on a server of its own (its report holds exactly
what these tests did): diversions switched over REST, on a phone and on the web, Call Handler calls through the
simulator, then the filters, the sort, the pages, the Excel file (read back with openpyxl), and the refusals."""

from __future__ import annotations

import io
import sqlite3
import time
from datetime import datetime, timedelta

import httpx2 as httpx
import openpyxl
import pytest
from playwright.sync_api import expect

from tests.webkit import ACCOUNTS, ADMIN, _prepare, client_address, csrf_of, sign_in_http, signed_in

BASE = "/Applications/inbound/PhoneDiversions"
REPORTS = f"{BASE}/reports"
GROUP = 'Zürich & <Nacht> "Léonard"'
HANDLER, LINE, PHONE, DIRECT, CALLER = "1025", "1068", "SEP000000001068", "+41795551234", "0800123456"
OLD_DAY = datetime(2025, 1, 15)


def _not_at_a_months_end() -> None:
    """Wait out the last minutes of a month, so that records made now are still in the month the test reads."""
    now = datetime.now()
    next_month = (now.replace(day=28) + timedelta(days=4)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if (left := (next_month - now).total_seconds()) < 300:
        time.sleep(left + 1)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import Server

    _not_at_a_months_end()  # the first test reads "this month", the tab's default period
    data_dir = tmp_path_factory.mktemp("reports") / "data"
    _prepare(data_dir)
    s = Server(data_dir, "--demo", env={"PHONESVC_TRUSTED_PROXIES": "127.0.0.1"}).start()
    address = client_address()
    with httpx.Client(base_url=s.url, headers={"X-Forwarded-For": address}) as admin:
        assert sign_in_http(admin, *ADMIN).status_code == 303
        page = admin.get(f"{BASE}/callhandler")
        assert admin.post(f"{BASE}/callhandler", data={"csrf": csrf_of(page.text), "number": HANDLER, "connect": "on",
                                                       "numbers": DIRECT, "announcement": ""}).status_code == 303
        added = admin.post(f"{BASE}/rest/addGroup.asp", auth=ADMIN,  # switched ON over REST
                           data={"groupName": GROUP, "destination": HANDLER, "state": "ON"})
        group_id = added.text.split("<id>")[1].split("</id>")[0]
        admin.post(f"{BASE}/rest/addLine.asp", auth=ADMIN, data={"groupId": group_id, "lineNumber": LINE})
        for _ in range(2):  # OFF, then ON again, on Aradhana Jaggi's phone
            toggled = admin.get(f"{BASE}/src/PhoneService.asp", params={"groupID": group_id, "device": PHONE})
            assert "is now" in toggled.text
        csrf = csrf_of(admin.get(f"{BASE}/state").text)
        for state in ("OFF", "ON"):  # and on the web
            assert admin.post(f"{BASE}/state/{group_id}", data={"csrf": csrf, "state": state}).status_code == 303
    for caller in (CALLER, DIRECT):  # 1068 forwards to the Call Handler, which connects both back
        assert httpx.post(f"{s.url}/sim/call", json={"from": caller, "to": LINE}).status_code == 200
    with sqlite3.connect(data_dir / "phonesvc.db") as db:  # an older day with more than a page
        db.executemany("INSERT INTO callhandler_log (at, call_id, caller_number, receiver_number, group_name, status) "
                       "VALUES (?, ?, ?, '1044', 'Front desk', 'Terminated')",
                       [(OLD_DAY.timestamp() + 60 * i, f"old{i}", f"0800{i:06d}") for i in range(60)])
    s.address = address
    yield s
    s.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.url, accept_downloads=True,
                                  extra_http_headers={"X-Forwarded-For": client_address()})
    yield context.new_page()
    context.close()


def rows(page) -> list[list[str]]:
    return [[c.strip() for c in r.locator("td").all_inner_texts()] for r in page.locator("tbody tr").all()]


def test_every_switch_and_call_handler_call_is_listed_filtered_and_sorted(page, server, screenshot):
    signed_in(page, *ADMIN, start=REPORTS)
    expect(page.locator("caption")).to_have_text("7 entries")  # this month: 5 switches, 2 calls
    got = [r[1:] for r in rows(page)]
    ip = server.address
    assert got == [  # newest first
        ["Call Handler", "Direct access", "", "", DIRECT, LINE, GROUP],
        ["Call Handler", "Connected", "", "", CALLER, LINE, GROUP],
        ["Diversion", "Activated", "admin", f"Web {ip}", "", "", GROUP],
        ["Diversion", "Deactivated", "admin", f"Web {ip}", "", "", GROUP],
        ["Diversion", "Activated", "Aradhana.Jaggi", f"Phone {PHONE}", "", "", GROUP],
        ["Diversion", "Deactivated", "Aradhana.Jaggi", f"Phone {PHONE}", "", "", GROUP],
        ["Diversion", "Activated", "admin", f"REST {ip}", "", "", GROUP],
    ]
    screenshot(page, "web-div-reports")
    page.get_by_role("link", name="sort oldest first").click()
    assert [r[1:] for r in rows(page)] == got[::-1]
    times = [datetime.strptime(r[0], "%d.%m.%Y %H:%M:%S") for r in rows(page)]
    assert times == sorted(times)

    page.get_by_label("Action").select_option("Call Handler")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption")).to_have_text("2 entries")
    page.get_by_label("Action").select_option("")
    page.get_by_label("Status").select_option("Deactivated")
    page.get_by_label("Search").fill("jaggi")
    page.get_by_role("button", name="Show").click()
    assert [r[1:4] for r in rows(page)] == [["Diversion", "Deactivated", "Aradhana.Jaggi"]]


def test_a_long_period_is_paged_and_exported_to_excel_with_typed_dates(page, screenshot):
    signed_in(page, *ADMIN, start=REPORTS)
    page.get_by_label("Start").fill("2025-01-15T00:00")
    page.get_by_label("End").fill("2025-01-16T00:00")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption")).to_have_text("60 entries")
    assert len(rows(page)) == 50 and page.get_by_text("Page 1 of 2").is_visible()
    assert rows(page)[0][5] == "0800000059"  # newest first
    page.get_by_role("link", name="Next").click()
    assert [r[5] for r in rows(page)] == [f"0800{i:06d}" for i in range(9, -1, -1)]
    assert page.get_by_text("Page 2 of 2").is_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Export to Excel").click()
    assert info.value.suggested_filename == "PhoneDiversions report 2025-01-15 - 2025-01-16.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    sheet = book.active
    assert sheet["A2"].value == "Period" and sheet["B2"].value == OLD_DAY and sheet["B2"].is_date
    assert [sheet.cell(3, 2).value, sheet.cell(4, 2).value] == ["All", "All"]
    header = [c.value for c in sheet[7]]
    assert header == ["Date/Time", "Action", "Status", "Username", "From", "Caller Number", "Receiver Number", "Group"]
    data = list(sheet.iter_rows(min_row=8, values_only=True))
    assert len(data) == 60  # every line of the period, not one page
    assert data[0][0] == datetime.fromtimestamp(OLD_DAY.timestamp() + 60 * 59) and sheet["A8"].is_date
    assert data[0][1:] == ("Call Handler", "Terminated", None, None, "0800000059", "1044", "Front desk")


def test_without_the_reports_privilege_the_tab_and_the_export_answer_403(server):
    name, password = ACCOUNTS[1][:2]  # MAGroup's Settings only: no PhoneDiversions Reports
    for user, pw in ((name, password), ACCOUNTS[0][:2]):
        with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": client_address()}) as client:
            assert sign_in_http(client, user, pw).status_code == 303
            assert client.get(REPORTS).status_code == 403
            assert client.get(f"{REPORTS}/export.xlsx").status_code == 403
    assert httpx.get(f"{server.url}{REPORTS}/export.xlsx", follow_redirects=False).status_code in (302, 303)


def test_bad_filters_are_explained_and_export_nothing(server):
    with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, *ADMIN).status_code == 303
        bad = client.get(REPORTS, params={"from": "gestern", "status": "<script>"})
        assert bad.status_code == 400 and "Start: a date and time" in bad.text and "<script>" not in bad.text
        assert "Choose a status from the list." in bad.text
        swapped = client.get(f"{REPORTS}/export.xlsx", params={"from": "2026-02-01T00:00", "to": "2026-01-01T00:00"})
        assert swapped.status_code == 400 and "End must be after Start." in swapped.text
        assert client.get(REPORTS, params={"page": "0"}).status_code == 400
        assert client.get(REPORTS, params={"search": "x" * 101}).status_code == 400
