"""The Call Handler tab of PhoneDiversions: the settings its manual describes, stored as one JSON setting
(store/appsettings.py, read from the snapshot): "Connect with called destination number", the Direct Access
Numbers, and the announcement, a WAV in the PhoneDiversions instance's PCM folder uploaded by the checks
REST's uploadWAV uses (phonesvc/audio.py). What the Call Handler does with calls comes with a later issue."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from phonesvc import audio
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import DIVERSIONS
from phonesvc.domain.text import valid_number
from phonesvc.store.appsettings import set_setting, setting
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.div_forms import NOT_FOUND, Fields, back, refusal, show, write
from phonesvc.web.pages import Form

SETTING = "callHandler"
NUMBERS_MAX = 1000  # characters of the Direct Access Numbers field
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class CallHandler:
    connect: bool = True  # "Connect with called destination number": on unless the administrator turns it off
    direct_access: tuple[str, ...] = ()
    announcement: str = ""  # a file name in the instance's PCM folder, "" for none


def current(request: Request) -> CallHandler:
    raw = setting(request.app.state.store.snapshot(), DIVERSIONS, SETTING, "{}")
    try:
        stored = json.loads(raw)
        return CallHandler(bool(stored.get("connect", True)), tuple(stored.get("direct_access", ())),
                           str(stored.get("announcement", "")))
    except (ValueError, TypeError, AttributeError):  # not written by this module: its defaults
        return CallHandler()


async def _store(request: Request, handler: CallHandler) -> None:
    value = json.dumps(asdict(handler), ensure_ascii=False)
    await write(request, lambda conn: set_setting(conn, DIVERSIONS, SETTING, value))


def _files(request: Request) -> list[str]:
    settings = request.app.state.settings
    return audio.audio_files(settings, "wav", settings.diversions_instance)


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path and request.method in SAFE_METHODS:
        return _page(request)
    if path == [] and request.method == "POST":
        return await _save(request)
    if path == ["upload"] and request.method == "POST":
        return await _upload(request)
    return NOT_FOUND


def _page(request: Request, form: Form | None = None, upload: Form | None = None, status: int = 200) -> Response:
    handler = current(request)
    form = form or Form({"connect": "on" if handler.connect else "", "numbers": ", ".join(handler.direct_access),
                         "announcement": handler.announcement})
    return show(request, "div_callhandler.html", status, form=form, upload=upload or Form(), files=_files(request))


async def _save(request: Request) -> Response:
    fields = await Fields.of(request)
    text = fields.text("numbers", "Direct Access Numbers", NUMBERS_MAX)
    numbers = tuple(dict.fromkeys(n for n in _SEPARATORS.split(text.strip()) if n))
    wrong = [n for n in numbers if not valid_number(n)]
    if wrong and "numbers" not in fields.errors:
        fields.errors["numbers"] = f"{', '.join(wrong)}: not a phone number (digits, * and # after an optional +)."
    announcement = fields.value("announcement")
    if announcement and announcement not in _files(request):
        fields.errors["announcement"] = "Choose an uploaded audio file."
    if fields.errors:
        return _page(request, fields, status=400)
    await _store(request, CallHandler(fields.checked("connect"), numbers, announcement))
    return back(request)


async def _upload(request: Request) -> Response:
    """A WAV into the instance's PCM folder, which becomes the announcement."""
    settings = request.app.state.settings
    upload = Form()
    sent = (await request.form()).get("upload")
    if not isinstance(sent, UploadFile) or not sent.filename:
        upload.errors["upload"] = "Choose a WAV file to upload."
    elif (sent.size or 0) > settings.max_upload_bytes:
        upload.errors["upload"] = f"The file is larger than {settings.max_upload_bytes // 2**20} MB."
    else:
        try:
            audio.save_uploads(settings, "wav", [(sent.filename, await sent.read())], settings.diversions_instance)
        except Rejected as exc:
            refusal(upload, exc, "upload")
    if upload.errors:
        return _page(request, upload=upload, status=400)
    handler = current(request)
    await _store(request, CallHandler(handler.connect, handler.direct_access, sent.filename))
    return back(request)
