"""The Reports tab in real Chromium (issue 15 points 1-6, 11): each report type for a month on screen and as a
graph, the graph saved as PNG, the Excel file read back with openpyxl; the 4-eyes sign-in with a second user and
its refusal with the same user twice; a user without Reports refused (403) on the tab and the export URL."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta

import httpx2 as httpx
import openpyxl
import pytest
from PIL import Image
from playwright.sync_api import expect

from phonesvc.config import load_settings
from phonesvc.domain.calls import CallRecord
from phonesvc.domain.privileges import MAGROUP
from phonesvc.store import Store
from phonesvc.store.calllog import add_calls
from phonesvc.store.users import add_user
from tests.webkit import ADMIN, sign_in_http, signed_in

TAB = "/Applications/inbound/MAGroup/reports"
FOUR_EYES = [("Fritz.Four", "fritz-pw", "Fritz"), ("Vera.Four", "vera-pw", "Vera")]
COUNT_URL = f"{TAB}/run?type=count&output=excel&month=2024-08&group=all"
TIJANA, RAFAEL, OUTSIDE = "1047", "1175", "0800123456"


def _call(n: int, day: int, hour: int, rung: tuple[str, ...], taker: str, seconds: float,
          direction: str = "inbound") -> CallRecord:
    t = datetime(2024, 8, day, hour).timestamp()
    caller, called = (OUTSIDE, "8973") if direction == "inbound" else (rung[0], OUTSIDE)
    return CallRecord(f"web-report-{n}", direction, caller, "Ada & <Caller>", called, 45, "MA Group",
                      rung if direction == "inbound" else (), taker, False, t, t + 5 if taker else None,
                      t + seconds, taker, taker)


@pytest.fixture(scope="module")
def august(web):
    """Four calls of MA Group (45) in August 2024, and the 4-eyes users, in the demo server's database."""
    store = Store(load_settings(env={"PHONESVC_DATA_DIR": str(web.data_dir)}).effective_database_url)
    with store.log_write() as conn:
        add_calls(conn, [_call(1, 5, 9, (TIJANA,), TIJANA, 70), _call(2, 5, 10, (TIJANA, RAFAEL), RAFAEL, 110),
                         _call(3, 6, 14, (TIJANA, RAFAEL), "", 75),
                         _call(4, 7, 16, (RAFAEL,), OUTSIDE, 94, direction="outbound")])
    with store.write() as conn:
        for name, password, first in FOUR_EYES:
            add_user(conn, name, password=password, first_name=first, privileges_=[(MAGROUP, "Reports4Eyes")])
    store.dispose()
    time.sleep(5.5)  # the server reads the configuration again after at most 5 s (Store.max_age)


def workbook(download) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))


def cells(page) -> list[list[str]]:
    return [r.inner_text().split("\t") for r in page.locator("table.report tbody tr:not(.section)").all()]


def choose(page, group: str = "MA Group", outbound: bool = False) -> None:
    page.get_by_label("Group").select_option(label=group)
    if outbound:
        page.get_by_label("Outbound calls").check()
    page.get_by_role("button", name="Run report").click()


def test_call_count_on_screen_graph_png_and_excel(page, august, screenshot):
    signed_in(page, *ADMIN, start=TAB)
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    screenshot(page, "web-ma-reports")
    page.get_by_role("link", name="Call count August 2024 Screen").click()
    choose(page, outbound=True)
    table = page.locator("table.report")
    expect(table).to_contain_text("Tijana Vlahović")
    rows = cells(page)
    assert rows[0] == ["1047", "Tijana Vlahović", "2", "1", "3", "0", "3"]  # the manager first
    assert rows[1][:7] == ["1175", rows[1][1], "1", "2", "2", "1", "3"]
    screenshot(page, "web-ma-reports-count")

    page.get_by_role("link", name="Graph").click()
    canvas = page.locator("canvas")
    expect(canvas).to_have_attribute("aria-label", re.compile("^Call count for Members: "))  # drawn (a deferred script)
    label = canvas.get_attribute("aria-label")
    assert label.startswith(f"Call count for Members: Tijana Vlahović (1047) 1/2/0, {rows[1][1]} (1175) 2/1/0, ")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save").click()
    png = Image.open(io.BytesIO(download.value.path().read_bytes()))
    assert png.format == "PNG" and png.size == (960, 420)
    screenshot(page, "web-ma-reports-graph")

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename == "Call count August 2024.xlsx"
    sheet = workbook(download.value).active
    assert sheet["A1"].value == "Call count"
    assert (sheet["A2"].value, sheet["B2"].value) == ("Start", datetime(2024, 8, 1))
    assert (sheet["A3"].value, sheet["B3"].value) == ("End", datetime(2024, 9, 1))
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert values[0][:2] == ["Group", "MA Group"] and values[1][:2] == ["Outbound calls", "Yes"]
    header = values.index(["Number", "Member", "Missed calls", "Connected", "Inbound calls", "Outbound calls",
                           "Calls"])
    assert values[header + 1][0] == "MA Group"  # the section heading, as on screen
    assert values[header + 2] == ["1047", "Tijana Vlahović", 2, 1, 3, 0, 3]


def test_all_groups_graph_opens_a_group_and_back(page, august):
    signed_in(page, *ADMIN, start=TAB)
    page.get_by_role("link", name="Call count August 2024 Graph").click()
    choose(page, group="All")
    canvas = page.locator("canvas")
    # other tests' groups (on the same server) follow, by name, without calls in August 2024
    expect(canvas).to_have_attribute("aria-label", re.compile("^Call count for Groups: MA Group 2/3, Support Team 0/0"))
    groups = canvas.get_attribute("aria-label")
    box = canvas.bounding_box()
    canvas.click(position={"x": 70 * box["width"] / 960, "y": box["height"] / 2})
    assert "Tijana Vlahović (1047)" in canvas.get_attribute("aria-label")
    page.get_by_role("button", name="Back").click()
    expect(canvas).to_have_attribute("aria-label", groups)


def test_details_and_duration(page, august, screenshot):
    signed_in(page, *ADMIN, start=TAB)
    page.get_by_role("link", name="Details August 2024 Screen").click()
    choose(page)
    rows = cells(page)
    assert rows == [["05.08.2024 09:00:00", OUTSIDE, "Ada & <Caller>", "8973", "MA Group", "0:01:10"],
                    ["05.08.2024 10:00:00", OUTSIDE, "Ada & <Caller>", "8973", "MA Group", "0:01:50"],
                    ["06.08.2024 14:00:00", OUTSIDE, "Ada & <Caller>", "8973", "MA Group", "0:01:15"]]
    screenshot(page, "web-ma-reports-details")
    page.get_by_role("link", name="Graph").click()
    expect(page.get_by_role("tab", name="Calls per Hour")).to_be_visible()
    assert "09 1, 10 1, 11 0, 12 0, 13 0, 14 1" in page.locator("canvas").get_attribute("aria-label")
    page.get_by_role("tab", name="Calls per Day of Week").click()
    week = "Monday 2, Tuesday 1, Wednesday 0, Thursday 0, Friday 0, Saturday 0, Sunday 0"
    expect(page.locator("canvas")).to_have_attribute("aria-label", f"Calls per Day of Week: {week}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    sheet = workbook(download.value).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=1)]
    first = values.index(["Date/Time", "Caller", "Caller name", "Called", "Called name", "Duration"]) + 1
    assert values[first][:5] == [datetime(2024, 8, 5, 9), OUTSIDE, "Ada & <Caller>", "8973", "MA Group"]
    assert values[first][5] == timedelta(seconds=70)  # a duration is a time ([h]:mm:ss)
    assert sheet.cell(first + 1, 1).number_format == "dd.mm.yyyy hh:mm:ss"

    page.goto(f"{TAB}/run?type=duration&output=screen&month=2024-08")
    choose(page, outbound=True)
    rows = cells(page)
    assert rows[0] == ["1047", "Tijana Vlahović", "0:01:10", "0:01:10", "0:00:00", "0:00:00", "0:01:10", "0:01:10"]
    assert rows[1][2:] == ["0:03:24", "0:01:42", "0:01:34", "0:01:34", "0:01:50", "0:01:50"]


def test_custom_report_form_errors(page, august):
    signed_in(page, *ADMIN, start=TAB)
    page.get_by_label("Start Date/Time").fill("2024-08-21T00:00")
    page.get_by_label("End Date/Time").fill("2024-08-20T00:00")
    page.get_by_role("button", name="Report").click()
    expect(page.get_by_text("The end must come after the start.")).to_be_visible()
    expect(page.get_by_label("End Date/Time")).to_have_attribute("aria-invalid", "true")
    # corrected, the same form (now shown at reports/run) posts to the tab's run path again, not below it
    page.get_by_label("End Date/Time").fill("2024-08-31T00:00")
    page.get_by_role("button", name="Report").click()
    choose(page)
    expect(page.get_by_role("heading", name="Details · 21.08.2024 00:00 – 31.08.2024 00:00")).to_be_visible()
    assert page.url.split("?")[0].endswith(f"{TAB}/run")


def test_the_tab_and_its_reports_fit_a_phone_screen(page, august, screenshot):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, *ADMIN, start=TAB)
    for url in (TAB, f"{TAB}/run?type=duration&output=screen&month=2024-08&group=45&outbound=1",
                f"{TAB}/run?type=details&output=graph&month=2024-08&group=45"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url  # wide tables scroll, not the page
        if "duration" in url:
            screenshot(page, "web-ma-reports-narrow")
    expect(page.get_by_role("button", name="Save")).to_be_in_viewport()


def test_four_eyes_needs_a_second_different_user(page, august, web, screenshot):
    user, password, _ = FOUR_EYES[0]
    signed_in(page, user, password, start=TAB)
    expect(page.get_by_role("heading", name="4-eyes principle!")).to_be_visible()
    assert page.request.get(COUNT_URL).status == 403  # the export is refused too until then
    page.get_by_label("User", exact=True).fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text("The second sign-in must be a different user")).to_be_visible()
    screenshot(page, "web-ma-reports-foureyes")
    second, second_password, _ = FOUR_EYES[1]
    page.get_by_label("User", exact=True).fill(second)
    page.get_by_label("Password").fill(second_password)
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_role("heading", name="Custom Report")).to_be_visible()
    assert page.request.get(COUNT_URL).status == 200
    assert f"4-eyes sign-in of {user} and {second}" in web.log()


def test_a_user_without_reports_is_refused_on_the_tab_and_the_export(web, august):
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": "10.99.0.1"}) as client:
        assert sign_in_http(client, "nobody", "no-privileges").status_code == 303
        for url in (TAB, COUNT_URL, f"{TAB}/run?type=details&output=excel&month=2024-08&group=45"):
            answer = client.get(url)
            assert answer.status_code == 403 and "MA Group" not in answer.text
