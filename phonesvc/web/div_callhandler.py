"""The Call Handler tab of PhoneDiversions: the settings its manual describes (diversions/settings.py: one JSON
app setting): the PhoneDiversions number (the Call Handler's route point), "Connect with called destination
number", the Direct Access Numbers, and the announcement, a WAV in the PhoneDiversions instance's PCM folder
uploaded by the checks REST's uploadWAV uses (phonesvc/audio.py). diversions/callhandler.py does the rest."""

from __future__ import annotations

import re

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from phonesvc import audio
from phonesvc.diversions.settings import CallHandlerSettings, save
from phonesvc.diversions.settings import current as _current
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import valid_number
from phonesvc.web.access import SAFE_METHODS, Visitor
from phonesvc.web.div_forms import NOT_FOUND, Fields, back, refusal, show, write
from phonesvc.web.pages import Form

NUMBERS_MAX = 1000  # characters of the Direct Access Numbers field
_SEPARATORS = re.compile(r"[,;\s]+")


def current(request: Request) -> CallHandlerSettings:
    return _current(request.app.state.store.snapshot())


async def _store(request: Request, handler: CallHandlerSettings) -> None:
    await write(request, lambda conn: save(conn, handler))


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
    form = form or Form({"number": handler.number, "connect": "on" if handler.connect else "",
                         "numbers": ", ".join(handler.direct_access), "announcement": handler.announcement})
    return show(request, "div_callhandler.html", status, form=form, upload=upload or Form(), files=_files(request))


async def _save(request: Request) -> Response:
    fields = await Fields.of(request)
    number = fields.text("number", "PhoneDiversions number", 32).strip()
    if number and "number" not in fields.errors:
        if not valid_number(number):
            fields.errors["number"] = f"{number}: not a phone number (digits, * and # after an optional +)."
        elif number in request.app.state.store.snapshot().groups_by_number:
            fields.errors["number"] = f"{number} is the number of a ManagerAssistant group."
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
    await _store(request, CallHandlerSettings(number, fields.checked("connect"), numbers, announcement))
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
    await _store(request, CallHandlerSettings(handler.number, handler.connect, handler.direct_access, sent.filename))
    return back(request)
