"""The VIP List tab of ManagerAssistant Group (issue 11 point 6): in real Chromium, add and remove a VIP
number and filter the list, seen by REST at once; over plain HTTP on the app and its real SQLite file, bad
input answered next to the field with nothing changed, and the refusals: no privilege, no CSRF token, and
a VIPList user forging a POST for the manager of a group they are not in."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from phonesvc.store import groups, members
from phonesvc.store.schema import vip_numbers
from phonesvc.store.users import add_user, find_user, set_password
from tests.conftest import parse_reply
from tests.webkit import ADMIN, csrf_of, sign_in_http, signed_in

VIP_TAB = "/Applications/inbound/MAGroup/vip"
GET_VIPS = "/Applications/inbound/MAGroup/rest/vip/getVIPNumbers.asp"
NAME = 'Léonard & <Söhne> "Vlahović"'


def rest_numbers(client, member_id: int) -> list[tuple[str, str]]:
    reply = parse_reply(client.get(GET_VIPS, params={"mb_id": str(member_id)}))
    return [(v["number"], v["description"]) for v in reply.items("VIPNumber")]


def manager_option(page, name: str) -> str:
    """The value of the Manager selector's option for a manager, by the name it shows."""
    return page.get_by_label("Manager").locator("option", has_text=name).get_attribute("value")


# ------------------------------------------------------------------------------------------- in Chromium


def test_add_and_remove_a_vip_number(page, web, screenshot):
    signed_in(page, *ADMIN, start=VIP_TAB)
    tijana = int(manager_option(page, "Tijana Vlahović (1047)"))
    page.get_by_label("Manager").select_option(str(tijana))
    table = page.get_by_role("table")

    def user_of(text: str) -> str:  # the manual's columns: number, description, the number's user or External
        return table.get_by_role("row").filter(has_text=text).get_by_role("cell").nth(2).inner_text()
    assert user_of("1076") == "Gil-dong Hong"
    assert user_of("Support desk") == "External"

    page.get_by_label("Phone number").fill("+41791234567")
    page.get_by_label("Description").fill(NAME)
    page.get_by_role("button", name="Add").click()
    row = table.get_by_role("row").filter(has_text="+41791234567")
    assert row.get_by_role("cell").nth(1).inner_text() == NAME
    assert row.get_by_role("cell").nth(2).inner_text() == "External"
    assert ("+41791234567", NAME) in rest_numbers(httpx.Client(base_url=web.url), tijana)  # REST sees it at once

    page.get_by_label("Search").fill("söhne")  # the filter: number, description or user
    page.wait_for_function("document.querySelectorAll('#vip-numbers tbody tr').length === 1")
    assert table.get_by_role("row").nth(1).inner_text().count("+41791234567") == 1
    page.get_by_label("Search").fill("")
    page.wait_for_function("document.querySelectorAll('#vip-numbers tbody tr').length > 1")
    screenshot(page, "web-ma-vip")

    page.get_by_role("link", name="Remove +41791234567").click()
    assert "from the VIP list of Tijana Vlahović (1047)" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_role("row").filter(has_text="+41791234567").count() == 0
    assert "+41791234567" not in dict(rest_numbers(httpx.Client(base_url=web.url), tijana))


def test_the_vip_list_fits_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, *ADMIN, start=VIP_TAB)
    assert page.get_by_role("button", name="Add").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# ------------------------------------------------------------ over plain HTTP, on the app's real SQLite file


@pytest.fixture
def sites(store, demo_data):
    """Demo data plus a second group, Sales, led by Gil-dong Hong, with a VIP number; Rafael Hidalgo (VIPList,
    a member of MA Group only) and Nora (no privilege) can sign in."""
    with store.write() as conn:
        sales = groups.add_group(conn, {"name": "Sales", "number": "8975"})
        gil = find_user(conn, "Gil-dong.Hong")
        boss = members.add_member(conn, sales, gil, gil.line_number, None, 1, 0)
        conn.execute(vip_numbers.insert().values(member_id=boss, number="0800999000", description="Sales VIP"))
        set_password(conn, "Rafael.Hidalgo", "pw-rafael")
        add_user(conn, "nora", password="pw-nora", first_name="Nora")
        tijana = conn.execute(sa.select(vip_numbers.c.member_id).where(vip_numbers.c.number == "1076")).scalar_one()
    return {"sales_manager": boss, "tijana": tijana}


def signed_in_http(app, user: str, password: str) -> TestClient:
    client = TestClient(app, client=("127.0.0.1", 50000), base_url="http://testserver")
    assert sign_in_http(client, user, password).status_code == 303
    return client


def all_vips(store) -> list[tuple]:
    with store.read() as conn:
        return [tuple(r) for r in conn.execute(sa.select(vip_numbers).order_by(vip_numbers.c.id))]


def test_a_vip_list_user_sees_and_edits_only_the_managers_of_their_own_groups(app, store, sites):
    before = all_vips(store)
    with signed_in_http(app, "Rafael.Hidalgo", "pw-rafael") as rafael:
        html = rafael.get(VIP_TAB).text
        assert "Tijana Vlahović (1047)" in html and "Gil-dong Hong (1076)" not in html
        csrf = csrf_of(html)
        sales = str(sites["sales_manager"])
        assert rafael.get(VIP_TAB, params={"manager": sales}).status_code == 403
        forged = rafael.post(VIP_TAB, data={"csrf": csrf, "manager": sales, "number": "1234", "description": "x"})
        assert forged.status_code == 403
        sales_vip = next(r[0] for r in before if r[2] == "0800999000")
        assert rafael.get(f"{VIP_TAB}/{sales_vip}/remove").status_code == 403
        assert rafael.post(f"{VIP_TAB}/{sales_vip}/remove", data={"csrf": csrf}).status_code == 403
        assert all_vips(store) == before  # nothing changed
        # their own group's manager: allowed
        added = rafael.post(VIP_TAB, data={"csrf": csrf, "manager": str(sites["tijana"]), "number": "4321",
                                           "description": NAME}, follow_redirects=False)
        assert added.status_code == 303
        assert (sites["tijana"], "4321", NAME) in [r[1:] for r in all_vips(store)]


def test_without_the_privilege_or_the_csrf_token_nothing_changes(app, store, sites):
    before = all_vips(store)
    tijana_vip = next(r[0] for r in before if r[2] == "1076")
    with signed_in_http(app, "nora", "pw-nora") as nora:
        assert nora.get(VIP_TAB).status_code == 403
        csrf = csrf_of(nora.get("/Applications/inbound/MAGroup/settings").text)  # the 403 page's sign-out form
        data = {"csrf": csrf, "manager": str(sites["tijana"]), "number": "1234"}
        assert nora.post(VIP_TAB, data=data).status_code == 403
        assert nora.post(f"{VIP_TAB}/{tijana_vip}/remove", data={"csrf": csrf}).status_code == 403
    with signed_in_http(app, "Rafael.Hidalgo", "pw-rafael") as rafael:
        data = {"manager": str(sites["tijana"]), "number": "1234"}
        assert rafael.post(VIP_TAB, data=data).status_code == 403
        assert rafael.post(f"{VIP_TAB}/{tijana_vip}/remove", data={"csrf": "forged"}).status_code == 403
    assert all_vips(store) == before


@pytest.mark.parametrize(("number", "description", "field", "message"), [
    ("12ab", "x", "number", "A phone number is digits"),
    ("", "x", "number", "Enter the phone number"),
    ("1076", "dup", "number", "1076 is already on this VIP list"),  # the store's own message, as REST's
    ("5555", "line\nbreak", "description", "holds a line break"),
    ("5555", "x" * 256, "description", "too long"),
])
def test_bad_input_comes_back_next_to_the_field_and_changes_nothing(app, store, sites, number, description,
                                                                       field, message):
    before = all_vips(store)
    with signed_in_http(app, *ADMIN) as admin:
        csrf = csrf_of(admin.get(VIP_TAB).text)
        answer = admin.post(VIP_TAB, data={"csrf": csrf, "manager": str(sites["tijana"]), "number": number,
                                           "description": description})
    assert answer.status_code == 400
    error = re.search(rf'<p class="error" id="f-{field}-error">([^<]*)</p>', answer.text)
    assert error and message in error.group(1).replace("&#39;", "'")
    assert f'aria-describedby="f-{field}-error"' in answer.text
    assert f'value="{number}"' in answer.text  # what was typed stays
    assert all_vips(store) == before
