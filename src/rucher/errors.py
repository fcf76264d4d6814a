"""Errors raised by actions; views, the API and the CLI each turn them into their own answer."""

from __future__ import annotations


class ActionError(Exception):
    """A request that cannot be carried out; ``message`` is safe to show to the person."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(ActionError):
    status = 422


class NotFound(ActionError):
    """Unknown, or not visible to this person: the two are never told apart (no leak)."""

    status = 404


class Forbidden(ActionError):
    """The person may see the thing but not do this to it."""

    status = 403


class Conflict(ActionError):
    status = 409


class TooManyRequests(ActionError):
    """Refused for now; ``retry_after`` seconds later it may pass (a ``Retry-After`` header)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
