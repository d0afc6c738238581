"""What the PhoneDiversions pages share: reading a POSTed form by the rules REST's parameters follow
(phonesvc/domain/text.py: one line of printable text within its length, numbers of keypad characters), and
running a change in one store.write() transaction whose refusal becomes a message next to a field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from phonesvc.domain.errors import Rejected
from phonesvc.domain.text import TEXT_MAX, text_problem, valid_number
from phonesvc.store.ids import parse_id
from phonesvc.web import writes
from phonesvc.web.access import CSRF_FIELD, visitor
from phonesvc.web.pages import Form, render
from phonesvc.web.tabs import tab_url

T = TypeVar("T")
NOT_FOUND = PlainTextResponse("Not Found", status_code=404)


class Fields(Form):
    """The text fields of one POST (what the user typed, kept for the form) and what is wrong with them."""

    @classmethod
    async def of(cls, request: Request) -> Fields:
        form = await request.form()  # parsed once: the CSRF check read it already
        return cls({k: v for k, v in form.multi_items() if isinstance(v, str) and k != CSRF_FIELD})

    def text(self, name: str, label: str, max_len: int = TEXT_MAX, required: bool = False) -> str:
        value = self.value(name)
        problem = text_problem(value, max_len) or ("is empty" if required and not value.strip() else None)
        if problem:
            self.errors[name] = f"{label} {problem}."
        return value

    def number(self, name: str, label: str) -> str:
        """A dialable number, required (surrounding spaces are the browser's, not the number's)."""
        value = self.value(name).strip()
        if not valid_number(value):
            self.errors[name] = f"{label} {value!r} is not a phone number: digits, * and # after an optional +." \
                if value else f"{label} is empty."
        return value

    def checked(self, name: str) -> bool:
        return bool(self.value(name))


async def write(request: Request, change: Callable[[Connection], T]) -> T:
    """Run change(conn) in one configuration write (a Rejected rolls it back and is raised), then wait until
    the PBX's lines follow it: the web's one write path (web/writes.py)."""
    return await writes.write(request, visitor(request), change, f"{request.method} {request.url.path}")


async def read(request: Request, query: Callable[[Connection], T]) -> T:
    def run() -> T:
        with request.app.state.store.read() as conn:
            return query(conn)
    return await run_in_threadpool(run)


def record_id(segment: str) -> int | None:
    """The id a path segment names, or None (abc, 0, 10**30)."""
    return parse_id(segment) if segment.isascii() else None


def refusal(form: Form, exc: Rejected, field: str = "") -> Form:
    """The store's refusal as the message next to `field` ("" for the whole form), its first letter capital."""
    form.errors[field] = exc.message[:1].upper() + exc.message[1:].rstrip(".") + "."
    return form


def tab_path(request: Request) -> str:
    """The path of the tab this request is on: where its forms post and its writes return to."""
    return tab_url(request.app.state.settings, request.state.tab)


def show(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page of the tab (also as the answer to a refused POST, whose own path is not the page's)."""
    return render(request, template, status, tab_path=tab_path(request), **context)


def back(request: Request, *segments: object) -> RedirectResponse:
    """After a write: to the tab's page at `segments`."""
    return RedirectResponse("/".join([tab_path(request), *map(str, segments)]), status_code=303)
