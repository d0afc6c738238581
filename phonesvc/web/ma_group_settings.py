"""One group's settings on the Groups tab (the manual's Groups page): General (/groups/<id>), VIP calls
(/groups/<id>/vip) and team member ringtone notifications (/groups/<id>/notifications, with the MP3 upload
for Jabber tones).

Each section is a form over some group parameters. Its values are parsed by the same GROUP_PARAMS as REST
editGroup and saved by the same store.edit_group in one store.write(); a bad value comes back next to its
field with what was typed kept, and nothing changes. They need the Groups or Admin privilege (the group's
visibility is checked by ma_groups.page before)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc import audio
from phonesvc.domain.errors import Missing, Rejected
from phonesvc.domain.groups import GROUP_PARAMS, InvalidValue
from phonesvc.domain.privileges import MAGROUP
from phonesvc.domain.tones import PHONE_TONES
from phonesvc.routing.seats import VIP_THRESHOLD_OFF
from phonesvc.store import groups as store_groups
from phonesvc.web import writes
from phonesvc.web.access import SAFE_METHODS, Visitor, require, visitor
from phonesvc.web.ma_group_nav import groups_url
from phonesvc.web.pages import Form, render

SETTINGS_PRIVILEGES = ("Groups", "Admin")  # the manual: Groups edits groups; Admin every group
PARAMS = {p.column: p for p in GROUP_PARAMS}
REFUSED = object()  # what save() returns when the store refused the change
HINTS = {  # what a refused value should have been, next to its field
    "name": "A group name has 1 to 100 characters, without line breaks or tabs.",
    "number": "A manager number has up to 32 digits, * and # (a leading + is allowed).",
    "caller_name": "Up to 100 characters, without line breaks or tabs.",
    "caller_number": "Only keypad characters (0–9, * and #) around %callerNumber% and %managerNumber%, "
                     "up to 64 characters.",
    "welcome": "Choose one of the uploaded WAV files.",
    "manager_timeout": "Seconds from 0 to 3600 (0: the call stays).",
    "assistant_timeout": "Seconds from 0 to 3600 (0: the call stays).",
    "overflow": "Choose an overflow.",
    "overflow_number": "Enter the number: up to 32 digits, * and # (a leading + is allowed).",
    "vip_threshold": "Choose 0 to 5 stars.",
}
STORE_FIELDS = {"group named": "name", "manager number": "number", "overflow group": "overflow"}
CHECKBOXES = ("assistant_to_mng", "show_calls", "ring_parallel")
TONES = ("mng_call_alarm", "assist_call_alarm", "mng_call_alarm_j", "assist_call_alarm_j")


# --- helpers every form of the tab uses ----------------------------------------------------------------

async def form_values(request: Request, names: Iterable[str]) -> dict[str, str]:
    """The submitted text of each named field ("" when missing or not text)."""
    fields = await request.form()
    return {n: v if isinstance(v := fields.get(n, ""), str) else "" for n in names}


def parse(form: Form, column: str, raw: str, field: str | None = None) -> Any:
    """`raw` parsed as REST parses the group parameter of `column`; a refusal is noted next to `field`."""
    try:
        return PARAMS[column].parse(raw)
    except InvalidValue:
        form.errors[field or column] = HINTS.get(field or column, "This value is not allowed.")
        return None


def text_field(form: Form, name: str) -> Any:
    return parse(form, name, form.value(name))


async def save(request: Request, form: Form, change: Callable[[Connection], Any], where: dict[str, str]) -> Any:
    """Run change(conn) in one store.write(); its result, or REFUSED with the store's message next to the
    field `where` names (a word of the message -> field) or above the form."""
    try:  # the one path of a web change: its transaction, the action log, the PBX's lines
        return await writes.write(request, visitor(request), change, f"{request.method} {request.url.path}")
    except Missing as exc:
        form.errors[""] = f"That {exc.what} no longer exists. Nothing was changed."
    except Rejected as exc:
        field = next((f for word, f in where.items() if word in exc.message), "")
        form.errors[field] = exc.message[:1].upper() + exc.message[1:].rstrip(".") + ". Nothing was changed."
    return REFUSED


# --- the sections ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    slug: str
    template: str
    read: Callable[[sa.Row, bool], dict[str, str]]  # (group, has a manager) -> the form's values
    fields: Callable[[bool], tuple[str, ...]]  # the form's fields (has a manager)
    values: Callable[[Form, bool], dict]  # the typed form -> column values (refusals noted in the form)


def _general_fields(manager: bool) -> tuple[str, ...]:
    """The manual: without a manager, Show call information is the only option."""
    if not manager:
        return ("show_calls",)
    return ("number", "caller_name", "caller_number", "welcome", "manager_timeout", "assistant_timeout",
            "overflow", "overflow_number") + CHECKBOXES


def _general_read(group: sa.Row, manager: bool) -> dict[str, str]:
    values = {c: str(getattr(group, c)) for c in _general_fields(True) if c not in ("overflow", "overflow_number")}
    overflow = group.overflow
    kind, number = (overflow, "") if overflow in ("-1", "-3") or overflow.startswith("group:") else \
        ("voicemail", overflow[10:]) if overflow.startswith("voicemail:") else ("number", overflow)
    return values | {"overflow": kind, "overflow_number": number}


def _general_values(form: Form, manager: bool) -> dict:
    fields = _general_fields(manager)
    out = {c: parse(form, c, "1" if form.value(c) else "0") for c in CHECKBOXES if c in fields}
    for c in fields:
        if c not in CHECKBOXES and c not in ("overflow", "overflow_number"):
            out[c] = parse(form, c, form.value(c).strip() if c != "caller_name" else form.value(c))
    if "overflow" in fields:
        kind, number = form.value("overflow"), form.value("overflow_number").strip()
        if kind in ("number", "voicemail") and not number:
            form.errors["overflow_number"] = HINTS["overflow_number"]
        else:
            raw = {"number": number, "voicemail": f"voicemail:{number}"}.get(kind, kind)
            out["overflow"] = parse(form, "overflow", raw, "overflow_number" if kind in ("number", "voicemail")
                                    else "overflow")
    return out


def _vip_read(group: sa.Row, manager: bool) -> dict[str, str]:
    on = group.vip_threshold <= VIP_THRESHOLD_OFF
    return {"show_vip_call": str(group.show_vip_call), "vip_calls_routing": str(group.vip_calls_routing),
            "threshold_on": "1" if on else "", "vip_threshold": str(group.vip_threshold if on else VIP_THRESHOLD_OFF)}


def _vip_values(form: Form, manager: bool) -> dict:
    stars = form.value("vip_threshold") if form.value("threshold_on") else str(VIP_THRESHOLD_OFF + 1)
    if form.value("threshold_on") and form.value("vip_threshold") not in [str(n) for n in range(6)]:
        form.errors["vip_threshold"] = HINTS["vip_threshold"]
    return {c: parse(form, c, raw) for c, raw in (("show_vip_call", form.value("show_vip_call")),
                                                  ("vip_calls_routing", form.value("vip_calls_routing")),
                                                  ("vip_threshold", stars))}


def _tones_fields(manager: bool) -> tuple[str, ...]:
    return TONES if manager else ("tone", "tone_j")


def _tones_read(group: sa.Row, manager: bool) -> dict[str, str]:
    values = {c: getattr(group, c) for c in TONES}
    return values | {"tone": group.assist_call_alarm or group.mng_call_alarm,
                     "tone_j": group.assist_call_alarm_j or group.mng_call_alarm_j}


def _tones_values(form: Form, manager: bool) -> dict:
    """With a manager, four tones; without, one tone (and one for Jabber) that every member's call plays:
    it is kept as both the manager's and the assistants' tone, which is what the routing plays then."""
    if manager:
        return {c: parse(form, c, form.value(c)) for c in TONES}
    phone, jabber = parse(form, "assist_call_alarm", form.value("tone"), "tone"), \
        parse(form, "assist_call_alarm_j", form.value("tone_j"), "tone_j")
    return {"mng_call_alarm": phone, "assist_call_alarm": phone, "mng_call_alarm_j": jabber,
            "assist_call_alarm_j": jabber}


GENERAL = Section("general", "ma/group_general.html", _general_read, _general_fields, _general_values)
VIP = Section("vip", "ma/group_vip.html", _vip_read,
              lambda _: ("show_vip_call", "vip_calls_routing", "threshold_on", "vip_threshold"), _vip_values)
NOTIFICATIONS = Section("notifications", "ma/group_notifications.html", _tones_read, _tones_fields, _tones_values)


def _choices(current: str, offered: Iterable[str]) -> list[str]:
    """The files to choose from, with the group's current one even when it is not among them (set by REST)."""
    names = list(offered)
    return names + [current] if current and current not in names else names


def _audio(request: Request, kind: str) -> list[str]:
    try:
        return audio.audio_files(request.app.state.settings, kind)
    except Rejected:  # no folder yet: nothing uploaded
        return []


async def _section(request: Request, group_id: int, path: list[str], section: Section,
                   form: Form | None = None) -> Response:
    await require(request, MAGROUP, *SETTINGS_PRIVILEGES)
    if path:
        return PlainTextResponse("Not Found", status_code=404)
    snap = request.app.state.store.snapshot()
    group, manager = snap.groups[group_id], snap.manager_of(group_id) is not None
    url = f"{groups_url(request)}/{group_id}" + ("" if section is GENERAL else f"/{section.slug}")
    if form is None and request.method not in SAFE_METHODS:
        form = Form(await form_values(request, section.fields(manager)))
        values = section.values(form, manager)
        if not form.errors and await save(request, form, lambda conn: store_groups.edit_group(
                conn, group_id, values), STORE_FIELDS) is not REFUSED:
            return RedirectResponse(f"{url}?saved=1", status_code=303)
    form = form or Form(section.read(group, manager))
    others = [g for g in snap.groups.values() if g.id != group_id]
    return render(request, section.template, 400 if form.errors else 200, group=group, section=section.slug,
                  form=form, manager=manager, saved=bool(request.query_params.get("saved")), others=others,
                  wavs=_choices(group.welcome, _audio(request, "wav")), phone_tones=PHONE_TONES,
                  choices=_choices, mp3s=_audio(request, "mp3"))


async def general(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    return await _section(request, group_id, path, GENERAL)


async def vip(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    return await _section(request, group_id, path, VIP)


async def notifications(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    if path == ["mp3"] and request.method not in SAFE_METHODS:
        return await _upload_mp3(request, group_id)
    return await _section(request, group_id, path, NOTIFICATIONS)


async def _upload_mp3(request: Request, group_id: int) -> Response:
    """Upload new MP3 file (Jabber tones): the same checks as REST uploadMP3; nothing is written on a refusal."""
    await require(request, MAGROUP, *SETTINGS_PRIVILEGES)
    files = [f for f in (await request.form()).getlist("upload") if isinstance(f, UploadFile) and f.filename]
    uploads = [(f.filename or "", await f.read()) for f in files]
    form = Form()
    try:
        await run_in_threadpool(audio.save_uploads, request.app.state.settings, "mp3", uploads)
    except Rejected as exc:
        form.errors["upload"] = "Choose an MP3 file to upload." if not uploads else \
            exc.message[:1].upper() + exc.message[1:] + ". Nothing was uploaded."
        snap = request.app.state.store.snapshot()
        shown = Form(NOTIFICATIONS.read(snap.groups[group_id], snap.manager_of(group_id) is not None), form.errors)
        return await _section(request, group_id, [], NOTIFICATIONS, shown)
    return RedirectResponse(f"{groups_url(request)}/{group_id}/notifications?saved=1", status_code=303)
