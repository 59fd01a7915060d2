"""Domain errors. Pages and the API turn them into clear messages; nothing else catches them."""


class CaseError(Exception):
    """Base for every rule of the domain that a request broke."""

    code = "case_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(CaseError):
    """A case cannot move from its status to the one asked for."""

    code = "invalid_transition"


class InvalidDates(CaseError):
    """Dates that cannot be: received before sent, an answer before the request, and so on."""

    code = "invalid_dates"


class ActionNotAvailable(CaseError):
    """The case is not in a state where this can be recorded (`cases.actions`' table does not
    allow it now, so no page or API offers it)."""

    code = "action_not_available"


class NotPermitted(CaseError):
    """The actor's role in the organisation does not allow this."""

    code = "not_permitted"
