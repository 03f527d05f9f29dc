"""How the mailbox reaches officials: pluggable notifiers behind one small interface.

A notifier has `send(recipients, subject, body) -> int` (the number of people it reached
on its channel) and raises when the channel fails, so the caller can release its claim
and retry on the next scan. The channels in use are MAILBOX_NOTIFIERS (dotted paths,
default email + SMS); the SMS gateway is MAILBOX_SMS_BACKEND (default: a backend that
only logs how many numbers, masked).

Texts never carry a writer's phone or ID number: callers build them from the letter's
tracking code, subject and due date only. Officials' numbers are masked in every log line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from portal import identity

logger = logging.getLogger(__name__)

DEFAULT_NOTIFIERS = ("mailbox.notify.EmailNotifier", "mailbox.notify.SmsNotifier")
DEFAULT_SMS_BACKEND = "mailbox.notify.LoggingSmsBackend"
# One SMS segment holds 70 Chinese characters; longer texts are cut, never split.
SMS_MAX_CHARS = 70


class Notifier(Protocol):
    def send(self, recipients: list[Any], subject: str, body: str) -> int:
        """Deliver to `recipients` (users); return how many were reached; raise on failure."""
        ...


class SmsBackend(Protocol):
    def send_messages(self, phones: list[str], text: str) -> None:
        """Send `text` to every number (normalised 11-digit mobiles); raise on failure."""
        ...


class EmailNotifier:
    """One email to every recipient who has an address (officials of one unit or one
    place may see each other's addresses; one SMTP transaction is all or nothing)."""

    def send(self, recipients: list[Any], subject: str, body: str) -> int:
        addresses = sorted({user.email for user in recipients if user.email})
        if not addresses:
            return 0
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
        return len(addresses)


def mobile_numbers(recipients: Iterable[Any]) -> list[str]:
    """Valid mainland mobile numbers of the recipients, normalised, each once."""
    numbers = set()
    for user in recipients:
        try:
            numbers.add(identity.validate_phone(user.phone))
        except (ValidationError, AttributeError, TypeError):
            continue
    return sorted(numbers)


class LoggingSmsBackend:
    """The default gateway: records only how many numbers and their masked forms."""

    def send_messages(self, phones: list[str], text: str) -> None:
        logger.info(
            "SMS (%d chars) to %d numbers: %s",
            len(text),
            len(phones),
            ", ".join(identity.mask_phone(phone) for phone in phones),
        )


def sms_backend() -> SmsBackend:
    path = getattr(settings, "MAILBOX_SMS_BACKEND", "") or DEFAULT_SMS_BACKEND
    try:
        return import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"MAILBOX_SMS_BACKEND {path!r} cannot be imported") from exc


def sms_text(subject: str) -> str:
    text = f"【{settings.PORTAL_SITE_NAME}】{subject}"
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


class SmsNotifier:
    """A short text (the subject line) to every recipient with a valid mobile number."""

    def __init__(self, backend: SmsBackend | None = None) -> None:
        self.backend = backend or sms_backend()

    def send(self, recipients: list[Any], subject: str, body: str) -> int:
        phones = mobile_numbers(recipients)
        if not phones:
            return 0
        self.backend.send_messages(phones, sms_text(subject))
        return len(phones)


class MultiNotifier:
    """Every configured channel in turn. The notification counts as delivered when at
    least one channel that had someone to reach succeeded: a failing second channel is
    logged, not retried, so the first channel's readers are not written to twice. When
    every channel with someone to reach failed, the first error is raised."""

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = list(notifiers)

    def send(self, recipients: list[Any], subject: str, body: str) -> int:
        reached, delivered, errors = 0, False, []
        for notifier in self.notifiers:
            try:
                count = notifier.send(recipients, subject, body)
            except Exception as exc:
                errors.append(exc)
                logger.exception("notifier %s failed", type(notifier).__name__)
                continue
            delivered = delivered or count > 0
            reached = max(reached, count)
        if errors and not delivered:
            raise errors[0]
        return reached


def notifier() -> Notifier:
    """The channels named by MAILBOX_NOTIFIERS, as one notifier."""
    paths = getattr(settings, "MAILBOX_NOTIFIERS", None) or DEFAULT_NOTIFIERS
    if isinstance(paths, str):
        paths = [path.strip() for path in paths.split(",") if path.strip()]
    instances = []
    for path in paths:
        try:
            instances.append(import_string(path)())
        except ImportError as exc:
            raise ImproperlyConfigured(f"MAILBOX_NOTIFIERS: {path!r} cannot be imported") from exc
    return instances[0] if len(instances) == 1 else MultiNotifier(instances)
