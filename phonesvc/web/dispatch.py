"""Which view answers a web path: the tabs under each application's base path (tabs.py), the home page,
and the answers to SignInNeeded and Forbidden. Every tab's request passes access.require with the tab's
privileges (and the CSRF check for state-changing methods) before its view runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.web.access import SAFE_METHODS, Forbidden, Visitor, require, sign_in_url, visitor
from phonesvc.web.pages import render
from phonesvc.web.tabs import allowed_tabs, find_tab, tab_url

# A tab's view: (request, the visitor, the path segments after the tab's) -> response.
View = Callable[[Request, Visitor, list[str]], Awaitable[Response]]

# (application, tab slug) -> view. A tab without one shows the placeholder page.
VIEWS: dict[tuple[str, str], View] = {}


async def placeholder(request: Request, _who: Visitor, path: list[str]) -> Response:
    if path:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method not in SAFE_METHODS:
        return PlainTextResponse("Method Not Allowed", status_code=405)
    return render(request, "placeholder.html")


async def open_page(request: Request, app: str, path: list[str]) -> Response:
    """The page at `path` (segments after the application's base path) of `app`; its root goes to the
    first tab the visitor may open."""
    if not path or path == [""]:
        return await _first_tab(request, app)
    tab = find_tab(app, path[0])
    if tab is None:
        return PlainTextResponse("Not Found", status_code=404)
    request.state.tab = tab
    who = await require(request, tab.app, *tab.privileges)
    return await VIEWS.get((tab.app, tab.slug), placeholder)(request, who, path[1:])


async def _first_tab(request: Request, app: str | None) -> Response:
    tabs = allowed_tabs(await require(request), app)
    if not tabs:
        raise Forbidden("Your account does not have the privilege for any page here.")
    return RedirectResponse(tab_url(request.app.state.settings, tabs[0]), status_code=303)


async def home(request: Request) -> Response:
    return await _first_tab(request, None)


async def signing_in(request: Request, _exc: Exception) -> Response:
    """SignInNeeded: to the sign-in page, which brings a page request back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = sign_in_url(target) if request.method in SAFE_METHODS else sign_in_url("/")
    if request.headers.get("hx-request"):  # htmx would swap the sign-in page into a fragment
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    visitor(request)  # the layout shows who is signed in, if anyone
    return render(request, "forbidden.html", 403, message=exc.message)
