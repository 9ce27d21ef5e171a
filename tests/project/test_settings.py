"""The settings module is loud when the environment is wrong."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(code: str = "", **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "governance.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_demo_key_with_debug_off():
    result = _load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is the demo key" in result.stderr


def test_typo_in_a_boolean_stops_start_up():
    result = _load_settings(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_production_starts_with_a_real_key(tmp_path):
    result = _load_settings(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        DATA_DIR=str(tmp_path),
        ID_NUMBER_KEYS="Y2hlY2stZGVwbG95LW9ubHktMzItYnl0ZS1rZXkhISE=",
        ID_NUMBER_HASH_KEY="a-real-secret",
    )
    assert result.returncode == 0, result.stderr


def test_production_cookies_and_headers(tmp_path):
    """Outside DEBUG: cookies only over HTTPS and out of scripts' reach, HSTS, nosniff, no framing."""
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "SECURE_REFERRER_POLICY",
        "X_FRAME_OPTIONS",
    ]
    result = _load_settings(
        f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))",
        DEBUG="false",
        SECRET_KEY="x" * 60,
        DATA_DIR=str(tmp_path),
        ID_NUMBER_KEYS="Y2hlY2stZGVwbG95LW9ubHktMzItYnl0ZS1rZXkhISE=",
        ID_NUMBER_HASH_KEY="a-real-secret",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
    }


def test_a_retention_under_180_days_stops_start_up():
    result = _load_settings(AUDIT_RETENTION_DAYS="90")
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 180" in result.stderr


def test_refuses_demo_id_number_keys_with_debug_off(tmp_path):
    result = _load_settings(DEBUG="false", SECRET_KEY="x" * 60, DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ID_NUMBER_KEYS and ID_NUMBER_HASH_KEY must be set" in result.stderr


def test_embedded_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_the_embedded_file_cache_keeps_a_towns_tokens(tmp_path):
    """Without Redis the cache is Django's file cache, which culls a third of its entries at random once it
    holds MAX_ENTRIES (300 by default): the scorecard's tokens (one per topic and village) and kept figures
    were dropped with them, and counted again. Here, 1,200 entries kept, none culled."""
    code = (
        "from django.core.cache import cache\n"
        "cache.set_many({f'k{i}': i for i in range(1200)})\n"
        "print(len(cache.get_many([f'k{i}' for i in range(1200)])))\n"
    )
    result = _load_settings(code, DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1200"


def test_server_side_cursors_off_behind_a_transaction_pooler():
    """PgBouncer in transaction mode (README, "Running it for a county") needs Django's server-side cursors off."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    url = "postgres://portal@127.0.0.1:6432/portal"
    pooled = _load_settings(code, DATABASE_URL=url, DISABLE_SERVER_SIDE_CURSORS="true")
    direct = _load_settings(code, DATABASE_URL=url)
    assert (pooled.stdout.strip(), direct.stdout.strip()) == ("True", "False"), pooled.stderr + direct.stderr
    assert "is not a boolean" in _load_settings(code, DATABASE_URL=url, DISABLE_SERVER_SIDE_CURSORS="ja").stderr
