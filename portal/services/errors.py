from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A rule of the domain refused the action; the message is for the user."""
