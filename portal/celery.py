"""The Celery app: configuration from Django settings (CELERY_*), tasks from every app."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_queue_folders(sender: Celery, **kwargs) -> None:
    # The filesystem broker (no REDIS_URL) needs its folders before the first message.
    if sender.conf.broker_url.startswith("filesystem://"):
        for folder in (sender.conf.broker_transport_options or {}).values():
            if isinstance(folder, str):
                Path(folder).mkdir(parents=True, exist_ok=True)


@after_setup_logger.connect
@after_setup_task_logger.connect
def _mask_personal_data(logger: logging.Logger, format: str, **kwargs) -> None:  # noqa: A002
    # A worker replaces the root logger's handlers with its own, so the mask_pii filter of
    # settings.LOGGING is gone there: put it on the worker's handlers too.
    from portal.logfilters import MaskPersonalDataFilter

    handlers = list(logger.handlers)
    folder = os.environ.get("PORTAL_LOG_DIR")
    if folder:
        # Every worker process also writes its log to a file of its own (the test session
        # scans them for personal data, tests/logscan.py).
        Path(folder).mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(Path(folder) / f"worker-{os.getpid()}.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter(format))
        logger.addHandler(handler)
        handlers.append(handler)
    for handler in handlers:
        if not any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters):
            handler.addFilter(MaskPersonalDataFilter())
