"""The Jabber tones (the manual's "Team member ringtone notifications", Jabber) for the gadget: the uploaded
MP3s of the instance's mp3 folder, served to signed-in gadgets at <MA instance>/gadget/tone/<file name>.
Which tone a call plays is the group's (the panel's `tones`); the page chooses and plays it."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from phonesvc import audio
from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import valid_file_name


def tone(request: Request, name: str) -> Response:
    """One MP3 of the mp3 folder; 404 for any other name (nothing outside the folder is reachable)."""
    try:
        folder = audio.folder(request.app.state.settings, "mp3")
    except Rejected:
        return PlainTextResponse("Not Found", status_code=404)
    path = folder / name
    if not valid_file_name(name) or Path(name).suffix.casefold() != ".mp3" or not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(path, media_type="audio/mpeg", headers={"Cache-Control": "private, max-age=300"})
