"""What every page of one group shows above its section (templates/web/ma/group_nav.html): the group's
name, its sections, and a chooser of the other groups the visitor may see.

A section's template includes the navigation with only `group` and `section` in its context; the chooser's
list and the tab's address come from the GroupNav that ma_groups.page sets for the request (a context
variable: the section's render runs inside that call), read by the template global `group_nav()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.requests import Request

from phonesvc.domain.privileges import MAGROUP
from phonesvc.store.snapshot import Snapshot
from phonesvc.web.access import Visitor
from phonesvc.web.pages import ENV
from phonesvc.web.tabs import app_path


@dataclass(frozen=True)
class GroupNav:
    base: str  # the Groups tab's address: /Applications/inbound/<instance>/groups
    choices: list[sa.Row]  # the groups the visitor may see, by name


_CURRENT: ContextVar[GroupNav | None] = ContextVar("group_nav", default=None)


@contextmanager
def showing(nav: GroupNav) -> Iterator[None]:
    token = _CURRENT.set(nav)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def groups_url(request: Request) -> str:
    return app_path(request.app.state.settings, MAGROUP) + "/groups"


def visible_groups(snap: Snapshot, who: Visitor) -> list[sa.Row]:
    """Admin: every group; otherwise the groups the visitor is a member of (the manual's Choose... list)."""
    if who.may(MAGROUP, "Admin"):
        chosen = list(snap.groups.values())
    else:
        ids = snap.user_group_ids(who.user.id)
        chosen = [snap.groups[g] for g in ids if g in snap.groups]
    return sorted(chosen, key=lambda g: (g.name.casefold(), g.id))


def own_number(snap: Snapshot, who: Visitor) -> str:
    """The number your phone joins a new group with: your line when a phone (device) is yours, else the
    number you already have in groups; "" without a phone (the manual: then no Type to choose)."""
    if who.user.line_number and snap.devices_by_user.get(who.user.id):
        return who.user.line_number
    mine = snap.user_members.get(who.user.id, ())
    return mine[0].number if mine else ""


ENV.globals["group_nav"] = _CURRENT.get
