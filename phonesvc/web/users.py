"""The Users page (/admin/users), the manuals' "Callisto user administration": list and search the directory,
add, edit and delete users, and import a CSV file with the rules of `phonesvc users import`.

Paths: /admin/users (?q= search, &page= n), /admin/users/new, /admin/users/<id>, /admin/users/<id>/delete,
/admin/users/import. The dispatcher has checked User Administration (and CSRF on POST) before any of them."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.domain.errors import Rejected
from phonesvc.domain.members import MANAGER
from phonesvc.domain.passwords import hash_password
from phonesvc.store import users as users_store
from phonesvc.store.snapshot import Snapshot, per_snapshot
from phonesvc.store.userimport import CSV_COLUMNS, import_users
from phonesvc.web import user_form
from phonesvc.web.access import SAFE_METHODS, SESSION_COOKIE, Visitor, set_cookie
from phonesvc.web.pages import Form, render
from phonesvc.web.tabs import ADMIN_PATH

BASE = ADMIN_PATH + "/users"
PAGE_SIZE = 50  # users per page: 10,000 users stay quick to show and to search
MAX_CSV = 5 * 1024 * 1024


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if not path or path == [""]:
        return _list(request) if request.method in SAFE_METHODS else _not_allowed()
    if path == ["new"]:
        return await _edit(request, who, None)
    if path[0].casefold() == "import" and len(path) == 1:
        return await _import(request)
    user_id = int(path[0]) if path[0].isascii() and path[0].isdigit() and len(path[0]) < 10 else None
    user = request.app.state.store.snapshot().users.get(user_id) if user_id is not None else None
    if user is None or len(path) > 2 or (len(path) == 2 and path[1].casefold() != "delete"):
        return PlainTextResponse("Not Found", status_code=404)
    if len(path) == 2:
        return await _delete(request, who, user)
    return await _edit(request, who, user)


def _not_allowed() -> Response:
    return PlainTextResponse("Method Not Allowed", status_code=405)


@per_snapshot
def _directory(snap: Snapshot) -> list[tuple[str, sa.Row]]:
    """Every user in user-name order, with the text a search looks in (case and accents as typed, casefolded)."""
    rows = sorted(snap.users.values(), key=lambda u: u.user_key)
    return [(" ".join((u.user_name, u.first_name, u.last_name, u.line_number, u.mobile_number, u.voicemail_number,
                       u.department, *snap.devices_by_user.get(u.id, ()))).casefold(), u) for u in rows]


def _list(request: Request) -> Response:
    snap = request.app.state.store.snapshot()
    query = request.query_params.get("q", "")[:200]
    terms = query.casefold().split()
    found = [u for text, u in _directory(snap) if all(t in text for t in terms)]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = request.query_params.get("page", "1")
    number = min(pages, max(1, int(number))) if number.isascii() and number.isdigit() and len(number) < 7 else 1

    def link(n: int) -> str:
        return f"{BASE}?" + urlencode({"q": query, "page": n} if query else {"page": n})
    shown = found[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]
    return render(request, "users.html", users=shown, devices=snap.devices_by_user, query=query, total=len(found),
                  first=(number - 1) * PAGE_SIZE + 1, number=number, pages=pages,
                  previous=link(number - 1) if number > 1 else None, next=link(number + 1) if number < pages else None)


def _stored_form(snap: Snapshot, user: sa.Row) -> user_form.UserInput:
    values = {f: str(getattr(user, f)) for f in ("user_name", *users_store.USER_FIELDS)}
    values["devices"] = " ".join(snap.devices_by_user.get(user.id, ()))
    return user_form.UserInput(Form(values), set(snap.privileges.get(user.id, frozenset())))


async def _edit(request: Request, who: Visitor, user: sa.Row | None) -> Response:
    store = request.app.state.store
    if request.method in SAFE_METHODS:
        inp = _stored_form(store.snapshot(), user) if user else user_form.UserInput(Form({"vip_level": "0"}))
        return _form_page(request, user, inp)
    inp = await user_form.read(request)
    user_form.check(inp)
    own = user is not None and user.id == who.user.id
    if own:
        user_form.keeps_user_administration(inp)
    if inp.form.errors:
        return _form_page(request, user, inp, 400)
    # scrypt takes a while: off the event loop, and before the write so that no transaction waits on it
    password_hash = await run_in_threadpool(hash_password, inp.password) if inp.password else ""
    try:
        user_id = await store.in_writer(user_form.save, store, user.id if user else None, inp, password_hash)
    except user_form.Refused as exc:
        inp.form.errors[exc.name] = exc.message
        return _form_page(request, user, inp, 400)
    response = RedirectResponse(f"{BASE}?" + urlencode({"q": inp.form.value("user_name").strip()}), status_code=303)
    if own and password_hash:  # a new password ends the old sessions; yours goes on under the new one
        request.app.state.sessions.end(who.session.token)
        session = request.app.state.sessions.start(user_id, password_hash)
        set_cookie(request, response, SESSION_COOKIE, session.token)
    return response


def _form_page(request: Request, user: sa.Row | None, inp: user_form.UserInput, status: int = 200) -> Response:
    return render(request, "user_form.html", status, user=user, form=inp.form,
                  checked={f"{a}:{p}" for a, p in inp.privileges}, groups=user_form.checkboxes(), base=BASE)


def _what_goes(snap: Snapshot, user: sa.Row) -> list[str]:
    """What leaves with the user, for the confirmation: phones, group memberships, VIP lists."""
    lines = [f"the phone {d}" for d in snap.devices_by_user.get(user.id, ())]
    for member in snap.user_members.get(user.id, []):
        for gm in snap.member_groups.get(member.id, []):
            group = snap.groups.get(gm.group_id)
            role = "manager" if gm.type == MANAGER else "member"
            lines.append(f"{role} {member.number} in the group {group.name if group else gm.group_id}")
        if vips := snap.vip_list(member.id):
            lines.append(f"the VIP list of {member.number} ({len(vips)} numbers)")
    return lines


async def _delete(request: Request, who: Visitor, user: sa.Row) -> Response:
    store = request.app.state.store
    form = Form()
    if user.id == who.user.id:
        form.errors[""] = "You cannot delete your own account. Another administrator can."
    elif request.method not in SAFE_METHODS:
        def delete() -> None:
            with store.write() as conn:
                users_store.delete_user(conn, users_store.require_user_id(conn, user.id).user_name)
        try:
            await store.in_writer(delete)
        except Rejected as exc:
            form.errors[""] = exc.message
        else:
            return RedirectResponse(BASE, status_code=303)
    status = 200 if request.method in SAFE_METHODS and not form.errors else 400
    return render(request, "user_delete.html", status, user=user, form=form, goes=_what_goes(store.snapshot(), user),
                  base=BASE)


async def _import(request: Request) -> Response:
    form = Form()
    if request.method in SAFE_METHODS:
        return render(request, "users_import.html", form=form, columns=CSV_COLUMNS, base=BASE)
    upload = (await request.form()).get("file")
    text = ""
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.errors["file"] = "Choose a CSV file to import."
    else:
        data = await upload.read(MAX_CSV + 1)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.errors["file"] = f"{upload.filename} is not UTF-8 text."
        if len(data) > MAX_CSV:
            form.errors["file"] = f"{upload.filename} is larger than {MAX_CSV // 1024 // 1024} MB."
    if not form.errors:
        store = request.app.state.store

        def run() -> tuple[int, int]:
            with store.write() as conn:
                return import_users(conn, text, upload.filename)
        try:
            added, updated = await store.in_writer(run)
        except Rejected as exc:
            form.errors["file"] = exc.message + ". Nothing was imported."
        else:
            return render(request, "users_import.html", form=form, columns=CSV_COLUMNS, base=BASE,
                          done=f"Imported {upload.filename}: {added} added, {updated} updated.")
    return render(request, "users_import.html", 400, form=form, columns=CSV_COLUMNS, base=BASE)
