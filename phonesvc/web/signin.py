"""/LogonPage.asp signs a directory user in (the path the integration URLs hand out) and
/LogoffPage.asp signs them out. The sign-in form carries a pre-session token that must match a cookie
(double submit), so another site cannot sign a browser in under its own account (login CSRF).
Failed attempts share REST's throttle; a password is never logged or echoed."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from phonesvc.addresses import client_ip
from phonesvc.credentials import TOO_MANY_ATTEMPTS, CredentialCheck, Refusal
from phonesvc.logsafe import shown
from phonesvc.web.access import CSRF_FIELD, SESSION_COOKIE, Forbidden, require, same_token, set_cookie
from phonesvc.web.pages import Form, render

log = logging.getLogger(__name__)

SIGN_IN_COOKIE = "phonesvc_signin"  # the pre-session token of the sign-in form
SIGN_IN_PATH = "/LogonPage.asp"
SIGN_OUT_PATH = "/LogoffPage.asp"
MAX_FIELD = 1000  # characters of a user name or password looked at


def local_page(page: str) -> str | None:
    """`page` when it is a path on this server, else None. Browsers read a backslash as a slash and drop
    tabs and line breaks, so '/\\evil.example' and '/\\t/evil.example' would leave the server too."""
    if not page.startswith("/") or page.startswith("//") or any(c == "\\" or c.isspace() or not c.isprintable()
                                                                   for c in page):
        return None
    parts = urlsplit(page)
    return page if not parts.scheme and not parts.netloc else None


def _form(request: Request, form: Form, status: int = 200) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "signin.html", status, form=form, csrf=token)
    set_cookie(request, response, SIGN_IN_COOKIE, token)
    return response


async def sign_in_page(request: Request) -> Response:
    query = request.query_params
    form = Form({"page": query.get("page", "")})
    if "user" in query or "pwd" in query:  # the auto-login URL of Jabber and COC (docs/web.md says what it exposes)
        form.values["user"] = query.get("user", "")[:MAX_FIELD].strip()
        return await _verified(request, form, query.get("pwd", "")[:MAX_FIELD])
    if request.method != "POST":
        return _form(request, form)
    fields = await request.form()
    values = {k: v for k in ("user", "password", "page", CSRF_FIELD) if isinstance(v := fields.get(k, ""), str)}
    form = Form({"user": values.get("user", "")[:MAX_FIELD].strip(), "page": values.get("page", "")})
    if not same_token(request.cookies.get(SIGN_IN_COOKIE, ""), values.get(CSRF_FIELD, "")):
        raise Forbidden("This sign-in form has expired or did not come from phonesvc. Reload the page and try again.")
    return await _verified(request, form, values.get("password", "")[:MAX_FIELD])


async def verified_user(request: Request, form: Form, password: str, privilege: tuple[str, str] | None = None,
                        whose: str = "your", wrong: str = "The user name or password is wrong.") -> tuple[Any, int]:
    """The user of a form's user name and password (every sign-in form shares REST's throttle), or None with
    the form's errors set and the status to answer with: 400, or 429 while the throttle refuses."""
    user_name = form.value("user")
    if not user_name:
        form.errors["user"] = f"Enter {whose} user name."
    if not password:
        form.errors["password"] = f"Enter {whose} password."
    if form.errors:
        return None, 400
    checker: CredentialCheck = request.app.state.authenticator
    ip = client_ip(request, request.app.state.settings)
    outcome = await checker.verify(ip, user_name, password, privilege)
    if not isinstance(outcome, Refusal):
        return outcome, 200
    log.info("web sign-in refused for %s from %s", shown(user_name), ip)
    if outcome.status == TOO_MANY_ATTEMPTS:
        form.errors[""] = f"Too many failed sign-ins. Please wait {outcome.retry_after} seconds and try again."
        return None, 429
    form.errors["password"] = wrong
    return None, 400


async def _verified(request: Request, form: Form, password: str) -> Response:
    """Check the user name and password of the form or the auto-login URL (one throttle for both) and start
    a session that goes on to the form's page; or the form again with what was wrong."""
    outcome, status = await verified_user(request, form, password)
    if outcome is None:
        return _form(request, form, status)
    session = request.app.state.sessions.start(outcome.id, outcome.password_hash)
    log.info("web sign-in: %s from %s", shown(outcome.user_name), client_ip(request, request.app.state.settings))
    response = RedirectResponse(local_page(form.value("page")) or "/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, session.token)
    response.delete_cookie(SIGN_IN_COOKIE, path="/")
    return response


async def sign_out(request: Request) -> Response:
    who = await require(request)  # a POST with the session's CSRF token: another site cannot sign you out
    request.app.state.sessions.end(who.session.token)
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
