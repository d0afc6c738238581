"""HTTP side of the phone services: find the device and its user, run the screen, answer XML.

Anything unexpected becomes a CiscoIPPhoneText that says what is wrong: a phone shows no stack trace,
and an empty body or a 500 would leave the user with a frozen screen."""

from __future__ import annotations

import inspect
import logging
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from phonesvc import phonemodels as models
from phonesvc.addresses import client_ip, inside
from phonesvc.domain.text import HOLDS_CONTROL, has_control
from phonesvc.live.previews import is_preview
from phonesvc.logsafe import shown
from phonesvc.phone.context import Phone, PhoneError, service_base
from phonesvc.phone.screens import EXIT, PAGE, Menu, Text, paged, render
from phonesvc.telephony import TelephonyError
from phonesvc.urls import base_url

log = logging.getLogger(__name__)

XML = "text/xml; charset=UTF-8"
# A result stays off the phone's Back stack: an Expires date in the past, as an HTTP date (88xx phones
# need one after 1970-01-01; "-1" is an ASP idiom that ASP itself turns into a date).
NO_CACHE = {"Expires": "Sat, 01 Jan 2000 00:00:00 GMT", "Cache-Control": "no-store"}
REVALIDATE = {"Cache-Control": "no-cache"}  # a menu or form: on the stack, fetched again on Back


def respond(screen, model) -> Response:
    try:
        body = render(screen, model.softkeys, model.objects)
    except Exception:  # a screen the phone could not take (a bug): say so rather than answer 500
        log.exception("phone screen %s cannot be rendered for %s", shown(screen.title), model.name)
        screen = error_screen("Error", "This screen cannot be shown on the phone. Please tell your administrator.")
        body = render(screen, model.softkeys, models.OBJECTS)
    headers = REVALIDATE if screen.history else NO_CACHE
    return Response(body, headers={"Content-Type": XML, **headers})


def _page(phone: Phone, menu: Menu) -> Menu:
    """A long list, 100 items a page with << and >> (the phone takes no more): `page` in the URL."""
    items, keys = paged(menu.items, phone.int_param("page") or 0, lambda n: phone.same(page=n or None))
    return replace(menu, items=items, keys=[*menu.keys, *keys])


def _model_name(request: Request) -> str:
    """The phone's x-CiscoIPPhoneModelName, '' when absent or not a model name (a bogus one is ignored)."""
    return models.clean_model_header(request.headers.get("x-ciscoipphonemodelname"))


def _display(request: Request) -> str:
    """The phone's x-CiscoIPPhoneDisplay, '' when absent or malformed."""
    return models.clean_display_header(request.headers.get("x-ciscoipphonedisplay"))


def error_screen(title: str, text: str) -> Text:
    return Text(title, text, keys=[EXIT])


def refuse(request: Request, text: str) -> Response:
    """HTTP 403 with a text screen that says why (a phone shows the body of a refusal)."""
    model = models.find(request.headers.get("x-ciscoipphonemodelname", ""),
                        request.headers.get("x-ciscoipphonedisplay", ""))
    response = respond(error_screen("Not allowed", text), model)
    response.status_code = 403
    return response


def from_phone(request: Request) -> bool:
    """A Cisco phone asks (its headers, a device= parameter, its browser's name), not a person's browser."""
    headers = request.headers
    return bool(headers.get("x-ciscoipphonemodelname") or headers.get("x-ciscoipphonedisplay")
                or "device" in request.query_params or headers.get("user-agent", "").startswith("Allegro"))


def outside_phone_networks(request: Request) -> Response | None:
    """The refusal of a request from outside PHONESVC_PHONE_NETWORKS; None when it may go on."""
    settings = request.app.state.settings
    if inside(client_ip(request, settings), settings.phone_network_list):
        return None
    return refuse(request, "Phone services answer the phones' networks only. Ask your administrator.")


async def handle(request: Request, instance: str, view) -> Response:
    """view: (Phone) -> Screen, sync or async; None for a page or action that does not exist."""
    state = request.app.state
    before = state.answers.state()
    model_name, display = _model_name(request), _display(request)
    accept = request.headers.get("accept", "")
    model = models.find(model_name, display, accept)
    if any(has_control(k) or has_control(v) for k, v in request.query_params.multi_items()):
        return respond(error_screen("Not possible", f"What was entered {HOLDS_CONTROL}, which no name, "
                                    "number or message may hold. Nothing was changed."), model)
    name = request.query_params.get("device", "").strip()
    if not name or name == "#DEVICENAME#":
        return respond(error_screen("No device", "The service URL must end with device=#DEVICENAME# "
                                    "(CUCM fills in the phone's name)."), model)
    registry = state.registry
    device, user = registry.device(name)
    if device is None or user is None:
        return respond(error_screen("Unknown phone", f"The phone {name} is not assigned to a user. "
                                    "Ask your administrator to add it."), model)
    if not model_name and device.model:
        model = models.find(device.model, device.display, accept)
    address = request.client.host if request.client else ""
    preview = is_preview(request.scope)  # a browser preview is not the phone: its model and address are not noted
    if not preview and registry.seen(name, model_name, display, address):
        await state.store.in_writer(registry.persist, name)
    phone = Phone(request=request, settings=state.settings, store=state.store, snap=state.store.snapshot(),
                  live=state.live, telephony=state.telephony, registry=registry, model=model,
                  device_name=device.name, device=device, user=user,
                  base=service_base(base_url(request), instance))
    if view is None:
        return respond(error_screen("Unknown service", "This service link is not known. Check the URL in CUCM."),
                       model)
    try:
        screen = view(phone)
        if inspect.isawaitable(screen):
            screen = await screen
        if isinstance(screen, Menu) and len(screen.items) > PAGE:
            screen = _page(phone, screen)
    except PhoneError as exc:
        screen = error_screen(exc.title, exc.text)
    except TelephonyError as exc:
        screen = error_screen("Phone system", f"The phone system refused: {exc}")
    except Exception:
        phone.keep = False  # a bug: logged every time
        log.exception("phone screen %s failed for %s", shown(request.url), shown(name))
        screen = error_screen("Error", "Something went wrong. Please try again; if it persists, tell your "
                              "administrator.")
    response = respond(screen, model)
    if phone.refresh:  # the status display: phones that take no push reload it themselves
        response.headers["Refresh"] = "{}; url={}".format(*phone.refresh)
    if phone.keep and not preview:  # sent again for the same request until the configuration or the live state moves
        state.answers.keep(request.scope, before, response,
                           on_hit=lambda: registry.seen_again(name, model_name, display, address))
    return response
