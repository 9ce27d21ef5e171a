"""The folders the app writes to at run time (settings.DATA_FOLDERS: the SQLite file's folder, the embedded
Celery broker's queue and control folders). Made by the entry points when they start, never when the
settings are imported."""

from __future__ import annotations

from pathlib import Path


def make_data_folders() -> None:
    from django.conf import settings

    for folder in getattr(settings, "DATA_FOLDERS", []):
        Path(folder).mkdir(parents=True, exist_ok=True)
