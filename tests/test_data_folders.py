"""Importing the settings writes nothing; the entry points make the run-time folders, the embedded
broker's control folder among them (kombu's default would be "control" in the working directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, cwd: Path, data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="governance.settings", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True, timeout=120)


def test_importing_the_settings_writes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    _python("import django; django.setup(); import governance.urls, governance.celery", tmp_path, data_dir)
    assert not data_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_entry_points_make_the_folders_under_the_data_dir(tmp_path):
    data_dir = tmp_path / "data"
    _python("from core.storage import make_data_folders; make_data_folders()", tmp_path, data_dir)
    assert {p.name for p in (data_dir / "celery").iterdir()} == {"queue", "processed", "control"}
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
