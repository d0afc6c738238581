"""REST services: getIntegrationURLs, getPhoneServiceURLs."""

from __future__ import annotations

from phonesvc.rest.registry import MA, Call, function
from phonesvc.urls import PHONE_SERVICES, integration_urls, phone_service_urls

LOGINS = {"manual": "manual", "auto": "auto", "coc": "coc"}


@function(MA, "services", "getIntegrationURLs", params="login", writes=False)
def get_integration_urls(call: Call):
    urls = integration_urls(call.base_url, call.settings.ma_instance)
    if call.params.given("login"):
        return [("IntegrationURL", urls[call.params.choice("login", LOGINS)])]
    return [("IntegrationURLs", list(urls.items()))]


@function(MA, "services", "getPhoneServiceURLs", params="service", writes=False)
def get_phone_service_urls(call: Call):
    urls = phone_service_urls(call.base_url, call.settings.ma_instance)
    if not call.params.given("service"):
        return urls
    names = {n.casefold(): element for element, aliases, _ in PHONE_SERVICES for n in aliases}
    wanted = call.params.choice("service", names)
    return [(element, url) for element, url in urls if element == wanted]
