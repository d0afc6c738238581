"""The table of REST functions: (application, area, function) -> handler, methods, parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from phonesvc.config import Settings
from phonesvc.domain.linestate import LineState
from phonesvc.rest.params import Params

MA, DIV = "ma", "div"  # the two applications


@dataclass
class Call:
    params: Params
    conn: Connection | None
    settings: Settings
    base_url: str
    uploads: list = field(default_factory=list)  # (filename, bytes) of multipart "upload" parts
    user_name: str = ""  # of the Basic credentials ("" for a local client without them)
    client: str = ""  # the client's address (through trusted proxies)
    # The phone status of a number (and whether a manager forwards at application level).
    line_state: Callable[[str, bool], int] = lambda _number, _app_forwarding=False: int(LineState.IDLE)


@dataclass(frozen=True)
class Func:
    app: str
    area: str  # '' for PhoneDiversions, whose functions sit directly under rest/
    name: str
    methods: tuple[str, ...]
    params: tuple[str, ...]
    handler: Callable[[Call], object]
    writes: bool = True  # runs in a write transaction
    id_param: str | None = None  # set when the response is <id/><status/>: the parameter echoed on error
    id_shaped: bool = False
    # A read whose answer follows from the configuration and the live state only: kept (answers.py). Not a
    # read of files on disk, which change without a configuration write.
    kept: bool = False


REGISTRY: dict[tuple[str, str, str], Func] = {}


def function(app: str, area: str, name: str, methods: str = "POST GET", params: str = "",
             writes: bool = True, id_param: str | None = None, id_shaped: bool = False, kept: bool | None = None):
    def register(handler: Callable[[Call], object]):
        REGISTRY[(app, area.casefold(), name.casefold())] = Func(
            app, area, name, tuple(methods.split()), tuple(params.split()), handler, writes, id_param,
            id_shaped or id_param is not None, not writes if kept is None else kept)
        return handler
    return register
