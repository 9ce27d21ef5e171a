"""A web process is warmed before its first request (core/warm.py, called by governance/wsgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from core import warm

ROOT = Path(__file__).resolve().parents[2]

# A fresh process that loads the application as gunicorn does, then says what it holds before any request.
PROBE = """
import gc
import json
import governance.wsgi  # noqa: F401
from django.template import engines
from django.urls import get_resolver
import sys

loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "templates": sorted(loader.get_template_cache),
    "rows": sorted(key[1] for key in engines["rows"].env.cache.keys()),
    "languages": sorted(get_resolver()._reverse_dict),
    "argon2": "argon2" in sys.modules,
    "gc_thresholds": gc.get_threshold(),
    "gc_frozen": gc.get_freeze_count(),
}))
"""


ROWS = Path(settings.BASE_DIR) / "templates" / "jinja2"


def _own_templates() -> set[str]:
    """The Django templates: the project's and its apps' folders, without the rows engine's (templates/jinja2)."""
    names = set()
    folders = [Path(settings.BASE_DIR) / "templates"] + [
        p for p in Path(settings.BASE_DIR).glob("*/templates") if not p.parts[-2].startswith(".")
    ]
    for folder in folders:
        names |= {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.suffix in warm.TEMPLATE_SUFFIXES and not p.is_relative_to(ROWS)
        }
    return names


def _rows_templates() -> set[str]:
    return {p.relative_to(ROWS).as_posix() for p in ROWS.rglob("*.html")}


def test_the_application_loaded_as_gunicorn_does_holds_templates_urls_and_hasher_before_a_request():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    held = json.loads(out.stdout.strip().splitlines()[-1])
    templates = set(held["templates"])
    # The morning's pages: the login, the phone's work list and visit page, the layouts they extend.
    assert {"accounts/login.html", "visits/work_list.html", "visits/visit_new.html", "layouts/field.html"} <= templates
    assert _own_templates() <= templates
    # The rows of long tables, compiled by Jinja2, and none of them by Django's engine.
    assert _rows_templates() and _rows_templates() <= set(held["rows"])
    assert not any(name.startswith("jinja2/") for name in templates)
    # Nothing of the installed packages' templates (Django admin's, DRF's) is compiled ahead.
    assert not any(name.startswith(("admin/", "rest_framework/")) for name in templates)
    assert held["languages"] == sorted(code for code, _ in settings.LANGUAGES)
    assert held["argon2"] is True
    # What is loaded is frozen out of the collector's passes, which run at the process's thresholds.
    assert tuple(held["gc_thresholds"]) == warm.GC_THRESHOLDS != (700, 10, 10)
    assert held["gc_frozen"] > 100_000


def test_warm_counts_what_it_did():
    done = warm.warm()
    assert done["templates"] == len(_own_templates()) + len(_rows_templates())
    assert done["url_patterns"] > 100 * len(settings.LANGUAGES)
