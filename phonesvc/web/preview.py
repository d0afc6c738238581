"""The phone preview (/preview/): any phone's screen in the browser as the chosen model shows it, live.

Who previews what: every signed-in user their own devices; with MAGroup Admin any device, chosen directly
or through its user. The choice is in the URL (`/preview/?device=SEP…&model=CP-8865[&url=…]`) so a link
can be shared; a device that is not the visitor's, without Admin, is refused (403) on the page and on
every endpoint of it (preview_api.py)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.domain.privileges import MAGROUP, PLATFORM
from phonesvc.phonemodels import PhoneModel, load
from phonesvc.phonemodels import find as find_model
from phonesvc.urls import DEVICE, base_url, diversion_service_url, phone_service_urls
from phonesvc.web import preview_api
from phonesvc.web.access import SAFE_METHODS, Forbidden, Visitor, require
from phonesvc.web.ma_settings import SERVICE_NAMES
from phonesvc.web.pages import render
from phonesvc.web.preview_fetch import model_header
from phonesvc.web.tabs import Tab

PREVIEW_PATH = "/preview"
PREVIEW = Tab(PLATFORM, "preview", "Phone preview", ())  # not a tab of an application: the page's title
DEFAULT_MODEL = "CP-8865"
ACTIONS = {"screen": preview_api.screen, "image": preview_api.image, "stream": preview_api.stream,
           "dial": preview_api.dial, "try": preview_api.pasted}
CHANGES = {"dial", "try"}  # POST (with the CSRF token); the others GET


def may_preview_any(who: Visitor) -> bool:
    return who.may(MAGROUP, "Admin")


def allowed_device(request: Request, who: Visitor, name: str):
    """The device row the visitor may preview; Forbidden otherwise (also for a device that does not exist,
    so that a refusal tells nothing about other users' devices)."""
    snap = request.app.state.store.snapshot()
    device = snap.devices.get(name.strip().upper())
    if not preview_api.may_preview(snap, who.user.id, device):
        raise Forbidden("You may preview only your own phones (MAGroup Admin: any phone).")
    return device


def chosen_model(request: Request, device) -> PhoneModel:
    """`model=` (a model name or what the phone sends, e.g. CP-8865), else the device's own, else an 8865."""
    asked = request.query_params.get("model", "").strip()
    return find_model(asked or (device.model if device is not None and device.model else "") or DEFAULT_MODEL)


@dataclass(frozen=True)
class ModelChoice:
    value: str  # what the phone sends in x-CiscoIPPhoneModelName
    label: str


def model_choices() -> list[ModelChoice]:
    seen, out = set(), []
    for model in load()[0].values():
        if model.name not in seen:
            seen.add(model.name)
            out.append(ModelChoice(model_header(model), model.name))
    return out


def services(request: Request, device: str) -> list[tuple[str, str]]:
    """(name, URL) of this server's phone services for the device: getPhoneServiceURLs' and each diversion
    group's (the Services key's list)."""
    settings = request.app.state.settings
    base, named = base_url(request), quote(device)
    out = [(SERVICE_NAMES[e], url.replace(DEVICE, f"device={named}"))
           for e, url in phone_service_urls(base, settings.ma_instance)]
    groups = sorted(request.app.state.store.snapshot().diversion_groups.values(), key=lambda g: g.id)
    for group in groups:
        url = diversion_service_url(base, settings.diversions_instance, group.id)
        out.append((f"Toggle Diversion: {group.name}", url.replace(DEVICE, f"device={named}")))
    return out


def offered_devices(request: Request, who: Visitor) -> tuple[list, list, str]:
    """(devices to choose from, users to choose from (Admin), the chosen user name)."""
    snap = request.app.state.store.snapshot()
    user = who.user
    users = []
    if may_preview_any(who):
        users = sorted((u for u in snap.users.values() if snap.devices_by_user.get(u.id)),
                       key=lambda u: u.user_name.casefold())
        asked = request.query_params.get("user", "")
        device = snap.devices.get(request.query_params.get("device", "").strip().upper())
        owner = snap.users.get(device.user_id) if device is not None else None
        user = next((u for u in users if u.user_name == asked), owner or user)
    devices = [snap.devices[n] for n in snap.devices_by_user.get(user.id, ())]
    return devices, users, user.user_name


async def handle(request: Request) -> Response:
    """/preview/ and its endpoints /preview/<screen|image|stream|dial|try>."""
    request.state.tab = PREVIEW
    who = await require(request)
    rest = request.path_params.get("rest", "")
    if rest in ACTIONS:
        device = allowed_device(request, who, request.query_params.get("device", ""))
        if (rest in CHANGES) != (request.method == "POST"):
            return PlainTextResponse("Method Not Allowed", status_code=405)
        return await ACTIONS[rest](request, who, device, chosen_model(request, device))
    if rest:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method not in SAFE_METHODS:
        return PlainTextResponse("Method Not Allowed", status_code=405)
    return page(request, who)


async def without_slash(request: Request) -> Response:
    return RedirectResponse(PREVIEW_PATH + "/" + (f"?{request.url.query}" if request.url.query else ""), 308)


def page(request: Request, who: Visitor) -> Response:
    devices, users, user_name = offered_devices(request, who)
    asked = request.query_params.get("device", "").strip()
    device = allowed_device(request, who, asked) if asked else (devices[0] if devices else None)
    model = chosen_model(request, device)
    phone = None
    if device is not None:
        listed = services(request, device.name)
        start = request.query_params.get("url", "") or listed[0][1]
        phone = {"device": device.name, "model": model_header(model), "name": model.name, "width": model.width,
                 "height": model.height, "family": model.family, "touch": model.touch,
                 "softkeys": list(model.softkeys.screen), "form_softkeys": list(model.softkeys.form), "start": start,
                 "services": [{"name": n, "url": u} for n, u in listed],
                 "idle": next(u for n, u in listed if n == SERVICE_NAMES["StatusDisplay"]),
                 "line_keys": model.family == "79xx" or model.width > 400}
    return render(request, "preview.html", phone=phone, device=device, model=model, devices=devices,
                  users=users, user_name=user_name, models=model_choices(), admin=may_preview_any(who))
