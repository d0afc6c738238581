"""The MA Groups tab in real headless Chromium against `phonesvc serve` (tests/webkit.py): change the
overflow to another group (REST getGroups shows it), create, rename and delete a group whose name has an
umlaut, & and <, a bad caller number mask refused next to its field, and the tab at 390 px. Screenshots of
the tab go to docs/images/ with --update-goldens."""

from __future__ import annotations

import re

import httpx2 as httpx
from playwright.sync_api import expect

from tests.webkit import ADMIN, signed_in

GROUPS = "/Applications/inbound/MAGroup/groups"
REST = "/Applications/inbound/MAGroup/rest/groups"


def rest_group(web, gid: int) -> str:
    return httpx.get(f"{web.url}{REST}/getGroups.asp", params={"gr_id": gid}).text


def test_change_the_overflow_to_another_group(page, web, screenshot):
    signed_in(page, *ADMIN, start=f"{GROUPS}/45")
    expect(page.get_by_role("heading", name="MA Group", level=1)).to_be_visible()
    page.get_by_label("Overflow", exact=True).select_option(label="Support Team")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Overflow", exact=True)).to_have_value("group:64")
    assert "<overflow>group:64</overflow>" in rest_group(web, 45)
    screenshot(page, "web-ma-group-general")
    page.get_by_label("Overflow", exact=True).select_option(label="<No Overflow>")  # as the demo had it
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert "<overflow>-1</overflow>" in rest_group(web, 45)


def test_create_rename_and_delete_a_group(page, web, screenshot):
    name, renamed = 'Bäckerei & <Söhne> "Léonard"', "Vlahović & Co"
    signed_in(page, *ADMIN, start=GROUPS)
    page.get_by_label("Group name").fill(name)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    listed = httpx.get(f"{web.url}{REST}/getGroups.asp").text
    assert "<name>Bäckerei &amp; &lt;Söhne&gt; &quot;Léonard&quot;</name>" in listed
    page.get_by_role("link", name="Rename").click()
    page.get_by_label("New group name").fill(renamed)
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name=renamed, level=1)).to_be_visible()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("This cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Delete group").click()
    expect(page.get_by_role("heading", name="Groups", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=renamed)).to_have_count(0)
    expect(page.get_by_role("link", name="MA Group", exact=True)).to_be_visible()
    screenshot(page, "web-ma-groups")


def test_a_bad_caller_number_mask_is_refused_next_to_its_field(page, web):
    signed_in(page, *ADMIN, start=f"{GROUPS}/45")
    mask = page.get_by_label("Caller number identification")
    mask.fill("%callerNumber%-abc")
    page.get_by_role("button", name="Save").click()
    expect(mask).to_have_attribute("aria-invalid", "true")
    expect(mask).to_have_value("%callerNumber%-abc")
    expect(page.locator("#f-caller_number-error")).to_contain_text("Only keypad characters")
    assert "<callerNumber>%managerNumber%**%callerNumber%</callerNumber>" in rest_group(web, 45)


def test_vip_calls_and_notifications_and_a_phone_wide_screen(page, web, screenshot):
    signed_in(page, *ADMIN, start=f"{GROUPS}/45/vip")
    expect(page.get_by_label("VIP call routing")).to_be_visible()
    screenshot(page, "web-ma-group-vip")
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_label("Manager call notification tone Jabber")).to_have_value("Analog1.mp3")
    screenshot(page, "web-ma-group-notifications")
    page.set_viewport_size({"width": 390, "height": 800})
    for path in (GROUPS, f"{GROUPS}/45", f"{GROUPS}/45/notifications"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.get_by_label("Choose group").select_option(label="Support Team")
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_url(re.compile(r"/groups/64/notifications$"))
    expect(page.get_by_label("Call notification tone", exact=True)).to_be_visible()
