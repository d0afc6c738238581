"""Who may run a report: the privilege Reports opens the tab; Reports4Eyes opens it only once a second,
different user who holds Reports4Eyes too has signed in on the same screen (the manual's 4-eyes login).
The second user is remembered in the session and their privilege read again on every request; both
sign-ins go to the action log."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from phonesvc import actions
from phonesvc.domain.privileges import MAGROUP
from phonesvc.logsafe import shown
from phonesvc.web.access import Forbidden, Visitor
from phonesvc.web.pages import Form, render
from phonesvc.web.signin import MAX_FIELD, verified_user

log = logging.getLogger(__name__)
REPORTS, FOUR_EYES = "Reports", "Reports4Eyes"
SAME_USER = "The second sign-in must be a different user (4-eyes principle)."


def unlocked(request: Request, who: Visitor) -> bool:
    if who.may(MAGROUP, REPORTS):
        return True
    second = who.session.four_eyes
    return bool(second) and who.may(MAGROUP, FOUR_EYES) and \
        request.app.state.store.snapshot().has(second, MAGROUP, FOUR_EYES)


def ensure(request: Request, who: Visitor) -> None:
    if not unlocked(request, who):
        raise Forbidden("Reports need the sign-in of a second user with the privilege Reports4Eyes (4-eyes principle).")


def tab_path(request: Request) -> str:
    """The tab's own path, also from its `run` and `foureyes` paths: a form shown again there with errors
    must still post to the tab's path, not to one nested below it."""
    path = request.url.path.rstrip("/")
    return path.removesuffix("/run").removesuffix("/foureyes")


def form(request: Request, values: Form | None = None, status: int = 200) -> Response:
    """The 4-eyes form, shown at the tab and again (with errors) at the tab's `foureyes` path."""
    return render(request, "reports_foureyes.html", status, form=values or Form(),
                  action=tab_path(request) + "/foureyes")


async def sign_in_second(request: Request, who: Visitor) -> Response:
    """POST of the 4-eyes form: a second, different user with Reports4Eyes and their password."""
    fields = await request.form()
    values = Form({"user": str(fields.get("user", ""))[:MAX_FIELD].strip()})
    if values.value("user").casefold() == who.user.user_name.casefold():
        values.errors["user"] = SAME_USER
        return form(request, values, 400)
    outcome, status = await verified_user(request, values, str(fields.get("password", ""))[:MAX_FIELD],
                                          (MAGROUP, FOUR_EYES), "the second user's",
                                          "The user name or password is wrong, or the user lacks Reports4Eyes.")
    if outcome is None:  # verified_user logged a refusal
        return form(request, values, status)
    if outcome.id == who.user.id:
        values.errors["user"] = SAME_USER
        return form(request, values, 400)
    who.session.four_eyes = outcome.id
    what = f"Reports: 4-eyes sign-in of {who.user.user_name} and {outcome.user_name}"
    log.info("%s", shown(what))
    actions.log(request.app.state.store, request.app.state.settings, MAGROUP, "web", who.user.user_name, what)
    return RedirectResponse(tab_path(request), status_code=303)
