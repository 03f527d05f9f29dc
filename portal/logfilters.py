"""Logging filter that keeps citizens' ID and phone numbers out of every log line."""

import logging

from portal.identity import scrub_text


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub_text(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
