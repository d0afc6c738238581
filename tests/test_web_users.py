"""The Users page (/admin/users) in real headless Chromium against a real `phonesvc serve`, and its guards
over plain HTTP: every form's POST refused without User Administration or without the CSRF token."""

from __future__ import annotations

import itertools
import re

import httpx2 as httpx
import pytest
from markupsafe import escape
from playwright.sync_api import expect

from tests.webkit import ACCOUNTS, ADMIN, client_address, csrf_of, sign_in_http, signed_in

USERS = "/admin/users"
MENU = "/Applications/inbound/MAGroup/src/PhoneMenu.asp?device="
_N = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_N)}"


@pytest.fixture
def admin(web):
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, *ADMIN).status_code == 303
        yield client


def add_http(client, **fields) -> int:
    """Adds a user through the form's POST; returns the new user's id (from the list's link)."""
    token = csrf_of(client.get(f"{USERS}/new").text)
    privileges = fields.pop("privilege", [])
    answer = client.post(f"{USERS}/new", data={"csrf": token, "vip_level": "0", **fields, "privilege": privileges})
    assert answer.status_code == 303, answer.text
    return user_id(client, fields["user_name"])


def user_id(client, name: str) -> int:
    listing = client.get(USERS, params={"q": name}).text
    match = re.search(r'href="/admin/users/(\d+)">' + re.escape(str(escape(name))) + "<", listing)
    assert match, f"{name} is not listed"
    return int(match.group(1))


def test_add_a_user_and_give_them_a_device_the_phone_answers_for_them(page, web, screenshot):
    name, device = unique("Leonie.Mueller"), f"SEP00AA{next(_N):08d}"
    signed_in(page, *ADMIN, start=USERS)
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("User name").fill(name)
    page.get_by_label("First name").fill("Léonie")
    page.get_by_label("Last name").fill("Müller & <Söhne>")
    page.get_by_label("Line number").fill("4711")
    page.get_by_label("VIP stars").select_option("3")
    page.get_by_label("Devices").fill(device.lower())
    page.get_by_role("group", name="ManagerAssistant Group").get_by_label("Settings").check()
    page.get_by_label("Password", exact=True).fill("s3cret-Ü")
    assert httpx.get(f"{web.url}{MENU}{device}").text.count("Unknown phone")  # before: nobody has that phone
    page.get_by_role("button", name="Add user").click()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_role("cell", name="Léonie Müller & <Söhne>")).to_be_visible()
    expect(row.get_by_role("cell", name=device)).to_be_visible()  # stored as CUCM shows it: upper case
    screen = httpx.get(f"{web.url}{MENU}{device}").text
    assert "Unknown phone" not in screen and "not a member of any group" in screen
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, name, "s3cret-Ü").status_code == 303  # the password works; the privilege too
        assert client.get("/Applications/inbound/MAGroup/settings").status_code == 200
    page.goto(USERS)
    screenshot(page, "web-users")


def test_search_finds_by_name_number_department_and_device_and_pages_the_rest(page, admin):
    department = unique("Törö & <Co> ")
    add_http(admin, user_name=unique("Search.One"), first_name="Zoë", last_name="Ðorđević", line_number="81234",
             department=department, devices="SEP00BB00000001")
    signed_in(page, *ADMIN, start=USERS)
    for query in ("ðorđević", "81234", department.upper(), "sep00bb00000001", "zoë ðorđ"):
        page.get_by_label("Search users").fill(query)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("status")).to_have_text("1–1 of 1 user")
        expect(page.get_by_role("cell", name="Zoë Ðorđević")).to_be_visible()
    page.get_by_label("Search users").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row").nth(2)).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 800})  # a phone held upright: the table scrolls, not the page
    for path in (USERS, f"{USERS}/new", f"{USERS}/import"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_edit_keeps_an_umlaut_name_and_the_empty_password_keeps_the_old_one(page, admin, web, screenshot):
    name = unique("Jörg.Ähm&<x>")
    uid = add_http(admin, user_name=name, first_name="Jörg", last_name="Vlahović \"Léonard\"", password="old-pw")
    signed_in(page, *ADMIN, start=f"{USERS}?q={name}")
    page.get_by_role("link", name=name).click()
    assert page.get_by_label("Last name").input_value() == "Vlahović \"Léonard\""
    assert page.get_by_label("New password (empty: keep the current one)").input_value() == ""  # never shown
    page.get_by_label("Department").fill("Straße & Söhne")
    page.get_by_label("Mobile number").fill("12ab")  # refused: nothing changes, what was typed stays
    page.get_by_role("button", name="Save").click()
    mobile = page.get_by_label("Mobile number")
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("mobile number '12ab' is not a phone number", exact=False)).to_be_visible()
    assert page.get_by_label("Department").input_value() == "Straße & Söhne"
    screenshot(page, "web-users-edit")
    assert "Straße" not in admin.get(f"{USERS}/{uid}").text
    mobile.fill("+4915112345")
    page.get_by_role("button", name="Save").click()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_role("cell", name="Jörg Vlahović \"Léonard\"")).to_be_visible()
    expect(row.get_by_role("cell", name="Straße & Söhne")).to_be_visible()
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
        assert sign_in_http(client, name, "old-pw").status_code == 303


def test_delete_asks_first_and_says_what_goes(page, admin):
    name = unique("Gone.Soon")
    add_http(admin, user_name=name, devices="SEP00CC00000001")
    signed_in(page, *ADMIN, start=f"{USERS}?q={name}")
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="Delete user…").click()
    expect(page.get_by_role("heading", name=f"Delete user {name}?")).to_be_visible()
    expect(page.get_by_text("the phone SEP00CC00000001")).to_be_visible()
    page.get_by_role("button", name=f"Delete {name}").click()
    page.get_by_label("Search users").fill(name)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No users found.")).to_be_visible()
    assert "Unknown phone" in httpx.get(f"{page.url.split('/admin')[0]}{MENU}SEP00CC00000001").text


def test_a_device_another_user_has_is_refused_with_the_owners_name(admin):
    owner = unique("Dev.Owner")
    add_http(admin, user_name=owner, devices="SEP00DD00000001")
    token = csrf_of(admin.get(f"{USERS}/new").text)
    taken = unique("Dev.Taker")
    answer = admin.post(f"{USERS}/new", data={"csrf": token, "user_name": taken, "devices": "sep00dd00000001",
                                              "vip_level": "0"})
    assert answer.status_code == 400
    assert f"Device SEP00DD00000001 belongs to another user, {owner}." in answer.text
    assert 'id="f-devices-error"' in answer.text
    assert "No users found." in admin.get(USERS, params={"q": taken}).text  # nothing half-written


def test_control_characters_are_refused_next_to_their_field(admin):
    token = csrf_of(admin.get(f"{USERS}/new").text)
    name = unique("Ctl.User")
    answer = admin.post(f"{USERS}/new", data={"csrf": token, "user_name": name, "first_name": "Bad\nName"})
    assert answer.status_code == 400 and 'id="f-first_name-error"' in answer.text
    assert "No users found." in admin.get(USERS, params={"q": name}).text


CSV_GOOD = ("user_name;first_name;last_name;devices;privileges\n"
            "{a};Émile;Zola & <Fils>;{dev};Settings\n{b};Ana;Vlahović;;\n")
CSV_BAD = "user_name,line_number\n{a},100\n{b},12x\n"


def test_csv_import_good_and_bad(page, admin, screenshot):
    a, b, dev = unique("Csv.Emile"), unique("Csv.Ana"), f"SEP00EE{next(_N):08d}"
    signed_in(page, *ADMIN, start=USERS)
    page.get_by_role("link", name="Import CSV").click()
    good = CSV_GOOD.format(a=a, b=b, dev=dev).encode()
    page.get_by_label("CSV file").set_input_files(files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": good}])
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_have_text("Imported staff.csv: 2 added, 0 updated.")
    assert "Zola &amp; &lt;Fils&gt;" in admin.get(USERS, params={"q": a}).text

    c, d = unique("Csv.Good"), unique("Csv.Bad")
    bad = CSV_BAD.format(a=c, b=d).encode()
    page.get_by_label("CSV file").set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    page.get_by_role("button", name="Import").click()
    message = page.get_by_text("bad.csv line 3: line number '12x' is not a phone number. Nothing was imported.")
    expect(message).to_be_visible()
    assert page.get_by_label("CSV file").get_attribute("aria-describedby") == message.get_attribute("id")
    screenshot(page, "web-users-import")
    for name in (c, d):  # line 2 was good, yet nothing was written
        assert "No users found." in admin.get(USERS, params={"q": name}).text


def test_your_own_user_administration_cannot_be_taken_away_by_accident(web, admin):
    name = unique("Self.Admin")
    uid = add_http(admin, user_name=name, password="pw-self", privilege=["Callisto:UserAdministration"])
    with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as me:
        assert sign_in_http(me, name, "pw-self").status_code == 303
        token = csrf_of(me.get(f"{USERS}/{uid}").text)
        answer = me.post(f"{USERS}/{uid}", data={"csrf": token, "user_name": name, "vip_level": "0"})
        assert answer.status_code == 400 and "cannot take User Administration away" in answer.text
        refused = me.post(f"{USERS}/{uid}/delete", data={"csrf": token})
        assert refused.status_code == 400 and "cannot delete your own account" in refused.text
        # a new password of your own: you stay signed in under it
        kept = me.post(f"{USERS}/{uid}", data={"csrf": token, "user_name": name, "vip_level": "0", "password": "pw-2",
                                              "privilege": ["Callisto:UserAdministration"]})
        assert kept.status_code == 303
        assert me.get(USERS).status_code == 200


def test_without_user_administration_every_page_and_post_is_refused(web, admin):
    victim = unique("Kept.Safe")
    uid = add_http(admin, user_name=victim, department="Before")
    paths = (USERS, f"{USERS}/new", f"{USERS}/{uid}", f"{USERS}/{uid}/delete", f"{USERS}/import")
    for name, password in (ACCOUNTS[0][:2], ACCOUNTS[1][:2]):
        with httpx.Client(base_url=web.url, headers={"X-Forwarded-For": client_address()}) as client:
            assert sign_in_http(client, name, password).status_code == 303
            token = csrf_of(_any_form(client))
            for path in paths:
                assert client.get(path).status_code == 403, path
                answer = client.post(path, data={"csrf": token, "user_name": "Intruder", "department": "After"})
                assert answer.status_code == 403, path
    listing = admin.get(USERS, params={"q": victim}).text
    assert "Before" in listing and "After" not in listing
    assert "No users found." in admin.get(USERS, params={"q": "Intruder"}).text


def _any_form(client) -> str:
    """A page with the session's CSRF token: the sign-out form is on every page, the 403 page too."""
    return client.get(USERS).text


def test_every_form_refuses_a_post_without_the_csrf_token(admin):
    victim = unique("Csrf.Target")
    uid = add_http(admin, user_name=victim)
    for path in (f"{USERS}/new", f"{USERS}/{uid}", f"{USERS}/{uid}/delete", f"{USERS}/import"):
        assert admin.post(path, data={"user_name": unique("Csrf.New")}).status_code == 403, path
    assert victim in admin.get(USERS, params={"q": victim}).text
