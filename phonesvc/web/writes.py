"""Every configuration change made on a web page: one store.write() transaction through the same store
functions as REST, then the action log (actions.py), then the PBX's lines (as REST's answer waits for them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection
from starlette.requests import Request

from phonesvc import actions
from phonesvc.web.access import Visitor

T = TypeVar("T")


async def write(request: Request, who: Visitor, change: Callable[[Connection], T], action: str) -> T:
    """change(conn) in one transaction; a Rejected (or Forbidden) it raises rolls everything back and reaches
    the view, which answers with the form and its message. `action` says what was done, for the action log."""
    state = request.app.state

    def run() -> T:
        with state.store.write() as conn:
            result = change(conn)
        actions.log(state.store, state.settings, request.state.tab.app, "web", who.user.user_name, action)
        return result
    result = await state.store.in_writer(run)  # the writer thread, like every write
    if state.live.forwarding is not None:
        await state.live.forwarding.settled()
    return result
