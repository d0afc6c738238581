"""The Starlette application: one store, one telephony adapter, live state, and the surfaces."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from contextlib import asynccontextmanager
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from phonesvc import rest, web
from phonesvc.answers import Answers, AnswersMiddleware
from phonesvc.config import Settings
from phonesvc.display.push import PushNotifier
from phonesvc.display.service import StatusDisplays
from phonesvc.diversions import settings as callhandler_settings
from phonesvc.diversions.callhandler import CallHandler
from phonesvc.domain.privileges import DIVERSIONS, MAGROUP
from phonesvc.live import EventBus, LiveState
from phonesvc.live.bus import ConfigurationChanged
from phonesvc.live.devices import DeviceRegistry
from phonesvc.live.forwarding import LineForwarding
from phonesvc.live.lines import LineSync
from phonesvc.live.previews import VirtualPhones, is_preview
from phonesvc.phone import endpoint as phone_endpoint
from phonesvc.phone.images import status_image
from phonesvc.phone.routes import view_for
from phonesvc.rest.auth import Authenticator
from phonesvc.rest.registry import DIV, MA
from phonesvc.routing import Router
from phonesvc.routing.audio import wave_seconds
from phonesvc.store import Store
from phonesvc.store.calllog import CallLogWriter, highest_call_number
from phonesvc.store.prepare import prepare
from phonesvc.telephony import choose
from phonesvc.web.sessions import Sessions

log = logging.getLogger(__name__)


async def applications(request: Request) -> Response:
    """/Applications/inbound/<instance>/rest/..., .../src/... and the web pages under the instance; IIS-style,
    every part but values matches case-insensitively."""
    p = request.path_params
    settings: Settings = request.app.state.settings
    instance = p["instance"].casefold()
    app = {settings.ma_instance.casefold(): MA, settings.diversions_instance.casefold(): DIV}.get(instance)
    if p["applications"].casefold() != "applications" or p["inbound"].casefold() != "inbound" or app is None:
        return PlainTextResponse("Not Found", status_code=404)
    kind, *parts = p["rest"].split("/")
    kind = kind.casefold()
    if app == MA and (kind == "gadget" or (kind == "src" and len(parts) == 1 and parts[0].casefold() == "jabber.asp"
                                           and not phone_endpoint.from_phone(request))):
        return await web.gadget(request, parts if kind == "gadget" else [])  # a phone still gets its answer
    if kind not in ("rest", "src"):
        return await web.open_page(request, MAGROUP if app == MA else DIVERSIONS, p["rest"].split("/"))
    if not parts or not parts[-1].casefold().endswith(".asp"):
        return PlainTextResponse("Not Found", status_code=404)
    if kind == "src" and not is_preview(request.scope) and \
            (refusal := phone_endpoint.outside_phone_networks(request)) is not None:
        return refusal  # the device name alone identifies a phone: only the phones' networks may ask
    # (a browser preview's request comes from inside: its session was checked for that device)
    if kind == "src" and len(parts) == 1 and app == MA and parts[0].casefold() == "statusimage.asp":
        return await status_image(request)
    if kind == "src" and len(parts) == 1:
        view = view_for(app, parts[0], request.query_params.get("action", ""))
        inst = settings.ma_instance if app == MA else settings.diversions_instance
        return await phone_endpoint.handle(request, inst, view)
    function = parts[-1][:-4]
    if kind == "rest" and app == MA and len(parts) == 2:
        return await rest.handle(request, MA, parts[0], function)
    if kind == "rest" and app == DIV and len(parts) == 1:
        return await rest.handle(request, DIV, "", function)
    return PlainTextResponse("Not Found", status_code=404)


async def health(request: Request) -> Response:
    """The process serves phones and REST; a PBX that is not there is said, not a failure of the process."""
    problem = request.app.state.telephony.problem
    return PlainTextResponse(f"ok; PBX down: {problem}" if problem else "ok")


def _display_url(settings: Settings):
    """The StatusDisplay URL a pushed phone fetches: it needs an address the phones reach."""
    base = settings.public_url or f"http://{settings.host}:{settings.port}"
    if not settings.public_url and settings.host in ("0.0.0.0", "::", "127.0.0.1", "localhost"):
        log.warning("set PHONESVC_PUBLIC_URL: pushes tell phones to fetch %s, which they cannot reach", base)
    root = f"{base}/Applications/inbound/{quote(settings.ma_instance)}/src/StatusDisplay.asp?device="
    return lambda device: root + quote(device)


async def _watch_configuration(store: Store) -> None:
    """Look at the configuration at least every `max_age` seconds, even when no request does, so that a
    change by another process (the `phonesvc users` CLI) reaches the PBX and the displays (on_commit)."""
    while True:
        await asyncio.sleep(store.max_age)
        try:
            await asyncio.to_thread(store.snapshot)
        except Exception:
            log.exception("cannot read the configuration; trying again in %s s", store.max_age)


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    store = store or prepare(settings)
    with store.read() as conn:  # call ids go on after the logged ones: never a second "c1" in one database
        telephony = choose.create_telephony(settings, highest_call_number(conn, choose.SIM_ID_PREFIX))
    bus = EventBus()

    @asynccontextmanager
    async def lifespan(app):
        await telephony.start()  # a PBX that is not there yet is tried again in the background
        app.state.line_sync.sync()
        await app.state.router.sync_route_points()
        await app.state.live.forwarding.apply()  # the PBX learns what the configuration says its lines do
        # The configuration just loaded lives as long as the process (a large site: millions of objects). Out
        # of the collector's sight, a full collection no longer walks it: no 50 ms pause in a phone's answer.
        gc.collect()
        gc.freeze()
        loop, loop_thread = asyncio.get_running_loop(), threading.get_ident()

        def changed() -> None:  # writes commit on worker threads; the bus lives on the loop
            if threading.get_ident() != loop_thread:
                try:  # reload here, so that the loop (phones, routing) does not wait for it
                    store.snapshot()
                except Exception:
                    log.exception("cannot reload the configuration after a write; the next reader will")
            loop.call_soon_threadsafe(bus.publish, ConfigurationChanged())

        store.on_commit.append(changed)
        watcher = asyncio.create_task(_watch_configuration(store))
        notifier = app.state.push
        await notifier.start()
        app.state.sessions.load(settings.data_dir)  # signed in before a restart: still signed in
        yield
        app.state.sessions.save(settings.data_dir)
        await notifier.stop()
        await telephony.stop()
        watcher.cancel()
        await app.state.callhandler.settle()  # its last records
        store.on_commit.remove(changed)
        await asyncio.to_thread(calllog.close)
        store.dispose()

    app = Starlette(routes=[
        Route("/health", health),
        *web.routes(),  # first: /admin/users/<id>/delete would otherwise look like /<applications>/<inbound>/...
        Route("/{applications}/{inbound}/{instance}/{rest:path}", applications,
              methods=["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH"]),
        *choose.routes(telephony),
    ], middleware=[Middleware(AnswersMiddleware)], lifespan=lifespan, exception_handlers=web.EXCEPTION_HANDLERS)
    app.state.line_sync = LineSync(store, telephony)
    app.state.settings = settings
    app.state.store = store
    app.state.telephony = telephony
    app.state.bus = bus
    app.state.live = LiveState(telephony, bus)
    app.state.live.forwarding = LineForwarding(store, telephony)
    # the PBX must know a new number before it can forward it: lines first, then forwarding
    bus.subscribe(app.state.line_sync.on_event)
    bus.subscribe(app.state.live.forwarding.on_event)
    app.state.registry = DeviceRegistry(store)
    app.state.displays = StatusDisplays(store, app.state.live, app.state.registry)
    bus.subscribe(app.state.displays.changed)
    app.state.previews = VirtualPhones()  # browser previews: virtual phones the notifier pushes to as well
    app.state.push = PushNotifier(settings, targets=app.state.displays.targets, url_for=_display_url(settings),
                                  virtual=app.state.previews,
                                  shown=app.state.displays.shown)
    app.state.displays.on_group_changed = app.state.push.notify
    app.state.answers = Answers(store, bus)  # phone screens and REST reads kept while nothing moves
    app.state.authenticator = Authenticator(store, settings)  # REST's and the web sign-in's password check
    app.state.sessions = Sessions(idle_seconds=settings.session_idle_minutes * 60)
    app.state.calllog = calllog = CallLogWriter(store)
    app.state.router = Router(
        store, telephony, bus,
        greeting_seconds=wave_seconds(settings.audio_dir(settings.ma_instance, "PCM")),
        on_tone=lambda users, tone: app.state.push.play(app.state.registry.addresses(users), tone,
                                                        app.state.registry.device_names(users)),
        on_record=calllog.add, calls=app.state.live.routed, other_points=callhandler_settings.route_points)
    app.state.callhandler = CallHandler(
        store, telephony, bus,
        announcement_seconds=wave_seconds(settings.audio_dir(settings.diversions_instance, "PCM")))
    return app
