"""The browser surface: sign-in and sessions, the web admin tabs of both manuals, the Users page.
How to add a page: docs/web.md."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from phonesvc.domain.privileges import PLATFORM
from phonesvc.web import views  # noqa: F401  (registers every tab's view)
from phonesvc.web.access import Forbidden, SignInNeeded
from phonesvc.web.dispatch import forbidden, home, open_page, signing_in
from phonesvc.web.gadget import gadget
from phonesvc.web.pages import STATIC, STATIC_PATH, StaticAssets
from phonesvc.web.preview import PREVIEW_PATH
from phonesvc.web.preview import handle as preview
from phonesvc.web.preview import without_slash as preview_root
from phonesvc.web.signin import SIGN_IN_PATH, SIGN_OUT_PATH, sign_in_page, sign_out
from phonesvc.web.tabs import ADMIN_PATH

__all__ = ["EXCEPTION_HANDLERS", "gadget", "open_page", "routes"]

_TOP = {SIGN_IN_PATH[1:].casefold(): (sign_in_page, ("GET", "HEAD", "POST")),
        SIGN_OUT_PATH[1:].casefold(): (sign_out, ("POST",))}


async def _top_level(request: Request) -> Response:
    """/LogonPage.asp and /LogoffPage.asp, matched case-insensitively as IIS does."""
    view, methods = _TOP.get(request.path_params["page"].casefold(), (None, ()))
    if view is None:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method not in methods:
        return PlainTextResponse("Method Not Allowed", status_code=405, headers={"Allow": ", ".join(methods)})
    return await view(request)


async def _admin(request: Request) -> Response:
    return await open_page(request, PLATFORM, request.path_params.get("rest", "").split("/"))


def routes() -> list[BaseRoute]:
    """The web's own paths; the applications' pages arrive through app.applications (instance paths)."""
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return [
        Route("/", home),
        Mount(STATIC_PATH, StaticAssets(directory=STATIC), name="static"),
        Route(ADMIN_PATH, _admin),  # before /{page}, which would take it for an .asp page
        Route(ADMIN_PATH + "/{rest:path}", _admin, methods=methods),
        Route(PREVIEW_PATH, preview_root),
        Route(PREVIEW_PATH + "/{rest:path}", preview, methods=["GET", "HEAD", "POST"]),
        Route("/{page}", _top_level, methods=methods),
    ]


EXCEPTION_HANDLERS = {SignInNeeded: signing_in, Forbidden: forbidden}
