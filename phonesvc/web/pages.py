"""HTML from the Jinja2 templates in templates/web/ (autoescaped: a name with & or < stays text), the
static files they link to, and the form-error pattern every form uses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from phonesvc.web.access import visitor
from phonesvc.web.tabs import navigation

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "web"
STATIC = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"
ASSETS = {  # what templates link to: {{ static_url(assets.htmx) }}; vendored files carry their version
    "css": "web.css",
    "htmx": "htmx-2.0.11.min.js",
    "sortable": "Sortable-1.15.7.min.js",
    "copy_js": "copy.js",  # copy buttons (data-copy)
    "preview_css": "preview.css",  # the phone preview (/preview/)
    "preview_js": "preview.js",
    "preview_screen_js": "preview-screen.js",
    "settings_vip_css": "settings-vip.css",  # MA Settings and VIP List tabs
    "gadget_css": "gadget.css",  # the gadget (src/Jabber.asp)
    "gadget_js": "gadget.js",
    "gadget_calls_js": "gadget-calls.js",  # its call control: drag-and-drop transfer, call menus
    "gadget_forwarding_js": "gadget-forwarding.js",  # the Forward settings dialog
    "gadget_tones_js": "gadget-tones.js",  # the Jabber tones on incoming calls
    "reports_css": "reports.css",  # the MA Reports tab
    "report_graph_js": "report-graph.js",  # its bar charts, drawn on a canvas, saved as PNG
}
CACHE = "public, max-age=31536000, immutable"  # every URL names its content (static_url): cache it for a year


@dataclass
class Form:
    """What a user typed and what was wrong with it, for re-rendering a form (see docs/web.md).
    `errors` maps a field name to its message; the key "" holds a message about the whole form."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")


@cache
def static_url(name: str) -> str:
    """The file's URL, with a digest of its content: a changed file is a new URL, so a year's cache is safe."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PATH}/{name}?v={digest}"


class StaticAssets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = CACHE
        return response


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(static_url=static_url, assets=ASSETS)
    return env


ENV = _environment()


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """A page for the visitor of this request: the layout's header and navigation follow who is signed in."""
    who = visitor(request)
    page = {"visitor": who, "nav": navigation(request, who) if who else [], "path": request.url.path,
            "tab": getattr(request.state, "tab", None)}
    html = ENV.get_template(template).render(**page, **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
