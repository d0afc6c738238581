"""Where the web admin's pages live and who sees them: the tabs of both manuals' web GUIs under each
instance path, and the platform's Users page (the manuals' "Callisto user administration").

A tab opens for a user holding any of its privileges (the manuals' privilege tables); its actions
may ask for more (a view calls access.require again). The navigation shows only the tabs that open."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request

from phonesvc.config import Settings
from phonesvc.domain.privileges import DIVERSIONS, MAGROUP, PLATFORM
from phonesvc.web.access import Visitor

ADMIN_PATH = "/admin"  # the platform's pages (Users); the applications' pages live under their instance


@dataclass(frozen=True)
class Tab:
    app: str  # MAGROUP, DIVERSIONS or PLATFORM
    slug: str  # its path segment under the application's base, matched case-insensitively
    title: str
    privileges: tuple[str, ...]  # any one of them opens the tab


# In navigation order. PhoneDiversions' Reports, the gadget and the phone preview come with their issues.
TABS: tuple[Tab, ...] = (
    Tab(MAGROUP, "settings", "Settings", ("Settings",)),
    # Groups privilege: the whole tab; MembersManagement alone: its Members section; Admin: every group
    Tab(MAGROUP, "groups", "Groups", ("Groups", "MembersManagement", "Admin")),
    Tab(MAGROUP, "vip", "VIP List", ("VIPList", "Admin")),
    # Reports4Eyes: only after a second user's sign-in on the same screen (web/reports_access.py)
    Tab(MAGROUP, "reports", "Reports", ("Reports", "Reports4Eyes")),
    Tab(DIVERSIONS, "state", "State", ("State",)),
    Tab(DIVERSIONS, "groups", "Groups", ("Groups",)),
    Tab(DIVERSIONS, "callhandler", "Call Handler", ("CallHandler",)),
    Tab(DIVERSIONS, "reports", "Reports", ("Reports",)),
    Tab(PLATFORM, "users", "Users", ("UserAdministration",)),
)
TITLES = {MAGROUP: "ManagerAssistant Group", DIVERSIONS: "PhoneDiversions", PLATFORM: "Administration"}


def app_path(settings: Settings, app: str) -> str:
    """The path every page of an application starts with (no trailing slash)."""
    if app == PLATFORM:
        return ADMIN_PATH
    instance = settings.ma_instance if app == MAGROUP else settings.diversions_instance
    return f"/Applications/inbound/{quote(instance)}"


def tab_url(settings: Settings, tab: Tab) -> str:
    return f"{app_path(settings, tab.app)}/{tab.slug}"


def find_tab(app: str, slug: str) -> Tab | None:
    return next((t for t in TABS if t.app == app and t.slug == slug.casefold()), None)


def allowed_tabs(who: Visitor, app: str | None = None) -> list[Tab]:
    return [t for t in TABS if (app is None or t.app == app) and who.may(t.app, *t.privileges)]


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str
    current: bool


def navigation(request: Request, who: Visitor) -> list[tuple[str, list[NavItem]]]:
    """(application title, its tabs this visitor may open), applications without one left out."""
    settings: Settings = request.app.state.settings
    here = request.url.path.casefold()
    sections = []
    for app, title in TITLES.items():
        items = []
        for tab in allowed_tabs(who, app):
            url = tab_url(settings, tab)
            items.append(NavItem(tab.title, url, here == url.casefold() or here.startswith(url.casefold() + "/")))
        if items:
            sections.append((title, items))
    return sections
