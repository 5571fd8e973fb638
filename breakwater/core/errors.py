"""Errors the action layer raises; every interface maps them to its own answer (HTTP status, CLI exit)."""


class ActionError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, detail: object = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(ActionError):
    status = 404
    code = "not_found"


class Forbidden(ActionError):
    status = 403
    code = "forbidden"


class Conflict(ActionError):
    status = 409
    code = "conflict"


class Invalid(ActionError):
    status = 422
    code = "invalid"


class Unavailable(ActionError):
    """The network did not give what was asked (it is down, or the item is gone there)."""

    status = 502
    code = "unavailable"
