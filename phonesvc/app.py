"""The Starlette application: one store, the REST API, and (later) the phone and web surfaces."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from phonesvc import rest
from phonesvc.config import Settings
from phonesvc.rest.auth import Authenticator
from phonesvc.rest.registry import DIV, MA
from phonesvc.store import Store

log = logging.getLogger(__name__)


def prepare(settings: Settings) -> Store:
    """Create the data folders and bring the database to the current schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for kind in ("mp3", "PCM"):
        settings.audio_dir(settings.ma_instance, kind).mkdir(parents=True, exist_ok=True)
    store = Store(settings.effective_database_url)
    store.migrate()
    return store


async def applications(request: Request) -> Response:
    """/Applications/inbound/<instance>/rest/... ; IIS-style, every part but values matches
    case-insensitively."""
    p = request.path_params
    settings: Settings = request.app.state.settings
    instance = p["instance"].casefold()
    app = {settings.ma_instance.casefold(): MA, settings.diversions_instance.casefold(): DIV}.get(instance)
    parts = p["rest"].split("/")
    if (p["applications"].casefold() != "applications" or p["inbound"].casefold() != "inbound" or app is None
            or p["kind"].casefold() != "rest" or not parts[-1].casefold().endswith(".asp")):
        return PlainTextResponse("Not Found", status_code=404)
    function = parts[-1][:-4]
    if app == MA and len(parts) == 2:
        return await rest.handle(request, MA, parts[0], function)
    if app == DIV and len(parts) == 1:
        return await rest.handle(request, DIV, "", function)
    return PlainTextResponse("Not Found", status_code=404)


async def health(_request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    store = store or prepare(settings)

    @asynccontextmanager
    async def lifespan(_app):
        yield
        store.dispose()

    app = Starlette(routes=[
        Route("/health", health),
        Route("/{applications}/{inbound}/{instance}/{kind}/{rest:path}", applications,
              methods=["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH"]),
    ], lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.authenticator = Authenticator(store, settings)
    return app
