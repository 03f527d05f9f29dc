"""The Celery app: configuration from Django settings (CELERY_*), tasks from every app."""

import os
from pathlib import Path

from celery import Celery

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
