"""Logging filter that keeps citizens' ID and phone numbers out of every log line."""

import logging

from portal.identity import scrub_text

_FORMATTER = logging.Formatter()


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub_text(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        # A traceback repeats the exception's message (a ValidationError quoting what was
        # typed, say): format it here, scrubbed, so the handler's formatter reuses it.
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True
