"""The Announcements dialog of a ManagerAssistant Group group (/groups/<id>/announcements): the WAV files
played to a caller while the phones ring, in play order; upload a WAV (or pick one uploaded before) to add it,
reorder (drag and drop, or Move up/down), delete. Privilege: Groups or Admin.

Changes go through the store functions of REST's addAnnouncement, reorderAnnouncements and
deleteAnnouncement, and an upload through the checks of uploadWAV (phonesvc/audio.py)."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc import audio
from phonesvc.domain import errors as E
from phonesvc.domain.errors import Rejected
from phonesvc.domain.privileges import MAGROUP
from phonesvc.store import announcements as store
from phonesvc.web.access import SAFE_METHODS, Visitor, require
from phonesvc.web.ma_group_section import (
    FieldRejected,
    NoGroup,
    change,
    find_action,
    open_group,
    posted,
    posted_order,
    section_url,
)
from phonesvc.web.pages import Form, render

PRIVILEGES = ("Groups", "Admin")


async def page(request: Request, who: Visitor, group_id: int, path: list[str]) -> Response:
    who = await require(request, MAGROUP, *PRIVILEGES)
    try:
        group = open_group(request.app.state.store.snapshot(), who, group_id)
    except NoGroup:
        return PlainTextResponse("Not Found", status_code=404)
    base = section_url(request, path)
    if request.method in SAFE_METHODS:
        return _page(request, group, base) if not path else PlainTextResponse("Not Found", status_code=404)
    action, announcement_id = find_action(path, ACTIONS, ANNOUNCEMENT_ACTIONS)
    if request.method != "POST" or action is None:
        return PlainTextResponse("Not Found", status_code=404)
    form = Form()
    try:
        data = await posted(request)
        form.values = {k: v for k, v in data.items() if isinstance(v, str)}
        await action(request, group.id, announcement_id, form)
    except Rejected as refused:
        form.errors[getattr(refused, "field", "")] = refused.message
        return _page(request, group, base, form, 400)
    return RedirectResponse(base, 303)


def _page(request: Request, group: sa.Row, base: str, form: Form | None = None, status: int = 200) -> Response:
    settings = request.app.state.settings
    with request.app.state.store.read() as conn:
        rows = store.list_announcements(conn, group.id)
    try:
        waves = audio.audio_files(settings, "wav")
    except Rejected:
        waves = []  # the folder is missing: nothing to pick, and an upload says why
    return render(request, "ma/announcements.html", status, group=group, section="announcements", base=base,
                  rows=rows, waves=waves, form=form or Form(), limit_mb=settings.max_upload_bytes // (1024 * 1024))


def _mine(conn, group_id: int, announcement_id: int | None) -> sa.Row:
    row = store.require_announcement(conn, announcement_id)
    if row.group_id != group_id:
        raise Rejected(E.INVALID_ANNOUNCEMENT_ID, "This announcement is no longer in the group.")
    return row


async def _upload(request: Request, group_id: int, _id: None, _form: Form) -> None:
    """uploadWAV, then addAnnouncement at the end of the list."""
    upload = (await request.form()).get("wave_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldRejected("wave_file", "Choose a WAV file to upload.")
    limit = request.app.state.settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise FieldRejected("wave_file", f"The file is larger than {limit // (1024 * 1024)} MB.")
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]  # a browser may send its folder
    try:
        audio.save_uploads(request.app.state.settings, "wav", [(name, await upload.read())])
    except Rejected as refused:
        raise FieldRejected("wave_file", refused.message, refused.status) from None
    await change(request, lambda conn: store.add_announcement(conn, group_id, name, None))


async def _add(request: Request, group_id: int, _id: None, form: Form) -> None:
    """addAnnouncement with a WAV uploaded before."""
    wave = form.value("wave")
    if wave not in audio.audio_files(request.app.state.settings, "wav"):
        raise FieldRejected("wave", "Choose one of the uploaded WAV files.")
    await change(request, lambda conn: store.add_announcement(conn, group_id, wave, None))


async def _move(request: Request, group_id: int, announcement_id: int, form: Form) -> None:
    if form.value("move") not in ("up", "down"):
        raise FieldRejected("", "Move up or down.")
    await change(request, lambda conn: store.move_announcement(conn, _mine(conn, group_id, announcement_id),
                                                              form.value("move") == "up"))


async def _delete(request: Request, group_id: int, announcement_id: int, _form: Form) -> None:
    await change(request, lambda conn: store.delete_announcement(conn, _mine(conn, group_id, announcement_id)))


async def _order(request: Request, group_id: int, _id: None, form: Form) -> None:
    """A drag and drop: the whole list in its new order, reached by reorderAnnouncements' one-place moves."""
    def order(conn) -> None:
        wanted = posted_order(form.value("order"), [r.id for r in store.list_announcements(conn, group_id)])
        for place, announcement_id in enumerate(wanted):
            current = [r.id for r in store.list_announcements(conn, group_id)]
            for _ in range(current.index(announcement_id) - place):
                store.move_announcement(conn, store.require_announcement(conn, announcement_id), True)
    await change(request, order)


ACTIONS = {"upload": _upload, "add": _add, "order": _order}  # /announcements/<action>
ANNOUNCEMENT_ACTIONS = {"move": _move, "delete": _delete}  # /announcements/<announcement id>/<action>
