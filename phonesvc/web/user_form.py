"""The add/edit form of the Users page: what the browser sent, checked field by field with the store's own
validation (store/users.py, the same as the CLI's and the CSV import's), and written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from phonesvc.domain.errors import Missing, Rejected
from phonesvc.domain.privileges import PLATFORM, PRIVILEGES, USER_ADMINISTRATION
from phonesvc.domain.text import HOLDS_CONTROL, has_control
from phonesvc.store import users as users_store
from phonesvc.store.db import Store
from phonesvc.web.pages import Form

TEXT_FIELDS = ("user_name", *users_store.USER_FIELDS, "devices")
# the checkboxes, grouped per application and named as the manuals' privilege tables name them
PRIVILEGE_GROUPS = (("ManagerAssistant Group", "MAGroup"), ("PhoneDiversions", "PhoneDiversions"),
                    ("Platform", PLATFORM))
SHOWN = {"RESTAuthentication": "REST Authentication", "UserAdministration": "User Administration"}
MAX_FIELD = 1000  # characters looked at; the store's limits are shorter and say so


@dataclass
class UserInput:
    form: Form  # the text fields as typed, and the messages for them
    privileges: set[tuple[str, str]] = field(default_factory=set)
    password: str = ""  # never sent back to the browser

    @property
    def devices(self) -> list[str]:
        return self.form.value("devices").replace(",", " ").replace(";", " ").split()

    @property
    def fields(self) -> dict[str, str]:
        return {f: self.form.value(f) for f in users_store.USER_FIELDS}


class Refused(Exception):
    """A write refused by the store, with the form field its message belongs next to ("": the whole form)."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name, self.message = name, message


def checkboxes() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(application title, [(checkbox value, label, app)]) for the template."""
    return [(title, [(f"{app}:{p}", SHOWN.get(p, p), app) for p in PRIVILEGES[app]])
            for title, app in PRIVILEGE_GROUPS]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


async def read(request: Request) -> UserInput:
    data = await request.form()
    values = {f: v[:MAX_FIELD] for f in TEXT_FIELDS if isinstance(v := data.get(f, ""), str)}
    inp = UserInput(Form(values))
    for value in data.getlist("privilege"):
        app, _, name = str(value).partition(":")
        if name in PRIVILEGES.get(app, ()):
            inp.privileges.add((app, name))
        else:
            inp.form.errors["privileges"] = f"Unknown privilege {str(value)[:100]!r}."
    password = data.get("password", "")
    inp.password = password[:MAX_FIELD] if isinstance(password, str) else ""
    return inp


def check(inp: UserInput) -> None:
    """Puts a message next to every field the store would refuse (nothing is written yet)."""
    errors = inp.form.errors
    for name, run in (("user_name", lambda: users_store.check_user_name(inp.form.value("user_name"))),
                      *((f, lambda f=f: users_store.check_user_fields({f: inp.form.value(f)}))
                        for f in users_store.USER_FIELDS),
                      ("devices", lambda: [users_store.check_device_name(d) for d in inp.devices])):
        try:
            run()
        except Rejected as exc:
            errors[name] = _sentence(exc.message) + "."
    if has_control(inp.password):
        errors["password"] = f"The password {HOLDS_CONTROL}."


def keeps_user_administration(inp: UserInput) -> None:
    """Your own account: refused when it would take away your User Administration (nobody would be left to
    give it back, perhaps); another administrator has to do that."""
    if USER_ADMINISTRATION not in inp.privileges:
        inp.form.errors["privileges"] = ("You cannot take User Administration away from your own account. "
                                         "Another administrator can.")


def _step(name: str, run, *args, **kwargs):
    try:
        return run(*args, **kwargs)
    except Missing as exc:
        raise Refused("", f"This {exc.what} no longer exists: perhaps someone else deleted it.") from None
    except Rejected as exc:
        raise Refused(name, _sentence(exc.message) + ".") from None


def save(store: Store, user_id: int | None, inp: UserInput, password_hash: str) -> int:
    """Adds (user_id None) or updates the user in one transaction; the first refusal rolls it all back and
    raises Refused. An empty `password_hash` keeps the password. Runs off the event loop (it waits on the
    database)."""
    with store.write() as conn:
        if user_id is None:
            user_id = _step("user_name", users_store.add_user, conn, inp.form.value("user_name"),
                            password_hash=password_hash, **inp.fields)
        else:
            _step("", users_store.require_user_id, conn, user_id)
            _step("user_name", users_store.rename_user, conn, user_id, inp.form.value("user_name"))
            _step("", users_store.update_user, conn, user_id, **inp.fields)
            if password_hash:
                users_store.set_password_hash(conn, user_id, password_hash)
        _step("devices", users_store.set_devices, conn, user_id, inp.devices)
        _step("privileges", users_store.replace_privileges, conn, user_id, inp.privileges)
    return user_id
