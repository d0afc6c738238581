"""The Callisto-compatible REST API of both manuals."""

from phonesvc.rest import announcements, diversions, files, groups, members, services, vip  # noqa: F401  register
from phonesvc.rest.endpoint import handle

__all__ = ["handle"]
