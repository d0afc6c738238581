"""Privileges per application, as the manuals name them."""

from __future__ import annotations

MAGROUP = "MAGroup"
DIVERSIONS = "PhoneDiversions"
PLATFORM = "Callisto"

PRIVILEGES: dict[str, tuple[str, ...]] = {
    MAGROUP: ("Settings", "Groups", "TeammateStatus", "VIPList", "Reports", "Reports4Eyes", "Admin",
              "MembersManagement"),
    DIVERSIONS: ("State", "Groups", "CallHandler", "Reports"),
    # The manuals send user administration to "Callisto user administration"; phonesvc brings that page
    # itself (the web admin's Users page), and this privilege opens it.
    PLATFORM: ("RESTAuthentication", "UserAdministration"),
}
REST_AUTHENTICATION = (PLATFORM, "RESTAuthentication")
USER_ADMINISTRATION = (PLATFORM, "UserAdministration")


class UnknownPrivilege(ValueError):
    pass


def parse_privilege(text: str) -> tuple[str, str]:
    """'Admin', 'MAGroup:Admin', 'PhoneDiversions:Groups', 'REST Authentication' -> (app, privilege).

    A bare name is looked up in MAGroup, then PhoneDiversions, then the platform, so the
    names both applications share (Groups, Reports) mean MAGroup's unless qualified.
    """
    app, sep, name = text.strip().rpartition(":")
    norm = name.replace(" ", "").casefold()
    apps = [a for a in PRIVILEGES if a.casefold() == app.strip().casefold()] if sep else list(PRIVILEGES)
    if sep and not apps:
        raise UnknownPrivilege(f"unknown application {app!r} (use {', '.join(PRIVILEGES)})")
    for a in apps:
        for p in PRIVILEGES[a]:
            if p.casefold() == norm:
                return a, p
    known = ", ".join(f"{a}:{p}" for a in PRIVILEGES for p in PRIVILEGES[a])
    raise UnknownPrivilege(f"unknown privilege {text!r}; known: {known}")
