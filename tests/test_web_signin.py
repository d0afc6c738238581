"""Signing in and out of the web admin in real headless Chromium against a real `phonesvc serve`."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

from phonesvc.web.tabs import TABS
from tests.webkit import ACCOUNTS, ADMIN, signed_in

MA = "/Applications/inbound/MAGroup"
DIV = "/Applications/inbound/PhoneDiversions"
ALL_TABS = ["Settings", "Groups", "VIP List", "Reports", "State", "Groups", "Call Handler", "Reports", "Users"]


def nav_links(page) -> list[str]:
    return [link.inner_text() for link in page.get_by_role("navigation", name="Pages").get_by_role("link").all()]


def test_admin_signs_in_lands_on_the_asked_page_and_signs_out(page, web):
    page.goto(f"{MA}/vip")
    assert "/LogonPage.asp?page=" in page.url  # a page needing a session sends the browser to sign in first
    signed_in(page, *ADMIN, start=page.url)
    assert page.url == f"{web.url}{MA}/vip"
    assert page.get_by_role("heading", name="VIP List").is_visible()
    assert page.get_by_text("Signed in as Demo Administrator").is_visible()
    assert nav_links(page) == [*ALL_TABS, "Phone preview"]
    assert page.get_by_role("link", name="VIP List").get_attribute("aria-current") == "page"
    cookie = next(c for c in page.context.cookies() if c["name"] == "phonesvc_session")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)  # plain HTTP here

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert "phonesvc_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{DIV}/state")
    assert "/LogonPage.asp" in page.url
    # the old cookie is worth nothing now: the session ended on the server, not just in the browser
    old = httpx.get(f"{web.url}{DIV}/state", cookies={"phonesvc_session": cookie["value"]})
    assert old.status_code == 303 and old.headers["location"].startswith("/LogonPage.asp")


def test_a_wrong_password_shows_a_message_at_the_field_and_starts_no_session(page, web):
    name, password = ACCOUNTS[0][:2]
    signed_in(page, name, "not-" + password)
    field = page.get_by_label("Password")
    message = page.get_by_text("The user name or password is wrong.")
    assert message.is_visible()
    assert field.get_attribute("aria-describedby") == message.get_attribute("id")
    assert page.get_by_label("User name").input_value() == name  # kept; the password is not sent back
    assert field.input_value() == ""
    assert "phonesvc_session" not in {c["name"] for c in page.context.cookies()}
    assert password not in web.log() and "not-" + password not in web.log()


def test_repeated_failures_are_throttled_with_a_message(page):
    for _ in range(5):
        signed_in(page, "guess.target", "wrong")
        assert page.get_by_text("The user name or password is wrong.").is_visible()
    signed_in(page, "guess.target", "wrong")
    assert page.get_by_text(re.compile(r"Too many failed sign-ins\. Please wait \d+ seconds")).is_visible()
    assert "phonesvc_session" not in {c["name"] for c in page.context.cookies()}


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example/",
                                    "/\t/evil.example/", "javascript:alert(1)"])
def test_page_is_followed_only_to_a_path_on_this_server(page, web, target):
    signed_in(page, *ADMIN, start=f"/LogonPage.asp?page={httpx.QueryParams({'x': target})['x']}")
    assert page.url == f"{web.url}{MA}/settings"  # the first tab instead


def test_page_is_followed_to_a_local_path(page, web):
    signed_in(page, *ADMIN, start=f"/LogonPage.asp?page={DIV}/callhandler")
    assert page.url == f"{web.url}{DIV}/callhandler"
    assert page.get_by_role("heading", name="Call Handler").is_visible()


def test_a_user_without_privileges_is_refused_on_every_tab(page, web):
    signed_in(page, *ACCOUNTS[0][:2])
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    assert nav_links(page) == []
    for tab in TABS:
        base = {"MAGroup": MA, "PhoneDiversions": DIV, "Callisto": "/admin"}[tab.app]
        response = page.goto(f"{base}/{tab.slug}")
        assert response.status == 403, tab
        assert page.get_by_role("heading", name="Not allowed").is_visible()


def test_the_navigation_shows_only_allowed_tabs_and_names_survive(page, web):
    name, password, first, last, _privileges = ACCOUNTS[1]
    signed_in(page, name, password)
    assert page.url == f"{web.url}{MA}/settings"
    assert nav_links(page) == ["Settings", "Phone preview"]  # every signed-in user previews their own phones
    assert page.get_by_text(f"Signed in as {first} {last}").is_visible()  # & and < as text, not markup
    assert page.goto(f"{MA}/vip").status == 403
    assert page.goto(f"{MA.lower()}/SETTINGS").status == 200  # IIS-style: paths match in any case


def test_sign_in_page_fits_a_desktop_and_a_phone(page, screenshot):
    page.goto("/LogonPage.asp")
    screenshot(page, "web-sign-in")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Sign in").is_visible()
    signed_in(page, *ADMIN)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Sign out").is_visible()
