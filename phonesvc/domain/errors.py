"""A rule refused a change. `status` is the REST manual's status word; `message` is for people."""

from __future__ import annotations


class Rejected(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Missing(Rejected):
    """The record a change names does not exist (any more): perhaps another process just deleted it.
    `what` names the kind of record for people ("member", "group", "user")."""

    def __init__(self, status: str, message: str, what: str):
        super().__init__(status, message)
        self.what = what


OK = "OK"
PARAMETER_MISSING = "PARAMETER_MISSING"
INVALID_GROUP_ID = "INVALID_GROUP_ID"
INVALID_MEMBER_ID = "INVALID_MEMBER_ID"
INVALID_USERNAME = "INVALID_USERNAME"
INVALID_ANNOUNCEMENT_ID = "INVALID_ANNOUNCEMENT_ID"
INVALID_PARAMETERS = "INVALID_PARAMETERS"
INVALID_STATE = "INVALID_STATE"
ALREADY_EXISTS = "ALREADY_EXISTS"
MANAGER_ALREADY_EXISTS = "MANAGER_ALREADY_EXISTS"
FOLDER_MISSING = "FOLDER_MISSING"
NOT_FOUND = "NOT_FOUND"
ERROR = "ERROR"
