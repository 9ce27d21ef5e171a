"""The Celery app. Configuration lives in settings.py under CELERY_*; tasks live in each app's tasks.py."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def _make_data_folders(**kwargs):
    """The embedded broker's folders exist before the worker (and its beat) open them."""
    from core.storage import make_data_folders

    make_data_folders()
