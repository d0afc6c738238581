"""The Settings tab of ManagerAssistant Group: the Enable logs switch (actions.py reads it), and the URLs
an administrator pastes into CUCM, Jabber and COC: the same ones REST's getPhoneServiceURLs and
getIntegrationURLs give, built from the same public base URL."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from phonesvc.actions import ENABLE_LOGS, enabled
from phonesvc.domain.privileges import MAGROUP
from phonesvc.store.appsettings import set_setting
from phonesvc.urls import base_url, integration_urls, phone_service_urls
from phonesvc.web.access import Visitor
from phonesvc.web.pages import Form, render
from phonesvc.web.writes import write
from phonesvc.xmltext import escape

# The manual's names of the Cisco services (getPhoneServiceURLs' elements), in its order
SERVICE_NAMES = {
    "MainMenu": "Main menu", "lButtonService": "1 Button Service", "TransferCall": "Transfer Call",
    "PickupCall": "Pickup Calls", "DirectCall": "Direct Call", "ChangeGroup": "Change Group",
    "ChangeStatus": "Change Status", "TeamStatus": "Team Status", "SetForwarding": "Set Forwarding",
    "StatusDisplay": "Status display",
}
INTEGRATION_NAMES = {"coc": "URL for COC integration", "manual": "URL for Jabber tab",
                     "auto": "URL for Jabber (auto login)"}
ICON = "/static/magroup-icon.png"  # a stable URL (no digest): it is pasted into jabber-config.xml
SWITCH_VALUES = {"1": "1", "": "0"}  # a checked box sends 1, an unchecked one nothing


def jabber_config(base: str, instance: str, tab_url: str) -> str:
    """The <page> element of jabber-config.xml's browser-plugin section that adds the Jabber tab."""
    return (f'<page refresh="false" preload="true">\n'
            f"  <tooltip>{escape(instance)}</tooltip>\n"
            f"  <icon>{escape(base + ICON)}</icon>\n"
            f"  <url>{escape(tab_url)}</url>\n"
            f"</page>")


async def page(request: Request, who: Visitor, path: list[str]) -> Response:
    if path:
        return PlainTextResponse("Not Found", status_code=404)
    if request.method == "POST":
        value = SWITCH_VALUES.get(str((await request.form()).get("enableLogs", "")))
        if value is None:
            return _render(request, Form(errors={"enableLogs": "Enable logs is either checked or not."}), 400)
        await write(request, who, lambda conn: set_setting(conn, MAGROUP, ENABLE_LOGS, value),
                    f"Settings: Enable logs {'on' if value == '1' else 'off'}")
        return RedirectResponse(request.url.path, status_code=303)
    return _render(request, Form())


def _render(request: Request, form: Form, status: int = 200) -> Response:
    state = request.app.state
    base, instance = base_url(request), state.settings.ma_instance
    integrations = integration_urls(base, instance)
    return render(request, "ma_settings.html", status, form=form, enable_logs=enabled(state.store, MAGROUP),
                  services=[(SERVICE_NAMES[e], url) for e, url in phone_service_urls(base, instance)],
                  integrations=[(name, integrations[key]) for key, name in INTEGRATION_NAMES.items()],
                  jabber=jabber_config(base, instance, integrations["manual"]))
