"""Tables of many numbers are written with ``{% localize off %}`` (docs/performance.md, "Numbers in tables"):
each whole number is then written by ``str()`` instead of Django's number formatting, which looks up the
language and three formats for every figure. Every such page is the same, byte for byte, as the template
without the block, in both languages."""

import re
from copy import deepcopy
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings
from django.urls import reverse

from tests.conftest import make_household
from visits import services

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
BLOCK = re.compile(r"{% localize off %}|{% endlocalize %}")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _with_the_block() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.html")
        if "{% localize off %}" in path.read_text(encoding="utf-8")
    )


def _without_the_block():
    """The project's template settings with every template that has the block read without it."""
    stripped = {name: BLOCK.sub("", (TEMPLATES_DIR / name).read_text(encoding="utf-8")) for name in _with_the_block()}
    templates = deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", stripped),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    return templates


def _page(client, url, language) -> str:
    return CSRF.sub("", client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())


def test_the_pages_that_use_the_block_are_the_ones_checked_here():
    assert _with_the_block() == ["visits/coverage.html"]
    # With thousands separators on, the block would drop them: the settings keep them off.
    assert settings.USE_THOUSAND_SEPARATOR is False


@pytest.fixture
def busy(world, worker, colleague):
    for n in range(3, 15):
        make_household(world.micro1, world.group1, f"{n:04d}", f"张庄{n}号")
    services.visit_record(worker=worker, target=world.household1)
    services.visit_record(worker=colleague, target=world.household2)
    return world


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("staff", lambda w: reverse("visits:coverage")),
        ("town", lambda w: reverse("visits:coverage")),
        ("town", lambda w: reverse("visits:coverage") + "?month=2020-01"),
    ],
)
def test_a_page_is_the_same_with_and_without_the_block(client, busy, personas, who, url, language):
    client.force_login(personas[who])
    address = url(busy)
    with_block = _page(client, address, language)
    assert "{% localize" not in with_block and 'data-grid="' in with_block
    with override_settings(TEMPLATES=_without_the_block()):  # the engines are made again from these
        assert "{% localize" not in engines["django"].engine.get_template(_with_the_block()[0]).source
        without = _page(client, address, language)
    assert without == with_block
