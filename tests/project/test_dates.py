"""The project's templates write |date as Django's filter does (core/templatetags/dates.py): every format the
templates use and others, for datetimes (aware, in another zone, naive), dates and what is not a date."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Engine, engines
from django.utils import timezone, translation

from core.templatetags import dates

USED = sorted(
    {
        match[1]
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for match in re.findall(r"\|date:([\"'])(.*?)\1", path.read_text(encoding="utf-8"))
    }
)
OTHERS = [
    "Y-m-d",
    "D, d M Y",  # week day and month names: Django's
    "DATE_FORMAT",  # a format name: Django's
    "SHORT_DATETIME_FORMAT",
    r"Y\Y",  # an escaped character: Django's
    "N j, Y, P",
    "{Y}-{m}",  # braces are text
    "%Y %% s",
    "Y年n月j日 H:i:s",
    "",
]
VALUES = [
    datetime.datetime(2026, 1, 5, 3, 4, 5, tzinfo=datetime.UTC),  # another day in Shanghai
    datetime.datetime(2026, 12, 31, 20, 59, 9, tzinfo=ZoneInfo("America/New_York")),
    datetime.datetime(987, 2, 3, 4, 5, 6),  # naive, a year under 1000
    datetime.date(2026, 7, 8),
    None,
    "",
    "2026-01-01",
    0,
]


def _djangos(source: str, context: dict) -> str:
    return Engine(libraries={"tz": "django.templatetags.tz"}).from_string(source).render(Context(context))


def test_the_formats_used_are_read_from_the_templates():
    assert {"Y-m-d", "Y-m-d H:i", "Y年n月j日", "n月j日"} <= set(USED)
    assert all(dates._compiled(f) is not None for f in USED)  # each written from the compiled pattern


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("fmt", USED + OTHERS)
def test_date_writes_what_djangos_writes(fmt, language):
    source = "{{ v|date:f }}"
    with translation.override(language):
        for value in VALUES:
            context = {"v": value, "f": fmt}
            try:
                expected = _djangos(source, context)
            except TypeError as error:  # a time format on a date: Django's error, and ours
                with pytest.raises(TypeError, match=re.escape(str(error))):
                    engines["django"].from_string(source).render(context)
                continue
            assert engines["django"].from_string(source).render(context) == expected, (fmt, value)


def test_without_a_format_and_with_the_time_zone_switched_off():
    value = datetime.datetime(2026, 1, 5, 23, 4, 5, tzinfo=datetime.UTC)
    for source in ["{{ v|date }}", "{% load tz %}{% localtime off %}{{ v|date:'Y-m-d H:i' }}{% endlocaltime %}"]:
        assert engines["django"].from_string(source).render({"v": value}) == _djangos(source, {"v": value})
    with timezone.override("Asia/Shanghai"):
        assert engines["django"].from_string("{{ v|date:'Y-m-d H:i' }}").render({"v": value}) == "2026-01-06 07:04"


def test_it_is_the_projects_date_filter():
    builtins = engines["django"].engine.template_builtins
    assert [library for library in builtins if "date" in library.filters][-1].filters["date"] is dates.date
