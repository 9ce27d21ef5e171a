"""The rows of long tables written by Jinja2 (core/jinja.py, ``{% rows %}``): they escape what they write, say
nothing of their own (every word comes translated from the page), refuse a name they are not given, and write
dates as the project's Django templates do."""

import datetime
import re
from pathlib import Path

import jinja2
import pytest
from django.conf import settings
from django.template import Context, Template, engines
from django.urls import reverse
from django.utils import translation

from core.jinja import _local_date
from residents.models import Household
from tests.conftest import make_case
from visits import services

ROWS = Path(settings.BASE_DIR) / "templates" / "jinja2"
HOSTILE = "<b>\"甲\" & '乙'</b>"


def test_the_rows_say_nothing_of_their_own():
    templates = sorted(ROWS.rglob("*.html"))
    assert templates
    for path in templates:
        text = path.read_text(encoding="utf-8")
        # What is left once the expressions, statements and tags are taken out is what the rows would write as
        # their own text: only separators (the lists' "、" and "；" as the Django templates wrote them in both
        # languages), a nought and the scorecard's marks, never a word the messages catalog would miss.
        left = re.sub(r"<[^>]*>", "", re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", "", text, flags=re.S))
        assert set(left) <= set(" \n—·/0、；✔✘↑↓→"), (path.name, sorted(set(left) - set(" \n—·/0、；✔✘↑↓→")))


def test_a_name_not_given_is_an_error_not_an_empty_cell():
    with pytest.raises(jinja2.UndefinedError):
        engines["rows"].get_template("visits/coverage_rows.html").render({"rows": [object()]})


def test_a_method_written_without_calling_it_is_an_error():
    # Django's templates call it; Jinja2 would write "<bound method …>".
    template = engines["rows"].from_string("{% for h in rows %}{{ h.get_living_status_display }}{% endfor %}")
    with pytest.raises(TypeError, match="without calling it"):
        template.render({"rows": [Household(living_status="away")]})
    assert (
        engines["rows"]
        .from_string("{{ h.get_living_status_display() }}")
        .render({"h": Household(living_status="away")})
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC),  # 1:30 on the 2nd in Shanghai
        datetime.datetime(2026, 3, 1, 15, 59, tzinfo=datetime.UTC),
        datetime.date(2026, 3, 1),
        None,
    ],
)
@pytest.mark.parametrize("fmt", ["Y-m-d", "Y-m-d H:i", "m-d"])
def test_dates_are_written_as_the_django_templates_write_them(moment, fmt):
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime) and "H" in fmt:
        return  # a time format on a date: not written by the rows
    django = Template("{{ v|date:f }}").render(Context({"v": moment, "f": fmt}))
    assert str(_local_date(moment, fmt) if moment is not None else "") == django


def test_households_cases_and_coverage_rows_escape_what_they_write(client, world, staff, worker):
    Household.objects.filter(pk=world.household1.pk).update(address=HOSTILE)
    world.grid1.name = HOSTILE
    world.grid1.save()
    make_case(world, staff, title=HOSTILE)
    services.visit_record(worker=worker, target=world.household1)
    client.force_login(staff)
    for url in (reverse("residents:household-list"), reverse("disputes:case-list"), reverse("visits:coverage")):
        page = client.get(url).content.decode()
        assert "<b>" not in page, url
        assert "&lt;b&gt;&#34;甲&#34; &amp; &#39;乙&#39;&lt;/b&gt;" in page, url  # Jinja2's escapes


def test_the_words_of_the_rows_are_in_the_readers_language(client, world, staff):
    make_case(world, staff, title="重大纠纷", major=True)
    client.force_login(staff)
    with translation.override("en"):
        coverage = client.get(reverse("visits:coverage"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        cases = client.get(reverse("disputes:case-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The second grid has no worker; a major case is flagged.
    assert '<span class="warn">Unassigned</span>' in coverage and "未指派" not in coverage
    assert '<mark class="flag">Major</mark>' in cases and ">重大<" not in cases
    chinese = client.get(reverse("disputes:case-list")).content.decode()
    assert '<mark class="flag">重大</mark>' in chinese
    interval = world.key_person1.cadence.interval_days
    english = client.get(reverse("residents:keyperson-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<td>Every {interval} days</td>" in english and "<td data-last-visit>Not visited yet" in english
    chinese = client.get(reverse("residents:keyperson-list")).content.decode()
    assert f"<td>每 {interval} 天</td>" in chinese and "<td data-last-visit>尚未走访" in chinese


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_intcomma_writes_what_djangos_writes(language):
    """The rows' ``intcomma`` writes a whole number from the language's format read once (core/jinja.py); it
    must write exactly what humanize's does, and hand anything else to it."""
    from decimal import Decimal

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from core.jinja import _intcomma

    values = [0, 7, -7, 999, 1000, -1234, 12345, 1234567, 10**12, True, None, "12345", Decimal("1234.5"), 1234.5]
    with translation.override(language):
        assert [_intcomma(v) for v in values] == [intcomma(v) for v in values]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_truncatechars_writes_what_djangos_writes(language):
    """The rows' ``truncatechars`` returns a text that fits as Django's does (normalised) without building a
    ``Truncator``, and hands everything else to it: longer text, combining characters, safe text, not text."""
    from django.template.defaultfilters import truncatechars
    from django.utils import translation
    from django.utils.safestring import SafeString, mark_safe

    from core.jinja import _truncatechars

    values = [
        "",
        "短",
        "张庄村民纠纷",
        "张庄村民纠纷" * 5,
        "e\u0301" * 20,
        "\u1100\u1161" * 4,
        mark_safe("<b>甲</b>"),
        None,
        42,
    ]
    with translation.override(language):
        for value in values:
            for length in (0, -1, 1, 6, 26, 100):
                mine, django = _truncatechars(value, length), truncatechars(value, length)
                assert (mine, type(mine)) == (django, type(django)), (value, length)
                assert isinstance(mine, SafeString) == isinstance(django, SafeString)
