from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the domain refused the action; the message is for the user."""


class NotAllowed(DomainError):
    """This person may not do this here: not eligible, not a resident, not the author.
    The API answers 403 with the message."""


class Conflict(DomainError):
    """The thing is not in a state that allows this now: not yet open, closed, done
    already. The API answers 409 with the message."""
