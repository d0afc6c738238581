"""Who is asking and what they may do, for every web page: `require()` is the one check a view calls.

It finds the signed-in user from the session cookie and the configuration snapshot (never a copy taken
at sign-in), refuses a state-changing request without the session's CSRF token, and checks the
manuals' privileges. A refusal is an exception that the app answers: SignInNeeded with the sign-in
page, Forbidden with a 403 page. Nothing the view would change has happened by then."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from phonesvc.addresses import is_https
from phonesvc.web.sessions import Session

SESSION_COOKIE = "phonesvc_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf"  # the hidden form field
CSRF_HEADER = "x-csrf-token"  # the header htmx sends (hx-headers on <body>)
_UNSET = object()


class SignInNeeded(Exception):
    """No live session: the browser goes to the sign-in page, which brings it back here afterwards."""


class Forbidden(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Visitor:
    """The signed-in user of this request, as the configuration says now."""

    user: sa.Row
    privileges: frozenset[tuple[str, str]]
    session: Session

    def may(self, app: str, *privileges: str) -> bool:
        """Holds any of `privileges` of `app`."""
        return any((app, p) in self.privileges for p in privileges)

    @property
    def name(self) -> str:
        full = f"{self.user.first_name} {self.user.last_name}".strip()
        return full or self.user.user_name


def visitor(request: Request) -> Visitor | None:
    """The signed-in user, or None: also for a deleted user. A session whose user has a new password ends."""
    cached = getattr(request.state, "visitor", _UNSET)
    if cached is not _UNSET:
        return cached
    state = request.app.state
    token = request.cookies.get(SESSION_COOKIE, "")
    session = state.sessions.get(token) if token else None
    found = None
    if session is not None:
        snap = state.store.snapshot()
        user = snap.users.get(session.user_id)
        if user is not None and user.password_hash != session.password_hash:
            state.sessions.end(token)
        elif user is not None:  # (a user the snapshot does not know yet, added a moment ago by the CLI, waits)
            found = Visitor(user, snap.privileges.get(user.id, frozenset()), session)
    request.state.visitor = found
    return found


async def submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header is not None:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)  # Starlette keeps the parsed form for the view
        return value if isinstance(value, str) else ""
    return ""


def same_token(expected: str, submitted: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass"))


async def require(request: Request, app: str | None = None, *privileges: str) -> Visitor:
    """The signed-in visitor, holding any of `privileges` of `app` (none named: any signed-in user).
    Raises SignInNeeded or Forbidden; a POST/PUT/PATCH/DELETE without the session's CSRF token is Forbidden."""
    found = visitor(request)
    if found is None:
        raise SignInNeeded()
    if request.method not in SAFE_METHODS and not same_token(found.session.csrf, await submitted_token(request)):
        raise Forbidden("This form has expired or did not come from phonesvc. Reload the page and try again.")
    if app is not None and not found.may(app, *privileges):
        raise Forbidden("Your account does not have the privilege for this page.")
    return found


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A cookie only this server reads: not for scripts (HttpOnly), not sent on other sites' form posts
    (SameSite=Lax), and over HTTPS only when the browser came over HTTPS."""
    response.set_cookie(name, value, path="/", httponly=True, samesite="lax",
                        secure=is_https(request, request.app.state.settings))


def sign_in_url(target: str) -> str:
    return "/LogonPage.asp?page=" + quote(target, safe="/")
