"""The Members section and Announcements dialog of a ManagerAssistant Group group in the web admin.

Browser tests (real Chromium on the shared demo server, each on a group of its own made through REST):
members added through the search, reordered by dragging, a second manager refused next to the Type field,
a member removed; announcements uploaded and reordered; REST reads back what the page did. Over plain
HTTP on the app with its real SQLite file: privileges (MembersManagement without Admin, another group's id,
announcements without Groups), CSRF, and bad input refused with nothing changed."""

from __future__ import annotations

import itertools
import re

import httpx2 as httpx
import pytest
from playwright.sync_api import expect
from starlette.testclient import TestClient

from phonesvc.domain.privileges import MAGROUP
from phonesvc.store.announcements import list_announcements
from phonesvc.store.members import list_memberships
from phonesvc.store.users import add_user
from tests.conftest import parse_reply
from tests.webkit import ADMIN, csrf_of, sign_in_http, signed_in

GROUPS = "/Applications/inbound/MAGroup/groups"
REST = "/Applications/inbound/MAGroup/rest"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(24)
_NAMES = itertools.count(1)


def new_group(web) -> str:
    """A group of this test's own on the shared server (made through REST); its Members address."""
    name = f"Tëam & <{next(_NAMES)}>"
    reply = parse_reply(httpx.post(f"{web.url}{REST}/groups/addGroup.asp", data={"gr_name": name}))
    assert reply.status == "OK"
    return f"{GROUPS}/{reply.id}"


def rest_members(web, group: str) -> list[tuple[str, str, str]]:
    reply = parse_reply(httpx.get(f"{web.url}{REST}/members/getMembers.asp", params={"gr_id": group.rsplit("/", 1)[1]}))
    return [(m["index"], m["lastName"], m["type"]) for m in reply.items("member")]


def add_member(page, search: str, choose: str, manager: bool = False) -> None:
    page.get_by_label("Search users").fill(search)
    page.get_by_role("link", name=re.compile(f"^Choose {choose}")).click()
    expect(page.get_by_label("User", exact=True)).to_have_value(choose)
    if manager:
        page.get_by_label("Type", exact=True).select_option("manager")
    page.get_by_role("button", name="Add member").click()
    page.wait_for_load_state()


def drag(page, source, target) -> None:
    """Drag a row by its handle onto another row with the mouse, as a person would (SortableJS follows
    mouse events: forceFallback)."""
    start, end = source.locator(".drag").bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    goal = end["y"] + end["height"] * 0.8
    for step in range(1, 21):  # in steps, as a hand moves: Sortable follows the mouse events one by one
        page.mouse.move(start["x"] + 5, start["y"] + (goal - start["y"]) * step / 20)
        page.wait_for_timeout(15)
    page.mouse.up()


def test_a_group_with_a_manager_and_two_members_reordered_by_dragging(web, page, screenshot):
    group = new_group(web)
    signed_in(page, *ADMIN, start=f"{group}/members")
    add_member(page, "Vlahov", "Tijana Vlahović", manager=True)
    add_member(page, "1068", "Aradhana Jaggi")
    add_member(page, "léon", "Léonard Saligny")
    row = page.get_by_role("row", name="Léonard Saligny")
    assert row.get_by_label("Short name of Léonard Saligny").input_value() == "Leo"  # generated
    assert rest_members(web, group) == [("1", "Vlahović", "1"), ("2", "Jaggi", "0"), ("3", "Saligny", "0")]

    drag(page, row, page.get_by_role("row", name="Tijana Vlahović"))
    page.wait_for_function("document.querySelector('tbody tr .index').textContent === '1' && "
                           "document.querySelector('tbody tr').getAttribute('aria-label') === 'Léonard Saligny'")
    assert rest_members(web, group) == [("1", "Saligny", "0"), ("2", "Vlahović", "1"), ("3", "Jaggi", "0")]
    page.get_by_role("button", name="Move Aradhana Jaggi up").click()  # the keyboard's way
    page.wait_for_load_state()
    assert rest_members(web, group) == [("1", "Saligny", "0"), ("2", "Jaggi", "0"), ("3", "Vlahović", "1")]
    screenshot(page, "web-ma-members")


def test_a_second_manager_is_refused_next_to_the_type_field(web, page):
    group = new_group(web)
    signed_in(page, *ADMIN, start=f"{group}/members")
    page.get_by_label("Search users").fill("Zhang")
    page.get_by_role("link", name=re.compile("^Choose San Zhang")).click()
    expect(page.get_by_label("User", exact=True)).to_have_value("San Zhang")
    page.get_by_label("Type", exact=True).select_option("manager")
    # meanwhile another surface appoints a manager
    assert parse_reply(httpx.post(f"{web.url}{REST}/members/addMember.asp", data={
        "gr_id": group.rsplit("/", 1)[1], "usr_Name": "Emilia.Skjeggestad", "mb_number": "1033", "gm_type": "1"})
    ).status == "OK"
    page.get_by_label("Short name", exact=True).fill("S&<\"Z")
    page.get_by_role("button", name="Add member").click()
    assert page.get_by_text("this group already has a manager").is_visible()
    assert page.get_by_label("Type", exact=True).get_attribute("aria-describedby") == "f-type-error"
    assert page.get_by_label("Short name", exact=True).input_value() == "S&<\"Z"  # kept as typed
    assert rest_members(web, group) == [("1", "Skjeggestad", "1")]


def test_remove_a_member_after_confirming(web, page):
    group = new_group(web)
    signed_in(page, *ADMIN, start=f"{group}/members")
    add_member(page, "Hidalgo", "Rafael Hidalgo")
    add_member(page, "Gärtner", "Beatrice Gärtner")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove Rafael Hidalgo").click()
    page.get_by_role("row", name="Rafael Hidalgo").wait_for(state="detached")
    assert rest_members(web, group) == [("1", "Gärtner", "0")]


def test_upload_and_reorder_announcements(web, page, tmp_path, screenshot):
    group = new_group(web)
    signed_in(page, *ADMIN, start=f"{group}/announcements")
    for name in ("Bitte warten.wav", "Grüße & Co.wav"):
        (tmp_path / name).write_bytes(WAV)
        page.get_by_label(re.compile("^WAV file to upload")).set_input_files(tmp_path / name)
        page.get_by_role("button", name="Upload and add").click()
        page.wait_for_load_state()
    drag(page, page.get_by_role("row", name="Grüße & Co.wav"), page.get_by_role("row", name="Bitte warten.wav"))
    page.wait_for_function("document.querySelector('tbody tr').getAttribute('aria-label') === 'Grüße & Co.wav'")
    reply = parse_reply(httpx.get(f"{web.url}{REST}/announcements/getAnnouncements.asp",
                                  params={"gr_id": group.rsplit("/", 1)[1]}))
    assert [(a["wave"], a["priority"]) for a in reply.items("announcement")] == [
        ("Grüße & Co.wav", "1"), ("Bitte warten.wav", "2")]
    screenshot(page, "web-ma-announcements")


# Plain HTTP on the app with its real SQLite file.

MA_GROUP = f"{GROUPS}/45"  # the demo's MA Group: Tijana, Rafael, Aradhana, Léonard, San, Emilia
SUPPORT = f"{GROUPS}/64"  # the demo's Support Team


@pytest.fixture
def signed(app, store, demo_data):
    """Sign-in as someone with the given privileges (they join the demo's MA Group with one phone)."""
    def make(name: str, *privileges: str, member_of: int | None = 45) -> TestClient:
        from phonesvc.store.members import add_member as store_add
        with store.write() as conn:
            add_user(conn, name, password="pw-1", first_name="Vlahović", last_name="& <Söhne>",
                           line_number="1999", privileges_=[(MAGROUP, p) for p in privileges])
            if member_of:
                from phonesvc.store.users import require_user
                store_add(conn, member_of, require_user(conn, name), "1999", None, 0, None)
        client = TestClient(app, client=("127.0.0.1", 50000), base_url="http://testserver")
        client.__enter__()
        assert sign_in_http(client, name, "pw-1").status_code == 303
        made.append(client)
        return client
    made: list[TestClient] = []
    yield make
    for client in made:
        client.__exit__(None, None, None)


def memberships(store, group_id: int) -> list[tuple]:
    with store.read() as conn:
        return [(m["id"], m["number"], m["short_name"], m["type"], m["position"])
                for m in list_memberships(conn, group_id)]


def every_post(store, group: str) -> list[tuple[str, dict]]:
    with store.read() as conn:
        mid = list_memberships(conn, int(group.rsplit("/", 1)[1]))[0]["id"]
        aid = list_announcements(conn, 45)[0].id
    return [(f"{group}/members/add", {"user": "Gil-dong.Hong", "number": "1076", "type": "member"}),
            (f"{group}/members/{mid}/edit", {"number": "1234", "short_name": "X"}),
            (f"{group}/members/{mid}/move", {"move": "down"}),
            (f"{group}/members/{mid}/remove", {}),
            (f"{group}/members/order", {"order": "1"}),
            (f"{group}/announcements/{aid}/delete", {})]


def test_without_admin_another_groups_members_are_refused_on_get_and_every_post(signed, store):
    client = signed("mm.only", "MembersManagement")
    assert client.get(f"{MA_GROUP}/members").status_code == 200
    before = memberships(store, 64)
    token = csrf_of(client.get(f"{MA_GROUP}/members").text)
    assert client.get(f"{SUPPORT}/members").status_code == 403
    for path, data in every_post(store, SUPPORT)[:5]:
        assert client.post(path, data={"csrf": token, **data}).status_code == 403, path
    assert memberships(store, 64) == before


def test_announcements_need_groups_or_admin(signed, store):
    client = signed("mm.only2", "MembersManagement")
    token = csrf_of(client.get(f"{MA_GROUP}/members").text)
    assert client.get(f"{MA_GROUP}/announcements").status_code == 403
    path, data = every_post(store, MA_GROUP)[5]
    assert client.post(path, data={"csrf": token, **data}).status_code == 403
    with store.read() as conn:
        assert len(list_announcements(conn, 45)) == 3
    groups_holder = signed("groups.only", "Groups")
    assert groups_holder.get(f"{MA_GROUP}/announcements").status_code == 200
    assert groups_holder.get(f"{SUPPORT}/announcements").status_code == 403  # not one of their groups


def test_a_user_without_the_tabs_privileges_and_a_post_without_csrf_are_refused(signed, store):
    nobody = signed("no.privileges", member_of=None)
    admin = signed("full.admin", "Admin")
    token = csrf_of(admin.get(f"{MA_GROUP}/members").text)
    before = memberships(store, 45)
    for path, data in every_post(store, MA_GROUP):
        assert nobody.get(path.rsplit("/", 2)[0] if "/members/" in path else path).status_code in (403, 404, 405)
        assert nobody.post(path, data=data).status_code == 403, path
        assert admin.post(path, data=data).status_code == 403, path  # no CSRF token
        assert admin.post(path, data={"csrf": token[:-1] + "x", **data}).status_code == 403, path
    assert memberships(store, 45) == before
    assert nobody.get(f"{MA_GROUP}/members").status_code == 403


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"number": "12a", "short_name": "Ok"}, "number", "Enter a phone number"),
    ({"number": "1047", "short_name": "toolongname"}, "short_name", "1 to 8 characters"),
    ({"number": "1047", "short_name": "A\nB"}, "short_name", "line break"),
])
def test_bad_input_comes_back_next_to_the_field_and_changes_nothing(signed, store, data, field, message):
    admin = signed(f"admin.{field}.{len(message)}", "Admin")
    token = csrf_of(admin.get(f"{MA_GROUP}/members").text)
    before = memberships(store, 45)
    mid = before[0][0]
    answer = admin.post(f"{MA_GROUP}/members/{mid}/edit", data={"csrf": token, **data})
    assert answer.status_code == 400
    error = re.search(f'<p class="error" id="{field}-{mid}-error">([^<]*)</p>', answer.text)
    assert error and message in error.group(1)
    assert f'value="{data["short_name"]}"'.replace("\n", "&#10;") in answer.text or field == "short_name"
    assert memberships(store, 45) == before


def test_an_edit_shows_on_rest_at_once_and_names_survive(signed, store, client):
    admin = signed("admin.edit", "Admin")
    token = csrf_of(admin.get(f"{MA_GROUP}/members").text)
    mid = memberships(store, 45)[1][0]
    answer = admin.post(f"{MA_GROUP}/members/{mid}/edit", data={"csrf": token, "number": "+4311175",
                                                                   "short_name": "R&<\"é", "shows": "on"})
    assert answer.status_code == 200  # followed the 303 to the list
    assert 'value="R&amp;&lt;&#34;é"' in answer.text
    reply = parse_reply(client.get(f"{REST}/members/getMembers.asp", params={"mb_id": mid}))
    shown = reply.items("member")[0]
    assert (shown["number"], shown["shortName"], shown["displayedGroup"]) == ("+4311175", "R&<\"é", "45")
    assert "Vlahović &amp; &lt;Söhne&gt;" in admin.get(f"{MA_GROUP}/members").text
