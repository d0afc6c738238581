"""The gadget (the manual's "Gadget integration"): the live team panel at src/Jabber.asp for Jabber's custom
tab, COC and any browser, its event stream, and its actions under <MA instance>/gadget/...

Any signed-in user opens it; what they see and may do follows the manual: the first group they are a
member of (Admin: any group), and actions the server checks (gadget_actions.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from phonesvc.domain.privileges import MAGROUP
from phonesvc.web import gadget_actions, gadget_calls, gadget_forwarding, gadget_stream, gadget_tones
from phonesvc.web.access import SAFE_METHODS, Visitor, require
from phonesvc.web.ma_group_nav import visible_groups
from phonesvc.web.pages import render
from phonesvc.web.tabs import Tab, app_path

# Not a tab of the navigation (its page is the integration URL), but a page of MAGROUP for the action log.
GADGET = Tab(MAGROUP, "gadget", "Team", ())
ACTIONS = {"presence": gadget_actions.presence, "dial": gadget_actions.dial, "pickup": gadget_actions.pickup,
           "answer": gadget_calls.answer,  # call control of the user's own calls: gadget_calls.py
           "end": gadget_calls.end,
           "hold": gadget_calls.hold,
           "resume": gadget_calls.resume,
           "blind": gadget_calls.blind,
           "consult": gadget_calls.consult,
           "complete": gadget_calls.complete,
           "cancel": gadget_calls.cancel,
           "forwarding": gadget_forwarding.forwarding}  # the Forward settings dialog: gadget_forwarding.py


def chosen_group(request: Request, who: Visitor) -> tuple[list, int | None]:
    """(the groups the visitor may watch, the one to show): `group=` when it is one of them, else the first
    group the visitor is a member of, else (Admin) the first group."""
    snap = request.app.state.store.snapshot()
    groups = visible_groups(snap, who)
    asked = request.query_params.get("group", "")
    if asked.isdigit() and any(g.id == int(asked) for g in groups):
        return groups, int(asked)
    own = snap.user_group_ids(who.user.id)
    first = next((g.id for g in groups if g.id in own), groups[0].id if groups else None)
    return groups, first


async def gadget(request: Request, path: list[str]) -> Response:
    """src/Jabber.asp (path []), <MA instance>/gadget/<stream|tone/<file>> and the ACTIONS (POST)."""
    request.state.tab = GADGET
    who = await require(request)
    if not path:
        if request.method not in SAFE_METHODS:
            return PlainTextResponse("Method Not Allowed", status_code=405)
        return page(request, who)
    if path == ["stream"] and request.method in SAFE_METHODS:
        return await gadget_stream.stream(request, who, chosen_group(request, who)[1])
    if len(path) == 2 and path[0] == "tone" and request.method in SAFE_METHODS:
        return gadget_tones.tone(request, path[1])
    action = ACTIONS.get(path[0].casefold()) if len(path) == 1 else None
    if action is None:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method != "POST":
        return PlainTextResponse("Method Not Allowed", status_code=405, headers={"Allow": "POST"})
    return await action(request, who)


def page(request: Request, who: Visitor) -> Response:
    groups, group_id = chosen_group(request, who)
    base = app_path(request.app.state.settings, MAGROUP) + "/gadget"
    may_team = who.may(MAGROUP, "TeammateStatus")
    return render(request, "gadget.html", groups=groups, group_id=group_id, base=base, me=who.user.id,
                  may_team=may_team, admin=who.may(MAGROUP, "Admin"))
